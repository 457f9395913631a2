"""Two runs' statuses of one request combined, losing nothing (SPEC §6.2, §6.4).

Used when `pac apply --commit` meets a status another run pushed first: the later revision
is the base, the more advanced record of each task wins within each revision, and a task
both runs did is kept on record as a duplicate.
"""

from __future__ import annotations

from collections.abc import Mapping

from pac.documents.lifecycle import Operation
from pac.records.events import merge_events
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, Revision, TaskStatus


def merge(ours: RequestStatus, theirs: RequestStatus) -> RequestStatus:
    """Combine two statuses of one request written by different runs, losing nothing.

    The status at the higher revision (SPEC §6.6) is the base: the other run's work belongs
    to a revision that is over, and goes into that revision's history. Within a revision,
    for each task the more advanced record wins (a completed task beats a failed one, a
    failed one a pending one); the request keeps the later state and the union of history.
    When both runs did a task (two tickets, or two calls with different outcomes) one record
    is kept and the other goes into `duplicates`, for a person to clean up: never dropped.
    """
    newer, older = (theirs, ours) if theirs.revision > ours.revision else (ours, theirs)
    merged = RequestStatus.from_dict(newer.as_dict())
    if older.revision == merged.revision:
        _merge_tasks(merged.tasks, older.tasks, merged.duplicates)
    _merge_revisions(merged, older)
    if theirs.revision == ours.revision and theirs.updated_at > ours.updated_at:
        merged.adopt_state(theirs.state)
    # Between them the two runs did everything: a "failed" from one would leave the
    # request waiting for a retry that has nothing left to do.
    everything_done = merged.tasks and all(t.state is TaskState.COMPLETED for t in merged.tasks)
    over = (RequestState.ESCALATED, RequestState.ABORTED, RequestState.DECOMMISSIONED)
    if everything_done and merged.state not in over:
        decommissioned = merged.operation is Operation.DECOMMISSION
        merged.adopt_state(
            RequestState.DECOMMISSIONED if decommissioned else RequestState.COMPLETED
        )
    merged.handled_retry = max(ours.handled_retry, theirs.handled_retry)
    known = {tuple(sorted(d.items())) for d in [*older.duplicates, *merged.duplicates]}
    merged.duplicates = [dict(d) for d in sorted(known)]
    seen = {(h.get("at"), h.get("event")) for h in merged.history}
    merged.history += [h for h in older.history if (h.get("at"), h.get("event")) not in seen]
    merged.history.sort(key=lambda h: h.get("at", ""))
    merged.events = merge_events(ours.events, theirs.events)
    return merged


def _merge_tasks(
    tasks: list[TaskStatus], others: list[TaskStatus], duplicates: list[dict[str, str]]
) -> None:
    """`others` into `tasks` (one revision's), by key: the more advanced record stays."""
    by_key = {t.key: t for t in tasks}
    for task in others:
        mine = by_key.get(task.key)
        if mine is None:
            tasks.append(TaskStatus.from_dict(task.as_dict()))
            continue
        keep, other = (mine, task)
        if task.state.rank > mine.state.rank or (
            task.state == mine.state and task.finished_at > mine.finished_at
        ):
            keep, other = task, mine
            tasks[tasks.index(mine)] = TaskStatus.from_dict(task.as_dict())
        duplicate = twice_done(keep, other)
        if duplicate:
            duplicates.append(duplicate)


def _merge_revisions(merged: RequestStatus, older: RequestStatus) -> None:
    """The union of both runs' revision history, each revision's tasks merged by key; the
    older status's current revision is one that is over for `merged`."""
    past = {r.number: r for r in merged.revisions}
    theirs = [Revision.from_dict(r.as_dict()) for r in older.revisions]
    if older.revision < merged.revision:
        theirs.append(_as_over(older))
    for revision in theirs:
        mine = past.get(revision.number)
        if mine is None:
            merged.revisions.append(revision)
        else:
            _merge_tasks(mine.tasks, revision.tasks, merged.duplicates)
    merged.revisions.sort(key=lambda r: r.number)


def _as_over(status: RequestStatus) -> Revision:
    """`status`'s current revision as history, as `start_revision` keeps it."""
    return Revision(
        status.revision,
        status.operation,
        status.state,
        dict(status.input),
        dict(status.item_versions),
        status.catalog_revision,
        list(status.changed_fields),
        status.reason,
        status.started_at or status.created_at,
        status.updated_at,
        [TaskStatus.from_dict(t.as_dict()) for t in status.tasks],
    )


def twice_done(keep: TaskStatus, other: TaskStatus) -> dict[str, str]:
    """The record of a task two runs both did, or {} when they did not both do it."""
    if keep.ticket_key and other.ticket_key and keep.ticket_key != other.ticket_key:
        return {"task": keep.key, "kept": keep.ticket_key, "other": other.ticket_key}
    both_called = (
        keep.state == other.state == TaskState.COMPLETED and keep.http_status and other.http_status
    )
    if both_called and keep.outputs != other.outputs:
        return {
            "task": keep.key,
            "kept": _outputs_text(keep.outputs),
            "other": _outputs_text(other.outputs),
        }
    return {}


def _outputs_text(outputs: Mapping[str, str]) -> str:
    return "outputs " + (", ".join(f"{k}={v}" for k, v in sorted(outputs.items())) or "(none)")


def new_duplicates(merged: RequestStatus, *inputs: RequestStatus) -> list[str]:
    """Warnings, naming task and both records, for duplicates `merged` found anew."""
    old = {tuple(sorted(d.items())) for s in inputs for d in s.duplicates}
    return [
        f"{merged.request}: the task {d['task']} was done twice: kept {d['kept']}, "
        f"also {d['other']}"
        for d in merged.duplicates
        if tuple(sorted(d.items())) not in old
    ]
