"""A retry or escalation waits out a change freeze like a new request (SPEC §6.4)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pac.documents.config import FreezeWindow
from pac.documents.model import Operations
from pac.documents.repository import Repository
from pac.fulfilment.policy import Step, decide, input_digest
from pac.fulfilment.states import RequestState, TaskState
from pac.fulfilment.status import RequestStatus, StatusStore
from tests.acceptance.test_cli import invoke
from tests.conftest import fast_retries, pac_settings, point_rest_at
from tests.unit.fulfilment.test_apply import WEBAPP, run, set_operations

FROZEN = "2026-12-24"  # inside 'Retail peak season', which holds the webapp's categories
AFTER = "2027-01-16"


def _failed_webapp(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    point_rest_at(root, "http://127.0.0.1:9")  # nothing listens there
    fast_retries(root)
    pac_settings(root, transient_retries=0)  # fail at once: no later run may try again
    monkeypatch.setenv("PAC_SECRET_PAYMENTS_DB_ADMIN", "s3cret-value")
    monkeypatch.setenv("PAC_SECRET_DBAAS_API_TOKEN", "token-1234")
    outcomes, _ = run(root, WEBAPP, monkeypatch=monkeypatch)
    assert outcomes[0].state == "failed"


@pytest.mark.parametrize(
    ("operations", "later"),
    [("operations: {retry: 1}", Step.RETRY), ("operations: {escalate: true}", Step.ESCALATE)],
)
def test_a_retry_or_escalation_waits_out_the_freeze(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch, operations: str, later: Step
) -> None:
    _failed_webapp(sample_root, monkeypatch)
    attempts = [t.attempts for t in StatusStore(sample_root).load(WEBAPP).tasks]  # type: ignore[union-attr]
    set_operations(sample_root, WEBAPP, operations)
    what = "retry" if later is Step.RETRY else "escalation"

    monkeypatch.setenv("PAC_TODAY", FROZEN)
    code, planned = invoke(sample_root, "plan", WEBAPP)
    assert code == 0, planned
    assert "defer: inside a change freeze" in planned
    assert f"the {what} waits until 2027-01-15" in planned

    outcomes, lines = run(sample_root, WEBAPP, today=FROZEN, monkeypatch=monkeypatch)
    assert [(o.step, o.state, o.failed) for o in outcomes] == [(Step.DEFER, "failed", False)]
    assert outcomes[0].summary == (
        f"failed; the {what} waits for the change freeze 'Retail peak season' until 2027-01-15"
    )
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None
    assert [t.attempts for t in status.tasks] == attempts  # nothing ran
    assert status.handled_retry == 0
    assert not any("emergency" in h["event"] for h in status.history)
    assert not any("emergency" in line for line in lines)

    monkeypatch.setenv("PAC_TODAY", AFTER)
    code, planned = invoke(sample_root, "plan", WEBAPP)
    assert "change freeze" not in planned
    after, _ = run(sample_root, WEBAPP, today=AFTER, monkeypatch=monkeypatch)
    assert after[0].step is later


def test_apply_summary_does_not_count_a_waiting_request_as_acted_on(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAC_TODAY", FROZEN)
    code, out = invoke(sample_root, "apply", WEBAPP)
    assert code == 0, out
    assert out.count("payments-webapp: deferred: change freeze") == 1  # once, not twice
    assert out.endswith(
        "0 request(s) acted on, 0 ticket(s) created, 0 failed, 1 waiting, 0 unchanged\n"
    )


@pytest.mark.parametrize(
    ("operations", "priority", "step"),
    [
        (Operations(retry=1), "normal", Step.DEFER),
        (Operations(escalate=True), "normal", Step.DEFER),
        (Operations(retry=1, abort=True), "normal", Step.ABORT),
        (Operations(), "normal", Step.WAITING),
        (Operations(retry=1), "emergency", Step.RETRY),
        (Operations(escalate=True), "emergency", Step.ESCALATE),
    ],
)
def test_the_decision_for_a_failed_request_in_a_freeze(
    sample_repo: Repository, operations: Operations, priority: str, step: Step
) -> None:
    request = sample_repo.request(WEBAPP)
    assert request is not None
    request = replace(request, operations=operations, priority=priority)
    status = RequestStatus(
        request=WEBAPP, state=RequestState.FAILED, input_digest=input_digest(request)
    )
    assert decide(status, request, FreezeWindow("w", "01-01", "12-31")) is step


@pytest.mark.parametrize("command", ["apply", "plan"])
@pytest.mark.parametrize("value", ["garbage", "2026-13-01", "24.12.2026"])
def test_a_bad_pac_today_is_a_usage_error_before_any_work(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch, command: str, value: str
) -> None:
    monkeypatch.setenv("PAC_TODAY", value)
    code, out = invoke(sample_root, command)
    assert code == 2, out
    assert f"error: PAC_TODAY={value!r} is not a date" in out
    assert "hint: Set PAC_TODAY to a day written YYYY-MM-DD" in out
    assert "internal error" not in out
    assert not (sample_root / ".pac").exists()  # no lock, no outbox: nothing was done
    assert not (sample_root / "requests/.status").exists()


def test_a_ticket_found_from_an_earlier_run_is_counted_as_found(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    code, out = invoke(sample_root, "apply", "payments-events")
    assert code == 0, out
    assert out.count("payments-events: completed: 1 task done") == 1
    # A run killed after creating the ticket, before its status was written.
    (sample_root / "requests/.status/payments-events.yaml").unlink()
    code, out = invoke(sample_root, "apply", "payments-events")
    assert code == 0, out
    assert "found MSG-1 from an earlier run" in out
    assert out.endswith(
        "1 request(s) acted on, 0 ticket(s) created, 1 found from an earlier run, 0 failed, "
        "0 unchanged\n"
    )


def _interrupted(task_state: str, known: str | None) -> RequestStatus:
    from pac.fulfilment.status import Attempt, Effect, Known, TaskStatus

    task = TaskStatus(f"{WEBAPP}/database/automatic/0", "database", "x", "rest-api", "", 0)
    task.state = TaskState(task_state)
    if known is not None:
        task.attempt = Attempt(Effect.CALL, "2026-09-20T10:00:00.000000Z", Known(known), "k")
    return RequestStatus(request=WEBAPP, state=RequestState.PROCESSING, tasks=[task])


@pytest.mark.parametrize(
    ("task_state", "known", "priority", "step"),
    [
        # Nothing began (JIRA was down before any task): it waits like a new request.
        ("pending", None, "normal", Step.DEFER),
        # Every attempt was told "not now": nothing changed yet, so it waits too.
        ("pending", "transient", "normal", Step.DEFER),
        # Sent and the answer lost, or done: finish what began.
        ("pending", "unknown", "normal", Step.RESUME),
        ("pending", "sent", "normal", Step.RESUME),
        ("completed", "done", "normal", Step.RESUME),
        ("pending", None, "emergency", Step.RESUME),
    ],
)
def test_an_interrupted_run_passes_a_freeze_only_when_it_had_begun(
    sample_repo: Repository, task_state: str, known: str | None, priority: str, step: Step
) -> None:
    request = sample_repo.request(WEBAPP)
    assert request is not None
    request = replace(request, priority=priority)
    status = _interrupted(task_state, known)
    assert decide(status, request, FreezeWindow("w", "01-01", "12-31")) is step
    assert decide(status, request, None) is Step.RESUME
