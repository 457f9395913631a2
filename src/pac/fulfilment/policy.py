"""What `pac apply` does with a request this run — the one decision `pac plan` shows too.

`decide` looks at the request's state (SPEC §6.2), its operations (§6.4) and any change
freeze covering it (§7) and names a `Step`; the executor carries the step out and the plan
describes it, so what reviewers read is what apply does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pac.documents.config import FreezeWindow
from pac.documents.model import Bundle, Offering, Priority, Request
from pac.documents.repository import Repository
from pac.fulfilment.freeze import freeze_window
from pac.fulfilment.revision import input_digest
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
    CHANGED = "changed"  # input edited after it was fulfilled: not applied again


# The steps that run tasks (and so render them for a plan).
ACTING = frozenset({Step.NEW, Step.RESUME, Step.RETRY, Step.ESCALATE})


_Rule = Callable[[RequestStatus | None, Request, bool], Step]


def _unstarted(status: RequestStatus | None, request: Request, frozen: bool) -> Step:
    """New, or deferred by a freeze: starts unless aborted or (still) frozen."""
    if request.operations.abort:
        return Step.ABORT
    return Step.DEFER if frozen else Step.NEW


def _final(status: RequestStatus | None, request: Request, frozen: bool) -> Step:
    assert status is not None
    changed = status.input_digest and status.input_digest != input_digest(request)
    return Step.CHANGED if changed else Step.NOTHING


def _failed(status: RequestStatus | None, request: Request, frozen: bool) -> Step:
    assert status is not None
    operations = request.operations
    if operations.abort:
        return Step.ABORT
    if not (operations.escalate or operations.retry > status.handled_retry):
        return Step.WAITING
    # A retry or an escalation changes things like a new request: it waits out a change
    # freeze the same way (SPEC §6.4), and the request stays failed meanwhile.
    if frozen:
        return Step.DEFER
    return Step.ESCALATE if operations.escalate else Step.RETRY


def _interrupted(status: RequestStatus | None, request: Request, frozen: bool) -> Step:
    """Submitted, processing or retrying: a run stopped before it settled the request."""
    assert status is not None
    if status.escalating and status.state is RequestState.PROCESSING:
        # An escalation was interrupted: carry on with the manual tickets, never fall back
        # to the automation that failed.
        return Step.ESCALATE
    # Work a run had begun is finished even in a change freeze that started since; a
    # half-done change is worse. A run that began nothing (JIRA was down, or every attempt
    # was told "not now") has changed nothing yet: it waits out the freeze like a new one.
    if frozen and not work_begun(status):
        return Step.DEFER
    return Step.RESUME


def _waiting(status: RequestStatus | None, request: Request, frozen: bool) -> Step:
    """Something a task started (a workflow run) is under way: every run follows it, in a
    freeze too (it was begun before), unless the request is aborted."""
    return Step.ABORT if request.operations.abort else Step.RESUME


_RULES: dict[RequestState | None, _Rule] = {
    None: _unstarted,
    RequestState.DEFERRED: _unstarted,
    RequestState.COMPLETED: _final,
    RequestState.ESCALATED: _final,
    RequestState.ABORTED: _final,
    RequestState.FAILED: _failed,
    RequestState.SUBMITTED: _interrupted,
    RequestState.PROCESSING: _interrupted,
    RequestState.RETRYING: _interrupted,
    RequestState.WAITING: _waiting,
}


def decide(status: RequestStatus | None, request: Request, window: FreezeWindow | None) -> Step:
    """The step for `request` in its current `status`, with `window` the freeze today."""
    frozen = window is not None and request.priority is not Priority.EMERGENCY
    return _RULES[status.state if status else None](status, request, frozen)


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
    return Assessment(status, offering, window=window, step=decide(status, request, window))


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


def escalation_modes(offering: Offering, failed: TaskStatus | None) -> dict[str, str]:
    """The components an escalation hands to their manual tickets: the failed one on."""
    components = (
        [c.id for c in offering.ordered_components()]
        if isinstance(offering, Bundle)
        else [offering.id]
    )
    if failed is None:
        return {}
    start = components.index(failed.component) if failed.component in components else 0
    return dict.fromkeys(components[start:], "manual")
