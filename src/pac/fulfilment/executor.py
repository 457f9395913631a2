"""The fulfilment executor: one request, its tasks in order, exactly once (SPEC §6).

Every step is recorded in the request's status file before and after it happens, and
every effect can be recognised on a re-run: tickets carry a label made from their task
key and are looked up before any is created; REST calls carry the task key as their
`Idempotency-Key`. A run killed at any instant can therefore simply be run again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn

from pac.documents.config import FreezeWindow, PacConfig
from pac.documents.model import Bundle, Offering, Request
from pac.documents.repository import Repository
from pac.errors import PacError, UsageError
from pac.fulfilment.backends import BackendError, Ticket, TicketBackend, task_label
from pac.fulfilment.backends.rest import RestClient
from pac.fulfilment.redaction import Redactor
from pac.fulfilment.status import (
    ABORTED,
    COMPLETED,
    DEFERRED,
    ESCALATED,
    FAILED,
    PENDING,
    PROCESSING,
    RETRYING,
    SKIPPED,
    Attempt,
    Effect,
    Known,
    RequestStatus,
    StatusError,
    StatusStore,
    TaskError,
    TaskStatus,
    now_text,
    parse_time,
    precise_now_text,
)
from pac.fulfilment.tasks import (
    RenderedCall,
    RenderedTicket,
    Renderer,
    RenderError,
    TaskSpec,
    expand,
    renderer_for,
    unsupported_hint,
)
from pac.templating.jiramarkup import jira_escape
from pac.templating.namespaces import SystemValues, environment_secrets
from pac.templating.values import MASK

UNREADABLE = "unreadable"  # the state shown for a status file pac cannot read


class Step(StrEnum):
    """What `pac apply` does with a request this run (and what `pac plan` says it would)."""

    NOTHING = "nothing"  # completed, aborted, escalated, or failed and waiting
    NEW = "new"
    RESUME = "resume"  # a run stopped half-way: carry on
    RETRY = "retry"
    ABORT = "abort"
    ESCALATE = "escalate"
    DEFER = "defer"
    WAITING = "waiting"  # failed: needs retry, abort or escalate in the request file
    CHANGED = "changed"  # input edited after it was fulfilled: not applied again


def transient_limit_hint(hint: str, faults: int, config: PacConfig) -> str:
    """A transient fault that kept coming back: now a person decides what happens."""
    return (
        f"{hint} It failed like this in {faults} run{'s' if faults != 1 else ''} in a row "
        f"(pac.yaml apply.transientRetries: {config.transient_retries}). Raise operations.retry "
        "in the request file to try again, set operations.abort to give up, or "
        "operations.escalate to hand it to the owning team as tickets."
    ).strip()


def input_digest(request: Request) -> str:
    """Identifies what was asked: the target and the input (not metadata or operations)."""
    payload = json.dumps(
        {"target": request.target_id, "input": request.input}, sort_keys=True, default=str
    )
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()[:32]


def decide(status: RequestStatus | None, request: Request, window: FreezeWindow | None) -> Step:
    operations = request.operations
    frozen = window is not None and request.priority != "emergency"
    if status is None:
        if operations.abort:
            return Step.ABORT
        return Step.DEFER if frozen else Step.NEW
    if status.state in (COMPLETED, ESCALATED, ABORTED):
        changed = status.input_digest and status.input_digest != input_digest(request)
        return Step.CHANGED if changed else Step.NOTHING
    if status.state == DEFERRED:
        if operations.abort:
            return Step.ABORT
        return Step.DEFER if frozen else Step.NEW
    if status.state == FAILED:
        if operations.abort:
            return Step.ABORT
        if operations.escalate or operations.retry > status.handled_retry:
            # A retry or an escalation changes things like a new request: it waits out a
            # change freeze the same way (SPEC §6.4), and the request stays failed meanwhile.
            if frozen:
                return Step.DEFER
            return Step.ESCALATE if operations.escalate else Step.RETRY
        return Step.WAITING
    if status.escalating and status.state == PROCESSING:
        # An escalation was interrupted: carry on with the manual tickets, never fall back
        # to the automation that failed.
        return Step.ESCALATE
    # Submitted, processing or retrying: a run was interrupted. Work it had begun is
    # finished even in a change freeze that started since; a half-done change is worse.
    # A run that began nothing (JIRA was down, or every attempt was told "not now") has
    # changed nothing yet: it waits out the freeze like a new request.
    if frozen and not work_begun(status):
        return Step.DEFER
    return Step.RESUME


def work_begun(status: RequestStatus) -> bool:
    """Has any task of the request done, or possibly done, something?"""
    possibly = (Known.SENT, Known.UNKNOWN, Known.DONE)
    return any(
        task.state != PENDING or (task.attempt is not None and task.attempt.known in possibly)
        for task in status.tasks
    )


def touched_categories(repo: Repository, offering: Offering) -> list[str]:
    """The categories a request for `offering` touches: a bundle's and its components'."""
    categories = [offering.category]
    if isinstance(offering, Bundle):
        for component in offering.components:
            item = repo.item(component.catalog_item)
            if item is not None:
                categories.append(item.category)
    return categories


def freeze_window(repo: Repository, offering: Offering, today: dt.date) -> FreezeWindow | None:
    """The change freeze covering any category the request touches today, if any."""
    for category in touched_categories(repo, offering):
        window = repo.config.freeze_for(category, today)
        if window is not None:
            return window
    return None


def today_in(timezone: str) -> dt.date:
    """Today in the change calendar's time zone; `PAC_TODAY` rehearses another day."""
    override = os.environ.get("PAC_TODAY")
    if override:
        try:
            return dt.date.fromisoformat(override.strip())
        except ValueError:
            raise UsageError(
                f"PAC_TODAY={override!r} is not a date",
                "Set PAC_TODAY to a day written YYYY-MM-DD (such as 2026-12-24) to rehearse "
                "that day's change freezes, or unset it to use today.",
            ) from None
    try:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(timezone)).date()
    except (KeyError, ValueError, ModuleNotFoundError):
        return dt.datetime.now(dt.UTC).date()


@dataclass
class Outcome:
    request_id: str
    step: Step
    before: str
    state: str
    summary: str
    created: list[str] = field(default_factory=list)
    calls: int = 0
    unavailable: bool = False  # the ticket system could not be reached: nothing was done
    adopted: list[str] = field(default_factory=list)  # tickets an earlier run had created
    pending: bool = False  # held by a transient fault: the next run tries again by itself
    lease_lost: bool = False  # stopped: another run took the apply lease over

    @property
    def failed(self) -> bool:
        if self.unavailable:
            return not self.pending
        return self.state == FAILED and self.step not in (Step.NOTHING, Step.WAITING, Step.DEFER)


class RequestFailed(Exception):
    pass


class LeaseLost(Exception):
    """Another run took the upstream's apply lease over: this run must not act any more.

    The task it was about to act on gets no new attempt record; the run holding the lease
    now (or the next one) carries on as after a run killed just before sending.
    """

    def __init__(self, task: TaskStatus) -> None:
        super().__init__(task.key)
        self.task = task


class TaskPending(Exception):
    """A task met a transient fault: it stays pending and the next run tries it again."""

    def __init__(self, task: TaskStatus) -> None:
        super().__init__(task.key)
        self.task = task


# The first wait between look-ups for a ticket whose create may have worked; it doubles.
LOOKUP_DELAY = 0.25
LOOKUP_MAX_DELAY = 5.0


def known_from(error: BackendError) -> Known:
    """What a failed attempt tells about whether the work was done."""
    if error.unknown:
        return Known.UNKNOWN
    return Known.TRANSIENT if error.transient else Known.REFUSED


class TicketsUnavailable(Exception):
    """The look-up before any task failed: JIRA is down or pac's credentials are wrong.

    That is no fault of the request, and nothing has been done for it yet, so it is not
    failed (which would wait for a person to raise operations.retry): the next run, such
    as the hourly scheduled one, simply carries on.
    """

    def __init__(self, error: BackendError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass
class Escalation:
    failed: TaskStatus
    done: list[TaskStatus]


class RequestRunner:
    """Fulfils one request; one runner per request, each in its own worker thread."""

    def __init__(
        self,
        repo: Repository,
        store: StatusStore,
        request: Request,
        tickets: TicketBackend,
        rest: RestClient,
        today: dt.date,
        redact: Redactor,
        emit: Callable[[str], None] = lambda line: None,
        lookup: Callable[[str], str | None] = environment_secrets,
        still_held: Callable[[], bool] = lambda: True,
    ) -> None:
        self.repo = repo
        self.store = store
        self.request = request
        self.tickets = tickets
        self.rest = rest
        self.today = today
        self.redact = redact
        self.emit = emit
        self.lookup = lookup
        self.still_held = still_held  # the apply lease, asked before each create and call
        self.created: list[str] = []
        self.adopted: list[str] = []
        self.calls = 0
        self.searched_at = 0.0  # when the request's ticket look-up was sent

    def say(self, text: str) -> None:
        self.emit(self.redact(f"{self.request.id}: {text}"))

    def run(self) -> Outcome:
        request = self.request
        offering = self.repo.offering(request.target_id)
        try:
            status = self.store.load(request.id)
        except StatusError as exc:
            # Nothing can be known about what was done: touch nothing, tell whoever reads
            # (the outcome's line, printed once by the command).
            return Outcome(
                request.id,
                Step.RESUME,
                UNREADABLE,
                FAILED,
                f"not applied: {exc.message} ({exc.hint})",
            )
        before = status.state if status else "new"
        if offering is None:
            return self._broken(status, before)
        window = freeze_window(self.repo, offering, self.today)
        step = decide(status, request, window)
        if step in (Step.NOTHING, Step.WAITING, Step.CHANGED):
            state = status.state if status else "new"
            summary = {
                Step.NOTHING: f"{state}; nothing to do",
                Step.WAITING: "failed; waiting for operations.retry, abort or escalate",
                Step.CHANGED: f"{state}, but its input changed afterwards; pac does not change "
                "fulfilled requests: open a new request",
            }[step]
            return Outcome(request.id, step, before, state, summary)

        if status is None:
            status = self._new_status(offering)
        if step is Step.DEFER:
            assert window is not None
            return self._defer(status, offering, window, before)
        if step is Step.ABORT:
            for task in status.tasks:
                if task.state in (PENDING, PROCESSING):
                    task.state = SKIPPED
            status.state = ABORTED
            status.note("aborted by operations.abort in the request file")
            self.store.save(status)
            summary = "aborted; remaining tasks skipped"
            return Outcome(request.id, step, before, ABORTED, summary)

        if window is not None:
            self._pass_freeze(status, window)
        status.deferred_window = status.deferred_until = ""
        modes: dict[str, str] = {}
        escalation: Escalation | None = None
        if step is Step.RETRY:
            status.handled_retry = request.operations.retry
            for task in status.tasks:
                if task.state in (FAILED, SKIPPED):
                    task.state, task.error = PENDING, None
                    task.transient_failures, task.transient_error = 0, ""
            status.state = RETRYING
            status.note(f"retrying (operations.retry = {request.operations.retry})")
        elif step is Step.ESCALATE:
            escalation, modes = self._escalation(status, offering)
            status.escalating = escalation.failed.key
            status.state = PROCESSING
            status.note("escalating to the items' manual tickets (operations.escalate)")
        else:
            status.state = PROCESSING if status.state != RETRYING else RETRYING
        try:
            specs = expand(self.repo, offering, modes)
        except PacError as exc:
            return self._fail_request(status, before, step, exc.message, exc.hint)
        self._sync_tasks(status, specs)
        system = self._system(status)
        self.store.save(status)
        try:
            self._run_tasks(status, offering, specs, system, escalation)
        except TicketsUnavailable as exc:
            message = self.redact(exc.error.message)
            status.note(f"not started: {message}; the next run tries again")
            self.store.save(status)
            self.say(f"not started: {message}")
            return Outcome(
                request.id,
                step,
                before,
                status.state,
                f"not started, the next run tries again: {message} ({exc.error.hint})",
                unavailable=True,
                pending=exc.error.transient,
            )
        except LeaseLost as lost:
            return self._lease_lost(status, step, before, lost.task)
        except TaskPending as held:
            return Outcome(
                request.id,
                step,
                before,
                status.state,
                self._pending_summary(held.task),
                self.created,
                self.calls,
                pending=True,
            )
        except RequestFailed:
            return Outcome(
                request.id,
                step,
                before,
                FAILED,
                self._failure_summary(status),
                self.created,
                self.calls,
            )
        status.state = ESCALATED if escalation is not None else COMPLETED
        status.note(f"{status.state}")
        self.store.save(status)
        done = len([t for t in status.tasks if t.state == COMPLETED])
        summary = f"{status.state}: {done} task{'s' if done != 1 else ''} done"
        return Outcome(request.id, step, before, status.state, summary, self.created, self.calls)

    def _lease_lost(
        self, status: RequestStatus, step: Step, before: str, task: TaskStatus
    ) -> Outcome:
        status.note(f"{task.key}: stopped, another run took the apply lease over")
        self.store.save(status)
        self.say(f"{task.component}: stopped before acting, another run holds the apply lease")
        return Outcome(
            self.request.id,
            step,
            before,
            status.state,
            f"stopped at {task.key}: another run took the apply lease over; nothing more was "
            "sent, and the run holding the lease (or the next one) carries on",
            self.created,
            self.calls,
            pending=True,
            lease_lost=True,
        )

    def _act(self, task: TaskStatus) -> None:
        """Stop before a create or call once another run holds the lease."""
        if not self.still_held():
            # Left as a run killed just before sending leaves it: the next run resumes it.
            raise LeaseLost(task)

    # --- change freezes --------------------------------------------------------------

    def _defer(
        self, status: RequestStatus, offering: Offering, window: FreezeWindow, before: str
    ) -> Outcome:
        until = window.ends_on(self.today).isoformat()
        # A failed request whose retry or escalation waits stays failed, so the retry
        # (not a fresh start) runs on the first run after the freeze.
        waiting = status.state == FAILED
        what = "escalation" if self.request.operations.escalate else "retry"
        if not status.tasks:
            # A broken bundle shows its tasks at the run that fulfils it instead.
            with contextlib.suppress(PacError):
                self._sync_tasks(status, expand(self.repo, offering))
        held = f"the {what} waits for the change freeze {window.name!r} until {until}"
        if status.deferred_until != until or not (waiting or status.state == DEFERRED):
            status.state = FAILED if waiting else DEFERRED
            status.deferred_window, status.deferred_until = window.name, until
            status.note(
                held if waiting else f"deferred by the change freeze {window.name!r} until {until}"
            )
            self.store.save(status)
        summary = (
            f"failed; {held}"
            if waiting
            else f"deferred: change freeze {window.name!r} until {until}"
        )
        return Outcome(self.request.id, Step.DEFER, before, status.state, summary)

    def _pass_freeze(self, status: RequestStatus, window: FreezeWindow) -> None:
        if self.request.priority == "emergency":
            status.note(f"emergency request: passed the change freeze {window.name!r}")
            self.say(f"emergency: passing the change freeze {window.name!r}")
        else:
            status.note(f"finishing a run begun before the change freeze {window.name!r}")
            self.say(f"finishing a run begun before the change freeze {window.name!r}")

    # --- preparation ----------------------------------------------------------------

    def _new_status(self, offering: Offering) -> RequestStatus:
        from pac.authoring.preview import catalog_revision

        status = RequestStatus(
            request=self.request.id,
            target_kind=offering.kind,
            target_id=offering.id,
            target_version=offering.version,
            catalog_revision=self.repo.memo(("revision", ""), lambda: catalog_revision(self.repo)),
            input_digest=input_digest(self.request),
            priority=self.request.priority,
        )
        if isinstance(offering, Bundle):
            for component in offering.components:
                item = self.repo.item(component.catalog_item)
                if item is not None:
                    status.item_versions[item.id] = item.version
        else:
            status.item_versions[offering.id] = offering.version
        status.note("submitted")
        return status

    def _system(self, status: RequestStatus) -> SystemValues:
        if status.system:
            return SystemValues.from_record(status.system, self.repo.config)
        from pac.templating.namespaces import revision_moment, revision_uuid

        requester = self.request.requester
        # Fixed per revision, not per run: see revision_uuid and revision_moment.
        system = SystemValues.generate(
            self.request.id,
            requester.email,
            requester.name,
            requester.team,
            self.repo.config,
            status.catalog_revision,
            now=revision_moment(self.request.doc.path),
            new_uuid=revision_uuid(self.request.id, status.input_digest),
        )
        status.system = system.to_record()
        return system

    def _sync_tasks(self, status: RequestStatus, specs: list[TaskSpec]) -> None:
        for spec in specs:
            key = spec.key(self.request.id)
            if status.task(key) is None:
                owner = spec.item.owner
                status.tasks.append(
                    TaskStatus(
                        key=key,
                        component=spec.component,
                        catalog_item=spec.item.id,
                        action=spec.action.type,
                        strategy=spec.mode,
                        index=spec.index,
                        label=spec.action.label(),
                        owner_team=owner.team,
                        owner_contact=owner.contact,
                    )
                )

    def _escalation(
        self, status: RequestStatus, offering: Offering
    ) -> tuple[Escalation, dict[str, str]]:
        failed = status.task(status.escalating) if status.escalating else None
        failed = failed or next((t for t in status.tasks if t.state == FAILED), None)
        assert failed is not None, "escalation needs a failed task"
        components = (
            [c.id for c in offering.ordered_components()]
            if isinstance(offering, Bundle)
            else [offering.id]
        )
        start = components.index(failed.component) if failed.component in components else 0
        modes = dict.fromkeys(components[start:], "manual")
        done = [t for t in status.tasks if t.state == COMPLETED]
        for task in status.tasks:
            if task.state == PENDING and task.component in modes and task.strategy != "manual":
                task.state = SKIPPED
        return Escalation(failed, done), modes

    # --- running ----------------------------------------------------------------------

    def _run_tasks(
        self,
        status: RequestStatus,
        offering: Offering,
        specs: list[TaskSpec],
        system: SystemValues,
        escalation: Escalation | None,
    ) -> None:
        shown = renderer_for(self.repo, offering, self.request.input, system, lookup=self.lookup)
        sent = renderer_for(
            self.repo, offering, self.request.input, system, reveal=True, lookup=self.lookup
        )
        link_type = (
            offering.link_type
            if isinstance(offering, Bundle) and offering.link_type
            else self.repo.config.jira_link_type
        )
        existing = self._existing_tickets(status, specs)
        outputs: dict[str, Any] = {}
        previous_escalation_ticket = ""
        for spec in specs:
            key = spec.key(self.request.id)
            task = status.task(key)
            assert task is not None
            if task.state == COMPLETED:
                outputs.update(task.outputs)
                if escalation is not None and task.strategy == "manual" and task.ticket_key:
                    previous_escalation_ticket = task.ticket_key
                continue
            # Saved with the attempt recorded just before the create or call is sent.
            task.state = PROCESSING
            task.attempts += 1
            task.started_at = now_text()
            task.error = None
            try:
                if spec.action.type == "jira-ticket":
                    rendered = shown.render_action(spec, outputs)
                    assert isinstance(rendered, RenderedTicket)
                    if escalation is not None and spec.mode == "manual":
                        rendered.description += self._escalation_note(escalation)
                    blockers = self._blockers(status, spec, offering)
                    if previous_escalation_ticket:
                        blockers.append(previous_escalation_ticket)
                    ticket = self._ticket(status, task, rendered, existing, blockers, link_type)
                    if escalation is not None:
                        previous_escalation_ticket = ticket.key
                    response: dict[str, Any] = {
                        "key": ticket.key,
                        "id": ticket.id,
                        "url": ticket.url,
                    }
                elif spec.action.type == "rest-api":
                    response = self._call(status, task, spec, shown, sent, outputs)
                else:
                    raise BackendError(
                        f"{spec.action.type} actions are not yet supported by pac apply",
                        unsupported_hint(spec),
                    )
                kept = shown.render_outputs(spec, outputs, response)
            except (BackendError, RenderError) as exc:
                self._stop_at(status, task, specs, exc)
            task.outputs = self.redact.mapping(kept)
            outputs.update(task.outputs)
            task.state = COMPLETED
            task.finished_at = now_text()
            task.transient_error = ""
            self.store.save(status)

    def _existing_tickets(self, status: RequestStatus, specs: list[TaskSpec]) -> dict[str, Ticket]:
        """pac's tickets of the request's unfinished ticket tasks, by label: one search."""
        labels = [
            task_label(spec.key(self.request.id))
            for spec in specs
            if spec.action.type == "jira-ticket"
            and (task := status.task(spec.key(self.request.id))) is not None
            and task.state != COMPLETED
        ]
        # When the look-up was sent: a ticket created before it, longer ago than JIRA's
        # search lag, would have been in its answer.
        self.searched_at = time.time()
        if not labels:
            return {}
        try:
            return self.tickets.find(labels)
        except BackendError as exc:
            raise TicketsUnavailable(exc) from exc

    def _stop_at(
        self,
        status: RequestStatus,
        task: TaskStatus,
        specs: list[TaskSpec],
        exc: BackendError | RenderError,
    ) -> NoReturn:
        """A task that did not complete: pending after a transient fault, else failed."""
        transient = isinstance(exc, BackendError) and exc.transient
        if transient and task.transient_failures < self.repo.config.transient_retries:
            assert isinstance(exc, BackendError)
            self._hold_task(status, task, exc)
            raise TaskPending(task) from exc
        self._fail_task(status, task, specs, exc)
        raise RequestFailed from exc

    def _ticket(
        self,
        status: RequestStatus,
        task: TaskStatus,
        rendered: RenderedTicket,
        existing: dict[str, Ticket],
        blockers: list[str],
        link_type: str,
    ) -> Ticket:
        label = task_label(task.key)
        ticket = existing.get(label) or self._look_again(task, label, self.searched_at)
        if ticket is None:
            labels = list(dict.fromkeys([*rendered.labels, label]))
            ticket = self._create(status, task, rendered, labels)
        else:
            self.adopted.append(ticket.key)
            self.say(f"{task.component}: found {ticket.key} from an earlier run")
        # Kept in memory: the completed (or failed) task is saved next, and a run killed in
        # between finds the ticket again by its label.
        task.ticket_key, task.ticket_url = ticket.key, ticket.url
        linked = {ticket.key, *ticket.blocked_by}
        for blocker in blockers:
            if blocker not in linked:
                self.tickets.link(ticket.key, blocker, link_type)
                self.calls += 1
                linked.add(blocker)
        return ticket

    def _create(
        self, status: RequestStatus, task: TaskStatus, rendered: RenderedTicket, labels: list[str]
    ) -> Ticket:
        self._act(task)
        # Written before the create: a run killed before its answer knows to look first.
        task.attempt = attempt = Attempt(Effect.CREATE_TICKET, precise_now_text())
        self.store.save(status)
        try:
            ticket = self.tickets.create(rendered, labels)
        except BackendError as exc:
            attempt.known = known_from(exc)
            if not exc.unknown:
                raise
            # The answer was lost, not the ticket: look until JIRA's index has caught up.
            found = self._look_again(task, task_label(task.key), searched=0.0)
            if found is None:
                raise
            self.say(f"{task.component}: found {found.key}, created although the answer was lost")
            attempt.known = Known.DONE
            self.adopted.append(found.key)
            return found
        attempt.known = Known.DONE
        self.calls += 1
        self.created.append(ticket.key)
        self.say(f"{task.component}: created {ticket.key} ({rendered.summary})")
        return ticket

    def _look_again(self, task: TaskStatus, label: str, searched: float) -> Ticket | None:
        """The ticket an earlier create of this task may have made, searched for until
        a search sent `jira.searchLag` seconds after that create has not found it.

        `searched` is when the last search that missed it was sent.
        """
        attempt = task.attempt
        if attempt is None or attempt.effect is not Effect.CREATE_TICKET or not attempt.maybe_done:
            return None
        sent = parse_time(attempt.at)
        deadline = (sent.timestamp() if sent else time.time()) + self.repo.config.jira_search_lag
        if searched >= deadline:
            return None
        self.say(f"{task.component}: a ticket create at {attempt.at} may have worked; looking")
        delay = LOOKUP_DELAY
        while searched < deadline:
            time.sleep(max(0.0, min(delay, deadline - time.time())))
            delay = min(delay * 2, LOOKUP_MAX_DELAY)
            searched = time.time()
            found = self.tickets.find([label]).get(label)
            self.calls += 1
            if found is not None:
                return found
        return None

    def _blockers(self, status: RequestStatus, spec: TaskSpec, offering: Offering) -> list[str]:
        if not isinstance(offering, Bundle):
            return []
        keys: list[str] = []
        for dependency in spec.depends_on:
            for task in status.tasks:
                if task.component == dependency and task.ticket_key and task.state == COMPLETED:
                    keys.append(task.ticket_key)
        return list(dict.fromkeys(keys))

    def _call(
        self,
        status: RequestStatus,
        task: TaskStatus,
        spec: TaskSpec,
        shown: Renderer,
        sent: Renderer,
        outputs: Mapping[str, Any],
    ) -> dict[str, Any]:
        display = shown.render_action(spec, outputs)
        call = sent.render_action(spec, outputs)
        assert isinstance(call, RenderedCall) and isinstance(display, RenderedCall)
        task.http_method, task.http_url = display.method, self.redact(display.url)
        idempotency = self._idempotency_key(status, task)
        # Credentials sent in headers, as sent (a basic pair is base64), masked in any echo.
        credentials = [
            value
            for name, value in call.headers.items()
            if MASK in display.headers.get(name, "")
            for value in (value, value.partition(" ")[2])
        ]
        # Kept for the rest of the request: outputs and later messages are masked alike.
        self.redact = Redactor([*self.redact.secrets, *credentials])
        self._act(task)
        # Written before sending: a run killed before the answer sends the same key again.
        task.attempt = attempt = Attempt(Effect.CALL, precise_now_text(), key=idempotency)
        self.store.save(status)
        try:
            result = self.rest.send(call, idempotency, redact=self.redact, display=display)
        except BackendError as exc:
            task.http_status = exc.http_status
            attempt.known = known_from(exc)
            raise
        attempt.known = Known.DONE
        self.calls += result.attempts
        task.http_status = result.status
        self.say(f"{task.component}: {display.method} {display.url} -> {result.status}")
        return result.as_response()

    def _idempotency_key(self, status: RequestStatus, task: TaskStatus) -> str:
        """The key of the last call, unless an answer said it failed (SPEC §6.4).

        Work whose outcome is unknown may have been done: only its own key lets the target
        recognise it, also across operations.retry. A call refused for good did nothing, and
        a retry of it is a new attempt the target must not answer from its memory of the old.
        """
        previous = task.attempt
        if (
            previous is not None
            and previous.effect is Effect.CALL
            and previous.key
            and (previous.known is not Known.REFUSED or not status.handled_retry)
        ):
            return previous.key
        return task.key + (f"#retry-{status.handled_retry}" if status.handled_retry else "")

    def _escalation_note(self, escalation: Escalation) -> str:
        failed = escalation.failed
        lines = [
            "",
            "----",
            "h3. Escalated by pac",
            jira_escape(
                f"Automation failed at {failed.label or failed.key} ({failed.key}): "
                f"{failed.error.message if failed.error else 'unknown error'}"
            ),
        ]
        if escalation.done:
            lines.append("Already done:")
            for task in escalation.done:
                what = task.ticket_key or (
                    f"{task.http_method} {task.http_url} answered {task.http_status}"
                    if task.http_status
                    else "done"
                )
                lines.append("* " + jira_escape(f"{task.label or task.key}: {what}"))
        return self.redact("\n".join(lines) + "\n")

    # --- failure ----------------------------------------------------------------------

    def _hold_task(self, status: RequestStatus, task: TaskStatus, exc: BackendError) -> None:
        """Leave the task pending after a transient fault, for the next run to try again."""
        task.state = PENDING
        task.transient_failures += 1
        task.transient_error = self.redact(exc.message)
        limit = self.repo.config.transient_retries
        status.note(
            f"{task.key}: transient fault {task.transient_failures} of {limit} allowed; "
            "the next run tries again"
        )
        self.store.save(status)
        self.say(
            f"{task.component}: transient fault, the next run tries again: {task.transient_error}"
        )

    def _pending_summary(self, task: TaskStatus) -> str:
        limit = self.repo.config.transient_retries
        return (
            f"pending after a transient fault at {task.key} ({task.transient_failures} of "
            f"{limit} allowed): {task.transient_error}; the next run tries again, no change "
            "to the request needed"
        )

    def _fail_task(
        self,
        status: RequestStatus,
        task: TaskStatus,
        specs: list[TaskSpec],
        exc: RenderError | BackendError,
    ) -> None:
        contact = f"{task.owner_team} ({task.owner_contact})" if task.owner_team else ""
        task.state = FAILED
        task.finished_at = now_text()
        hint = exc.hint or ""
        if isinstance(exc, BackendError) and exc.transient:
            task.transient_failures += 1
            hint = transient_limit_hint(hint, task.transient_failures, self.repo.config)
        task.error = TaskError(self.redact(exc.message), self.redact(hint), contact)
        for other in status.tasks:
            if other is not task and other.state in (PENDING, PROCESSING):
                other.state = SKIPPED
        status.state = FAILED
        status.note(f"failed at {task.key}")
        self.store.save(status)
        self.say(f"{task.component}: FAILED: {self.redact(exc.message)}")

    def _failure_summary(self, status: RequestStatus) -> str:
        failed = next((t for t in status.tasks if t.state == FAILED), None)
        if failed is None or failed.error is None:
            return "failed"
        return f"failed at {failed.key}: {failed.error.message} (ask {failed.error.contact})"

    def _fail_request(
        self, status: RequestStatus, before: str, step: Step, message: str, hint: str
    ) -> Outcome:
        status.state = FAILED
        status.note(f"failed: {message}")
        self.store.save(status)
        return Outcome(self.request.id, step, before, FAILED, f"failed: {message} ({hint})")

    def _broken(self, status: RequestStatus | None, before: str) -> Outcome:
        message = f"{self.request.target_id} is missing from the catalog or has errors"
        return Outcome(
            self.request.id,
            Step.WAITING,
            before,
            status.state if status else "new",
            f"not applied: {message}; run `pac validate`",
        )
