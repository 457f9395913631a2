"""Running one request's tasks in order, each exactly once: tickets handed off to their
teams, automated steps after an open ticket waiting for it (SPEC §4.4, §6.7).

`RequestRunner` (`pac.fulfilment.executor`) moves the request through its states; this
part of it walks its tasks: what each waits for, performing it, and advancing a ticket
task from this run's one batched read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pac.documents.action_types import hands_off
from pac.documents.model import Bundle, Offering, Request
from pac.documents.repository import Repository
from pac.fulfilment.actions import action_for
from pac.fulfilment.actions.base import Clients, Escalation, TicketsOpen, Waiting, as_follows
from pac.fulfilment.backends import BackendError, Ticket, TicketBackend
from pac.fulfilment.backends.rest import RestClient
from pac.fulfilment.failure import LeaseLost, stop_at
from pac.fulfilment.redaction import Redactor
from pac.fulfilment.rendering import Renderer, RenderError, renderer_for
from pac.fulfilment.revision import earlier_outputs, previous_input
from pac.fulfilment.tasks import TaskSpec, unsupported_hint
from pac.fulfilment.tracking import (
    WAITS_FOR,
    TicketRead,
    creation_outputs,
    declined_error,
    is_ticket_task,
    look,
    missing_fields,
    note_look,
    record_resolution,
    response_of,
    waiting_on,
    waits_for,
)
from pac.records.states import TaskState
from pac.records.status import RequestStatus, TaskStatus, now_text
from pac.records.store import StatusStore
from pac.templating.namespaces import SecretLookup, SystemValues


class TaskWalk:
    """The task-walking half of `RequestRunner` (its state lives there)."""

    repo: Repository
    store: StatusStore
    request: Request
    redact: Redactor
    lookup: SecretLookup
    link_type: str
    read: TicketRead
    lag: float
    status: RequestStatus
    offering: Offering
    specs: list[TaskSpec]
    shown: Renderer
    sent: Renderer

    emit: Callable[[str], None]
    still_held: Callable[[], bool]
    tickets: TicketBackend
    rest: RestClient
    clients: Clients
    escalation: Escalation | None
    existing: dict[str, Ticket]
    searched_at: float
    created: list[str]
    adopted: list[str]
    calls: int

    def say(self, text: str) -> None:
        self.emit(self.redact(f"{self.request.id}: {text}"))

    def act(self, task: TaskStatus) -> None:
        """Stop before a create or call once another run holds the lease."""
        if not self.still_held():
            # Left as a run killed just before sending leaves it: the next run resumes it.
            raise LeaseLost(task)

    def _run_tasks(
        self,
        status: RequestStatus,
        offering: Offering,
        specs: list[TaskSpec],
        system: SystemValues,
    ) -> None:
        self.status, self.offering, self.specs = status, offering, specs
        # A later revision renders the input it started from (a later edit is the next one).
        values = status.input if status.revision else self.request.input
        lookup, previous = self.lookup, previous_input(status)
        self.shown = renderer_for(
            self.repo, offering, values, system, lookup=lookup, previous=previous
        )
        self.sent = renderer_for(
            self.repo, offering, values, system, reveal=True, lookup=lookup, previous=previous
        )
        if isinstance(offering, Bundle) and offering.link_type:
            self.link_type = offering.link_type
        self._start(status, specs)
        outputs: dict[str, Any] = dict(earlier_outputs(status))
        # Tickets open with their teams, per component: what automated steps wait for.
        open_keys: dict[str, list[str]] = {}
        depends = {spec.component: spec.depends_on for spec in specs}
        for spec in specs:
            task = status.task(spec.key(self.request.id))
            assert task is not None
            if task.state is not TaskState.COMPLETED:
                # Tickets never wait for tickets: they are linked (SPEC §4.4).
                keys = [] if hands_off(spec.action.type) else waits_for(spec, open_keys, depends)
                if keys:
                    self._wait_for(status, task, keys)
                else:
                    self._run_task(status, task, spec, outputs)
            if task.state is TaskState.WAITING:
                keys = [task.ticket_key] if is_ticket_task(task) else []
                keys += [k for k in task.refs.get(WAITS_FOR, "").split(", ") if k]
                open_keys.setdefault(spec.component, []).extend(keys)
            outputs.update(task.outputs)
        if any(task.state is TaskState.WAITING for task in status.tasks):
            raise TicketsOpen(waiting_on(status) or "tickets open with their teams")

    def _wait_for(self, status: RequestStatus, task: TaskStatus, keys: list[str]) -> None:
        """An automated step after an open ticket: not attempted until it is resolved."""
        if task.state is not TaskState.WAITING:
            task.become(TaskState.PROCESSING)
            task.become(TaskState.WAITING)
        task.refs[WAITS_FOR] = ", ".join(keys)
        self.store.save(status)

    def _start(self, status: RequestStatus, specs: list[TaskSpec]) -> None:
        """Let each action type prepare for the tasks of it still to run (one look-up)."""
        unfinished = [
            spec
            for spec in specs
            if (task := status.task(spec.key(self.request.id))) is not None
            and task.state is not TaskState.COMPLETED
        ]
        for name in dict.fromkeys(spec.action.type for spec in specs):
            action = action_for(name)
            if action is not None:
                action.start(self, unfinished)

    def _run_task(
        self, status: RequestStatus, task: TaskStatus, spec: TaskSpec, outputs: dict[str, Any]
    ) -> None:
        if task.state is TaskState.WAITING and is_ticket_task(task) and task.ticket_key:
            self._advance(status, task, spec, outputs)
            return
        # A step that waited for tickets runs now as if new; a workflow run is followed.
        was_waiting = task.state is TaskState.WAITING and task.refs.pop(WAITS_FOR, None) is None
        # Saved with the attempt recorded just before the create or call is sent.
        task.become(TaskState.PROCESSING)
        task.attempts += 1
        task.started_at = now_text()
        task.error = None
        action = action_for(spec.action.type)
        try:
            if action is None:
                raise BackendError(
                    f"{spec.action.type} actions are not yet supported by pac apply",
                    unsupported_hint(spec),
                )
            follows = as_follows(action) if was_waiting else None
            if follows is not None:
                response = follows.follow(self, task, spec, outputs)
            else:
                response = action.perform(self, task, spec, outputs)
            handed_off = hands_off(spec.action.type)
            only = creation_outputs(spec) if handed_off else None
            kept = self.shown.render_outputs(spec, outputs, response, only=only)
        except (BackendError, RenderError) as exc:
            stop_at(self, task, exc)
        except Waiting:
            task.become(TaskState.WAITING)
            self.store.save(status)
            raise
        task.outputs = self.redact.mapping(kept)
        if handed_off:
            # A ticket is a hand-off, not a result: it waits for its team (SPEC §6.7).
            task.refs["ticketId"] = str(response.get("id", ""))
            status.item_versions[spec.item.id] = spec.item.version
            task.become(TaskState.WAITING)
            self.store.save(status)
            self._advance(status, task, spec, outputs)
            return
        self._complete(status, task, spec, now_text())

    def _complete(self, status: RequestStatus, task: TaskStatus, spec: TaskSpec, at: str) -> None:
        if task.state is TaskState.WAITING:
            task.become(TaskState.PROCESSING)
        task.become(TaskState.COMPLETED)
        # The version that actually served it (a retry after a version bump runs the new).
        status.item_versions[spec.item.id] = spec.item.version
        task.finished_at = at
        task.transient_error = ""
        self.store.save(status)

    def _advance(
        self, status: RequestStatus, task: TaskStatus, spec: TaskSpec, outputs: dict[str, Any]
    ) -> None:
        """A ticket task from what this run's read found: completed when its team resolved
        it as done (its outputs evaluated then), failed when not done, else still waiting."""
        seen = look(task, self.read, self.repo.config, self.lag)
        facts = seen.facts
        if seen.declined and facts is not None:
            record_resolution(task, facts)
            task.become(TaskState.PROCESSING)
            stop_at(self, task, declined_error(task, facts))
        if not seen.done or facts is None:
            note_look(status, task, seen)
            self.store.save(status)
            return
        team = task.owner_team or "its team"
        lacking = missing_fields(spec, facts)
        try:
            if lacking:
                raise RenderError(
                    f"{facts.key} is resolved, but its field {lacking[0]!r} is empty, and "
                    f"{spec.item.id}'s outputs read it (.response.fields.{lacking[0]})",
                    f"Ask {team} to fill it in.",
                )
            kept = self.shown.render_outputs(spec, outputs, response_of(task, facts))
        except RenderError as exc:
            task.transient_error = self.redact(
                f"{exc.message}; {team} can fill it in on {facts.key}, and the next run "
                "reads it again"
            )
            self.store.save(status)
            return
        record_resolution(task, facts)
        task.outputs = self.redact.mapping(kept)
        self._complete(status, task, spec, task.resolved_at or now_text())
        self.say(f"{task.component}: {facts.key} resolved as {task.resolution}")
