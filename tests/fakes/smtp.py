"""A real SMTP server on 127.0.0.1 (aiosmtpd) for notification tests: it keeps every
message it accepts and refuses the senders it is told to refuse."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain", "html"))
        return body.get_content() if body is not None else ""


@dataclass
class _Handler:
    refused_senders: set[str] = field(default_factory=set)
    mails: list[Mail] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused_senders:
            return "550 5.7.1 sender refused: not allowed to send from this address"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = bytes(envelope.original_content or envelope.content)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.raw.append(content)
            self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


class FakeSmtp:
    """`with FakeSmtp() as smtp:` — `smtp.port`, `smtp.mails`, `smtp.refuse(sender)`."""

    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> FakeSmtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> FakeSmtp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def refuse(self, sender: str) -> None:
        self.handler.refused_senders.add(sender)

    @property
    def mails(self) -> list[Mail]:
        with self.handler.lock:
            return list(self.handler.mails)

    def url(self, sender: str = "pac@company.com", to: str = "") -> str:
        """An apprise URL for this server: plain SMTP, no login."""
        extra = f"&to={to}" if to else ""
        return f"mailto://127.0.0.1:{self.port}?from={sender}&mode=insecure{extra}"


def _free_port() -> int:
    # aiosmtpd checks its server by connecting to the port it was given: 0 will not do.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
