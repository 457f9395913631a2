"""The status store: atomic files, round trips, and merging two runs' statuses."""

from __future__ import annotations

from pathlib import Path

from pac.status import (
    COMPLETED,
    FAILED,
    PENDING,
    RequestStatus,
    StatusStore,
    TaskError,
    TaskStatus,
    merge,
)


def _status() -> RequestStatus:
    status = RequestStatus(request="r-1", state=FAILED, target_kind="CatalogItem", target_id="x")
    status.tasks = [
        TaskStatus(
            "r-1/a/manual/0",
            "a",
            "x",
            "jira-ticket",
            "manual",
            0,
            state=COMPLETED,
            ticket_key="DBA-1",
            ticket_url="u",
            outputs={"k": "v"},
        ),
        TaskStatus(
            "r-1/a/manual/1",
            "a",
            "x",
            "rest-api",
            "manual",
            1,
            state=FAILED,
            http_status=503,
            http_method="POST",
            http_url="https://h",
            error=TaskError("boom", "retry later", "team (t@c.com)"),
        ),
    ]
    return status


def test_round_trip(tmp_path: Path) -> None:
    store = StatusStore(tmp_path)
    path = store.save(_status())
    assert path == tmp_path / "requests/.status/r-1.yaml"
    assert path.read_text().startswith("# Written by `pac apply`; do not edit.")
    loaded = store.load("r-1")
    assert loaded is not None
    assert loaded.as_dict() == _status().as_dict() | {
        "createdAt": loaded.created_at,
        "updatedAt": loaded.updated_at,
    }
    assert loaded.outputs() == {"k": "v"}
    assert [s.request for s in store.all()] == ["r-1"]


def test_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    store = StatusStore(tmp_path)
    for _ in range(3):
        store.save(_status())
    assert sorted(p.name for p in (tmp_path / "requests/.status").iterdir()) == ["r-1.yaml"]


def test_merge_keeps_the_most_advanced_record_of_each_task() -> None:
    ours, theirs = _status(), _status()
    theirs.tasks[1].state = COMPLETED
    theirs.tasks[1].error = None
    theirs.tasks.append(
        TaskStatus("r-1/b/manual/0", "b", "y", "jira-ticket", "manual", 0, state=PENDING)
    )
    ours.note("ours")
    theirs.note("theirs")
    merged = merge(ours, theirs)
    assert [t.state for t in merged.tasks] == [COMPLETED, COMPLETED, PENDING]
    assert {h["event"] for h in merged.history} == {"ours", "theirs"}


def test_a_merge_meeting_two_results_for_one_task_keeps_both_on_record() -> None:
    from pac.status import COMPLETED, RequestStatus, TaskStatus, merge, new_duplicates

    def called(endpoint: str, finished: str) -> RequestStatus:
        status = RequestStatus(request="r")
        status.tasks = [
            TaskStatus("r/db/automatic/0", "db", "i", "rest-api", "automatic", 0,
                       state=COMPLETED, finished_at=finished, http_status=201,
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
