"""Two runs' statuses of one request merged: nothing lost, duplicates kept on record."""

from __future__ import annotations

from pac.documents.lifecycle import Operation
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


def _day_two() -> tuple[RequestStatus, RequestStatus]:
    """Ours: a laptop run that started the update (revision 1), waiting on MSG-2. Theirs:
    CI saw that update through and started the decommission (revision 2), waiting on MSG-3."""

    def ticket(key: str, ticket_key: str) -> TaskStatus:
        return TaskStatus(key, "topic", "kafka", "jira-ticket", "manual", 0,
                          state=TaskState.WAITING, ticket_key=ticket_key)  # fmt: skip

    created = RequestStatus(request="r", state=RequestState.COMPLETED)
    created.tasks = [ticket("r/topic/manual/0", "MSG-1")]
    created.tasks[0].state = TaskState.COMPLETED
    ours = RequestStatus.from_dict(created.as_dict())
    ours.start_revision(Operation.UPDATE, {"partitions": 6}, "d1", {}, "c1", ["partitions"])
    ours.tasks = [ticket("r/r1/topic/manual/update/0", "MSG-2")]
    ours.state = RequestState.WAITING
    ours.note("laptop: waiting on MSG-2")
    theirs = RequestStatus.from_dict(ours.as_dict())
    theirs.tasks[0].state = TaskState.COMPLETED
    theirs.state = RequestState.COMPLETED
    theirs.start_revision(Operation.DECOMMISSION, {"partitions": 6}, "d2", {}, "c2")
    theirs.tasks = [ticket("r/r2/topic/manual/decommission/0", "MSG-3")]
    theirs.state = RequestState.WAITING
    return ours, theirs


def test_a_merge_across_revisions_keeps_the_later_revision_and_every_revisions_history() -> None:
    ours, theirs = _day_two()
    for merged in (merge(ours, theirs), merge(theirs, ours)):
        assert (merged.revision, merged.operation, merged.state) == (
            2, Operation.DECOMMISSION, RequestState.WAITING
        )  # fmt: skip
        assert [t.ticket_key for t in merged.tasks] == ["MSG-3"]
        history = [(r.number, r.operation, r.state) for r in merged.revisions]
        assert history == [
            (0, Operation.CREATE, RequestState.COMPLETED),
            (1, Operation.UPDATE, RequestState.COMPLETED),
        ]
        [update] = merged.revisions[1].tasks
        assert (update.ticket_key, update.state) == ("MSG-2", TaskState.COMPLETED)
        assert "laptop: waiting on MSG-2" in [h["event"] for h in merged.history]
        assert merged.duplicates == []
    again = merge(merge(ours, theirs), theirs)
    assert again.as_dict() == merge(ours, theirs).as_dict()


def test_a_merge_across_revisions_meeting_two_tickets_for_one_task_says_so() -> None:
    ours, theirs = _day_two()
    ours.tasks[0].ticket_key = "MSG-4"  # the laptop made its own ticket for the update
    merged = merge(ours, theirs)
    [update] = merged.revisions[1].tasks
    assert update.ticket_key == "MSG-2"  # theirs is completed: the more advanced record
    assert merged.duplicates == [
        {"task": "r/r1/topic/manual/update/0", "kept": "MSG-2", "other": "MSG-4"}
    ]
    assert new_duplicates(merged, ours, theirs) == [
        "r: the task r/r1/topic/manual/update/0 was done twice: kept MSG-2, also MSG-4"
    ]
    # A revision the base lacks in its history is taken as it is, never dropped.
    theirs.revisions = theirs.revisions[1:]
    assert [r.number for r in merge(ours, theirs).revisions] == [0, 1]


def test_a_decommission_both_runs_finished_stays_decommissioned() -> None:
    ours, theirs = _day_two()
    ours.tasks[0].state = TaskState.COMPLETED
    ours.state = RequestState.COMPLETED  # the laptop finished the update
    theirs.tasks[0].state = TaskState.COMPLETED
    theirs.state = RequestState.DECOMMISSIONED
    for merged in (merge(ours, theirs), merge(theirs, ours), merge(theirs, theirs)):
        assert (merged.revision, merged.state) == (2, RequestState.DECOMMISSIONED)
    failed = RequestStatus.from_dict(theirs.as_dict())
    failed.state = RequestState.FAILED  # one run failed the decommission, the other did it
    assert merge(failed, theirs).state is RequestState.DECOMMISSIONED
