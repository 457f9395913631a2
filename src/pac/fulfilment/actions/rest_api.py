"""`rest-api` actions (SPEC §4.3): the call rendered (URL, headers, body, credentials) and
sent with the task's `Idempotency-Key`, so a repeat is recognised by the target (§6.4)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from pac.documents.action_types import REST_API
from pac.documents.loader import JsonPath
from pac.fulfilment.actions.base import Rendered, TaskRun, known_from
from pac.fulfilment.backends import BackendError
from pac.fulfilment.backends.rest import RenderedCall
from pac.fulfilment.redaction import Redactor
from pac.records.status import Attempt, Effect, Known, RequestStatus, TaskStatus, precise_now_text
from pac.templating.encoders import Target
from pac.templating.errors import TemplateError
from pac.templating.values import MASK, Secret
from pac.text import indent

if TYPE_CHECKING:
    from pac.fulfilment.preview import PreviewTask
    from pac.fulfilment.rendering import Renderer
    from pac.fulfilment.tasks import TaskSpec

DEFAULT_TIMEOUT = 30.0
_BODY_TARGETS = {"json": Target.JSON, "form": Target.FORM}
_CONTENT_TYPES = {"json": "application/json", "form": "application/x-www-form-urlencoded"}


def _not_json(name: str) -> Any:
    # Python's reader accepts NaN and Infinity; JSON, and so the receiving API, does not.
    raise ValueError(f"{name} is not a JSON value")


class _Call:
    """Renders the parts of one call action, each at its place in the item's file."""

    def __init__(self, renderer: Renderer, spec: TaskSpec, spaces: Mapping[str, Any]) -> None:
        self.renderer, self.spec, self.spaces = renderer, spec, spaces
        self.config: Mapping[str, Any] = spec.action.config
        self.base: JsonPath = (*spec.action.path, "config")

    def text(self, path: JsonPath, source: Any, target: Target) -> str:
        return self.renderer.render_text(
            self.spec, (*self.base, *path), source, target, self.spaces
        )

    def fail(self, path: JsonPath, message: str, hint: str) -> NoReturn:
        self.renderer.fail(self.spec, (*self.base, *path), message, hint)

    def url(self) -> str:
        url = self.text(("endpoint", "url"), self.config["endpoint"]["url"], Target.URL)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.fail(
                ("endpoint", "url"),
                f"the URL rendered as {url!r}, which is not an absolute http(s) URL",
                "Write the scheme and host in the template itself (https://host/path/"
                "{{ … }}): every value inserted into a URL is percent-encoded, so a value "
                "cannot supply the scheme, the host or slashes.",
            )
        return url

    def headers(self) -> dict[str, str]:
        return {
            name: self.text(("headers", name), value, Target.HEADER)
            for name, value in (self.config.get("headers") or {}).items()
        }

    def body(self, headers: dict[str, str]) -> tuple[str | None, str]:
        """The body and its type; sets the Content-Type the template did not."""
        body_config = self.config.get("body")
        if not body_config:
            return None, ""
        body_type = body_config["type"]
        where = ("body", "contentTemplate")
        target = _BODY_TARGETS.get(body_type, Target.TEXT)
        body = self.text(where, body_config["contentTemplate"], target)
        if body_type == "json":
            try:
                json.loads(body, parse_constant=_not_json)
            except ValueError as exc:
                self.fail(
                    where,
                    f"the body is not valid JSON after rendering ({exc})",
                    "Check the template's own JSON: commas, braces and quotes. Values are "
                    "encoded by pac; do not add quotes around numbers, lists or booleans.",
                )
        headers.setdefault(
            "Content-Type", _CONTENT_TYPES.get(body_type, "text/plain; charset=utf-8")
        )
        return body, body_type

    def auth_headers(self, auth: Mapping[str, Any]) -> dict[str, str]:
        kind = auth["type"]
        if kind == "bearer":
            return {"Authorization": f"Bearer {self.secret(auth, 'token')}"}
        if kind == "basic":
            password = self.secret(auth, "password")
            if not self.renderer.reveal:
                return {"Authorization": f"Basic {MASK}"}
            pair = f"{auth['username']}:{password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        return {str(auth["header"]): self.secret(auth, "key")}

    def secret(self, auth: Mapping[str, Any], key: str) -> str:
        if not self.renderer.reveal:
            return MASK
        try:
            return Secret(auth[key]["secretRef"], self.renderer.lookup).reveal()
        except TemplateError as exc:
            self.fail(("authentication", key), exc.message, exc.hint)


class RestApi:
    """A call to an HTTP API, retried only where that cannot do the work twice."""

    name = REST_API.name
    linked = False
    secret_variables: tuple[str, ...] = ()  # its secrets are PAC_SECRET_<NAME>, masked by prefix

    def render(self, renderer: Renderer, spec: TaskSpec, spaces: Mapping[str, Any]) -> RenderedCall:
        call = _Call(renderer, spec, spaces)
        url = call.url()
        headers = call.headers()
        body, body_type = call.body(headers)
        auth = call.config.get("authentication") or {}
        if auth:
            headers.update(call.auth_headers(auth))
        retry = call.config.get("retry") or {}
        return RenderedCall(
            method=str(call.config["endpoint"]["method"]),
            url=url,
            headers=headers,
            body=body,
            body_type=body_type,
            timeout=float(call.config.get("timeout", DEFAULT_TIMEOUT)),
            retry_attempts=int(retry.get("attempts", 0)),
            backoff=str(retry.get("backoff", "exponential")),
            retry_delay=float(retry.get("delaySeconds", 1.0)),
            authentication=str(auth.get("type", "")),
        )

    def step_line(self, rendered: Rendered) -> str:
        assert isinstance(rendered, RenderedCall)
        return f"{rendered.method} {rendered.url}"

    def preview_lines(self, task: PreviewTask) -> list[str]:
        rendered = task.rendered
        assert isinstance(rendered, RenderedCall)
        lines = [f"   {rendered.method} {rendered.url}"]
        lines += [f"   {name}: {value}" for name, value in rendered.headers.items()]
        if rendered.body is not None:
            body = rendered.body
            if rendered.body_type == "json":
                body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
            lines += [f"   body ({rendered.body_type}):", indent(body)]
        retry = (
            f"retry {rendered.retry_attempts}x {rendered.backoff}"
            if rendered.retry_attempts
            else "no retries"
        )
        lines.append(f"   timeout {rendered.timeout:g}s, {retry}")
        return lines

    def start(self, run: TaskRun, unfinished: list[TaskSpec]) -> None:
        """Nothing to look up: the target recognises a repeat by its Idempotency-Key."""

    def perform(
        self, run: TaskRun, task: TaskStatus, spec: TaskSpec, outputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        display = run.shown.render_action(spec, outputs)
        call = run.sent.render_action(spec, outputs)
        assert isinstance(call, RenderedCall) and isinstance(display, RenderedCall)
        task.http_method, task.http_url = display.method, run.redact(display.url)
        idempotency = idempotency_key(run.status, task)
        # Kept for the rest of the request: outputs and later messages are masked alike.
        run.redact = Redactor([*run.redact.secrets, *_credentials(call, display)])
        run.act(task)
        # Written before sending: a run killed before the answer sends the same key again.
        task.attempt = attempt = Attempt(Effect.CALL, precise_now_text(), key=idempotency)
        run.store.save(run.status)
        try:
            result = run.rest.send(call, idempotency, redact=run.redact, display=display)
        except BackendError as exc:
            task.http_status = exc.http_status
            attempt.known = known_from(exc)
            raise
        attempt.known = Known.DONE
        run.calls += result.attempts
        task.http_status = result.status
        run.say(f"{task.component}: {display.method} {display.url} -> {result.status}")
        return result.as_response()


def _credentials(call: RenderedCall, display: RenderedCall) -> list[str]:
    """Credentials sent in headers, as sent (a basic pair is base64), masked in any echo."""
    return [
        value
        for name, value in call.headers.items()
        if MASK in display.headers.get(name, "")
        for value in (value, value.partition(" ")[2])
    ]


def idempotency_key(status: RequestStatus, task: TaskStatus) -> str:
    """The key of the last call, unless an answer said it failed (SPEC §6.4).

    Work whose outcome is unknown may have been done: only its own key lets the target
    recognise it, also across operations.retry. A call refused for good did nothing, and a
    retry of it is a new attempt the target must not answer from its memory of the old.
    """
    previous = task.attempt
    if (
        previous is not None
        and previous.effect is Effect.CALL
        and previous.key
        and (previous.known is not Known.REFUSED or not status.handled_retry)
    ):
        return previous.key
    return task.key + (f"#retry-{status.handled_retry}" if status.handled_retry else "")


ACTION = RestApi()
