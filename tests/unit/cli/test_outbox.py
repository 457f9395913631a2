"""`pac outbox list|resolve`: the whole lifecycle of a ticket on a laptop (SPEC §6.5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pac.records.store import StatusStore
from tests.conftest import invoke

EVENTS = "payments-events"


@pytest.fixture
def applied(sample_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    monkeypatch.delenv("CI", raising=False)
    code, out = invoke(sample_root, "apply", EVENTS)
    assert code == 0, out
    assert "payments-events: waiting on platform-messaging-team: MSG-1" in out
    return sample_root


def test_apply_resolve_apply_completes_offline(applied: Path) -> None:
    code, out = invoke(applied, "outbox", "list")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["KEY", "STATE", "RESOLUTION", "REQUEST", "SUMMARY"]
    assert row.split()[:3] == ["MSG-1", "Open", EVENTS]
    code, out = invoke(applied, "outbox", "resolve", "MSG-1", "--field", "endpoint=k.example")
    assert code == 0 and "MSG-1 resolved as Done" in out
    code, out = invoke(applied, "apply", EVENTS)
    assert code == 0 and "payments-events: completed: 1 task done" in out
    status = StatusStore(applied).load(EVENTS)
    assert status is not None and status.state == "completed"
    assert status.tasks[0].resolution == "Done"
    [listed] = json.loads(invoke(applied, "outbox", "list", "--output", "json")[1])
    assert (listed["key"], listed["state"], listed["resolution"]) == ("MSG-1", "Done", "Done")
    assert listed["request"] == EVENTS
    assert yaml.safe_load(invoke(applied, "outbox", "list", "-o", "yaml")[1]) == [listed]


def test_wont_do_fails_the_request_with_whom_to_ask(applied: Path) -> None:
    code, out = invoke(applied, "outbox", "resolve", "MSG-1", "--wont-do")
    assert code == 0 and "resolved as Won't Do" in out
    code, out = invoke(applied, "apply", EVENTS)
    assert code == 1
    assert 'MSG-1 was resolved as "Won\'t Do" by platform-messaging-team' in out
    status = StatusStore(applied).load(EVENTS)
    assert status is not None and status.state == "failed"
    error = status.tasks[0].error
    assert error is not None and "its team left no comment" in error.hint
    assert error.contact == "platform-messaging-team (messaging@company.com)"


def test_a_retry_after_wont_do_files_a_new_ticket(applied: Path) -> None:
    invoke(applied, "outbox", "resolve", "MSG-1", "--wont-do")
    invoke(applied, "apply", EVENTS)
    path = applied / "requests/payments/payments-events.yaml"
    path.write_text(path.read_text().rstrip("\n") + "\noperations: {retry: 1}\n")
    code, out = invoke(applied, "apply", EVENTS)
    assert code == 0 and "waiting on platform-messaging-team: MSG-2" in out, out
    invoke(applied, "outbox", "resolve", "MSG-2")
    code, out = invoke(applied, "apply", EVENTS)
    assert code == 0 and "completed" in out
    status = StatusStore(applied).load(EVENTS)
    assert status is not None and status.tasks[0].ticket_key == "MSG-2"
    assert status.tasks[0].refs["declined"] == "MSG-1"


def test_bad_input_is_a_clear_message(applied: Path) -> None:
    code, out = invoke(applied, "outbox", "resolve", "MSG-9")
    assert code == 2
    assert "the outbox has no ticket MSG-9" in out and "Its tickets are MSG-1" in out
    code, out = invoke(applied, "outbox", "resolve", "MSG-1", "--field", "endpoint")
    assert code == 2 and "--field 'endpoint' is not NAME=VALUE" in out
    assert "Traceback" not in out


def test_an_empty_outbox_says_where_tickets_come_from(sample_root: Path) -> None:
    code, out = invoke(sample_root, "outbox", "list")
    assert code == 0 and "The outbox is empty" in out
    code, out = invoke(sample_root, "outbox", "resolve", "MSG-1")
    assert code == 2 and "is empty: `pac apply` puts tickets there" in out


@pytest.mark.parametrize("content", ["not json", "[" * 100_000])
def test_a_broken_outbox_file_is_a_clear_error_for_every_command_reading_it(
    applied: Path, content: str
) -> None:
    broken = applied / ".pac/outbox/MSG-9.json"
    broken.write_text(content)
    for command in (["outbox", "list"], ["status", EVENTS], ["status"], ["apply", EVENTS]):
        code, out = invoke(applied, *command)
        assert code == 2, (command, out)
        assert "error: .pac/outbox/MSG-9.json" in out and "the outbox ticket file" in out
        assert "move it out of the outbox if no request waits on it" in out
        assert "internal error" not in out and "Traceback" not in out
    broken.unlink()
    code, out = invoke(applied, "apply", EVENTS)
    assert code == 0 and "waiting on platform-messaging-team: MSG-1" in out
