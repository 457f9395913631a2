"""What `pac apply` does with a request this run — the one decision `pac plan` shows too.

`decide` looks at the request's state (SPEC §6.2), its operations (§6.4), what its file
asks beyond its status — a change, an upgrade, a decommission (§6.6) — and any change
freeze covering it (§7) and names a `Step`; the executor carries the step out and the plan
describes it, so what reviewers read is what apply does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pac.documents.config import FreezeWindow
from pac.documents.lifecycle import Operation
from pac.documents.model import Bundle, Offering, Priority, Request
from pac.documents.repository import Repository
from pac.fulfilment.change import NO_CHANGE, Change, assess_change
from pac.fulfilment.freeze import freeze_window
from pac.records.states import RequestState, TaskState
from pac.records.status import Known, RequestStatus, TaskStatus
from pac.records.store import StatusError, StatusStore


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
    UPDATE = "update"  # its input changed after it was fulfilled: a new revision (SPEC §6.6)
    UPGRADE = "upgrade"  # operations.upgrade to the item version the catalog has
    DECOMMISSION = "decommission"  # `decommission:` in the request file: the last revision
    HELD = "held"  # a change pac refuses to act on (`held_reason` says why)


# The steps that run tasks (and so render them for a plan).
ACTING = frozenset(
    {
        Step.NEW,
        Step.RESUME,
        Step.RETRY,
        Step.ESCALATE,
        Step.UPDATE,
        Step.UPGRADE,
        Step.DECOMMISSION,
    }
)
# The steps that start a new revision of a request (SPEC §6.6).
DAY_TWO = frozenset({Step.UPDATE, Step.UPGRADE, Step.DECOMMISSION})

STEP_OF: dict[Operation, Step] = {
    Operation.CREATE: Step.RESUME,
    Operation.UPDATE: Step.UPDATE,
    Operation.UPGRADE: Step.UPGRADE,
    Operation.DECOMMISSION: Step.DECOMMISSION,
}


@dataclass(frozen=True)
class _Seen:
    status: RequestStatus | None
    request: Request
    frozen: bool
    change: Change


_Rule = Callable[[_Seen], Step]


def _day_two(seen: _Seen) -> Step:
    """A change, upgrade or decommission the request file asks for; NOTHING if none."""
    change = seen.change
    if change.operation is None:
        return Step.NOTHING
    if change.held:
        return Step.HELD
    return Step.DEFER if seen.frozen else STEP_OF[change.operation]


def _unstarted(seen: _Seen) -> Step:
    """New, or deferred by a freeze: starts unless aborted or (still) frozen."""
    status, request = seen.status, seen.request
    if status is not None and status.revision:
        # A later revision a freeze deferred carries on with its own operation.
        return Step.DEFER if seen.frozen else STEP_OF[status.operation]
    if request.decommission is not None:
        # Never started, nothing was made: decommissioned at once, freeze or not.
        return Step.DECOMMISSION
    if request.operations.abort:
        return Step.ABORT
    return Step.DEFER if seen.frozen else Step.NEW


def _completed(seen: _Seen) -> Step:
    return _day_two(seen)


def _final(seen: _Seen) -> Step:
    """Aborted or escalated: only a decommission goes on from here."""
    step = _day_two(seen)
    if step is Step.NOTHING or seen.change.operation is Operation.DECOMMISSION:
        return step
    return Step.HELD


def _failed(seen: _Seen) -> Step:
    status, operations = seen.status, seen.request.operations
    assert status is not None
    if seen.request.decommission is not None:
        return _day_two(seen)
    if operations.abort:
        return Step.ABORT
    if not (operations.escalate or operations.retry > status.handled_retry):
        # A change merged while the revision failed is not applied over it.
        return Step.HELD if seen.change.operation is not None else Step.WAITING
    # A retry or an escalation changes things like a new request: it waits out a change
    # freeze the same way (SPEC §6.4), and the request stays failed meanwhile.
    if seen.frozen:
        return Step.DEFER
    return Step.ESCALATE if operations.escalate else Step.RETRY


def _interrupted(seen: _Seen) -> Step:
    """Submitted, processing or retrying: a run stopped before it settled the request.

    A change merged meanwhile waits until the revision under way is over."""
    status = seen.status
    assert status is not None
    if status.escalating and status.state is RequestState.PROCESSING:
        # An escalation was interrupted: carry on with the manual tickets, never fall back
        # to the automation that failed.
        return Step.ESCALATE
    # Work a run had begun is finished even in a change freeze that started since; a
    # half-done change is worse. A run that began nothing (JIRA was down, or every attempt
    # was told "not now") has changed nothing yet: it waits out the freeze like a new one.
    if seen.frozen and not work_begun(status):
        return Step.DEFER
    return STEP_OF[status.operation] if status.revision else Step.RESUME


def _decommissioned(seen: _Seen) -> Step:
    """Over for good; a request file without `decommission:` reuses the id."""
    return Step.NOTHING if seen.request.decommission is not None else Step.HELD


def _waiting(seen: _Seen) -> Step:
    """Something a task started (a workflow run) is under way: every run follows it, in a
    freeze too (it was begun before), unless the request is aborted or decommissioned. A
    change merged meanwhile waits until the revision under way is over."""
    status = seen.status
    assert status is not None
    if seen.request.decommission is not None and status.operation is not Operation.DECOMMISSION:
        return _day_two(seen)
    if seen.request.operations.abort:
        return Step.ABORT
    if status.escalating:
        return Step.ESCALATE  # its manual tickets are open: it ends escalated, not completed
    return STEP_OF[status.operation] if status.revision else Step.RESUME


_RULES: dict[RequestState | None, _Rule] = {
    None: _unstarted,
    RequestState.DEFERRED: _unstarted,
    RequestState.COMPLETED: _completed,
    RequestState.ESCALATED: _final,
    RequestState.ABORTED: _final,
    RequestState.FAILED: _failed,
    RequestState.SUBMITTED: _interrupted,
    RequestState.PROCESSING: _interrupted,
    RequestState.RETRYING: _interrupted,
    RequestState.DECOMMISSIONED: _decommissioned,
    RequestState.WAITING: _waiting,
}


def decide(
    status: RequestStatus | None,
    request: Request,
    window: FreezeWindow | None,
    change: Change = NO_CHANGE,
) -> Step:
    """The step for `request` in its current `status`, with `window` the freeze today and
    `change` what the request file asks beyond its status (`change.assess_change`)."""
    frozen = window is not None and request.priority is not Priority.EMERGENCY
    return _RULES[status.state if status else None](_Seen(status, request, frozen, change))


def held_reason(status: RequestStatus | None, request: Request, change: Change) -> str:
    """Why a request whose step is HELD is not acted on, and what to do instead."""
    owner = change.owner or "the owning team"
    if status is not None and status.state is RequestState.DECOMMISSIONED:
        return (
            f"{request.id} was decommissioned; its id cannot be reused. Give the new request "
            "another id (file name and metadata.id), or put `decommission:` back."
        )
    if change.held:
        return change.held
    if status is not None and status.state is RequestState.FAILED:
        return (
            f"the request changed while revision {status.revision} failed; the change is "
            "not applied over a failed revision. Retry, abort or escalate it first "
            f"(operations.retry / abort / escalate), then the change applies; ask {owner}."
        )
    state = status.state if status else "new"
    return (
        f"the request is {state}, not fulfilled, so its change is not applied; decommission "
        f"it (`decommission: {{reason: …}}`) and request anew; ask {owner}."
    )


@dataclass(frozen=True)
class Assessment:
    """What is known about a request before it is acted on, and the step decided from it.

    `step` is only meaningful when the status could be read and the offering exists; plan
    and apply each say in their own words why nothing can be decided otherwise.
    """

    status: RequestStatus | None
    offering: Offering | None
    unreadable: StatusError | None = None
    window: FreezeWindow | None = None
    step: Step = Step.WAITING
    change: Change = NO_CHANGE

    @property
    def held(self) -> str:
        """Why apply refuses the request, when its step is HELD."""
        return held_reason(self.status, self.request, self.change) if self.request else ""

    request: Request | None = None


def assess(repo: Repository, store: StatusStore, request: Request, today: dt.date) -> Assessment:
    """Load the status, find the offering and its freeze, and `decide`: for plan and apply."""
    offering = repo.offering(request.target_id)
    try:
        status = store.load(request.id)
    except StatusError as exc:
        return Assessment(None, offering, unreadable=exc)
    if offering is None:
        return Assessment(status, None)
    window = freeze_window(repo, offering, today)
    change = NO_CHANGE
    if status is not None and status.state is not RequestState.DECOMMISSIONED:
        change = assess_change(repo, offering, status, request)
    step = decide(status, request, window, change)
    return Assessment(status, offering, window=window, step=step, change=change, request=request)


def work_begun(status: RequestStatus) -> bool:
    """Has any task of the request done, or possibly done, something?"""
    possibly = (Known.SENT, Known.UNKNOWN, Known.DONE)
    return any(
        task.state is not TaskState.PENDING
        or (task.attempt is not None and task.attempt.known in possibly)
        for task in status.tasks
    )


def escalation_start(status: RequestStatus) -> TaskStatus | None:
    """The failed task an escalation starts from (kept while it runs)."""
    started = status.task(status.escalating) if status.escalating else None
    return started or next((t for t in status.tasks if t.state is TaskState.FAILED), None)


def escalation_modes(
    offering: Offering, failed: TaskStatus | None, operation: Operation = Operation.CREATE
) -> dict[str, str]:
    """The components an escalation hands to their manual tickets: the failed one on (in
    the order the revision runs them: reversed for a decommission)."""
    components = (
        [c.id for c in offering.ordered_components()]
        if isinstance(offering, Bundle)
        else [offering.id]
    )
    if operation is Operation.DECOMMISSION:
        components.reverse()
    if failed is None:
        return {}
    start = components.index(failed.component) if failed.component in components else 0
    return dict.fromkeys(components[start:], "manual")
