"""The interface every action type implements, and what the executor lends it for a task.

An action type renders a task's action (the same for a preview, a plan and the real run),
performs it against its backend exactly once (SPEC §6.4), and shows what it does: in one
line for a plan, in full for `pac render`. Adding a type is adding one module implementing
`ActionType`, one line in the registry (`pac.fulfilment.actions`) and the type's row in
`pac.documents.action_types`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast, runtime_checkable

from pac.fulfilment.backends import BackendError
from pac.records.status import Known, TaskStatus

if TYPE_CHECKING:
    from pac.documents.model import Offering, Request
    from pac.documents.repository import Repository
    from pac.fulfilment.backends import Ticket, TicketBackend
    from pac.fulfilment.backends.rest import RestClient
    from pac.fulfilment.preview import PreviewTask
    from pac.fulfilment.redaction import Redactor
    from pac.fulfilment.rendering import Renderer
    from pac.fulfilment.tasks import TaskSpec
    from pac.fulfilment.tracking import TicketRead
    from pac.records.status import RequestStatus
    from pac.records.store import StatusStore


class Rendered(Protocol):
    """A rendered action: what is sent, and how previews and plans show it."""

    kind: str  # the action type's name, the key of its section in previews

    def as_dict(self) -> dict[str, Any]: ...


_C = TypeVar("_C")


@dataclass
class Clients:
    """The clients a run's action types make on first use (git, GitHub, …), closed at its end.

    One per worker thread, like the ticket backend and the REST client: a type asks for its
    client by name, so the executor knows nothing of any type's backend.
    """

    made: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, name: str, make: Callable[[], _C]) -> _C:
        with self.lock:
            if name not in self.made:
                self.made[name] = make()
            return cast(_C, self.made[name])

    def close(self) -> None:
        with self.lock:
            for client in self.made.values():
                client.close()
            self.made.clear()


class Waiting(Exception):
    """A task started something outside pac that is still under way: later runs follow it."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class TicketsOpen(Waiting):
    """Tickets are open with their teams (and steps wait for them): later runs read them."""


@dataclass
class Escalation:
    """An escalation under way: the task that failed and the tasks done before it."""

    failed: TaskStatus
    done: list[TaskStatus]


class TaskRun(Protocol):
    """What the executor lends an action while it runs one request's tasks."""

    repo: Repository
    store: StatusStore
    request: Request
    status: RequestStatus
    offering: Offering
    specs: list[TaskSpec]
    tickets: TicketBackend
    rest: RestClient
    clients: Clients  # per-type clients (git, GitHub), made when a type first asks
    redact: Redactor  # grows with credentials a call sends, for the rest of the request
    shown: Renderer  # secrets masked: what is recorded and displayed
    sent: Renderer  # secrets revealed: what goes over the wire
    escalation: Escalation | None
    link_type: str
    existing: dict[str, Ticket]  # pac's tickets found by the one look-up before any task
    read: TicketRead  # this run's batched read of open tickets (SPEC §6.7)
    searched_at: float  # when that look-up was sent
    created: list[str]
    adopted: list[str]
    calls: int

    def say(self, text: str) -> None: ...

    def act(self, task: TaskStatus) -> None:
        """Raises when this run may no longer act (another run took the lease over)."""


class ActionType(Protocol):
    """One action type: `jira-ticket`, `rest-api`, …"""

    name: str
    linked: bool  # its results are linked to those of the components it depends on
    # The environment variables holding its credentials: masked in all pac writes or prints.
    secret_variables: tuple[str, ...]

    def render(self, renderer: Renderer, spec: TaskSpec, spaces: Mapping[str, Any]) -> Rendered:
        """The action rendered for `spec`, the same for a preview, a plan and the run."""

    def step_line(self, rendered: Rendered) -> str:
        """What the task does, in one line of a plan."""

    def preview_lines(self, task: PreviewTask) -> list[str]:
        """What the task sends, in full, as `pac render` lists it (indented)."""

    def start(self, run: TaskRun, unfinished: list[TaskSpec]) -> None:
        """Prepare before the request's first task runs (one look-up for all, say)."""

    def perform(
        self, run: TaskRun, task: TaskStatus, spec: TaskSpec, outputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Do the task's work exactly once; the `.response` its outputs are evaluated on."""


@runtime_checkable
class Follows(Protocol):
    """An action type whose task may wait on something outside pac (a workflow run).

    `perform` raises `Waiting` to leave its task `waiting`; each later run calls `follow`
    for it, which raises `Waiting` again while the thing is under way, and returns the
    `.response` (or raises `BackendError`) once it has ended.
    """

    def follow(
        self, run: TaskRun, task: TaskStatus, spec: TaskSpec, outputs: Mapping[str, Any]
    ) -> dict[str, Any]: ...


@runtime_checkable
class Compares(Protocol):
    """An action type whose preview can show its effect against the target's current state."""

    def compare(self, rendered: Rendered, root: Path, author: tuple[str, str]) -> None: ...


def as_follows(action: object) -> Follows | None:
    return action if isinstance(action, Follows) else None


def as_compares(action: object) -> Compares | None:
    return action if isinstance(action, Compares) else None


class TicketsUnavailable(Exception):
    """The look-up before any task failed: JIRA is down or pac's credentials are wrong.

    That is no fault of the request, and nothing has been done for it yet, so it is not
    failed (which would wait for a person to raise operations.retry): the next run, such
    as the hourly scheduled one, simply carries on.
    """

    def __init__(self, error: BackendError) -> None:
        super().__init__(error.message)
        self.error = error


def known_from(error: BackendError) -> Known:
    """What a failed attempt tells about whether the work was done."""
    if error.unknown:
        return Known.UNKNOWN
    return Known.TRANSIENT if error.transient else Known.REFUSED
