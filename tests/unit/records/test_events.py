"""Events are recorded with the transitions they report, once, with ids a re-run repeats."""

from __future__ import annotations

from pac.records.events import Event, EventKind
from pac.records.states import RequestState
from pac.records.status import RequestStatus


def _status() -> RequestStatus:
    return RequestStatus(request="payments-db")


def test_entering_a_notifiable_state_records_its_event() -> None:
    status = _status()
    status.become(RequestState.PROCESSING)
    status.become(RequestState.WAITING, "waiting on platform-databases-team: DBA-12")
    assert [e.kind for e in status.events] == [EventKind.WAITING]
    event = status.events[0]
    assert event.id == "payments-db/r0/waiting/1"
    assert event.detail == "waiting on platform-databases-team: DBA-12"


def test_processing_and_submitted_are_not_events() -> None:
    status = _status()
    status.become(RequestState.PROCESSING)
    assert status.events == []


def test_following_a_waiting_request_records_one_waiting_event_per_revision() -> None:
    status = _status()
    status.become(RequestState.PROCESSING)
    for _ in range(3):  # three hourly runs that find the ticket still open
        status.become(RequestState.WAITING)
        status.become(RequestState.PROCESSING)
    status.become(RequestState.COMPLETED)
    assert [e.kind for e in status.events] == [EventKind.WAITING, EventKind.COMPLETED]


def test_every_failure_counts_also_when_retried() -> None:
    status = _status()
    status.become(RequestState.PROCESSING)
    status.become(RequestState.FAILED)
    status.become(RequestState.RETRYING)
    status.become(RequestState.FAILED)
    status.become(RequestState.RETRYING)
    status.become(RequestState.COMPLETED)
    assert status.failures() == 2
    assert [e.id for e in status.events if e.kind is EventKind.FAILED] == [
        "payments-db/r0/failed/1",
        "payments-db/r0/failed/2",
    ]


def test_staying_in_a_state_records_nothing() -> None:
    status = _status()
    status.become(RequestState.DEFERRED)
    status.become(RequestState.DEFERRED)
    assert [e.kind for e in status.events] == [EventKind.DEFERRED]


def test_events_and_lead_ends_survive_the_status_file() -> None:
    status = _status()
    status.requested_at, status.landed_at = "2026-11-02T09:00:00Z", "2026-11-02T15:30:00Z"
    status.become(RequestState.PROCESSING)
    status.become(RequestState.COMPLETED)
    event = status.record_event(EventKind.TARGET_MISSED, "open longer than 2 days")
    event.sent["requesters"] = "2026-11-04T09:00:00Z"
    event.errors["dba-slack"] = "the channel answered 500"
    again = RequestStatus.from_dict(status.as_dict())
    assert again.events == status.events
    assert (again.requested_at, again.landed_at) == (status.requested_at, status.landed_at)


def test_a_status_without_events_reads_as_none() -> None:
    data = _status().as_dict()
    assert "events" not in data and "lead" not in data
    assert RequestStatus.from_dict(data).events == []


def test_an_event_reads_back_from_its_dict() -> None:
    event = Event("x/r1/decommissioned/1", EventKind.DECOMMISSIONED, "2026-11-30T10:00:00Z", 1)
    assert Event.from_dict(event.as_dict()) == event


def test_each_state_people_are_told_of_names_its_event_and_no_other_does() -> None:
    told = {state: EventKind.entering(state) for state in RequestState}
    assert {state for state, kind in told.items() if kind is not None} == {
        RequestState.WAITING,
        RequestState.COMPLETED,
        RequestState.FAILED,
        RequestState.ESCALATED,
        RequestState.DEFERRED,
        RequestState.DECOMMISSIONED,
    }
    assert all(kind is None or kind.value == state.value for state, kind in told.items())
    assert EventKind.TARGET_MISSED not in told.values()  # a broken promise, not a state
