"""The fulfilment executor: one request, its tasks in order, exactly once (SPEC §6).

Every step is recorded in the request's status file before and after it happens, and
every effect can be recognised on a re-run: tickets carry a label made from their task
key and are looked up before any is created; REST calls carry the task key as their
`Idempotency-Key`. A run killed at any instant can therefore simply be run again.
What to do with the request (`policy.decide`) and how each action is rendered and
performed (`actions`) live apart; this module moves the request and its tasks through
their states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pac.documents.config import FreezeWindow
from pac.documents.lifecycle import Operation
from pac.documents.model import Offering, Request
from pac.documents.repository import Repository
from pac.errors import PacError
from pac.forms.changes import effective_input
from pac.fulfilment.actions.base import (
    Clients,
    Escalation,
    TicketsOpen,
    TicketsUnavailable,
    Waiting,
)
from pac.fulfilment.backends import BackendError, Ticket, TicketBackend
from pac.fulfilment.backends.rest import RestClient
from pac.fulfilment.change import Change, revision_tasks
from pac.fulfilment.failure import (
    LeaseLost,
    RequestFailed,
    TaskPending,
    failure_summary,
    pending_summary,
)
from pac.fulfilment.freeze import defer, pass_freeze
from pac.fulfilment.policy import (
    DAY_TWO,
    STEP_OF,
    Assessment,
    Step,
    assess,
    decide,
    escalation_modes,
    escalation_start,
)
from pac.fulfilment.redaction import Redactor
from pac.fulfilment.rendering import Renderer
from pac.fulfilment.revision import (
    begin_revision,
    input_digest,
    new_status,
    revision_system,
    sync_tasks,
)
from pac.fulfilment.running import TaskWalk
from pac.fulfilment.tasks import TaskSpec
from pac.fulfilment.tracking import (
    NOTHING_READ,
    TicketRead,
    forget_declined,
    quiet,
    waiting_on,
)
from pac.records.states import Found, NoState, RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.records.store import StatusStore
from pac.templating.namespaces import environment_secrets

# Where a request stands between revisions: a change, upgrade or decommission starts one.
_BETWEEN_REVISIONS = frozenset(
    {
        RequestState.COMPLETED,
        RequestState.FAILED,
        RequestState.ABORTED,
        RequestState.ESCALATED,
        RequestState.WAITING,
    }
)
_UNSTARTED = frozenset({RequestState.SUBMITTED, RequestState.DEFERRED})
# Steps that leave the request as it is.
_IDLE = (Step.NOTHING, Step.WAITING, Step.HELD)


@dataclass
class Outcome:
    request_id: str
    step: Step
    before: Found
    state: Found  # NoState.NEW only for an unstarted request pac could not act on
    summary: str
    created: list[str] = field(default_factory=list)
    calls: int = 0
    unavailable: bool = False  # the ticket system could not be reached: nothing was done
    adopted: list[str] = field(default_factory=list)  # tickets an earlier run had created
    pending: bool = False  # held by a transient fault: the next run tries again by itself
    lease_lost: bool = False  # stopped: another run took the apply lease over

    @property
    def unreadable(self) -> bool:
        """Its status file could not be read, so pac left the request as it was."""
        return self.before is NoState.UNREADABLE

    @property
    def failed(self) -> bool:
        if self.unavailable:
            return not self.pending
        return self.state == RequestState.FAILED and self.step not in (
            Step.NOTHING,
            Step.WAITING,
            Step.DEFER,
            Step.HELD,
        )


class RequestRunner(TaskWalk):
    """Fulfils one request; one runner per request, each in its own worker thread.

    While tasks run it is the `actions.base.TaskRun` the action types work with.
    """

    status: RequestStatus
    offering: Offering
    specs: list[TaskSpec]
    shown: Renderer
    sent: Renderer

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
        clients: Clients | None = None,
        read: TicketRead = NOTHING_READ,
        lag: float = 0.0,
    ) -> None:
        self.repo = repo
        self.read = read  # this run's one batched read of open tickets (SPEC §6.7)
        self.lag = lag  # how long JIRA's search may not show a ticket just made
        self.clients = clients or Clients()
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
        self.existing: dict[str, Ticket] = {}
        self.escalation: Escalation | None = None
        self.link_type = repo.config.jira_link_type

    def _outcome(self, step: Step, before: Found, state: Found, summary: str, **kw: Any) -> Outcome:
        return Outcome(self.request.id, step, before, state, summary, **kw)

    def _done_so_far(self) -> dict[str, Any]:
        return {"created": self.created, "calls": self.calls}

    # --- the request ---------------------------------------------------------------

    def run(self) -> Outcome:
        seen = assess(self.repo, self.store, self.request, self.today)
        if seen.unreadable is not None:
            # Nothing can be known about what was done: touch nothing, tell whoever reads
            # (the outcome's line, printed once by the command).
            exc = seen.unreadable
            summary = f"not applied: {exc.message} ({exc.hint})"
            return self._outcome(Step.RESUME, NoState.UNREADABLE, RequestState.FAILED, summary)
        status, offering = seen.status, seen.offering
        self._loaded = status.as_dict() if status else {}
        before = status.state if status else NoState.NEW
        if offering is None:
            return self._broken(status, before)
        settled = self._without_work(seen, offering, before)
        if settled is not None:
            return settled
        status = status or new_status(self.repo, self.request, offering)
        if self._starts_revision(status, seen.step):
            self._start_revision(status, seen.change, seen.step)
        return self._act(status, offering, seen, before)

    def _without_work(self, seen: Assessment, offering: Offering, before: Found) -> Outcome | None:
        """The outcome of a request no task runs for this time (idle, decommissioned before
        it started, waiting on tickets still open); None when there is work to do."""
        status, step = seen.status, seen.step
        if step in _IDLE:
            held = seen.held if step is Step.HELD else ""
            return self._idle(step, status, before, held)
        if step is Step.DECOMMISSION and (
            status is None or (status.state in _UNSTARTED and not status.revision)
        ):
            unstarted = status or new_status(self.repo, self.request, offering)
            return self._retire_unstarted(unstarted, before)
        if status is not None and self._quiet(status, step):
            return self._still_waiting(status, before)
        return None

    def _starts_revision(self, status: RequestStatus, step: Step) -> bool:
        """A change, upgrade or decommission (or one a freeze defers) of a request between
        revisions, unless a waiting request is going on with its own."""
        return (
            status.state in _BETWEEN_REVISIONS
            and (step in DAY_TWO or step is Step.DEFER)
            and not self._carries_on(status, step)
        )

    def _act(
        self, status: RequestStatus, offering: Offering, seen: Assessment, before: Found
    ) -> Outcome:
        """Defer it for a freeze, abort it, or run its tasks."""
        if seen.step is Step.DEFER:
            assert seen.window is not None
            state, summary = defer(
                self.repo, self.store, status, self.request, offering, seen.window, self.today
            )
            return self._outcome(Step.DEFER, before, state, summary)
        if seen.step is Step.ABORT:
            return self._abort(status, before)
        return self._fulfil(status, offering, seen.step, seen.window, before)

    @staticmethod
    def _carries_on(status: RequestStatus, step: Step) -> bool:
        """A waiting request going on with its own revision (not starting another)."""
        carry_on = Step.ESCALATE if status.escalating else STEP_OF[status.operation]
        carry_on = carry_on if status.revision or status.escalating else Step.RESUME
        return status.state is RequestState.WAITING and step is carry_on

    def _quiet(self, status: RequestStatus, step: Step) -> bool:
        """A waiting request whose tickets are all still open: nothing to run, no call."""
        return self._carries_on(status, step) and quiet(
            status, self.read, self.repo.config, self.lag
        )

    def _still_waiting(self, status: RequestStatus, before: Found) -> Outcome:
        """Keep what the read found (status, assignee, a message) — written only if it
        changed, so an hourly run over unchanged tickets commits nothing."""
        if status.as_dict() != self._loaded:
            self.store.save(status)
        notes = [t.transient_error for t in status.tasks if t.transient_error]
        summary = f"waiting on {waiting_on(status)}" + "".join(f"; {n}" for n in notes)
        return self._outcome(Step.WAITING, before, status.state, summary)

    def _idle(self, step: Step, status: RequestStatus | None, before: Found, held: str) -> Outcome:
        state = status.state if status else NoState.NEW
        summary = {
            Step.NOTHING: f"{state}; nothing to do",
            Step.WAITING: "failed; waiting for operations.retry, abort or escalate",
            Step.HELD: f"{state}; held, not applied: {held}",
        }[step]
        return self._outcome(step, before, state, summary)

    def _start_revision(self, status: RequestStatus, change: Change, step: Step) -> None:
        """Begin the revision a change, upgrade or decommission asks for — saved before
        anything is sent, so a run killed from here on resumes it. A freeze defers it
        after it started, like any request (only when it would act without the freeze)."""
        unfrozen = decide(status, self.request, None, change)
        if step is Step.DEFER and unfrozen not in DAY_TWO:
            return
        assert change.operation is not None
        begin_revision(
            self.repo,
            self.request,
            status,
            change.operation,
            change.effective,
            change.changed,
            change.versions,
            change.reason,
        )
        self.store.save(status)
        self.say(f"revision {status.revision} started: {change.operation.value}")

    def _retire_unstarted(self, status: RequestStatus, before: Found) -> Outcome:
        """A request decommissioned before any work began: nothing to undo (SPEC §6.6)."""
        status.become(RequestState.ABORTED)
        status.note("aborted: decommissioned before any work began")
        status.become(RequestState.DECOMMISSIONED)
        status.reason = self.request.decommission or ""
        status.note("decommissioned; nothing had been made")
        self.store.save(status)
        summary = "decommissioned: nothing had been made, nothing to undo"
        return self._outcome(Step.DECOMMISSION, before, RequestState.DECOMMISSIONED, summary)

    def _abort(self, status: RequestStatus, before: Found) -> Outcome:
        for task in status.tasks:
            if task.state.open:
                task.become(TaskState.SKIPPED)
        status.become(RequestState.ABORTED)
        status.note("aborted by operations.abort in the request file")
        self.store.save(status)
        summary = "aborted; remaining tasks skipped"
        return self._outcome(Step.ABORT, before, RequestState.ABORTED, summary)

    def _fulfil(
        self,
        status: RequestStatus,
        offering: Offering,
        step: Step,
        window: FreezeWindow | None,
        before: Found,
    ) -> Outcome:
        if window is not None:
            self.say(pass_freeze(status, self.request, window))
        status.deferred_window = status.deferred_until = ""
        modes = self._begin(status, offering, step)
        try:
            specs = revision_tasks(self.repo, offering, status, modes)
        except PacError as exc:
            return self._fail_request(status, before, step, exc.message, exc.hint)
        sync_tasks(status, specs)
        system = revision_system(self.repo, self.request, status)
        self.store.save(status)
        try:
            self._run_tasks(status, offering, specs, system)
        except TicketsUnavailable as exc:
            return self._unavailable(status, step, before, exc.error)
        except LeaseLost as lost:
            return self._lease_lost(status, step, before, lost.task)
        except TicketsOpen as waiting:
            return self._waiting(status, step, before, waiting.what, tickets=True)
        except Waiting as waiting:
            return self._waiting(status, step, before, waiting.what)
        except TaskPending as held:
            summary = pending_summary(held.task, self.repo.config)
            return self._outcome(
                step, before, status.state, summary, **self._done_so_far(), pending=True
            )
        except RequestFailed:
            summary = failure_summary(status)
            return self._outcome(step, before, RequestState.FAILED, summary, **self._done_so_far())
        return self._finish(status, step, before)

    def _begin(self, status: RequestStatus, offering: Offering, step: Step) -> dict[str, str]:
        """Move the request into the state `step` runs in; the strategy per component."""
        if step is Step.RETRY:
            self._retry(status, offering)
            return {}
        if step is Step.ESCALATE:
            return self._escalate(status, offering)
        if status.state is not RequestState.RETRYING:
            status.become(RequestState.PROCESSING)
        return {}

    def _retry(self, status: RequestStatus, offering: Offering) -> None:
        retry = self.request.operations.retry
        status.handled_retry = retry
        if not status.revision:
            # A create's retry sends the input as the file has it now (a fix of what
            # failed): record it, so it is not taken for a change afterwards.
            status.input = effective_input(offering.form, self.request.input)
            status.input_digest = input_digest(self.request)
        for task in status.tasks:
            if task.state in (TaskState.FAILED, TaskState.SKIPPED):
                forget_declined(task)
                task.become(TaskState.PENDING)
                task.error = None
                task.transient_failures, task.transient_error = 0, ""
        status.become(RequestState.RETRYING)
        status.note(f"retrying (operations.retry = {retry})")

    def _escalate(self, status: RequestStatus, offering: Offering) -> dict[str, str]:
        failed = escalation_start(status)
        assert failed is not None, "escalation needs a failed task"
        modes = escalation_modes(offering, failed, status.operation)
        done = [t for t in status.tasks if t.state is TaskState.COMPLETED]
        for task in status.tasks:
            if (
                task.state is TaskState.PENDING
                and task.component in modes
                and task.strategy != "manual"
            ):
                task.become(TaskState.SKIPPED)
        self.escalation = Escalation(failed, done)
        status.escalating = failed.key
        status.become(RequestState.PROCESSING)
        status.note("escalating to the items' manual tickets (operations.escalate)")
        return modes

    def _finish(self, status: RequestStatus, step: Step, before: Found) -> Outcome:
        settled = RequestState.ESCALATED if self.escalation else RequestState.COMPLETED
        if status.operation is Operation.DECOMMISSION and not self.escalation:
            settled = RequestState.DECOMMISSIONED
        status.become(settled)
        status.note(f"{status.state}")
        self.store.save(status)
        done = len([t for t in status.tasks if t.state is TaskState.COMPLETED])
        summary = f"{status.state}: {done} task{'s' if done != 1 else ''} done"
        return self._outcome(step, before, status.state, summary, **self._done_so_far())

    def _waiting(
        self, status: RequestStatus, step: Step, before: Found, what: str, tickets: bool = False
    ) -> Outcome:
        status.become(RequestState.WAITING, f"waiting on {what}" if tickets else what)
        status.note(f"waiting on {what}" if tickets else f"waiting: {what}")
        self.store.save(status)
        notes = [t.transient_error for t in status.tasks if tickets and t.transient_error]
        summary = (
            f"waiting on {what}" + "".join(f"; {n}" for n in notes)
            if tickets
            else f"waiting: {what}; every run follows it"
        )
        return self._outcome(step, before, status.state, summary, **self._done_so_far())

    def _unavailable(
        self, status: RequestStatus, step: Step, before: Found, error: BackendError
    ) -> Outcome:
        message = self.redact(error.message)
        status.note(f"not started: {message}; the next run tries again")
        self.store.save(status)
        self.say(f"not started: {message}")
        return self._outcome(
            step,
            before,
            status.state,
            f"not started, the next run tries again: {message} ({error.hint})",
            unavailable=True,
            pending=error.transient,
        )

    def _lease_lost(
        self, status: RequestStatus, step: Step, before: Found, task: TaskStatus
    ) -> Outcome:
        status.note(f"{task.key}: stopped, another run took the apply lease over")
        self.store.save(status)
        self.say(f"{task.component}: stopped before acting, another run holds the apply lease")
        return self._outcome(
            step,
            before,
            status.state,
            f"stopped at {task.key}: another run took the apply lease over; nothing more was "
            "sent, and the run holding the lease (or the next one) carries on",
            **self._done_so_far(),
            pending=True,
            lease_lost=True,
        )

    # --- failure ----------------------------------------------------------------------

    def _fail_request(
        self, status: RequestStatus, before: Found, step: Step, message: str, hint: str
    ) -> Outcome:
        status.become(RequestState.FAILED)
        status.note(f"failed: {message}")
        self.store.save(status)
        return self._outcome(step, before, RequestState.FAILED, f"failed: {message} ({hint})")

    def _broken(self, status: RequestStatus | None, before: Found) -> Outcome:
        message = f"{self.request.target_id} is missing from the catalog or has errors"
        return self._outcome(
            Step.WAITING,
            before,
            status.state if status else NoState.NEW,
            f"not applied: {message}; run `pac validate`",
        )
