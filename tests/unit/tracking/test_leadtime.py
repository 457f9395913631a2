"""Lead time, honestly (SPEC §6.7): from the request's commit to ready, split into review,
freeze and fulfilment; measured from pac's first run when git could not tell; day-2
revisions from their own start; the item's target met, missed, or not decided yet."""

from __future__ import annotations

import datetime as dt

from pac.documents.lifecycle import Operation
from pac.records.events import Event, EventKind
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.tracking.leadtime import lead_time, lead_times

HOUR, DAY = 3600.0, 86400.0
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


def ticket(key: str, started: str, resolved: str = "", finished: str = "") -> TaskStatus:
    return TaskStatus(
        key=key,
        component="db",
        catalog_item="database-aurora-postgresql-standard",
        action="jira-ticket",
        strategy="manual",
        index=0,
        state=TaskState.COMPLETED if (resolved or finished) else TaskState.WAITING,
        started_at=started,
        finished_at=finished or resolved,
        resolved_at=resolved,
        resolution="Done" if resolved else "",
    )


def event(kind: EventKind, at: str, revision: int = 0) -> Event:
    return Event(f"r/r{revision}/{kind.value}/1", kind, at, revision)


def database(state: RequestState = RequestState.COMPLETED) -> RequestStatus:
    """Committed Monday 9:00, merged Tuesday 9:00 (a day of review), deferred by a freeze
    from Tuesday 9:05 until Friday 9:05, the DBA's ticket resolved Friday 15:05."""
    return RequestStatus(
        "orders-db",
        state,
        requested_at="2026-03-02T09:00:00Z",
        landed_at="2026-03-03T09:00:00Z",
        created_at="2026-03-03T09:05:00Z",
        tasks=[
            ticket(
                "orders-db/db/0",
                "2026-03-06T09:05:00Z",
                resolved="2026-03-06T15:05:00Z" if state is RequestState.COMPLETED else "",
            )
        ],
        events=[event(EventKind.DEFERRED, "2026-03-03T09:05:00Z")]
        + (
            [event(EventKind.COMPLETED, "2026-03-06T16:00:00Z")]
            if state is RequestState.COMPLETED
            else []
        ),
    )


def test_review_freeze_and_fulfilment_add_up_to_the_lead_time() -> None:
    (measured,) = lead_times(database(), target=2 * DAY, now=NOW)
    assert measured.from_git
    assert measured.review == DAY
    assert measured.freeze == 3 * DAY
    # From the end of the freeze (Friday 9:05) to the ticket's resolution (15:05), plus
    # the five minutes between landing and pac's first run.
    assert measured.fulfilment == 6 * HOUR + 5 * 60
    assert measured.total == DAY + 3 * DAY + 6 * HOUR + 5 * 60
    assert measured.total == (measured.review or 0) + measured.freeze + measured.fulfilment
    # Ready when the ticket was resolved, not when the next hourly run noticed it.
    assert measured.finished == dt.datetime(2026, 3, 6, 15, 5, tzinfo=dt.UTC)
    assert measured.met(NOW) is False  # four days and more against a promise of two
    assert lead_time(database()) == measured.total


def test_without_git_times_a_request_is_measured_from_pacs_first_run() -> None:
    status = database()
    status.requested_at = status.landed_at = ""
    (measured,) = lead_times(status, now=NOW)
    assert not measured.from_git
    assert measured.review is None
    assert measured.started == dt.datetime(2026, 3, 3, 9, 5, tzinfo=dt.UTC)
    assert measured.total == 3 * DAY + 6 * HOUR
    assert measured.met(NOW) is None  # the item promised nothing


def test_an_open_request_has_an_age_and_misses_its_target_only_once_past_it() -> None:
    status = database(RequestState.WAITING)
    (measured,) = lead_times(status, target=30 * DAY, now=NOW)
    assert measured.total is None and measured.fulfilment is None
    assert measured.open
    assert measured.age(NOW) == (NOW - dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)).total_seconds()
    assert measured.met(NOW) is None  # still within its thirty days
    (late,) = lead_times(status, target=2 * DAY, now=NOW)
    assert late.met(NOW) is False  # already broken, whenever it completes
    # Still frozen: the freeze lasts until now.
    status.tasks[0].started_at = ""
    status.state = RequestState.DEFERRED
    (held,) = lead_times(status, now=NOW)
    assert held.freeze == (NOW - dt.datetime(2026, 3, 3, 9, 5, tzinfo=dt.UTC)).total_seconds()


def test_the_last_ticket_resolved_ends_it_and_a_target_met() -> None:
    status = database()
    status.events = [event(EventKind.COMPLETED, "2026-03-06T16:00:00Z")]  # no freeze
    status.tasks.append(ticket("orders-db/app/0", "2026-03-03T09:05:00Z", "2026-03-04T08:00:00Z"))
    (measured,) = lead_times(status, target=5 * DAY, now=NOW)
    assert measured.freeze == 0
    assert measured.finished == dt.datetime(2026, 3, 6, 15, 5, tzinfo=dt.UTC)
    assert measured.met(NOW) is True
    # A status with no task times: when pac recorded it completed.
    status.tasks = []
    (measured,) = lead_times(status, now=NOW)
    assert measured.finished == dt.datetime(2026, 3, 6, 16, 0, tzinfo=dt.UTC)


def test_a_deferral_noted_before_events_existed_still_counts_as_freeze() -> None:
    status = database()
    status.events = []
    status.history = [
        {"at": "2026-03-03T09:05:00Z", "event": "submitted"},
        {"at": "2026-03-03T09:05:00Z", "event": "deferred by the change freeze 'q1' until x"},
        {"at": "2026-03-06T09:05:00Z", "event": "completed"},
    ]
    (measured,) = lead_times(status, now=NOW)
    assert measured.freeze == 3 * DAY


def test_day_two_revisions_are_measured_from_their_own_start() -> None:
    status = database()
    status.updated_at = "2026-03-06T16:00:00Z"
    status.start_revision(Operation.UPDATE, {"size": 2}, "d", {}, "abc", ["size"])
    status.started_at = "2026-03-10T10:00:00Z"
    status.tasks = [ticket("orders-db/r1/db/u", "2026-03-10T10:00:00Z", "2026-03-10T14:00:00Z")]
    status.become(RequestState.COMPLETED)
    create, change = lead_times(status, target=2 * DAY, now=NOW)
    assert (create.revision, change.revision) == (0, 1)
    assert change.operation is Operation.UPDATE
    assert change.total == 4 * HOUR
    assert change.review is None and change.freeze == 0  # the freeze was the create's
    assert change.met(NOW) is True
    assert lead_time(status) == create.total  # getting it is the create's lead time
    # A decommission is the end of the resources, not lead time; a revision it ended is
    # over, not open for ever (nor a promise broken later).
    unfinished = database(RequestState.WAITING)
    unfinished.start_revision(Operation.DECOMMISSION, {}, "d", {}, "abc")
    (ended,) = lead_times(unfinished, target=DAY, now=NOW)
    assert not ended.open and ended.total is None and ended.met(NOW) is None
    status.start_revision(Operation.DECOMMISSION, {}, "d", {}, "abc")
    assert [m.revision for m in lead_times(status, now=NOW)] == [0, 1]
