"""REST calls for `rest-api` actions: timeouts, retries with backoff, idempotency keys.

Retried only when retrying cannot do harm twice: connection errors, timeouts and 5xx
answers, always with the same `Idempotency-Key` so a target that already did the work can
say so. A 4xx answer fails at once: asking again would get the same answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pac.backends import BackendError, tune_session
from pac.redaction import Redactor, excerpt
from pac.tasks import RenderedCall
from pac.templating import MASK

IDEMPOTENCY_HEADER = "Idempotency-Key"
_SNIPPET = 300
_NOTHING_SECRET = Redactor(())


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
        import requests

        def snippet(text: str) -> str:
            hidden = _parts(display) if display else _masked(call, redact)
            return excerpt(text, redact, _parts(call), hidden, _SNIPPET)

        headers = dict(call.headers)
        headers[IDEMPOTENCY_HEADER] = idempotency_key
        shown = f"{call.method} {shown_url or (display.url if display else redact(call.url))}"
        tries = 1 + max(call.retry_attempts, 0)
        problem = ""
        last_status = 0
        for attempt in range(1, tries + 1):
            if attempt > 1:
                self.sleep(backoff_delay(call, attempt - 1))
            try:
                response = self.session.request(
                    call.method,
                    call.url,
                    headers=headers,
                    data=call.body.encode("utf-8") if call.body is not None else None,
                    timeout=call.timeout,
                    allow_redirects=False,
                )
            except requests.Timeout:
                problem, last_status = f"no answer within {call.timeout:g} s", 0
                continue
            except requests.ConnectionError as exc:
                problem, last_status = f"connection failed ({_reason(exc)})", 0
                continue
            except requests.RequestException as exc:
                raise BackendError(
                    f"{shown} could not be sent: {snippet(str(exc))}",
                    "Check the endpoint URL in the catalog item.",
                ) from exc
            result = HttpResult(
                response.status_code, dict(response.headers), response.text, attempt
            )
            if response.status_code >= 500:
                last_status = response.status_code
                problem = f"answered {response.status_code}: {snippet(response.text)}"
                continue
            if response.status_code >= 400:
                raise BackendError(
                    f"{shown} answered {response.status_code}: {snippet(response.text)}",
                    "The service rejected the call, so it was not retried. Check the request's "
                    "input and the item's template with its owners.",
                    http_status=response.status_code,
                )
            return result
        raise BackendError(
            f"{shown} failed after {tries} attempt{'s' if tries > 1 else ''}: {problem}",
            "The service is unavailable or failing. Raise operations.retry in the request file "
            "to try again later, or set operations.escalate to hand it to the team as tickets.",
            transient=True,
            http_status=last_status,
        )

    def close(self) -> None:
        self.session.close()


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
