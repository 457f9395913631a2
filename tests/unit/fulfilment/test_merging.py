"""Two runs' statuses of one request merged: nothing lost, duplicates kept on record."""

from __future__ import annotations

from pac.fulfilment.merging import merge, new_duplicates
from pac.records.states import TaskState
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
