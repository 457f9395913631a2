"""Two runs' statuses of one request merged: nothing lost, duplicates kept on record."""

from __future__ import annotations

from pac.fulfilment.merging import merge, new_duplicates
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from tests.unit.records.test_status import _status


def test_merge_keeps_the_most_advanced_record_of_each_task() -> None:
    ours, theirs = _status(), _status()
    theirs.tasks[1].state = TaskState.COMPLETED
    theirs.tasks[1].error = None
    theirs.tasks.append(
        TaskStatus("r-1/b/manual/0", "b", "y", "jira-ticket", "manual", 0, state=TaskState.PENDING)
    )
    ours.note("ours")
    theirs.note("theirs")
    merged = merge(ours, theirs)
    assert [t.state for t in merged.tasks] == [
        TaskState.COMPLETED,
        TaskState.COMPLETED,
        TaskState.PENDING,
    ]
    assert {h["event"] for h in merged.history} == {"ours", "theirs"}


def test_a_merge_meeting_two_results_for_one_task_keeps_both_on_record() -> None:
    def called(endpoint: str, finished: str) -> RequestStatus:
        status = RequestStatus(request="r")
        status.tasks = [
            TaskStatus("r/db/automatic/0", "db", "i", "rest-api", "automatic", 0,
                       state=TaskState.COMPLETED, finished_at=finished, http_status=201,
                       outputs={"endpoint": endpoint})
        ]  # fmt: skip
        return status

    ours, theirs = called("db-1.internal", "2026-06-01T10:00:00Z"), called("db-2.internal", "")
    merged = merge(ours, theirs)
    assert merged.tasks[0].outputs == {"endpoint": "db-1.internal"}
    assert merged.duplicates == [
        {
            "task": "r/db/automatic/0",
            "kept": "outputs endpoint=db-1.internal",
            "other": "outputs endpoint=db-2.internal",
        }
    ]
    assert new_duplicates(merged, ours, theirs) == [
        "r: the task r/db/automatic/0 was done twice: kept outputs endpoint=db-1.internal, "
        "also outputs endpoint=db-2.internal"
    ]
    again = merge(merged, theirs)  # merging once more records nothing new
    assert again.duplicates == merged.duplicates and new_duplicates(again, merged, theirs) == []
    assert RequestStatus.from_dict(merged.as_dict()).duplicates == merged.duplicates
    assert merge(ours, ours).duplicates == []


def test_a_merge_keeps_every_event_once_sent_wherever_either_run_sent_it() -> None:
    from pac.records.events import EventKind

    ours, theirs = _status(), _status()
    shared = ours.record_event(EventKind.FAILED)
    theirs.events.append(type(shared).from_dict(shared.as_dict()))
    shared.sent["hook"] = "2026-11-30T10:00:00Z"
    theirs.events[0].sent["mail"] = "2026-11-30T10:00:01Z"
    theirs.events[0].errors["hook"] = "2026-11-30T09:00:00Z: error=500"
    theirs.record_event(EventKind.TARGET_MISSED)
    merged = merge(ours, theirs)
    assert [e.id for e in merged.events] == ["r-1/r0/failed/1", "r-1/r0/target-missed/1"]
    assert set(merged.events[0].sent) == {"hook", "mail"}
    assert merged.events[0].errors == {}  # sent by one run: the other's failure is over


def test_two_runs_that_did_everything_between_them_merge_completed_without_a_new_event() -> None:
    # Ours failed its second task; theirs did it. Neither record says completed, the merge
    # does: a state both runs reached together, not a transition people are told of again.
    ours, theirs = _status(), _status()
    theirs.tasks[1].state = TaskState.COMPLETED
    theirs.tasks[1].error = None
    merged = merge(ours, theirs)
    assert merged.state is RequestState.COMPLETED
    assert merged.events == []
