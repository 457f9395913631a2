from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from pac.fulfilment.notify.channel import EVENT_HEADER, Message, send
from tests.fakes.server import FakeServer, Received, Response
from tests.fakes.smtp import FakeSmtp

TOKEN = "T0KEN-b1n-4242"
MESSAGE = Message(
    "payments-db is ready", "payments-db is ready\nEvent: p/r0/completed/1", "p/r0/completed/1"
)


class Hook(FakeServer):
    def respond(self, request: Received) -> Response:
        return Response(200, {})


@pytest.fixture
def hook() -> Iterator[Hook]:
    with Hook() as server:
        yield server  # type: ignore[misc]


def _url(hook: Hook, extra: str = "") -> str:
    return f"{hook.url.replace('http://', 'json://')}/hooks/{TOKEN}{extra}"


def test_a_webhook_gets_the_event_id_as_a_header_and_in_its_json(hook: Hook) -> None:
    assert send(_url(hook), MESSAGE) == ""
    received = hook.log[-1]
    assert received.headers[EVENT_HEADER] == "p/r0/completed/1"
    assert received.json()["eventId"] == "p/r0/completed/1"
    assert received.json()["message"] == MESSAGE.body


def test_an_answer_of_500_is_a_reason_without_the_url(
    hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    hook.fail_next("POST", ".*", 500)
    with caplog.at_level(logging.DEBUG):
        reason = send(_url(hook), MESSAGE)
    assert "error=500" in reason and TOKEN not in reason
    assert not [r for r in caplog.records if r.name.startswith("apprise")]  # nothing printed


def test_a_hanging_webhook_is_bounded_by_the_read_timeout(hook: Hook) -> None:
    hook.fail_next("POST", ".*", "timeout", hold=5.0)
    reason = send(_url(hook, "?rto=0.5"), MESSAGE)
    assert "timed out" in reason and TOKEN not in reason


def test_a_refused_connection_masks_the_token_in_the_path() -> None:
    reason = send(f"json://127.0.0.1:1/hooks/{TOKEN}", MESSAGE)
    assert "connection refused" in reason and TOKEN not in reason


def test_an_unknown_kind_of_url_says_to_check_the_secret() -> None:
    assert "check the secret's value" in send("nosuchscheme://x/y", MESSAGE)


def test_an_email_goes_to_the_requester_with_the_event_id_header() -> None:
    with FakeSmtp() as smtp:
        assert send(smtp.url(to="team@company.com"), MESSAGE, to="dana@company.com") == ""
        smtp.refuse("pac@company.com")
        refused = send(smtp.url(), MESSAGE, to="dana@company.com")
        mails = smtp.mails
    assert [m.recipients for m in mails] == [["dana@company.com"]]
    assert mails[0].message[EVENT_HEADER] == "p/r0/completed/1"
    assert "Event: p/r0/completed/1" in mails[0].text
    assert "the SMTP server answered 550 5.7.1 sender refused" in refused
