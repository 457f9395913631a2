"""Where a request stands in a developer's words: each state, over and under its promise."""

from __future__ import annotations

import datetime as dt

from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskError, TaskStatus
from pac.tracking.live import LiveTickets, Source, TicketState
from pac.tracking.words import against_target, outputs, request_words, waits_for

NOW = dt.datetime(2026, 6, 4, 12, 0, tzinfo=dt.UTC)
DAY = 86400.0


def _task(key: str, state: TaskState, component: str = "database", **more: object) -> TaskStatus:
    return TaskStatus(  # type: ignore[arg-type]
        key,
        component,
        "database-aurora",
        "create",
        "manual",
        0,
        state=state,
        owner_team="platform-databases-team",
        owner_contact="platform-databases-team (dba@company.com)",
        **more,
    )


def _status(state: RequestState, *tasks: TaskStatus, **more: object) -> RequestStatus:
    times = {"requested_at": "2026-06-01T12:00:00Z", "created_at": "2026-06-01T13:00:00Z"}
    return RequestStatus("shop-db", state, tasks=list(tasks), **(times | more))  # type: ignore[arg-type]


def _live(*states: tuple[str, TicketState]) -> LiveTickets:
    return LiveTickets(by_task=dict(states))


def test_waiting_on_a_team_says_its_ticket_state_assignee_and_time_over_the_promise() -> None:
    db = _task("t/db", TaskState.WAITING, ticket_key="DBA-12", ticket_backend="jira")
    live = _live(("t/db", TicketState("DBA-12", Source.JIRA, "In Progress", "Kim", live=True)))
    said = request_words(_status(RequestState.WAITING, db), live, 2 * DAY, NOW)
    assert said == (
        "waiting on platform-databases-team: DBA-12 In Progress, assigned to Kim, "
        "3 days, over the promised 2 days"
    )
    under = request_words(_status(RequestState.WAITING, db), live, 5 * DAY, NOW)
    assert under.endswith("DBA-12 In Progress, assigned to Kim, 3 days of the promised 5")


def test_an_app_step_waits_for_the_ticket_of_another_step() -> None:
    db = _task("t/db", TaskState.WAITING, ticket_key="DBA-12", ticket_backend="outbox")
    app = _task("t/app", TaskState.WAITING, component="app", refs={"waitingFor": "t/db"})
    live = _live(("t/db", TicketState("DBA-12", Source.OUTBOX, "Open", live=True)))
    status = _status(RequestState.WAITING, db, app)
    assert waits_for(status, app) == "DBA-12"
    secrets = _task("t/sec", TaskState.WAITING, component="secrets", refs={"waitsFor": "DBA-12"})
    again = _task("t/app2", TaskState.WAITING, component="app", refs={"waitsFor": "DBA-12"})
    both = _status(RequestState.WAITING, db, secrets, app, again)
    assert request_words(both, live, None, NOW).endswith(
        "open for 3 days; the secrets and app steps wait for DBA-12"
    )
    said = request_words(status, live, 4 * 3600, NOW)
    assert said == (
        "waiting on platform-databases-team: DBA-12 Open (outbox), 3 days, over the promised "
        "4 hours; the app step waits for DBA-12"
    )


def test_a_ticket_not_read_live_says_it_is_as_last_recorded() -> None:
    db = _task(
        "t/db", TaskState.WAITING, ticket_key="DBA-12", ticket_status="To Do", ticket_assignee="Jo"
    )
    said = request_words(_status(RequestState.WAITING, db), LiveTickets(), None, NOW)
    assert said == (
        "waiting on platform-databases-team: DBA-12 To Do as last recorded, assigned to Jo, "
        "open for 3 days"
    )


def test_ready_says_how_long_it_took_against_the_promise() -> None:
    done = _task("t/db", TaskState.COMPLETED, finished_at="2026-06-01T14:00:00Z")
    said = request_words(_status(RequestState.COMPLETED, done), LiveTickets(), 4 * 3600, NOW)
    assert said == "ready: completed in 2 hours (promised 4 hours)"
    late = request_words(_status(RequestState.COMPLETED, done), LiveTickets(), 3600, NOW)
    assert late == "ready: completed in 2 hours (over the promised 1 hour)"
    # Without the commit's time, pac's first write is where it starts.
    unrecorded = _status(RequestState.COMPLETED, done, requested_at="")
    assert request_words(unrecorded, LiveTickets(), None, NOW) == "ready: completed in 1 hour"


def test_failed_names_the_step_the_error_the_hint_and_whom_to_ask() -> None:
    error = TaskError("POST /clusters answered 400", "Fix the size.", "dba@company.com")
    failed = _task("t/db", TaskState.FAILED, error=error)
    said = request_words(_status(RequestState.FAILED, failed), LiveTickets(), None, NOW)
    assert said == (
        "failed at database: POST /clusters answered 400 — Fix the size, ask dba@company.com"
    )


def test_deferred_decommissioned_aborted_escalated_and_under_way() -> None:
    deferred = _status(
        RequestState.DEFERRED, deferred_window="Retail peak season", deferred_until="2027-01-15"
    )
    assert request_words(deferred, LiveTickets(), None, NOW).startswith(
        "deferred by the change freeze 'Retail peak season' until 2027-01-15"
    )
    gone = _status(RequestState.DECOMMISSIONED, reason="service retired")
    assert request_words(gone, LiveTickets(), None, NOW) == "decommissioned: service retired"
    assert request_words(_status(RequestState.ABORTED), LiveTickets(), None, NOW).startswith(
        "aborted"
    )
    escalated = _status(
        RequestState.ESCALATED,
        _task("t/db", TaskState.FAILED, error=TaskError("boom")),
        _task("t/esc", TaskState.COMPLETED, ticket_key="DBA-3", ticket_status="Open"),
    )
    assert request_words(escalated, LiveTickets(), None, NOW) == (
        "escalated to platform-databases-team: a person finishes it from the ticket(s) "
        "(DBA-3 Open as last recorded)"
    )
    busy = _status(
        RequestState.PROCESSING, _task("a", TaskState.COMPLETED), _task("b", TaskState.PENDING)
    )
    assert request_words(busy, LiveTickets(), 2 * DAY, NOW) == (
        "being fulfilled by pac apply: 1 of 2 steps done, 3 days, over the promised 2 days"
    )
    held = _status(
        RequestState.PROCESSING, _task("a", TaskState.PENDING, transient_error="JIRA answered 503")
    )
    assert request_words(held, LiveTickets(), None, NOW) == (
        "held at database: JIRA answered 503; the next pac apply tries again"
    )


def test_time_against_the_promise_in_words() -> None:
    assert against_target(3 * 3600, 4 * 3600) == "3 hours of the promised 4"
    assert against_target(3600, DAY) == "1 hour of the promised 1 day"
    assert against_target(2 * DAY, DAY) == "2 days, over the promised 1 day"
    assert against_target(90, None) == "open for 1 minute"


def test_outputs_are_the_recorded_masked_values_of_completed_steps() -> None:
    done = _task(
        "t/db",
        TaskState.COMPLETED,
        outputs={"endpoint": "db.internal:5432", "password": "***"},
    )
    open_step = _task("t/app", TaskState.WAITING, outputs={"url": "not yet"})
    assert outputs(_status(RequestState.WAITING, done, open_step)) == [
        ("endpoint", "db.internal:5432"),
        ("password", "***"),
    ]


def test_a_workflow_run_under_way_is_what_its_step_waits_for() -> None:
    run = _task(
        "t/deploy", TaskState.WAITING, component="deploy", refs={"runId": "7", "url": "u/runs/7"}
    )
    said = request_words(_status(RequestState.WAITING, run), LiveTickets(), None, NOW)
    assert said == "the deploy step waits for its run to finish u/runs/7, open for 3 days"
