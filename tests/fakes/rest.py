"""A fake platform API for `rest-api` actions, honouring `Idempotency-Key`.

`requests` holds every request received; `effects` only those that did something. A
repeated `Idempotency-Key` gets the first answer again without a second effect.

`echo` makes a route fail the way careless services do, quoting the request back in the
error (its body, its headers with the credentials) in the encoding such a service uses.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from tests.fakes.server import FakeServer, Received, Response, serve_forever

Handler = Callable[[Received, re.Match[str]], tuple[int, Any] | Response]

ECHO_MODES = (
    "json-utf8",
    "json-php",
    "json-string",
    "raw-body",
    "authorization",
    "urlencoded",
    "base64",
)
_REFUSED = "could not process the request"


def echo_answer(request: Received, mode: str, status: int) -> Response:
    """An error answer quoting `request` back, as services of each kind do.

    json-utf8: the request read and written back as JSON, non-ASCII as is (Go, Node);
    json-php: the same with `\\uXXXX` and `\\/` escapes (PHP's json_encode); json-string: the
    exact body as a JSON string; raw-body: the exact bytes, as text/plain without a charset;
    authorization: the credentials header, a basic pair decoded, in PHP's JSON;
    urlencoded: a form-encoded dump; base64: credentials and body base64-encoded in JSON.
    """
    text = request.body.decode("utf-8")
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = text
    credentials = request.headers.get("Authorization", "")
    compact = (",", ":")
    if mode in ("json-utf8", "json-php"):
        seen = {"error": _REFUSED, "request": parsed, "headers": request.headers}
        if mode == "json-utf8":
            return Response(
                status, json.dumps(seen, ensure_ascii=False, separators=compact).encode()
            )
        return Response(status, json.dumps(seen, separators=compact).replace("/", "\\/").encode())
    if mode == "json-string":
        return Response(status, json.dumps({"received": text}, ensure_ascii=False).encode())
    if mode == "raw-body":
        return Response(status, request.body, {"Content-Type": "text/plain"})
    if mode == "authorization":
        seen = {"error": "forbidden", "authorization": credentials}
        scheme, _, value = credentials.partition(" ")
        if scheme == "Basic":
            user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
            seen |= {"user": user, "password": password}
        return Response(status, json.dumps(seen).replace("/", "\\/").encode())
    if mode == "urlencoded":
        fields = parsed if isinstance(parsed, dict) else {"body": text}
        values = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
        form = urlencode({"error": _REFUSED, **values, "authorization": credentials})
        return Response(
            status, form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
    if mode == "base64":
        encoded = [base64.b64encode(part).decode() for part in (credentials.encode(), request.body)]
        return Response(
            status, {"error": _REFUSED, "authorization": encoded[0], "body": encoded[1]}
        )
    raise ValueError(f"unknown echo mode {mode!r}; one of {', '.join(ECHO_MODES)}")


class FakeRestTarget(FakeServer):
    name = "rest"

    def __init__(self, latency: float = 0.0) -> None:
        super().__init__(latency)
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.effects: list[Received] = []
        self._answers: dict[tuple[str, str, str], Response] = {}
        self._ids = itertools.count(1)
        self._data_lock = threading.Lock()

    @property
    def requests(self) -> list[Received]:
        return self.log

    def route(self, method: str, path_regex: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(path_regex), handler))

    def echo(self, method: str, path_regex: str, mode: str, status: int = 500) -> None:
        """Answer matching requests with `status`, quoting them back (`echo_answer`)."""
        if mode not in ECHO_MODES:
            raise ValueError(f"unknown echo mode {mode!r}; one of {', '.join(ECHO_MODES)}")
        self.routes.insert(
            0, (method, re.compile(path_regex), lambda r, m: echo_answer(r, mode, status))
        )

    def respond(self, request: Received) -> Response:
        key = request.headers.get("Idempotency-Key")
        remembered = (request.method, request.path, key or "")
        with self._data_lock:
            if key and remembered in self._answers:
                return self._answers[remembered]
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(request.path)
            if method == request.method and match:
                answer = handler(request, match)
                break
        else:
            answer = 200, {"id": next(self._ids), "echo": request.json()}
        response = answer if isinstance(answer, Response) else Response(*answer)
        status = response.status
        with self._data_lock:
            self.effects.append(request)
            if key and status < 500:
                self._answers[remembered] = response
        return response


def platform_api(target: FakeRestTarget) -> FakeRestTarget:
    """Routes answering like the sample catalog's database, secrets and Kubernetes APIs."""
    counter = itertools.count(1)

    def cluster(request: Received, match: re.Match[str]) -> tuple[int, Any]:
        body = request.json() or {}
        n = next(counter)
        return 201, {
            "id": f"cluster-{n}",
            "arn": f"arn:aws:rds:eu-west-1:123456789012:cluster:{body.get('name')}",
            "endpoint": f"{body.get('name')}.cluster-{n}.eu-west-1.rds.amazonaws.com",
        }

    def namespace(request: Received, match: re.Match[str]) -> tuple[int, Any]:
        return 200, {"path": (request.json() or {}).get("path")}

    def k8s_namespace(request: Received, match: re.Match[str]) -> tuple[int, Any]:
        return 201, {"namespace": (request.json() or {}).get("name")}

    def app(request: Received, match: re.Match[str]) -> tuple[int, Any]:
        return 201, {"url": f"https://{(request.json() or {}).get('name')}.apps.company.com"}

    target.route("POST", r"/api/v1/clusters", cluster)
    target.route("PUT", r"/api/v2/namespaces/[^/]+/[^/]+", namespace)
    target.route("POST", r"/api/v1/namespaces", k8s_namespace)
    target.route("POST", r"/api/v1/namespaces/[^/]+/apps", app)
    return target


if __name__ == "__main__":
    serve_forever(lambda latency: platform_api(FakeRestTarget(latency)), "A fake platform API")
