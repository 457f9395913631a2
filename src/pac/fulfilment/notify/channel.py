"""One message to one channel through apprise, and why it failed, with nothing of the URL.

A channel's URL is a secret (webhook tokens, SMTP passwords): it is never printed or
recorded. apprise reports a failure only in its log, so the log is captured for the one
call, cut off from the root logger (which would print it), and every piece of the URL is
masked in the reason pac keeps.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from pac.fulfilment.redaction import Redactor

# apprise's per-service socket timeouts, in seconds: a channel that hangs costs a run at
# most these (apprise retries nothing unless the URL asks for it).
CONNECT_TIMEOUT = 4.0
READ_TIMEOUT = 8.0
REASON_LIMIT = 240
EVENT_HEADER = "X-Pac-Event-Id"
# Generic webhooks (apprise's json:// and jsons://) also carry the id in their JSON body.
_JSON_SCHEMES = ("json", "jsons")
_HEADER_SCHEMES = ("json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos")


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    event_id: str  # in every message, so a receiver can drop a duplicate


def send(url: str, message: Message, *, to: str = "") -> str:
    """Send `message` to the apprise `url` (`to`: an email address added as a recipient).
    Returns '' when apprise says it was delivered, else the reason, masked."""
    import apprise

    redact = _redactor(url)
    target = _with_extras(url, message.event_id, to)
    collected = _Collect()
    log = logging.getLogger("apprise")
    propagate, level = log.propagate, log.level
    log.addHandler(collected)
    log.propagate = False
    log.setLevel(logging.DEBUG)
    try:
        app = apprise.Apprise()
        if not app.add(target):
            return "apprise does not know this kind of URL; check the secret's value"
        delivered = app.notify(
            body=message.body, title=message.title, body_format=apprise.NotifyFormat.TEXT
        )
    finally:
        log.removeHandler(collected)
        log.propagate = propagate
        log.setLevel(level)
    return "" if delivered else _reason(collected, redact)


def _with_extras(url: str, event_id: str, to: str) -> str:
    """The URL with the event id as a header (and JSON field), pac's timeouts unless the
    URL sets its own, and the requester's address as `to`."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = {name for name, _ in query}
    scheme = parts.scheme.lower()
    if scheme in _HEADER_SCHEMES:
        query.append((f"+{EVENT_HEADER}", event_id))
    if scheme in _JSON_SCHEMES:
        query.append((":eventId", event_id))
    for name, value in (("cto", CONNECT_TIMEOUT), ("rto", READ_TIMEOUT)):
        if name not in names:
            query.append((name, str(value)))
    if to:
        query = [(n, v) for n, v in query if n != "to"] + [("to", to)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _redactor(url: str) -> Redactor:
    """Masks the URL and each piece of it a log line could quote on its own."""
    parts = urlsplit(url)
    pieces = [url, parts.netloc, parts.password or "", parts.username or ""]
    pieces += [unquote(p) for p in parts.path.split("/")] + parts.path.split("/")
    pieces += [value for _, value in parse_qsl(parts.query)]
    return Redactor(pieces)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.warnings: list[str] = []
        self.details: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.levelno >= logging.WARNING:
            self.warnings.append(text)
        elif text.startswith(("Socket Exception", "Response Details")):
            self.details.append(text)


_SPACE = re.compile(r"\s+")
_SMTP_ANSWER = re.compile(r"\((\d{3}), b['\"]([^'\"]*)")


# What a socket failure amounts to, in place of the HTTP client's long repr of it.
_SOCKET_WORDS = (
    ("timed out", "timed out"),
    ("Connection refused", "connection refused"),
    ("Name or service not known", "unknown host"),
)


def _reason(collected: _Collect, redact: Redactor) -> str:
    said = collected.warnings[-1] if collected.warnings else "the channel did not accept it"
    detail = next((d for d in reversed(collected.details) if "Socket" in d), "")
    if detail:
        detail = detail.removeprefix("Socket Exception: ")
        answer = _SMTP_ANSWER.search(detail)
        short = next((words for found, words in _SOCKET_WORDS if found in detail), detail)
        if answer is not None:  # smtplib's (code, b'text', sender) tuple, in words
            short = f"the SMTP server answered {answer.group(1)} {answer.group(2)}"
        said = f"{said.rstrip('.')} ({short})"
    text = _SPACE.sub(" ", redact(said)).strip()
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 1] + "…"
