"""The executor running requests: a held retry waits out a change freeze and runs after
it (SPEC §6.4); the run's summary counts what was done and found."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.fulfilment.policy import Step
from pac.records.store import StatusStore
from tests.conftest import fast_retries, invoke, pac_settings, point_rest_at
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
