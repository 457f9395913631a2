"""The one decision `pac apply` and `pac plan` share: what to do with a request now
(SPEC §6.2, §6.4; a retry or escalation waits out a change freeze like a new request)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pac.documents.config import FreezeWindow
from pac.documents.model import Bundle, Operations, Priority
from pac.documents.repository import Repository
from pac.fulfilment.policy import Step, decide, escalation_modes
from pac.fulfilment.revision import input_digest
from pac.records.states import RequestState, TaskState
from pac.records.status import Attempt, Effect, Known, RequestStatus, TaskStatus
from tests.unit.fulfilment.test_apply import EVENTS, WEBAPP


@pytest.mark.parametrize(
    ("state", "operations", "frozen", "step"),
    [
        (None, Operations(), False, Step.NEW),
        (None, Operations(), True, Step.DEFER),
        (None, Operations(abort=True), False, Step.ABORT),
        ("deferred", Operations(), False, Step.NEW),
        # A run that began nothing waits out a freeze (a run that began something finishes:
        # tests/test_freeze_retry.py).
        ("processing", Operations(), True, Step.DEFER),
        ("processing", Operations(), False, Step.RESUME),
        ("failed", Operations(), False, Step.WAITING),
        ("failed", Operations(retry=1), False, Step.RETRY),
        ("failed", Operations(retry=1, escalate=True), False, Step.ESCALATE),
        ("failed", Operations(retry=1, escalate=True, abort=True), False, Step.ABORT),
        ("completed", Operations(retry=3), False, Step.NOTHING),
    ],
)
def test_decisions(
    sample_repo: Repository, state: str | None, operations: Operations, frozen: bool, step: Step
) -> None:
    request = sample_repo.request(EVENTS)
    assert request is not None
    request = replace(request, operations=operations)
    status = None
    if state is not None:
        status = RequestStatus(
            request=EVENTS, state=RequestState(state), input_digest=input_digest(request)
        )
    window = FreezeWindow("w", "01-01", "12-31") if frozen else None
    assert decide(status, request, window) is step


@pytest.mark.parametrize(
    ("operations", "priority", "step"),
    [
        (Operations(retry=1), Priority.NORMAL, Step.DEFER),
        (Operations(escalate=True), Priority.NORMAL, Step.DEFER),
        (Operations(retry=1, abort=True), Priority.NORMAL, Step.ABORT),
        (Operations(), Priority.NORMAL, Step.WAITING),
        (Operations(retry=1), Priority.EMERGENCY, Step.RETRY),
        (Operations(escalate=True), Priority.EMERGENCY, Step.ESCALATE),
    ],
)
def test_the_decision_for_a_failed_request_in_a_freeze(
    sample_repo: Repository, operations: Operations, priority: str, step: Step
) -> None:
    request = sample_repo.request(WEBAPP)
    assert request is not None
    request = replace(request, operations=operations, priority=Priority(priority))
    status = RequestStatus(
        request=WEBAPP, state=RequestState.FAILED, input_digest=input_digest(request)
    )
    assert decide(status, request, FreezeWindow("w", "01-01", "12-31")) is step


def _interrupted(task_state: str, known: str | None) -> RequestStatus:
    task = TaskStatus(f"{WEBAPP}/database/automatic/0", "database", "x", "rest-api", "", 0)
    task.state = TaskState(task_state)
    if known is not None:
        task.attempt = Attempt(Effect.CALL, "2026-09-20T10:00:00.000000Z", Known(known), "k")
    return RequestStatus(request=WEBAPP, state=RequestState.PROCESSING, tasks=[task])


@pytest.mark.parametrize(
    ("task_state", "known", "priority", "step"),
    [
        # Nothing began (JIRA was down before any task): it waits like a new request.
        ("pending", None, Priority.NORMAL, Step.DEFER),
        # Every attempt was told "not now": nothing changed yet, so it waits too.
        ("pending", "transient", Priority.NORMAL, Step.DEFER),
        # Sent and the answer lost, or done: finish what began.
        ("pending", "unknown", Priority.NORMAL, Step.RESUME),
        ("pending", "sent", Priority.NORMAL, Step.RESUME),
        ("completed", "done", Priority.NORMAL, Step.RESUME),
        ("pending", None, Priority.EMERGENCY, Step.RESUME),
    ],
)
def test_an_interrupted_run_passes_a_freeze_only_when_it_had_begun(
    sample_repo: Repository, task_state: str, known: str | None, priority: str, step: Step
) -> None:
    request = sample_repo.request(WEBAPP)
    assert request is not None
    request = replace(request, priority=Priority(priority))
    status = _interrupted(task_state, known)
    assert decide(status, request, FreezeWindow("w", "01-01", "12-31")) is step
    assert decide(status, request, None) is Step.RESUME


def test_an_escalation_hands_the_failed_component_and_all_later_ones_to_manual_tickets(
    sample_repo: Repository,
) -> None:
    bundle = sample_repo.offering("bundle-webapp-standard")
    assert isinstance(bundle, Bundle)
    order = [c.id for c in bundle.ordered_components()]
    failed = TaskStatus(f"{WEBAPP}/{order[1]}/automatic/0", order[1], "x", "rest-api", "", 0)
    assert escalation_modes(bundle, failed) == dict.fromkeys(order[1:], "manual")
    assert escalation_modes(bundle, None) == {}
