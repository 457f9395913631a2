"""`pac apply` with the embedded outbox: lifecycle, freezes, operations, secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.fulfilment import apply
from pac.fulfilment.backends.outbox import Outbox
from pac.fulfilment.backends.rest import RestClient
from pac.fulfilment.policy import Step
from pac.records.states import NoState, RequestState
from pac.records.store import StatusStore
from tests.conftest import fast_retries, invoke, pac_settings, point_rest_at, resolve_tickets

EVENTS = "payments-events"
WEBAPP = "payments-webapp"
SECRET = "correct-horse-battery-staple"


def run(root: Path, *ids: str, today: str = "2026-06-01", monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAC_TODAY", today)
    repo = Repository(root)
    selection = apply.select_requests(repo, list(ids))
    assert not selection.invalid
    lines: list[str] = []
    outcomes = apply.run(
        repo,
        selection.requests,
        lambda: Outbox(root),
        emit=lines.append,
        rest=lambda: RestClient(sleep=lambda seconds: None),
    )
    return outcomes, lines


def outbox(root: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted((root / ".pac/outbox").glob("*.json"))]


def set_operations(root: Path, request: str, text: str) -> None:
    path = next((root / "requests").rglob(f"{request}.yaml"))
    body = path.read_text().split("\noperations:")[0].rstrip("\n")
    path.write_text(body + "\n" + text + "\n")


def test_a_manual_request_becomes_one_ticket_once(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes, _lines = run(sample_root, EVENTS, monkeypatch=monkeypatch)
    # A ticket is a hand-off: the request waits for the messaging team (SPEC §6.7).
    assert [(o.step, o.state, o.created) for o in outcomes] == [(Step.NEW, "waiting", ["MSG-1"])]
    assert outcomes[0].summary == "waiting on platform-messaging-team: MSG-1"
    [ticket] = outbox(sample_root)
    assert ticket["summary"] == "Kafka topic prod.payments-events on kafka-shared-01"
    assert ticket["labels"] == [
        "pac",
        "kafka",
        "prod",
        "pac-payments-events.messaging-kafka-topic.manual.0",
    ]
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None
    [task] = status.tasks
    assert (task.state, task.ticket_key, task.attempts) == ("waiting", "MSG-1", 1)
    assert task.outputs == {"topicTicket": "MSG-1", "topicTicketUrl": ".pac/outbox/MSG-1.json"}
    assert status.system["requestId"] == EVENTS
    # While the ticket is open, a run reads it, creates nothing and rewrites nothing (an
    # hourly run over unchanged tickets commits no status).
    written = StatusStore(sample_root).path(EVENTS).read_text()
    still, lines = run(sample_root, EVENTS, monkeypatch=monkeypatch)
    assert [(o.step, o.state, o.created) for o in still] == [(Step.WAITING, "waiting", [])]
    assert "read the state of 1 open ticket(s) in one batched search" in lines
    recorded = StatusStore(sample_root).path(EVENTS).read_text()
    assert recorded == written.replace("backend: outbox\n", "backend: outbox\n    status: Open\n")
    run(sample_root, EVENTS, monkeypatch=monkeypatch)
    assert StatusStore(sample_root).path(EVENTS).read_text() == recorded
    # Its team resolves it: the next run completes the task at the resolution time.
    assert resolve_tickets(sample_root) == ["MSG-1"]
    done, _ = run(sample_root, EVENTS, monkeypatch=monkeypatch)
    assert [(o.step, o.state, o.created) for o in done] == [(Step.RESUME, "completed", [])]
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None
    [task] = status.tasks
    assert (task.state, task.resolution, task.attempts) == ("completed", "Done", 1)
    assert task.finished_at == task.resolved_at
    # A further run finds nothing to do and creates nothing.
    again, _ = run(sample_root, EVENTS, monkeypatch=monkeypatch)
    assert [(o.step, o.created) for o in again] == [(Step.NOTHING, [])]
    assert len(outbox(sample_root)) == 1


def test_a_freeze_defers_and_the_first_run_after_it_applies(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_rest_at(sample_root, "http://127.0.0.1:9")
    outcomes, _ = run(sample_root, WEBAPP, today="2026-12-24", monkeypatch=monkeypatch)
    assert [(o.step, o.state) for o in outcomes] == [(Step.DEFER, "deferred")]
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None
    assert (status.deferred_window, status.deferred_until) == ("Retail peak season", "2027-01-15")
    assert {t.state for t in status.tasks} == {"pending"}
    # Still frozen a week later: nothing changes. After the window: it runs.
    assert [
        o.step for o in run(sample_root, WEBAPP, today="2027-01-02", monkeypatch=monkeypatch)[0]
    ] == [Step.DEFER]
    after, _ = run(sample_root, WEBAPP, today="2027-01-16", monkeypatch=monkeypatch)
    assert after[0].step is Step.NEW  # and then fails: the REST target is closed


def test_an_emergency_passes_the_freeze_and_is_marked(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sample_root / "requests/payments/payments-events.yaml"
    path.write_text(
        path.read_text().replace("team: payments}", "team: payments}\n  priority: emergency")
    )
    config = sample_root / "pac.yaml"
    config.write_text(
        config.read_text().replace("scope: {categories: [databases, compute]}", "scope: all")
    )
    outcomes, lines = run(sample_root, EVENTS, today="2026-12-24", monkeypatch=monkeypatch)
    assert outcomes[0].state == "waiting"
    assert any("emergency: passing the change freeze" in line for line in lines)
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None and status.priority == "emergency"
    assert any("emergency request" in h["event"] for h in status.history)
    from typer.testing import CliRunner

    from pac.cli.app import app

    shown = CliRunner().invoke(app, ["--repo", str(sample_root), "status", EVENTS]).output
    assert "emergency request: passed the change freeze 'Retail peak season'" in shown


def test_a_failure_stops_skips_and_says_whom_to_ask(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_rest_at(sample_root, "http://127.0.0.1:9")  # nothing listens there
    fast_retries(sample_root)
    pac_settings(sample_root, transient_retries=0)  # no later run may try again
    monkeypatch.setenv("PAC_SECRET_PAYMENTS_DB_ADMIN", SECRET)
    monkeypatch.setenv("PAC_SECRET_DBAAS_API_TOKEN", "token-1234")
    outcomes, _lines = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert outcomes[0].state == "failed"
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None
    assert [t.state for t in status.tasks] == ["failed", "skipped", "skipped", "skipped"]
    failed = status.tasks[0]
    assert failed.attempts == 1
    assert failed.error is not None
    assert "failed after 4 attempts: connection failed (Connection refused)" in failed.error.message
    assert "operations.retry" in failed.error.hint
    assert failed.error.contact == "platform-databases-team (dba@company.com)"
    assert outcomes[0].calls == 0
    # Nothing more happens until the request file says so.
    waiting, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert waiting[0].step is Step.WAITING


def test_retry_escalate_and_abort_from_the_request_file(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_rest_at(sample_root, "http://127.0.0.1:9")
    fast_retries(sample_root)
    pac_settings(sample_root, transient_retries=0)
    monkeypatch.setenv("PAC_SECRET_PAYMENTS_DB_ADMIN", SECRET)
    monkeypatch.setenv("PAC_SECRET_DBAAS_API_TOKEN", "token-1234")
    run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    set_operations(sample_root, WEBAPP, "operations: {retry: 1}")
    retried, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert (retried[0].step, retried[0].state) == (Step.RETRY, "failed")
    store = StatusStore(sample_root)
    status = store.load(WEBAPP)
    assert status is not None and status.handled_retry == 1
    assert status.tasks[0].attempts == 2

    set_operations(sample_root, WEBAPP, "operations: {retry: 1, escalate: true}")
    escalating, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert (escalating[0].step, escalating[0].state) == (Step.ESCALATE, "waiting")
    tickets = outbox(sample_root)
    assert [t["key"] for t in tickets] == ["DBA-1", "PLATFORM-1", "SEC-1"]
    by_key = {t["key"]: t for t in tickets}
    # Linked in order: the secrets ticket waits for the database, the app for both.
    inward = {
        key: {link["key"] for link in ticket["links"] if link["direction"] == "inward"}  # type: ignore[attr-defined]
        for key, ticket in by_key.items()
    }
    assert inward == {"DBA-1": set(), "SEC-1": {"DBA-1"}, "PLATFORM-1": {"DBA-1", "SEC-1"}}
    assert {
        link["key"] for link in by_key["PLATFORM-1"]["links"] if link["direction"] == "inward"
    } == {"DBA-1", "SEC-1"}
    description = str(by_key["DBA-1"]["description"])
    assert "h3. Escalated by pac" in description
    assert "connection failed" in description
    # The manual tickets are open with their teams; once resolved, it is escalated.
    resolve_tickets(sample_root)
    escalated, _ = run(sample_root, WEBAPP, monkeypatch=monkeypatch)
    assert (escalated[0].step, escalated[0].state) == (Step.ESCALATE, "escalated")
    status = store.load(WEBAPP)
    assert status is not None
    assert [(t.strategy, t.state) for t in status.tasks] == [
        ("automatic", "failed"),
        ("automatic", "skipped"),
        ("automatic", "skipped"),
        ("automatic", "skipped"),
        ("manual", "completed"),
        ("manual", "completed"),
        ("manual", "completed"),
    ]
    # Secrets never reach tickets, status or logs.
    everything = (sample_root / ".pac").rglob("*.json")
    for path in [*everything, store.path(WEBAPP)]:
        assert SECRET not in path.read_text()

    # Abort, by contrast, only skips what is left.
    set_operations(sample_root, EVENTS, "operations: {abort: true}")
    aborted, _ = run(sample_root, EVENTS, monkeypatch=monkeypatch)
    assert (aborted[0].step, aborted[0].state) == (Step.ABORT, "aborted")


def test_concurrent_requests_get_distinct_tickets(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (sample_root / "requests/payments/payments-events.yaml").read_text()
    ids = [f"events-{n}" for n in range(12)]
    for request_id in ids:
        path = sample_root / "requests/payments" / f"{request_id}.yaml"
        path.write_text(
            source.replace("id: payments-events", f"id: {request_id}").replace(
                "    schemaFile: payments-events.avsc\n", ""
            )
        )
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    repo = Repository(sample_root)
    requests = apply.select_requests(repo, ids).requests
    outcomes = apply.run(repo, requests, lambda: Outbox(sample_root), concurrency=6)
    keys = [key for o in outcomes for key in o.created]
    assert sorted(keys) == sorted(f"MSG-{n}" for n in range(1, 13))


@pytest.mark.parametrize("command", ["apply", "plan"])
def test_a_broken_pac_yaml_stops_apply_and_plan_instead_of_dropping_the_freeze(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    from typer.testing import CliRunner

    from pac.cli.app import app

    config = sample_root / "pac.yaml"
    config.write_text(config.read_text().replace("changeCalendar:", "changeCalender:"))
    monkeypatch.setenv("PAC_TODAY", "2026-12-01")  # inside the retail peak freeze
    monkeypatch.delenv("CI", raising=False)
    result = CliRunner().invoke(app, ["--repo", str(sample_root), command, WEBAPP])
    assert result.exit_code == 2
    assert "pac.yaml:" in result.output and "unknown key 'changeCalender'" in result.output
    assert "Did you mean 'changeCalendar'?" in result.output
    assert not (sample_root / ".pac/outbox").exists()
    assert StatusStore(sample_root).load(WEBAPP) is None


def test_a_second_apply_in_the_same_checkout_waits_its_turn(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl

    from pac.errors import UsageError

    (sample_root / ".pac").mkdir()
    with (sample_root / ".pac/apply.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another pac apply is working here
        with pytest.raises(UsageError, match="another pac apply is running"):
            run(sample_root, EVENTS, monkeypatch=monkeypatch)
        assert StatusStore(sample_root).load(EVENTS) is None
        fcntl.flock(held, fcntl.LOCK_UN)
    [outcome], _ = run(sample_root, EVENTS, monkeypatch=monkeypatch)
    assert outcome.state == "waiting" and len(outbox(sample_root)) == 1


def test_an_unsupported_manual_action_does_not_advise_escalating(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A type the schema knows but this pac's registry does not run (as git-commit was).
    from pac.fulfilment.actions import ACTIONS

    monkeypatch.delitem(ACTIONS, "git-commit")
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(
        item.read_text().replace(
            "  manual:\n    actions:\n",
            "  manual:\n    actions:\n"
            "      - type: git-commit\n        config: {repository: acme/infra-live, branch: "
            "main, commitMessage: x, files: [{path: kafka/x, operation: delete}]}\n",
        )
    )
    # The plan says so before anything runs...
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    code, out = invoke(sample_root, "plan", EVENTS)
    assert code == 1
    assert "git-commit actions are not yet supported" in out
    assert "escalating does not help" in out

    # ...and so does the failed task apply records.
    outcomes, _ = run(sample_root, EVENTS, monkeypatch=monkeypatch)
    assert outcomes[0].state == "failed"
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None
    error = status.tasks[0].error
    assert error is not None
    assert error.message == "git-commit actions are not yet supported by pac apply"
    assert "escalating does not help" in error.hint
    assert "must change the item's manual actions to jira-ticket" in error.hint
    assert "platform-messaging-team" in error.hint and error.contact
    assert "operations.escalate" not in error.hint


def test_a_run_that_lost_the_lease_stops_before_its_next_create_or_call(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another run took the upstream's lease over: nothing more is sent, nothing fails,
    and the next run does the rest exactly once."""
    from tests.acceptance.test_apply_live import SECRETS
    from tests.fakes.rest import FakeRestTarget, platform_api

    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with platform_api(FakeRestTarget()) as platform:
        point_rest_at(sample_root, platform.url)
        repo = Repository(sample_root)
        requests = apply.select_requests(repo, [EVENTS, WEBAPP]).requests
        asked: list[int] = []

        def still_held() -> bool:
            asked.append(1)
            return len(asked) <= 2  # lost after two calls of the web application

        rest = lambda: RestClient(sleep=lambda seconds: None)  # noqa: E731
        outcomes = apply.run(
            repo, requests, lambda: Outbox(sample_root), rest=rest, still_held=still_held,
            concurrency=1,
        )  # fmt: skip
        assert [(o.request_id, o.lease_lost, o.pending, o.failed) for o in outcomes] == [
            (EVENTS, False, False, False),
            (WEBAPP, True, True, False),
        ], [o.summary for o in outcomes]
        assert "another run took the apply lease over" in outcomes[1].summary
        assert len(platform.effects) == 1  # the events ticket asked first, then one call
        status = StatusStore(sample_root).load(WEBAPP)
        assert status is not None and status.state == "processing"
        again = apply.run(repo, requests, lambda: Outbox(sample_root), rest=rest)
        assert [o.state for o in again] == ["waiting", "completed"]
        resolve_tickets(sample_root)
        last = apply.run(repo, requests, lambda: Outbox(sample_root), rest=rest)
        assert [o.state for o in last] == ["completed", "completed"]
        assert len(platform.effects) == 4 and len(outbox(sample_root)) == 1


def test_the_report_says_the_lease_was_lost_not_a_transient_fault(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pac.cli.apply import _report
    from pac.fulfilment.executor import Outcome

    stopped = Outcome(
        WEBAPP,
        Step.NEW,
        NoState.NEW,
        RequestState.PROCESSING,
        "stopped at ...",
        pending=True,
        lease_lost=True,
    )
    assert _report([stopped]) is False  # not failed: exit 0
    out = capsys.readouterr().out
    assert "another pac apply took the lease on the upstream over during this run" in out
    assert "transient fault (JIRA or a service unavailable)" not in out
    assert "1 stopped (lease taken over)" in out and "pending after a transient" not in out
