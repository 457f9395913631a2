"""A fake platform API for `rest-api` actions, honouring `Idempotency-Key`.

`requests` holds every request received; `effects` only those that did something. A
repeated `Idempotency-Key` gets the first answer again without a second effect.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from typing import Any

from tests.fakes.server import FakeServer, Received, Response, serve_forever

Handler = Callable[[Received, re.Match[str]], tuple[int, Any]]


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

    def respond(self, request: Received) -> Response:
        key = request.headers.get("Idempotency-Key")
        remembered = (request.method, request.path, key or "")
        with self._data_lock:
            if key and remembered in self._answers:
                return self._answers[remembered]
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(request.path)
            if method == request.method and match:
                status, body = handler(request, match)
                break
        else:
            status, body = 200, {"id": next(self._ids), "echo": request.json()}
        response = Response(status, body)
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
