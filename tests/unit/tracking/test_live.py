"""Tickets read live from the backend that made them: one read per backend, never JIRA for
an outbox ticket, and the recorded state (said to be so) when a backend cannot be read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.fulfilment.backends import BackendError, RenderedTicket, TicketFacts, task_label
from pac.fulfilment.backends.outbox import Outbox
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.tracking.live import Source, read_live, readers, source_of


class _Counting:
    """Wraps a backend and counts what `pac status` asks of it."""

    def __init__(self, inner: object | None = None, broken: str = "") -> None:
        self.inner, self.broken = inner, broken
        self.reads: list[list[str]] = []
        self.closed = 0

    def read(self, labels: Sequence[str]) -> dict[str, TicketFacts]:
        self.reads.append(list(labels))
        if self.broken:
            raise BackendError(self.broken)
        if self.inner is not None:
            return self.inner.read(labels)  # type: ignore[attr-defined,no-any-return]
        return {label: TicketFacts("MSG-1", "Done", "done", "Done") for label in labels}

    def close(self) -> None:
        self.closed += 1


def _ticketed(key: str, ticket: str, backend: str = "", url: str = "") -> TaskStatus:
    return TaskStatus(
        key,
        "topic",
        "messaging-kafka-topic",
        "create",
        "manual",
        0,
        state=TaskState.WAITING,
        ticket_key=ticket,
        ticket_url=url,
        ticket_backend=backend,
        ticket_status="Open",
    )


def _outbox_with(root: Path, *keys: str) -> Outbox:
    outbox = Outbox(root)
    for key in keys:
        outbox.create(RenderedTicket("MSG", "Task", f"topic {key}"), [task_label(key)])
    return outbox


def test_each_backend_is_read_once_for_all_its_tickets(tmp_path: Path) -> None:
    outbox = _Counting(_outbox_with(tmp_path, "a/0", "b/0", "c/0"))
    jira = _Counting()
    statuses = [
        RequestStatus("a", RequestState.WAITING, tasks=[_ticketed("a/0", "MSG-1", "outbox")]),
        RequestStatus(
            "b",
            RequestState.WAITING,
            tasks=[
                _ticketed("b/0", "MSG-2", url=".pac/outbox/MSG-2.json"),  # before backends
                _ticketed("b/1", "DBA-7", "jira"),
            ],
        ),
        RequestStatus("c", RequestState.WAITING, tasks=[_ticketed("c/0", "MSG-3", "outbox")]),
    ]
    live = read_live(statuses, {Source.OUTBOX: lambda: outbox, Source.JIRA: lambda: jira})  # type: ignore[dict-item]
    assert len(outbox.reads) == 1 and sorted(outbox.reads[0]) == sorted(
        task_label(k) for k in ("a/0", "b/0", "c/0")
    )
    assert jira.reads == [[task_label("b/1")]]
    assert (outbox.closed, jira.closed) == (1, 1)
    assert live.by_task["b/0"].words() == "MSG-2 Open (outbox)"
    assert live.by_task["b/1"].words() == "MSG-1 Done"  # as the fake JIRA answered it


def test_an_outbox_ticket_is_never_looked_up_in_jira(tmp_path: Path) -> None:
    # The repository moved to JIRA after MSG-1 was filed in the outbox; JIRA has its own
    # MSG-1, which must not be shown for it.
    _outbox_with(tmp_path, "r/0")
    jira = _Counting()
    status = RequestStatus("r", RequestState.WAITING, tasks=[_ticketed("r/0", "MSG-1", "outbox")])
    live = read_live([status], {Source.OUTBOX: lambda: Outbox(tmp_path), Source.JIRA: lambda: jira})  # type: ignore[dict-item]
    assert jira.reads == []
    assert live.by_task["r/0"].words() == "MSG-1 Open (outbox)"
    assert source_of(_ticketed("x", "OPS-1", url="https://jira/browse/OPS-1")) is Source.JIRA


def test_jira_not_configured_here_shows_the_recorded_state_and_says_so(tmp_path: Path) -> None:
    status = RequestStatus("r", RequestState.WAITING, tasks=[_ticketed("r/0", "DBA-1", "jira")])
    live = read_live([status], {Source.OUTBOX: lambda: Outbox(tmp_path), Source.JIRA: None})
    assert live.not_live == {Source.JIRA: "JIRA is not configured here"}
    ticket = live.of(status.tasks[0])
    assert ticket is not None and not ticket.live
    assert ticket.words() == "DBA-1 Open as last recorded"


def test_a_failing_backend_is_said_once_and_a_deleted_ticket_is_missing(tmp_path: Path) -> None:
    broken = _Counting(broken="JIRA answered 503")
    statuses = [
        RequestStatus("r", RequestState.WAITING, tasks=[_ticketed("r/0", "DBA-1", "jira")]),
        RequestStatus("s", RequestState.WAITING, tasks=[_ticketed("s/0", "DBA-2", "jira")]),
        RequestStatus("t", RequestState.WAITING, tasks=[_ticketed("t/0", "MSG-9", "outbox")]),
    ]
    live = read_live(
        statuses, {Source.OUTBOX: lambda: Outbox(tmp_path), Source.JIRA: lambda: broken}
    )  # type: ignore[dict-item]
    assert len(broken.reads) == 1 and live.not_live == {Source.JIRA: "JIRA answered 503"}
    assert live.by_task["t/0"].words() == "MSG-9 not found in outbox"


def test_readers_hold_the_outbox_always_and_jira_only_when_configured(
    sample_repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PAC_JIRA_URL", "PAC_JIRA_USER", "PAC_JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert readers(sample_repo)[Source.JIRA] is None
    monkeypatch.setenv("CI", "true")  # no outbox for new tickets in CI; reading it is fine
    made = readers(sample_repo)
    assert made[Source.JIRA] is None and isinstance(made[Source.OUTBOX](), Outbox)  # type: ignore[misc]
    monkeypatch.setenv("PAC_JIRA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PAC_JIRA_USER", "bot")
    monkeypatch.setenv("PAC_JIRA_TOKEN", "t")
    assert readers(sample_repo)[Source.JIRA] is not None
