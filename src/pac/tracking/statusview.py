"""`pac status`: each request where it stands, in words, next to its tickets' live state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pac.documents.lifecycle import Operation
from pac.documents.model import Bundle, Priority
from pac.fulfilment.freeze import PASSED_FREEZE
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.tracking.live import LiveTickets, Readers, TicketState, read_live
from pac.tracking.words import outputs, request_words

if TYPE_CHECKING:
    from pac.documents.repository import Repository

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
    ticket: TicketState | None = None  # read now from its backend, or as last recorded

    @property
    def live(self) -> str:
        """The ticket's status read now; empty when it could not be read live."""
        return self.ticket.status if self.ticket is not None and self.ticket.live else ""


@dataclass
class RequestView:
    status: RequestStatus
    tasks: list[TaskView] = field(default_factory=list)
    words: str = ""  # where it stands, in the developer's words
    outputs: list[tuple[str, str]] = field(default_factory=list)  # as recorded: masked

    def as_dict(self) -> dict[str, Any]:
        data = self.status.as_dict()
        for task_data, view in zip(data["tasks"], self.tasks, strict=True):
            ticket = view.ticket
            if ticket is None:
                continue
            if ticket.live:
                task_data["ticket"]["liveStatus"] = "" if ticket.missing else ticket.status
                if ticket.assignee:
                    task_data["ticket"]["liveAssignee"] = ticket.assignee
            if ticket.missing:
                task_data["ticket"]["missing"] = True
        data.pop("system", None)
        data["words"] = self.words
        data["outputs"] = dict(self.outputs)
        return data


def lead_time_target(repo: Repository, status: RequestStatus) -> float | None:
    """Seconds the item's team promised (`leadTimeTarget`); a bundle without its own
    promise takes the longest of its items', since it is ready when they all are."""
    offering = repo.offering(status.target_id)
    if offering is None or offering.lead_time_target is not None:
        return offering.lead_time_target if offering is not None else None
    if not isinstance(offering, Bundle):
        return None
    promised = [
        item.lead_time_target
        for component in offering.components
        if (item := repo.item(component.catalog_item)) is not None
    ]
    known = [p for p in promised if p is not None]
    return max(known) if known and len(known) == len(promised) else None


def build_views(
    statuses: Iterable[RequestStatus],
    readers: Readers | None,
    target: Callable[[RequestStatus], float | None] = lambda status: None,
    now: dt.datetime | None = None,
) -> tuple[list[RequestView], LiveTickets]:
    """Views with every ticket's state read live from the backend that made it (never
    cached: it changes in JIRA), one read per backend; `readers` None reads nothing."""
    statuses = list(statuses)
    tickets = read_live(statuses, readers) if readers is not None else LiveTickets()
    moment = now or dt.datetime.now(dt.UTC)
    views = []
    for status in statuses:
        views.append(
            RequestView(
                status,
                [TaskView(t, tickets.of(t)) for t in status.tasks],
                request_words(status, tickets, target(status), moment),
                outputs(status),
            )
        )
    return views, tickets


def not_live_note(tickets: LiveTickets) -> list[str]:
    """Once per backend that was not read live: why, and what is shown instead."""
    return [
        f"{source.shown} tickets are not live: {why}; their states are as the last "
        "pac apply recorded them"
        for source, why in tickets.not_live.items()
    ]


# Where `pac status --watch` stops: nothing more happens without someone acting. A request
# waiting on a ticket, or deferred by a freeze, still moves by itself.
DONE_FOR_A_DEVELOPER = frozenset(
    {
        RequestState.COMPLETED,
        RequestState.FAILED,
        RequestState.ABORTED,
        RequestState.ESCALATED,
        RequestState.DECOMMISSIONED,
    }
)


def unsettled(views: Iterable[RequestView]) -> list[RequestView]:
    """The requests `pac status --watch` still waits for."""
    return [v for v in views if v.status.state not in DONE_FOR_A_DEVELOPER]


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
