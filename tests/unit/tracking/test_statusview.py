"""`pac status`'s views: live ticket states beside pac's own, and what counts as settled."""

from __future__ import annotations

from pac.documents.lifecycle import Operation
from pac.documents.model import Priority
from pac.fulfilment.backends import BackendError
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.tracking.statusview import (
    any_failed,
    build_views,
    emergency_note,
    held_by_transient_fault,
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
    def __init__(self, broken: bool = False) -> None:
        self.broken, self.closed = broken, False

    def state(self, key: str) -> str:
        if self.broken:
            raise BackendError("JIRA is down")
        return f"live {key}"

    def close(self) -> None:
        self.closed = True


def test_views_carry_each_tickets_live_state_and_close_the_backend() -> None:
    tickets = _Tickets()
    status = RequestStatus(
        "r", RequestState.PROCESSING, tasks=[_task("a", ticket_key="OPS-1"), _task("b")]
    )
    (view,) = build_views([status], lambda: tickets)  # type: ignore[arg-type,return-value]
    assert [t.live for t in view.tasks] == ["live OPS-1", ""]
    assert view.as_dict()["tasks"][0]["ticket"]["liveStatus"] == "live OPS-1"
    assert tickets.closed


def test_a_backend_error_is_shown_on_the_view_not_raised() -> None:
    status = RequestStatus("r", RequestState.PROCESSING, tasks=[_task("a", ticket_key="OPS-1")])
    (view,) = build_views([status], lambda: _Tickets(broken=True))  # type: ignore[arg-type,return-value]
    assert view.live_error == "JIRA is down" and view.tasks[0].live == ""


def test_settled_failed_and_colours() -> None:
    views = build_views(
        [
            RequestStatus("a", RequestState.COMPLETED),
            RequestStatus("b", RequestState.PROCESSING),
            RequestStatus("c", RequestState.FAILED),
        ],
        None,
    )
    assert [v.status.request for v in unsettled(views)] == ["b"]
    assert any_failed(views) and not any_failed(views[:2])
    assert (state_colour(RequestState.COMPLETED), state_colour(RequestState.PROCESSING)) == (
        "green",
        "white",
    )


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
