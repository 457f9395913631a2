"""`pac status`: pac's own state of requests next to each ticket's live JIRA status."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pac.documents.lifecycle import Operation
from pac.documents.model import Priority
from pac.fulfilment.backends import BackendError, TicketBackend
from pac.fulfilment.freeze import PASSED_FREEZE
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus

# How `pac status` colours a state; any other state is white.
STATE_COLOURS: dict[str, str] = {  # request and task states alike: they compare as text
    RequestState.COMPLETED: "green",
    RequestState.FAILED: "red",
    RequestState.DEFERRED: "yellow",
    RequestState.ESCALATED: "magenta",
    RequestState.DECOMMISSIONED: "blue",
    RequestState.WAITING: "cyan",
}


@dataclass
class TaskView:
    task: TaskStatus
    live: str = ""  # the ticket's status in JIRA (or the outbox), read now


@dataclass
class RequestView:
    status: RequestStatus
    tasks: list[TaskView] = field(default_factory=list)
    live_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = self.status.as_dict()
        for task_data, view in zip(data["tasks"], self.tasks, strict=True):
            if view.live:
                task_data["ticket"]["liveStatus"] = view.live
        if self.live_error:
            data["liveStatusError"] = self.live_error
        data.pop("system", None)
        return data


def build_views(
    statuses: Iterable[RequestStatus], tickets: Callable[[], TicketBackend] | None
) -> list[RequestView]:
    """Views with every ticket's status fetched live (never cached: it changes in JIRA)."""
    backend = tickets() if tickets is not None else None
    views = []
    try:
        for status in statuses:
            view = RequestView(status, [TaskView(t) for t in status.tasks])
            if backend is not None:
                for task_view in view.tasks:
                    if not task_view.task.ticket_key:
                        continue
                    try:
                        task_view.live = backend.state(task_view.task.ticket_key)
                    except BackendError as exc:
                        view.live_error = exc.message
                        break
            views.append(view)
    finally:
        if backend is not None:
            backend.close()
    return views


def unsettled(views: Iterable[RequestView]) -> list[RequestView]:
    """The requests `pac status --watch` still waits for."""
    return [v for v in views if not v.status.state.settled]


def any_failed(views: Iterable[RequestView]) -> bool:
    return any(v.status.state is RequestState.FAILED for v in views)


def state_colour(state: str) -> str:
    return STATE_COLOURS.get(state, "white")


def emergency_note(status: RequestStatus) -> str | None:
    """For an emergency request, the last note of it passing a change freeze ("" when it
    passed none); None for any other request."""
    if status.priority is not Priority.EMERGENCY:
        return None
    passed = [h["event"] for h in status.history if PASSED_FREEZE in h["event"]]
    return passed[-1] if passed else ""


def held_by_transient_fault(task: TaskStatus) -> bool:
    """A task the next run tries again by itself, after JIRA or a service was unavailable."""
    return task.state is TaskState.PENDING and bool(task.transient_error)


def progress(status: RequestStatus) -> str:
    done = sum(1 for t in status.tasks if t.state is TaskState.COMPLETED)
    return f"{done}/{len(status.tasks)}"


def reference(task: TaskStatus) -> str:
    if task.ticket_key:
        return task.ticket_key
    if task.http_status:
        return f"{task.http_method} -> {task.http_status}"
    # A pull request or a workflow run is what a person opens; a direct commit, its sha.
    link = task.refs.get("pullRequest") or task.refs.get("url")
    if link:
        return link
    if task.refs.get("commit"):
        return f"{task.refs.get('branch', '')}@{task.refs['commit'][:12]}"
    return ""


@dataclass(frozen=True)
class RevisionView:
    """One revision of a request as `pac status` tells it: what it did, how it ended, and
    the item versions that served it."""

    number: int
    operation: Operation
    state: RequestState
    started_at: str
    finished_at: str
    changed_fields: tuple[str, ...]
    reason: str
    item_versions: tuple[tuple[str, str], ...]
    tickets: tuple[str, ...]
    tasks: int
    current: bool = False

    def words(self) -> str:
        """`revision 1 (update): completed, 2026-10-02 → 2026-10-03; changed a.b; …`."""
        when = self.started_at or "?"
        if self.finished_at and not self.current:
            when += f" to {self.finished_at}"
        facts = [f"revision {self.number} ({self.operation}): {self.state}, {when}"]
        if self.changed_fields:
            facts.append("changed " + ", ".join(self.changed_fields))
        if self.reason:
            facts.append(f"reason: {self.reason}")
        if self.item_versions:
            facts.append(
                "served by "
                + ", ".join(f"{item} {version}" for item, version in self.item_versions)
            )
        if not self.current:
            done = f"{self.tasks} task(s)"
            facts.append(done + (f" ({', '.join(self.tickets)})" if self.tickets else ""))
        return "; ".join(facts)


def revision_views(status: RequestStatus) -> list[RevisionView]:
    """Every revision, oldest first, the current one last; empty for a request that has
    only its create (it looks as it always did)."""
    if not status.revisions and not status.revision:
        return []
    views = [
        RevisionView(
            r.number,
            r.operation,
            r.state,
            r.started_at,
            r.finished_at,
            tuple(r.changed_fields),
            r.reason,
            tuple(r.item_versions.items()),
            tuple(reference(t) for t in r.tasks if reference(t)),
            len(r.tasks),
        )
        for r in status.revisions
    ]
    views.append(
        RevisionView(
            status.revision,
            status.operation,
            status.state,
            status.started_at,
            "",
            tuple(status.changed_fields),
            status.reason,
            tuple(status.item_versions.items()),
            tuple(reference(t) for t in status.tasks if reference(t)),
            len(status.tasks),
            current=True,
        )
    )
    return views


def state_words(status: RequestStatus) -> str | None:
    """A state that needs a sentence, not a word; None for the rest."""
    if status.state is RequestState.DECOMMISSIONED:
        reason = f" ({status.reason})" if status.reason else ""
        return (
            f"decommissioned{reason}: its resources were removed; this status stays as "
            "its history, and its request file may now be deleted"
        )
    return None
