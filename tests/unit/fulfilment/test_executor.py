"""The executor running requests: a held retry waits out a change freeze and runs after
it (SPEC §6.4); the run's summary counts what was done and found."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.fulfilment.policy import Step
from pac.records.store import StatusStore
from tests.acceptance.test_apply_live import SECRETS, manual_only
from tests.conftest import fast_retries, invoke, pac_settings, point_rest_at, resolve_tickets
from tests.day2 import DATABASE, add_day_two, bump_version, set_input, set_top
from tests.fakes.rest import FakeRestTarget
from tests.unit.fulfilment.test_apply import EVENTS, WEBAPP, outbox, run, set_operations

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
    held = f"the {what} waits for the change freeze 'Retail peak season' until 2027-01-15"
    assert held in planned  # the words apply uses

    outcomes, lines = run(sample_root, WEBAPP, today=FROZEN, monkeypatch=monkeypatch)
    assert [(o.step, o.state, o.failed) for o in outcomes] == [(Step.DEFER, "failed", False)]
    assert outcomes[0].summary == f"failed; {held}"
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
    assert out.count("payments-events: waiting on platform-messaging-team: MSG-1") == 1
    # A run killed after creating the ticket, before its status was written.
    (sample_root / "requests/.status/payments-events.yaml").unlink()
    code, out = invoke(sample_root, "apply", "payments-events")
    assert code == 0, out
    assert "found MSG-1 from an earlier run" in out
    assert out.endswith(
        "1 request(s) acted on, 0 ticket(s) created, 1 found from an earlier run, 0 failed, "
        "1 waiting, 0 unchanged\n"
    )


# --- day 2: revisions (SPEC §6.6) ---------------------------------------------------------

EVENTS_FILE = "requests/payments/payments-events.yaml"
WEBAPP_FILE = "requests/payments/payments-webapp.yaml"


def test_a_manual_bundle_decommissions_dependents_first_linked_in_reverse(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_day_two(sample_root)
    manual_only(sample_root)
    first, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert first[0].created == ["DBA-1", "SEC-1", "PLATFORM-1"]
    resolve_tickets(sample_root)
    run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    set_top(sample_root, WEBAPP_FILE, "decommission", {"reason": "service retired"})
    outcomes, lines = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert [(o.step, o.state) for o in outcomes] == [(Step.DECOMMISSION, "waiting")]
    assert outcomes[0].created == ["PLATFORM-2", "SEC-2", "DBA-2"]
    assert lines[0] == "payments-webapp: revision 1 started: decommission"
    resolve_tickets(sample_root)
    outcomes, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert [(o.step, o.state) for o in outcomes] == [(Step.DECOMMISSION, "decommissioned")]
    tickets = {t["key"]: t for t in outbox(sample_root)}
    blocked_by = {
        key: sorted(link["key"] for link in t["links"] if link["direction"] == "inward")
        for key, t in tickets.items()
        if key.endswith("-2")
    }
    assert blocked_by == {
        "PLATFORM-2": [],
        "SEC-2": ["PLATFORM-2"],
        "DBA-2": ["PLATFORM-2", "SEC-2"],
    }
    assert tickets["DBA-2"]["summary"] == "Remove database payments-api: service retired"
    assert "pac-payments-webapp.r1.database.manual.decommission.0" in tickets["DBA-2"]["labels"]
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None
    assert (status.state, status.revision, status.reason) == (
        "decommissioned",
        1,
        "service retired",
    )
    [create] = status.revisions
    assert (create.number, create.operation, create.state) == (0, "create", "completed")
    assert [t.ticket_key for t in create.tasks] == ["DBA-1", "SEC-1", "PLATFORM-1"]
    again, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert [(o.step, o.created) for o in again] == [(Step.NOTHING, [])]


def test_a_change_patches_the_id_the_create_returned_and_shows_old_to_new(
    sample_root: Path, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_day_two(sample_root)
    point_rest_at(sample_root, platform.url)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    set_input(sample_root, WEBAPP_FILE, "database", "instanceClass", "db.r6g.xlarge")
    sent = len(platform.requests)
    outcomes, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert [(o.step, o.state) for o in outcomes] == [(Step.UPDATE, "completed")]
    [patch] = platform.requests[sent:]
    assert patch.method == "PATCH"
    assert patch.path.endswith("cluster%3Apayments-api")  # the arn the create returned
    assert patch.headers["Idempotency-Key"] == "payments-webapp/r1/database/automatic/update/0"
    body = patch.json()
    assert body["was"] == "db.r6g.large" and body["instanceClass"] == "db.r6g.xlarge"
    assert (body["operation"], body["revision"], body["changed"]) == (
        "update",
        1,
        ["database.instanceClass"],
    )
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None
    assert status.input["database"]["instanceClass"] == "db.r6g.xlarge"
    assert status.revisions[0].input["database"]["instanceClass"] == "db.r6g.large"
    assert status.system["operation"] == "update" and status.system["revision"] == 1
    assert status.recorded_outputs()["resizedTo"] == "db.r6g.xlarge"


def test_a_change_read_by_no_update_template_completes_at_once(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_day_two(sample_root)
    manual_only(sample_root)
    run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    resolve_tickets(sample_root)
    run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    set_input(sample_root, WEBAPP_FILE, "environment", "costCenter", "CC-9999")
    outcomes, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert [(o.step, o.state, o.created) for o in outcomes] == [(Step.UPDATE, "completed", [])]
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.revision == 1 and status.tasks == []


def test_a_change_while_the_revision_failed_is_held_then_applied_after_the_retry(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_day_two(sample_root)
    _failed_webapp(sample_root, monkeypatch)
    set_input(sample_root, WEBAPP_FILE, "app", "replicas", 7)
    outcomes, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    [held] = outcomes
    assert (held.step, held.state, held.failed) == (Step.HELD, "failed", False)
    assert "Retry, abort or escalate it first" in held.summary
    code, planned = invoke(sample_root, "plan", WEBAPP)
    # For the pull request a held change is a finding: the plan exits 1.
    assert code == 1 and "held: the request changed while revision 0 failed" in planned


def test_a_change_in_a_freeze_is_deferred_then_applied(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_day_two(sample_root)
    manual_only(sample_root)
    run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    resolve_tickets(sample_root)
    run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    set_input(sample_root, WEBAPP_FILE, "database", "instanceClass", "db.r6g.xlarge")
    outcomes, _ = run(sample_root, WEBAPP, today=FROZEN, monkeypatch=monkeypatch)
    assert [(o.step, o.state, o.created) for o in outcomes] == [(Step.DEFER, "deferred", [])]
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and (status.revision, status.operation) == (1, "update")
    after, _ = run(sample_root, WEBAPP, today=AFTER, monkeypatch=monkeypatch)
    assert [(o.step, o.state, o.created) for o in after] == [(Step.UPDATE, "waiting", ["DBA-2"])]


def test_decommissioning_a_request_never_started_does_nothing(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_top(sample_root, EVENTS_FILE, "decommission", {"reason": "not needed after all"})
    outcomes, _ = run(sample_root, EVENTS, monkeypatch=monkeypatch)
    assert [(o.step, o.state, o.created) for o in outcomes] == [
        (Step.DECOMMISSION, "decommissioned", [])
    ]
    assert outbox(sample_root) == []


def test_a_retry_after_a_version_bump_records_the_version_that_ran(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failed_webapp(sample_root, monkeypatch)
    bump_version(sample_root, DATABASE, "99.0.1")
    manual_only(sample_root)
    set_operations(sample_root, WEBAPP, "operations: {escalate: true}")
    run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None
    assert status.item_versions["database-aurora-postgresql-standard"] == "99.0.1"


def test_a_request_file_reusing_a_decommissioned_id_is_held(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_day_two(sample_root)
    run(sample_root, EVENTS, monkeypatch=monkeypatch)
    resolve_tickets(sample_root)
    run(sample_root, EVENTS, monkeypatch=monkeypatch)
    set_top(sample_root, EVENTS_FILE, "decommission", {"reason": "retired"})
    run(sample_root, EVENTS, monkeypatch=monkeypatch)
    resolve_tickets(sample_root)
    run(sample_root, EVENTS, monkeypatch=monkeypatch)
    path = sample_root / EVENTS_FILE
    path.write_text(path.read_text().split("decommission:")[0])
    outcomes, _ = run(sample_root, EVENTS, monkeypatch=monkeypatch)
    assert [(o.step, o.state) for o in outcomes] == [(Step.HELD, "decommissioned")]
    assert "its id cannot be reused" in outcomes[0].summary
    code, planned = invoke(sample_root, "plan", EVENTS)
    assert code == 1 and "held: payments-events was decommissioned" in planned
    assert len(outbox(sample_root)) == 2
