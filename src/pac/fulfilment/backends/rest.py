"""REST calls for `rest-api` actions: timeouts, retries with backoff, idempotency keys.

Retried only when retrying cannot do harm twice: connection errors, timeouts, 5xx, 408
and 429 answers (waiting out a short `Retry-After`), always with the same
`Idempotency-Key` so a target that already did the work can say so. Any other 4xx fails at
once: asking again would get the same answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pac.documents.action_types import REST_API
from pac.fulfilment.backends import (
    BackendError,
    is_transient_status,
    retry_after_seconds,
    tune_session,
)
from pac.fulfilment.redaction import Redactor, excerpt
from pac.templating.values import MASK

if TYPE_CHECKING:
    from requests import Response

IDEMPOTENCY_HEADER = "Idempotency-Key"
_SNIPPET = 300
_NOTHING_SECRET = Redactor(())
# A Retry-After up to this many seconds is waited out within the run; a longer one is
# left to the next run.
MAX_RETRY_AFTER = 30.0
# Connection errors that happen before anything was sent.
_NOT_SENT = frozenset({"Connection refused", "Name or service not known", "Temporary failure"})


@dataclass
class RenderedCall:
    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    body_type: str
    timeout: float
    retry_attempts: int
    backoff: str
    retry_delay: float
    authentication: str  # "" or bearer/basic/api-key

    kind = REST_API.name

    def as_dict(self) -> dict[str, Any]:
        body: Any = self.body
        if self.body is not None and self.body_type == "json":
            body = json.loads(self.body)
        return {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "bodyType": self.body_type,
            "body": body,
            "timeout": self.timeout,
            "retry": {
                "attempts": self.retry_attempts,
                "backoff": self.backoff,
                "delaySeconds": self.retry_delay,
            },
            "authentication": self.authentication,
        }


@dataclass
class _Trouble:
    """What went wrong so far in the attempts of one call."""

    tries: int = 0
    problem: str = ""
    status: int = 0
    unknown: bool = False  # some attempt was sent and its answer lost
    retry_after: float | None = None

    def lost(self, problem: str, sent: bool) -> None:
        self.tries += 1
        self.problem, self.status, self.retry_after = problem, 0, None
        self.unknown = self.unknown or sent

    def answered(self, status: int, text: str) -> None:
        self.tries += 1
        self.problem, self.status = f"answered {status}: {text}", status


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    text: str
    attempts: int

    def body(self) -> Any:
        """The body parsed as JSON when it is JSON, else the text."""
        try:
            return json.loads(self.text)
        except ValueError:
            return self.text

    def as_response(self) -> dict[str, Any]:
        """`.response` for outputs templates."""
        return {"status": self.status, "headers": dict(self.headers), "body": self.body()}


def backoff_delay(call: RenderedCall, attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (1-based)."""
    factor = attempt if call.backoff == "linear" else 2 ** (attempt - 1)
    return float(call.retry_delay * factor)


class RestClient:
    """One per thread: a `requests` session keeps connections to the targets open."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        import requests

        self.session = requests.Session()
        tune_session(self.session)
        self.sleep = sleep

    def send(
        self,
        call: RenderedCall,
        idempotency_key: str,
        shown_url: str = "",
        redact: Redactor = _NOTHING_SECRET,
        display: RenderedCall | None = None,
    ) -> HttpResult:
        """Send `call`; `redact` masks secrets in answers quoted in errors.

        `display` is the same call rendered with its secrets as `***`. A target may echo the
        request (its Authorization header, a body holding a secret) in an error, in any
        encoding: what is quoted is masked of every known form of a secret, then of every
        run it shares with the secret-bearing parts of the call as sent, before it is cut
        short, so no prefix of a secret survives the cut.
        """

        def snippet(text: str) -> str:
            hidden = _parts(display) if display else _masked(call, redact)
            return excerpt(text, redact, _parts(call), hidden, _SNIPPET)

        headers = dict(call.headers)
        headers[IDEMPOTENCY_HEADER] = idempotency_key
        shown = f"{call.method} {shown_url or (display.url if display else redact(call.url))}"
        tries = 1 + max(call.retry_attempts, 0)
        state = _Trouble()
        for attempt in range(1, tries + 1):
            if attempt > 1:
                wait = max(backoff_delay(call, attempt - 1), state.retry_after or 0.0)
                if wait > MAX_RETRY_AFTER:
                    break  # asked to come back later: the next run does
                self.sleep(wait)
            result = self._attempt(call, headers, attempt, state, shown, snippet)
            if result is not None:
                return result
        raise BackendError(
            f"{shown} failed after {state.tries} attempt{'s' if state.tries > 1 else ''}: "
            f"{state.problem}",
            "The service is unavailable or failing.",
            transient=True,
            http_status=state.status,
            unknown=state.unknown,
            retry_after=state.retry_after,
        )

    def _attempt(
        self,
        call: RenderedCall,
        headers: dict[str, str],
        attempt: int,
        state: _Trouble,
        shown: str,
        snippet: Callable[[str], str],
    ) -> HttpResult | None:
        """One attempt: its result, or None (noted in `state`) when another may do better."""
        import requests

        try:
            response = self.session.request(
                call.method,
                call.url,
                headers=headers,
                data=call.body.encode("utf-8") if call.body is not None else None,
                timeout=call.timeout,
                allow_redirects=False,
            )
        except requests.ConnectTimeout:
            state.lost(f"no connection within {call.timeout:g} s", sent=False)
            return None
        except requests.Timeout:
            state.lost(f"no answer within {call.timeout:g} s", sent=True)
            return None
        except requests.ConnectionError as exc:
            reason = _reason(exc)
            state.lost(f"connection failed ({reason})", sent=reason not in _NOT_SENT)
            return None
        except requests.RequestException as exc:
            raise BackendError(
                f"{shown} could not be sent: {snippet(str(exc))}",
                "Check the endpoint URL in the catalog item.",
            ) from exc
        return _answered(response, attempt, state, shown, snippet)

    def close(self) -> None:
        self.session.close()


def _answered(
    response: Response, attempt: int, state: _Trouble, shown: str, snippet: Callable[[str], str]
) -> HttpResult | None:
    """An answer: the result, None when a transient one is worth another attempt, or a
    `BackendError` when asking again would get the same answer."""
    if is_transient_status(response.status_code):
        state.answered(response.status_code, snippet(response.text))
        state.retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return None
    if response.status_code >= 400:
        raise BackendError(
            f"{shown} answered {response.status_code}: {snippet(response.text)}",
            "The service rejected the call, so it was not retried. Check the request's "
            "input and the item's template with its owners.",
            http_status=response.status_code,
        )
    return HttpResult(response.status_code, dict(response.headers), response.text, attempt)


def _parts(call: RenderedCall) -> list[str]:
    return [call.url, *call.headers.values(), call.body or ""]


def _masked(call: RenderedCall, redact: Redactor) -> list[str]:
    """The call as it would be shown, when no rendering with masked secrets is at hand.

    Credentials are secret as a whole, whatever `redact` knows of them.
    """
    headers = [
        value.partition(" ")[0] + " " + MASK
        if name.lower() == "authorization" and call.authentication
        else redact(value)
        for name, value in call.headers.items()
    ]
    return [redact(call.url), *headers, redact(call.body or "")]


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in (
        "Connection refused",
        "Name or service not known",
        "Temporary failure",
        "Connection reset",
        "RemoteDisconnected",
        "Connection aborted",
    ):
        if marker in text:
            return marker
    return type(exc).__name__
