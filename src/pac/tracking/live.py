"""Tickets' live state for `pac status`, each read from the backend that made it (SPEC §6.7).

An outbox ticket is never looked up in JIRA (its key may name another ticket there), and a
JIRA ticket is never shown as live when JIRA is not configured here: it shows the state
the last `pac apply` recorded. Every backend is read once for all tickets it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from pac.documents.layout import OUTBOX_DIR
from pac.fulfilment.backends import BackendError, TicketBackend, TicketFacts, task_label
from pac.records.status import RequestStatus, TaskStatus

if TYPE_CHECKING:
    from pac.documents.repository import Repository


class Source(StrEnum):
    """Where a ticket lives: it is read only from there."""

    OUTBOX = "outbox"
    JIRA = "jira"

    @property
    def shown(self) -> str:
        return "JIRA" if self is Source.JIRA else "outbox"


# A backend's reader, or None when it cannot be reached from here (JIRA not configured).
Readers = Mapping[Source, Callable[[], TicketBackend] | None]


def source_of(task: TaskStatus) -> Source:
    """The backend that made the task's ticket; statuses written before pac recorded it
    say so by the ticket's url (an outbox ticket's is its file under `.pac/outbox/`)."""
    if task.ticket_backend in (Source.OUTBOX.value, Source.JIRA.value):
        return Source(task.ticket_backend)
    return Source.OUTBOX if task.ticket_url.startswith(OUTBOX_DIR + "/") else Source.JIRA


@dataclass(frozen=True)
class TicketState:
    """A ticket as `pac status` shows it: read now, or as the last apply recorded it."""

    key: str
    source: Source
    status: str
    assignee: str = ""
    resolution: str = ""
    live: bool = False
    missing: bool = False  # its backend no longer has it (deleted, or never made there)

    def words(self) -> str:
        """`DBA-12 In Progress, assigned to Kim`; an outbox ticket says it is one."""
        where = " (outbox)" if self.source is Source.OUTBOX else ""
        if self.missing:
            return f"{self.key} not found in {self.source.shown}"
        if not self.status:
            state = " (not read live here)"
        else:
            state = f" {self.status}"
            if self.resolution and self.resolution != self.status:
                state += f" ({self.resolution})"
        said = f"{self.key}{state}{where}"
        if not self.live and self.status:
            said += " as last recorded"
        return said + (f", assigned to {self.assignee}" if self.assignee else "")


@dataclass
class LiveTickets:
    """Every shown ticket's state by task key, and why a backend was not read live."""

    by_task: dict[str, TicketState] = field(default_factory=dict)
    not_live: dict[Source, str] = field(default_factory=dict)

    def of(self, task: TaskStatus) -> TicketState | None:
        if not task.ticket_key:
            return None
        return self.by_task.get(task.key) or recorded(task)


def recorded(task: TaskStatus) -> TicketState:
    """What the last apply recorded of the task's ticket."""
    return TicketState(
        task.ticket_key,
        source_of(task),
        task.ticket_status,
        task.ticket_assignee,
        task.resolution,
        live=False,
    )


def read_live(statuses: Iterable[RequestStatus], readers: Readers) -> LiveTickets:
    """Each ticket of `statuses`' current tasks read from its backend: one `read` per
    backend for all its tickets, never one call per ticket."""
    wanted: dict[Source, dict[str, TaskStatus]] = {}
    for status in statuses:
        for task in status.tasks:
            if task.ticket_key:
                wanted.setdefault(source_of(task), {})[task_label(task.key)] = task
    live = LiveTickets()
    for source, by_label in wanted.items():
        reader = readers.get(source)
        if reader is None:
            live.not_live[source] = f"{source.shown} is not configured here"
            continue
        try:
            found = _read(reader, list(by_label))
        except BackendError as exc:
            live.not_live[source] = exc.message
            continue
        for label, task in by_label.items():
            facts = found.get(label)
            live.by_task[task.key] = (
                _state(facts, source)
                if facts is not None
                else TicketState(task.ticket_key, source, "", live=True, missing=True)
            )
    return live


def _read(reader: Callable[[], TicketBackend], labels: list[str]) -> dict[str, TicketFacts]:
    backend = reader()
    try:
        return backend.read(labels)
    finally:
        backend.close()


def _state(facts: TicketFacts, source: Source) -> TicketState:
    return TicketState(facts.key, source, facts.status, facts.assignee, facts.resolution, live=True)


def readers(repo: Repository) -> dict[Source, Callable[[], TicketBackend] | None]:
    """The outbox of this checkout always; JIRA only when it is configured here."""
    from pac.errors import PacError
    from pac.fulfilment.backends import ticket_backend
    from pac.fulfilment.backends.outbox import Outbox

    jira: Callable[[], TicketBackend] | None = None
    try:
        name, factory = ticket_backend(repo)
    except PacError:  # in CI without JIRA: no outbox fallback either
        name, factory = "", None
    if name.startswith("JIRA"):
        jira = factory
    return {Source.OUTBOX: lambda: Outbox(repo.root), Source.JIRA: jira}
