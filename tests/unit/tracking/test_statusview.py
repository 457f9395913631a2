"""`pac status`'s views: live ticket states beside pac's own, and what counts as settled."""

from __future__ import annotations

from pac.documents.lifecycle import Operation
from pac.documents.model import Priority
from pac.documents.repository import Repository
from pac.fulfilment.backends import BackendError, TicketFacts, task_label
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.tracking.live import Source
from pac.tracking.statusview import (
    any_failed,
    build_views,
    emergency_note,
    held_by_transient_fault,
    lead_time_target,
    not_live_note,
    progress,
    reference,
    revision_views,
    state_colour,
    state_words,
    unsettled,
)


def _task(key: str, state: TaskState = TaskState.PENDING, **more: object) -> TaskStatus:
    return TaskStatus(key, "db", "database-x", "create", "automatic", 0, state=state, **more)  # type: ignore[arg-type]


class _Tickets:
    """A ticket backend that counts its reads."""

    name = "jira"

    def __init__(self, broken: bool = False) -> None:
        self.broken, self.closed, self.reads = broken, False, []  # type: list[list[str]]

    def read(self, labels: list[str]) -> dict[str, TicketFacts]:
        self.reads.append(list(labels))
        if self.broken:
            raise BackendError("JIRA is down")
        return {
            label: TicketFacts(f"OPS-{n}", "In Progress", "indeterminate", assignee="Kim")
            for n, label in enumerate(labels, start=1)
        }

    def close(self) -> None:
        self.closed = True


def test_views_carry_each_tickets_live_state_and_close_the_backend() -> None:
    tickets = _Tickets()
    status = RequestStatus(
        "r",
        RequestState.PROCESSING,
        tasks=[_task("a", ticket_key="OPS-1", ticket_backend="jira"), _task("b")],
    )
    (view,), live = build_views([status], {Source.JIRA: lambda: tickets})  # type: ignore[dict-item]
    assert [t.live for t in view.tasks] == ["In Progress", ""]
    ticket = view.as_dict()["tasks"][0]["ticket"]
    assert (ticket["liveStatus"], ticket["liveAssignee"]) == ("In Progress", "Kim")
    assert tickets.closed and tickets.reads == [[task_label("a")]] and not live.not_live


def test_a_backend_error_is_said_and_the_recorded_state_shown() -> None:
    task = _task("a", ticket_key="OPS-1", ticket_backend="jira", ticket_status="To Do")
    status = RequestStatus("r", RequestState.PROCESSING, tasks=[task])
    (view,), live = build_views([status], {Source.JIRA: lambda: _Tickets(broken=True)})  # type: ignore[dict-item]
    assert live.not_live == {Source.JIRA: "JIRA is down"}
    assert view.tasks[0].live == "" and view.tasks[0].ticket is not None
    assert view.tasks[0].ticket.words() == "OPS-1 To Do as last recorded"
    assert not_live_note(live) == [
        "JIRA tickets are not live: JIRA is down; their states are as the last pac apply "
        "recorded them"
    ]


def test_settled_for_a_developer_failed_and_colours() -> None:
    views, _ = build_views(
        [
            RequestStatus("a", RequestState.COMPLETED),
            RequestStatus("b", RequestState.PROCESSING),
            RequestStatus("c", RequestState.FAILED),
            RequestStatus("d", RequestState.WAITING),  # a ticket moves by itself
            RequestStatus("e", RequestState.ESCALATED),
        ],
        None,
    )
    assert [v.status.request for v in unsettled(views)] == ["b", "d"]
    assert any_failed(views) and not any_failed(views[:2])
    assert (state_colour(RequestState.COMPLETED), state_colour(RequestState.PROCESSING)) == (
        "green",
        "white",
    )


def test_the_promise_of_an_item_or_of_a_bundle_of_items(sample_repo: Repository) -> None:
    kafka = RequestStatus("r", target_id="messaging-kafka-topic")
    assert (
        lead_time_target(sample_repo, kafka)
        == sample_repo.item("messaging-kafka-topic").lead_time_target
    )
    bundle = next(iter(sample_repo.bundles()))
    promised = [sample_repo.item(c.catalog_item) for c in bundle.components]
    longest = max(i.lead_time_target or 0 for i in promised if i is not None)
    assert lead_time_target(sample_repo, RequestStatus("r", target_id=bundle.id)) == longest
    assert lead_time_target(sample_repo, RequestStatus("r", target_id="gone")) is None


def test_emergency_note_is_the_last_freeze_passed() -> None:
    assert emergency_note(RequestStatus("r")) is None
    emergency = RequestStatus("r", priority=Priority.EMERGENCY)
    assert emergency_note(emergency) == ""
    emergency.history = [
        {"event": "passed the change freeze xmas"},
        {"event": "passed the change freeze eoy"},
    ]
    assert emergency_note(emergency) == "passed the change freeze eoy"


def test_task_facts() -> None:
    held = _task("a", transient_error="503 from JIRA")
    assert held_by_transient_fault(held) and not held_by_transient_fault(_task("b"))
    call = _task("c", TaskState.COMPLETED, http_method="POST", http_status=201)
    assert reference(call) == "POST -> 201" and reference(_task("d")) == ""
    assert progress(RequestStatus("r", tasks=[call, held])) == "1/2"
    pull = _task("e", refs={"branch": "pac/e", "commit": "0123456789abcdef", "pullRequest": "u/1"})
    assert reference(pull) == "u/1"
    assert reference(_task("f", refs={"branch": "main", "commit": "0123456789abcdef"})) == (
        "main@0123456789ab"
    )
    assert reference(_task("g", refs={"runId": "7", "url": "u/runs/7"})) == "u/runs/7"


def _revised(*, decommission: bool = False) -> RequestStatus:
    """A request fulfilled, then changed (revision 1) and possibly decommissioned (2)."""
    status = RequestStatus(
        "r",
        RequestState.COMPLETED,
        item_versions={"database-x": "1.0.0"},
        input={"name": "r", "db": {"size": "s"}},
        started_at="2026-10-01T10:00:00Z",
        updated_at="2026-10-01T11:00:00Z",
        tasks=[_task("r/database-x/automatic/0", TaskState.COMPLETED, ticket_key="DBA-1")],
    )
    status.start_revision(
        Operation.UPDATE,
        {"name": "r", "db": {"size": "m"}},
        "sha256:1",
        {"database-x": "1.1.0"},
        "abc",
        ["db.size"],
    )
    status.tasks = [_task("r/r1/db/automatic/update/0", TaskState.COMPLETED)]
    status.become(RequestState.COMPLETED)
    if decommission:
        status.start_revision(
            Operation.DECOMMISSION,
            status.input,
            "sha256:1",
            {"database-x": "1.1.0"},
            "abc",
            reason="service retired",
        )
        status.become(RequestState.DECOMMISSIONED)
    return status


def test_a_create_only_request_has_no_revision_lines() -> None:
    assert revision_views(RequestStatus("r", RequestState.COMPLETED)) == []
    assert state_words(RequestStatus("r", RequestState.COMPLETED)) is None


def test_each_revision_says_what_it_did_and_which_versions_served_it() -> None:
    earlier, current = revision_views(_revised())
    assert (earlier.number, earlier.operation, earlier.current) == (0, Operation.CREATE, False)
    assert earlier.words() == (
        "revision 0 (create): completed, 2026-10-01T10:00:00Z to 2026-10-01T11:00:00Z; "
        "served by database-x 1.0.0; 1 task(s) (DBA-1)"
    )
    assert current.current and current.changed_fields == ("db.size",)
    assert "revision 1 (update): completed" in current.words()
    assert current.words().endswith("; changed db.size; served by database-x 1.1.0")


def test_decommissioned_is_said_in_plain_words_with_the_reason() -> None:
    status = _revised(decommission=True)
    *_, last = revision_views(status)
    assert last.operation is Operation.DECOMMISSION and "reason: service retired" in last.words()
    words = state_words(status)
    assert words is not None and words.startswith("decommissioned (service retired):")
    assert "history" in words
    assert state_colour(RequestState.DECOMMISSIONED) == "blue"
