"""The one decision `pac apply` and `pac plan` share: what to do with a request now
(SPEC §6.2, §6.4; a retry or escalation waits out a change freeze like a new request)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pac.documents.config import FreezeWindow
from pac.documents.lifecycle import Operation
from pac.documents.model import Bundle, Operations, Priority
from pac.documents.repository import Repository
from pac.fulfilment.change import NO_CHANGE, Change
from pac.fulfilment.policy import Step, decide, escalation_modes, held_reason
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


# --- day 2 (SPEC §6.6) --------------------------------------------------------------------

UPDATE = Change(Operation.UPDATE, changed=("topic.partitions",), owner="messaging")
UPGRADE = Change(Operation.UPGRADE, owner="messaging")
DECOMMISSION = Change(Operation.DECOMMISSION, reason="retired", owner="messaging")
REFUSED = Change(Operation.UPDATE, changed=("name",), held="name is immutable", owner="m")


@pytest.mark.parametrize(
    ("state", "revision", "change", "retire", "frozen", "step"),
    [
        ("completed", 0, UPDATE, False, False, Step.UPDATE),
        ("completed", 0, UPGRADE, False, False, Step.UPGRADE),
        ("completed", 2, DECOMMISSION, True, False, Step.DECOMMISSION),
        ("completed", 0, UPDATE, False, True, Step.DEFER),  # deferred like any request
        ("completed", 0, REFUSED, False, False, Step.HELD),
        ("completed", 0, NO_CHANGE, False, False, Step.NOTHING),
        # Decommission goes on from any state that may have made something.
        ("failed", 0, DECOMMISSION, True, False, Step.DECOMMISSION),
        ("aborted", 0, DECOMMISSION, True, False, Step.DECOMMISSION),
        ("escalated", 1, DECOMMISSION, True, False, Step.DECOMMISSION),
        # A change while the revision failed, or of one never fulfilled, is held.
        ("failed", 1, UPDATE, False, False, Step.HELD),
        ("aborted", 0, UPDATE, False, False, Step.HELD),
        ("escalated", 0, UPGRADE, False, False, Step.HELD),
        # A revision under way carries on with its own operation; the change waits.
        ("processing", 2, UPDATE, False, False, Step.UPDATE),
        ("processing", 3, DECOMMISSION, True, False, Step.DECOMMISSION),
        ("deferred", 1, NO_CHANGE, False, False, Step.UPDATE),
        ("deferred", 1, NO_CHANGE, False, True, Step.DEFER),
        # Never started: decommissioned with nothing to do, freeze or not.
        (None, 0, NO_CHANGE, True, True, Step.DECOMMISSION),
        ("deferred", 0, NO_CHANGE, True, True, Step.DECOMMISSION),
        # Over for good; a file without `decommission:` reuses the id.
        ("decommissioned", 2, NO_CHANGE, True, False, Step.NOTHING),
        ("decommissioned", 2, NO_CHANGE, False, False, Step.HELD),
    ],
)
def test_day_two_decisions(
    sample_repo: Repository,
    state: str | None,
    revision: int,
    change: Change,
    retire: bool,
    frozen: bool,
    step: Step,
) -> None:
    request = sample_repo.request(EVENTS)
    assert request is not None
    request = replace(request, decommission="retired" if retire else None)
    status = None
    if state is not None:
        status = RequestStatus(request=EVENTS, state=RequestState(state), revision=revision)
        if revision and state in ("processing", "deferred"):
            status.operation = Operation.DECOMMISSION if retire else Operation.UPDATE
    window = FreezeWindow("w", "01-01", "12-31") if frozen else None
    assert decide(status, request, window, change) is step


def test_a_retry_of_a_failed_create_still_runs_with_the_corrected_input(
    sample_repo: Repository,
) -> None:
    """Before day 2, a failed create was fixed by editing its input and raising retry."""
    request = sample_repo.request(EVENTS)
    assert request is not None
    request = replace(request, operations=Operations(retry=1))
    status = RequestStatus(request=EVENTS, state=RequestState.FAILED)
    assert decide(status, request, None, UPDATE) is Step.RETRY


@pytest.mark.parametrize(
    ("state", "change", "words"),
    [
        ("failed", UPDATE, "Retry, abort or escalate it first"),
        ("aborted", UPDATE, "decommission it (`decommission: {reason: …}`) and request anew"),
        ("completed", REFUSED, "name is immutable"),
        ("decommissioned", NO_CHANGE, "its id cannot be reused"),
    ],
)
def test_every_held_change_says_why_and_what_to_do(
    sample_repo: Repository, state: str, change: Change, words: str
) -> None:
    request = sample_repo.request(EVENTS)
    assert request is not None
    status = RequestStatus(request=EVENTS, state=RequestState(state))
    assert words in held_reason(status, request, change)


def test_an_escalated_decommission_hands_on_in_its_own_reverse_order(
    sample_repo: Repository,
) -> None:
    bundle = sample_repo.offering("bundle-webapp-standard")
    assert isinstance(bundle, Bundle)
    failed = TaskStatus(f"{WEBAPP}/r1/secrets/automatic/decommission/0", "secrets", "x", "", "", 0)
    assert escalation_modes(bundle, failed, Operation.DECOMMISSION) == {
        "secrets": "manual",
        "database": "manual",
    }
