"""Tickets open with their teams (SPEC §6.7): read once per run, each waiting task advanced
from what was read.

`pac apply` reads the state of every open ticket of every request it works on in one
batched search (`TicketBackend.read`, a page per 50 labels) before the requests run
concurrently; each runner then advances its waiting tickets from that answer alone, so a
request whose tickets are simply still open costs no call at all. A ticket resolved as
done completes its task, one resolved as not done fails it, and anything pac cannot be
sure of (a resolution pac.yaml does not list, a ticket search no longer finds, a field the
outputs need that the ticket lacks) leaves the task waiting with a message: nothing is
lost, and the next run picks it up.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pac.documents.action_types import hands_off
from pac.documents.layout import OUTBOX_DIR
from pac.fulfilment.backends import (
    BackendError,
    TicketBackend,
    TicketFactory,
    TicketFacts,
    task_label,
)
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus, parse_time
from pac.records.store import StatusError, StatusStore

if TYPE_CHECKING:
    from pac.documents.config import PacConfig
    from pac.documents.model import Request
    from pac.documents.repository import Repository
    from pac.fulfilment.tasks import TaskSpec

# `refs` key of an automated task waiting for tickets: the keys it waits for.
WAITS_FOR = "waitsFor"
# `refs` key of a ticket task: tickets its team declined earlier (a retry files a new one).
DECLINED = "declined"
# An output reading the resolved ticket's fields is evaluated at resolution only.
_READS_FIELDS = re.compile(r"response\s*(?:\.\s*|\[\s*['\"])fields\b")
_STILL_TERMINAL = frozenset({RequestState.COMPLETED, RequestState.DECOMMISSIONED})


@dataclass(frozen=True)
class TicketRead:
    """What this run's one batched read found, by pac's task label."""

    facts: Mapping[str, TicketFacts] = field(default_factory=dict)
    asked: frozenset[str] = frozenset()  # labels read; asked and not found: no ticket found
    read_at: float = 0.0
    error: str = ""  # the read failed: no ticket is advanced this run
    elsewhere: frozenset[str] = frozenset()  # made in JIRA, which this run does not reach
    searches: int = 0  # backend reads made (for the summary and the benchmark)

    def knows(self, label: str) -> bool:
        return not self.error and label in self.asked


NOTHING_READ = TicketRead()


def ticket_backend_of(task: TaskStatus, current: str) -> str:
    """Where the task's ticket lives: it is read from the backend that made it."""
    if task.ticket_backend:
        return task.ticket_backend
    if task.ticket_url.startswith(OUTBOX_DIR + "/"):
        return "outbox"
    return "jira" if task.ticket_key else current


def is_ticket_task(task: TaskStatus) -> bool:
    return hands_off(task.action)


def _to_read(task: TaskStatus) -> bool:
    """An unfinished ticket task whose ticket exists, or may (a create whose answer was lost)."""
    if not is_ticket_task(task) or not task.state.open:
        return False
    return bool(task.ticket_key) or (task.attempt is not None and task.attempt.maybe_done)


def labels_by_backend(statuses: Iterable[RequestStatus], current: str) -> dict[str, list[str]]:
    """The labels of every ticket still open with its team, grouped by backend."""
    grouped: dict[str, list[str]] = {}
    for status in statuses:
        if status.state in _STILL_TERMINAL:
            continue
        for task in status.tasks:
            if _to_read(task):
                grouped.setdefault(ticket_backend_of(task, current), []).append(
                    task_label(task.key)
                )
    return grouped


def read_open(
    repo: Repository,
    requests: Iterable[Request],
    tickets: TicketFactory,
    emit: Callable[[str], None] = lambda line: None,
) -> TicketRead:
    """One batched read of every open ticket of `requests` (SPEC §6.7)."""
    store = StatusStore(repo.root)
    statuses = []
    for request in requests:
        try:
            loaded = store.load(request.id)
        except StatusError:
            continue  # the runner reports it; nothing of it is read
        if loaded is not None:
            statuses.append(loaded)
    backend = tickets()
    try:
        grouped = labels_by_backend(statuses, backend.name)
        if not grouped:
            return NOTHING_READ
        return _read(repo, backend, grouped, emit)
    finally:
        backend.close()


def _read(
    repo: Repository,
    backend: TicketBackend,
    grouped: dict[str, list[str]],
    emit: Callable[[str], None],
) -> TicketRead:
    facts: dict[str, TicketFacts] = {}
    asked: set[str] = set()
    elsewhere: set[str] = set()
    searches = 0
    read_at = time.time()
    try:
        for name, labels in grouped.items():
            if name == backend.name:
                facts.update(backend.read(labels))
            elif name == "outbox":
                from pac.fulfilment.backends.outbox import Outbox

                facts.update(Outbox(repo.root).read(labels))
            else:
                elsewhere.update(labels)
                continue
            asked.update(labels)
            searches += 1
    except BackendError as exc:
        emit(f"could not read the tickets' state, waiting requests stay as they are: {exc.message}")
        return TicketRead(error=f"{exc.message} ({exc.hint})".strip(), read_at=read_at)
    count = sum(len(labels) for labels in grouped.values())
    emit(f"read the state of {count} open ticket(s) in one batched search")
    return TicketRead(facts, frozenset(asked), read_at, "", frozenset(elsewhere), searches)


def reads_fields(source: Any) -> bool:
    return isinstance(source, str) and bool(_READS_FIELDS.search(source))


_FIELD_NAME = re.compile(
    r"response\s*(?:\.\s*|\[\s*['\"])fields(?:['\"]\s*\])?\s*"
    r"(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])"
)


def missing_fields(spec: TaskSpec, facts: TicketFacts) -> list[str]:
    """The ticket fields the outputs read that its team left empty."""
    names = [
        a or b
        for source in spec.action.outputs.values()
        if isinstance(source, str)
        for a, b in _FIELD_NAME.findall(source)
    ]
    return [n for n in dict.fromkeys(names) if facts.fields.get(n) in (None, "", [], {})]


def creation_outputs(spec: TaskSpec) -> list[str]:
    """A ticket's outputs that can be known when it is made (those not reading its fields):
    evaluated at creation, so later tickets can quote its key; all again at resolution."""
    return [key for key, source in spec.action.outputs.items() if not reads_fields(source)]


@dataclass
class Look:
    """What the read says about one waiting ticket task."""

    facts: TicketFacts | None = None
    message: str = ""  # why the task keeps waiting though the ticket may be resolved
    done: bool = False
    declined: bool = False
    moved_from: str = ""  # the key it had before its team moved it to another project


def look(task: TaskStatus, read: TicketRead, config: PacConfig, lag: float) -> Look:
    """What the batched read says about the ticket of `task`; records what the team did
    (status, assignee, a new key) on the task."""
    label = task_label(task.key)
    if label in read.elsewhere:
        return Look(
            message=f"{task.ticket_key} was made in JIRA, which this run does not reach; "
            "set PAC_JIRA_URL, PAC_JIRA_USER and PAC_JIRA_TOKEN"
        )
    if not read.knows(label):
        return Look(message=read.error)
    facts = read.facts.get(label)
    if facts is not None and facts.key in declined_keys(task):
        facts = None  # the declined one, still found while the new one is not yet
    if facts is None:
        return Look(message=_not_found(task, read, lag))
    moved = ""
    if task.ticket_key and facts.key != task.ticket_key:
        moved = task.ticket_key
        task.ticket_url = task.ticket_url.replace(moved, facts.key) if task.ticket_url else ""
        task.ticket_key = facts.key
    task.ticket_status, task.ticket_assignee = facts.status, facts.assignee
    if not facts.resolved:
        return Look(facts, moved_from=moved)
    resolution = facts.resolution or facts.status
    if resolution in config.resolutions_done:
        return Look(facts, done=True, moved_from=moved)
    if resolution in config.resolutions_not_done:
        return Look(facts, declined=True, moved_from=moved)
    return Look(
        facts,
        moved_from=moved,
        message=f"{facts.key} was resolved as {resolution!r}, which pac.yaml lists neither "
        "as done nor as not done; add it to jira.resolutions.done or jira.resolutions.notDone "
        "in pac.yaml (the architecture team owns it) and the next run picks it up",
    )


def _not_found(task: TaskStatus, read: TicketRead, lag: float) -> str:
    attempt = task.attempt
    made = parse_time(attempt.at) if attempt is not None else None
    key = task.ticket_key or "the ticket"
    if made is not None and read.read_at < made.timestamp() + lag:
        return f"{key} was just made and JIRA's search does not show it yet; the next run reads it"
    return (
        f"{key} is no longer found by its label {task_label(task.key)} (deleted, or JIRA no "
        "longer knows it); the task keeps waiting. Ask its team whether it was deleted: "
        "put the label back on the ticket, or set operations.abort in the request file"
    )


def declined_error(task: TaskStatus, facts: TicketFacts) -> BackendError:
    """A ticket its team resolved as not done: the task fails with what they said."""
    said = (
        f"{facts.last_comment_by or 'its team'} wrote: {facts.last_comment.strip()}"
        if facts.last_comment.strip()
        else "its team left no comment"
    )
    team = task.owner_team or "the owning team"
    return BackendError(
        f"{facts.key} was resolved as {facts.resolution or facts.status!r} by {team}",
        f"{said}. Talk to {team}, then raise operations.retry in the request file to file a new "
        "ticket, set operations.abort to give up, or operations.escalate.",
    )


def declined_keys(task: TaskStatus) -> list[str]:
    return [k for k in task.refs.get(DECLINED, "").split(", ") if k]


def forget_declined(task: TaskStatus) -> None:
    """A retry after its team declined the ticket files a new one (the same label)."""
    if not task.resolution or task.state is not TaskState.FAILED:
        return
    task.refs[DECLINED] = ", ".join(dict.fromkeys([*declined_keys(task), task.ticket_key]))
    task.ticket_key = task.ticket_url = task.ticket_status = task.ticket_assignee = ""
    task.resolution = task.resolved_at = ""
    task.refs.pop("ticketId", None)
    task.attempt = None  # that create made the declined ticket: nothing to look for


def record_resolution(task: TaskStatus, facts: TicketFacts) -> None:
    task.resolution = facts.resolution or facts.status
    task.resolved_at = _iso(facts.resolved_at)
    task.transient_error = ""
    if facts.key and facts.key != task.ticket_key:
        task.ticket_key = facts.key


def _iso(text: str) -> str:
    """JIRA writes `2026-11-30T10:00:00.000+0000`; the status keeps ISO 8601 UTC."""
    try:
        when = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return text
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def response_of(task: TaskStatus, facts: TicketFacts) -> dict[str, Any]:
    """`.response` of a ticket's outputs at resolution (SPEC §4.3)."""
    return {
        "key": facts.key or task.ticket_key,
        "id": facts.id or task.refs.get("ticketId", ""),
        "url": task.ticket_url,
        "fields": dict(facts.fields),
    }


def waits_for(
    spec: TaskSpec, open_keys: Mapping[str, list[str]], depends: Mapping[str, tuple[str, ...]]
) -> list[str]:
    """The open tickets an automated step waits for: its own component's and those of every
    component it depends on, transitively (SPEC §4.4)."""
    seen: set[str] = set()
    todo = [spec.component]
    keys: list[str] = []
    while todo:
        component = todo.pop()
        if component in seen:
            continue
        seen.add(component)
        keys += open_keys.get(component, [])
        todo += depends.get(component, ())
    return list(dict.fromkeys(keys))


def waiting_on(status: RequestStatus) -> str:
    """`platform-databases-team: DBA-12; security-team: SEC-3` — whose tickets it waits on."""
    teams: dict[str, list[str]] = {}
    for task in status.tasks:
        if task.state is TaskState.WAITING and is_ticket_task(task) and task.ticket_key:
            teams.setdefault(task.owner_team or "its team", []).append(task.ticket_key)
    return "; ".join(f"{team}: {', '.join(keys)}" for team, keys in teams.items())


def quiet(status: RequestStatus, read: TicketRead, config: PacConfig, lag: float) -> bool:
    """Nothing a run could do for this waiting request: every ticket is still open (or
    cannot be read), and every other unfinished task waits for one of them. Records what
    was read on the tasks."""
    if status.state is not RequestState.WAITING:
        return False
    for task in status.tasks:
        if not task.state.open:
            continue
        if task.state is not TaskState.WAITING:
            return False
        if not is_ticket_task(task):
            if WAITS_FOR not in task.refs:
                return False  # a workflow run under way: followed by the full run
            continue
        seen = look(task, read, config, lag)
        if seen.done or seen.declined:
            return False
        note_look(status, task, seen)
    return True


def note_look(status: RequestStatus, task: TaskStatus, seen: Look) -> None:
    """Keep what the read said on a task that goes on waiting."""
    task.transient_error = seen.message
    if seen.moved_from:
        status.note(f"{seen.moved_from} was moved by its team; it is now {task.ticket_key}")
