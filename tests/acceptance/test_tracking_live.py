"""From "ticket filed" to "resources ready" (SPEC §4.4, §6.7) against the fake JIRA through
the `jira` library and the platform APIs on 127.0.0.1: a mixed bundle whose database is a
team's ticket and whose secrets and app are REST calls that wait for it."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pac.records.store import StatusStore
from tests.acceptance.test_apply_live import (
    TOKEN,
    apply_in_process,
    finish_apply,
    kill,
    start_apply,
)
from tests.conftest import pac_settings, point_rest_at
from tests.fakes.jira import FakeJira
from tests.fakes.rest import FakeRestTarget

WEBAPP = "payments-webapp"
ENDPOINT = "payments-api.cluster-7.eu-west-1.rds.amazonaws.com"
DATABASE = "catalog/databases/database-aurora-postgresql-standard.yaml"


def mixed_bundle(root: Path, platform: FakeRestTarget) -> None:
    """The database by hand (a ticket whose team fills in its endpoint), the rest by REST."""
    point_rest_at(root, platform.url)
    path = root / DATABASE
    text = path.read_text().replace("strategy: {mode: automatic}", "strategy: {mode: manual}")
    text = text.replace(
        '          databaseTicket: "{{ .response.key }}"\n',
        '          databaseTicket: "{{ .response.key }}"\n'
        '          databaseEndpoint: "{{ .response.fields.Endpoint }}"\n',
    )
    path.write_text(text)


def states(root: Path) -> list[tuple[str, str, str]]:
    status = StatusStore(root).load(WEBAPP)
    assert status is not None
    return [
        (t.component, t.state, t.ticket_key or t.refs.get("waitsFor", "")) for t in status.tasks
    ]


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(credentials=("bot", TOKEN)) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def mixed(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> Path:
    mixed_bundle(sample_root, platform)
    [first] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert (first.state, first.created) == ("waiting", ["DBA-1"]), first.summary
    assert first.summary == "waiting on platform-databases-team: DBA-1"
    return sample_root


def test_the_app_waits_for_the_database_ticket_and_gets_its_endpoint(
    mixed: Path, jira: FakeJira, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run 1 filed the ticket and called nothing: the secrets and the app wait for it.
    assert platform.requests == []
    assert states(mixed) == [
        ("database", "waiting", "DBA-1"),
        ("secrets", "waiting", "DBA-1"),
        ("app", "waiting", "DBA-1"),
        ("app", "waiting", "DBA-1"),
    ]
    # While it is open, a run reads it in one search and sends nothing else.
    jira.set_status("DBA-1", "In Progress")
    before = len(jira.log)
    [still] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert still.state == "waiting" and platform.requests == []
    sent = [f"{r.method} {jira.kind_of(r.path)}" for r in jira.log[before:]]
    assert [s for s in sent if "search" in s] == ["GET /rest/api/{id}/search"], sent
    status = StatusStore(mixed).load(WEBAPP)
    assert status is not None and status.tasks[0].ticket_status == "In Progress"

    # The DBA resolves it with the endpoint: run 2 calls the APIs with it and completes.
    jira.resolve("DBA-1", "Done", fields={"Endpoint": ENDPOINT}, assignee="Kim DBA")
    [done] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert done.state == "completed", done.summary
    secrets, _, deploy = platform.requests
    assert secrets.json()["seed"] == {"DATABASE_HOST": ENDPOINT}
    assert deploy.json()["env"]["DATABASE_HOST"] == ENDPOINT
    status = StatusStore(mixed).load(WEBAPP)
    assert status is not None
    database = status.tasks[0]
    assert (database.resolution, database.ticket_assignee) == ("Done", "Kim DBA")
    assert database.outputs == {"databaseTicket": "DBA-1", "databaseEndpoint": ENDPOINT}
    assert database.finished_at == database.resolved_at != ""
    assert all(t.state == "completed" and "waitsFor" not in t.refs for t in status.tasks)


def test_wont_do_fails_the_request_with_the_teams_comment(
    mixed: Path, jira: FakeJira, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    jira.resolve("DBA-1", "Won't Do", comment="Use the shared cluster payments-shared-01.")
    [failed] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert failed.state == "failed" and failed.failed
    assert 'DBA-1 was resolved as "Won\'t Do"' in failed.summary
    assert "dba@company.com" in failed.summary
    status = StatusStore(mixed).load(WEBAPP)
    assert status is not None
    error = status.tasks[0].error
    assert error is not None
    assert "Kim DBA wrote: Use the shared cluster payments-shared-01." in error.hint
    assert "operations.retry" in error.hint and "operations.escalate" in error.hint
    assert [t.state for t in status.tasks] == ["failed", "skipped", "skipped", "skipped"]
    assert platform.requests == []


def test_a_resolution_pac_yaml_does_not_list_keeps_it_waiting_until_it_does(
    mixed: Path, jira: FakeJira, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    jira.resolve("DBA-1", "Out of Scope", fields={"Endpoint": ENDPOINT})
    [unknown] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert unknown.state == "waiting" and not unknown.failed
    assert "'Out of Scope'" in unknown.summary and "jira.resolutions" in unknown.summary
    status = StatusStore(mixed).load(WEBAPP)
    assert status is not None and "jira.resolutions" in status.tasks[0].transient_error
    config = mixed / "pac.yaml"
    config.write_text(
        config.read_text().replace(
            "\njira:\n", "\njira:\n  resolutions: {done: [Done, Out of Scope]}\n", 1
        )
    )
    [done] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert done.state == "completed", done.summary
    assert len(platform.effects) == 3


def test_a_deleted_ticket_is_said_and_keeps_waiting(
    mixed: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Just after its create, search may simply not show it yet (jira.searchLag).
    jira.delete("DBA-1")
    [young] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert "DBA-1 was just made and JIRA's search does not show it yet" in young.summary
    pac_settings(mixed, search_lag=0)
    [gone] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert gone.state == "waiting"
    assert "DBA-1 is no longer found by its label" in gone.summary
    assert states(mixed)[0] == ("database", "waiting", "DBA-1")


def test_a_ticket_moved_to_another_project_is_followed_under_its_new_key(
    mixed: Path, jira: FakeJira, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = jira.move("DBA-1", "PLATFORM")
    [moved] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert moved.summary == f"waiting on platform-databases-team: {new}"
    status = StatusStore(mixed).load(WEBAPP)
    assert status is not None
    assert status.tasks[0].ticket_url.endswith(f"/browse/{new}")
    assert any(
        f"DBA-1 was moved by its team; it is now {new}" in h["event"] for h in status.history
    )
    jira.resolve(new, fields={"Endpoint": ENDPOINT})
    [done] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert done.state == "completed" and len(platform.effects) == 3


def test_a_field_the_outputs_need_and_the_ticket_lacks_is_named(
    mixed: Path, jira: FakeJira, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    jira.resolve("DBA-1", "Done")
    [lacking] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert lacking.state == "waiting" and platform.requests == []
    assert "Endpoint" in lacking.summary
    assert "platform-databases-team can fill it in on DBA-1" in lacking.summary
    # The team fills it in: the next run picks it up.
    jira.issues["DBA-1"]["fields"]["customfield_10030"] = ENDPOINT
    [done] = apply_in_process(mixed, jira, WEBAPP, monkeypatch=monkeypatch)
    assert done.state == "completed", done.summary
    assert platform.requests[0].json()["seed"] == {"DATABASE_HOST": ENDPOINT}


@pytest.mark.slow
def test_killed_while_advancing_each_call_is_made_once(
    mixed: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    """SIGKILL a real `pac apply` at random instants while it advances the resolved
    request; re-run until it completes: each API call was made once, each task done once."""
    jira.resolve("DBA-1", fields={"Endpoint": ENDPOINT})
    rng = random.Random(14)
    for _ in range(6):
        process = start_apply(mixed, jira, WEBAPP)
        time.sleep(rng.uniform(0.05, 1.2))
        kill(process)
    finish_apply(mixed, jira, WEBAPP)
    status = StatusStore(mixed).load(WEBAPP)
    assert status is not None and status.state == "completed"
    keys = [r.headers["Idempotency-Key"] for r in platform.effects]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == 3
    assert [t.state for t in status.tasks] == ["completed"] * 4
    assert len(jira.with_label("pac-payments-webapp.database.manual.0")) == 1
