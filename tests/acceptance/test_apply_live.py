"""`pac apply` against a fake JIRA and a fake platform API on 127.0.0.1.

Includes the kill tests: a real `pac apply` process is killed at chosen instants and run
again; every task must end with exactly one ticket or one effect, and a complete status.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.fulfilment import apply
from pac.fulfilment.backends import ticket_backend
from pac.fulfilment.backends.jira_api import JiraTickets
from pac.fulfilment.backends.rest import RestClient
from pac.records.store import StatusStore
from tests.conftest import fast_retries, pac_in, pac_settings, point_rest_at
from tests.fakes.jira import FakeJira
from tests.fakes.rest import FakeRestTarget
from tests.fakes.server import Received

WEBAPP = "payments-webapp"
EVENTS = "payments-events"
TOKEN = "jira-token-s3cr3t"
SECRETS = {
    "PAC_SECRET_PAYMENTS_DB_ADMIN": "db-admin-pw-0001",
    "PAC_SECRET_DBAAS_API_TOKEN": "dbaas-token-0002",
    "PAC_SECRET_SECRETS_API_KEY": "secrets-key-0003",
    "PAC_SECRET_K8S_PLATFORM_TOKEN": "k8s-token-0004",
}


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(credentials=("bot", TOKEN)) as fake:
        yield fake  # type: ignore[misc]


def manual_only(root: Path) -> None:
    for path in (root / "catalog").rglob("*.yaml"):
        path.write_text(path.read_text().replace("{mode: automatic}", "{mode: manual}"))


def environment(jira: FakeJira) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAC_")}
    env.pop("CI", None)
    env.update(SECRETS)
    env.update(
        {
            "PAC_JIRA_URL": jira.url,
            "PAC_JIRA_USER": "bot",
            "PAC_JIRA_TOKEN": TOKEN,
            "PAC_TODAY": "2026-06-01",
            "NO_COLOR": "1",
        }
    )
    return env


def apply_in_process(root: Path, jira: FakeJira, *ids: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for name, value in environment(jira).items():
        monkeypatch.setenv(name, value)
    repo = Repository(root)
    requests = apply.select_requests(repo, list(ids)).requests
    name, tickets = ticket_backend(repo)
    assert name.startswith("JIRA at")
    return apply.run(repo, requests, tickets, rest=lambda: RestClient(sleep=lambda s: None))


def test_a_bundle_of_manual_items_becomes_linked_tickets(
    sample_root: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    manual_only(sample_root)
    [outcome] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert (outcome.state, outcome.created) == ("waiting", ["DBA-1", "SEC-1", "PLATFORM-1"])
    assert jira.blocked_by("DBA-1") == set()
    assert jira.blocked_by("SEC-1") == {"DBA-1"}
    assert jira.blocked_by("PLATFORM-1") == {"DBA-1", "SEC-1"}
    database = jira.issues["DBA-1"]["fields"]
    assert database["summary"] == "Aurora PostgreSQL payments-api (prod)"
    assert database["priority"] == {"name": "High"}
    assert database["components"] == [{"name": "Aurora"}]
    assert database["customfield_10010"] == "CC-4521"
    assert "pac-payments-webapp.database.manual.0" in database["labels"]
    # Calls per ticket: one search for the request, then a create and its links.
    creates = jira.count("POST", "/issue$")
    links = jira.count("POST", "/issueLink$")
    searches = jira.count("GET", "/search$")
    assert (creates, links, searches) == (3, 3, 1)
    # A second run changes nothing.
    [again] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert again.created == [] and len(jira.issues) == 3
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None
    assert [t.ticket_url for t in status.tasks] == [
        f"{jira.url}/browse/DBA-1",
        f"{jira.url}/browse/SEC-1",
        f"{jira.url}/browse/PLATFORM-1",
    ]


def test_an_automated_bundle_calls_the_apis_in_order_with_outputs(
    sample_root: Path,
    jira: FakeJira,
    platform: FakeRestTarget,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    point_rest_at(sample_root, platform.url)
    [outcome] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert outcome.state == "completed", outcome.summary
    calls = [(r.method, r.path) for r in platform.requests]
    assert calls == [
        ("POST", "/api/v1/clusters"),
        ("PUT", "/api/v2/namespaces/prod/payments-api"),
        ("POST", "/api/v1/namespaces"),
        ("POST", "/api/v1/namespaces/payments-api-prod/apps"),
    ]
    cluster, secrets, _, deploy = platform.requests
    assert cluster.headers["Authorization"] == f"Bearer {SECRETS['PAC_SECRET_DBAAS_API_TOKEN']}"
    assert cluster.json()["masterPassword"] == SECRETS["PAC_SECRET_PAYMENTS_DB_ADMIN"]
    assert cluster.headers["Idempotency-Key"] == "payments-webapp/database/automatic/0"
    assert secrets.headers["X-Api-Key"] == SECRETS["PAC_SECRET_SECRETS_API_KEY"]
    endpoint = cluster.json()["name"] + ".cluster-1.eu-west-1.rds.amazonaws.com"
    assert secrets.json()["seed"] == {"DATABASE_HOST": endpoint}
    assert deploy.json()["env"] == {
        "DATABASE_HOST": endpoint,
        "SECRETS_PATH": "/apps/prod/payments-api",
    }
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None
    assert [t.http_status for t in status.tasks] == [201, 200, 201, 201]
    assert status.tasks[-1].outputs == {"appUrl": "https://payments-api.apps.company.com"}
    # Secrets are sent to the APIs that need them and nowhere else.
    printed = capfd.readouterr()
    written = [p.read_text() for p in (sample_root / "requests/.status").glob("*.yaml")]
    for value in [TOKEN, *SECRETS.values()]:
        for text in [*written, printed.out, printed.err]:
            assert value not in text


def test_rest_retries_only_what_may_be_retried(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_rest_at(sample_root, platform.url)
    fast_retries(sample_root)
    platform.fail_next("POST", "/api/v1/clusters", 503, times=2)
    platform.fail_next("PUT", "/api/v2/namespaces", "drop")
    [outcome] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert outcome.state == "completed"
    assert platform.count("POST", "/api/v1/clusters$") == 3
    keys = {r.headers["Idempotency-Key"] for r in platform.requests if r.path == "/api/v1/clusters"}
    assert keys == {"payments-webapp/database/automatic/0"}

    # A 4xx is not retried: the request fails at once, with the owner to ask.
    (sample_root / "requests/.status/payments-webapp.yaml").unlink()
    platform.fail_next("POST", "/api/v1/clusters", 400)
    before = platform.count("POST", "/api/v1/clusters$")
    [failed] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert failed.state == "failed"
    assert platform.count("POST", "/api/v1/clusters$") == before + 1
    assert "answered 400" in failed.summary and "dba@company.com" in failed.summary


def test_a_lost_answer_to_a_create_adopts_the_ticket(
    sample_root: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    jira.fail_next("POST", "/issue$", "drop", after_effect=True)
    [outcome] = apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    assert outcome.state == "waiting"
    assert list(jira.issues) == ["MSG-1"]


def test_jira_rejections_fail_the_task_with_jiras_reason(
    sample_root: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    del jira.projects["MSG"]
    [outcome] = apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    assert outcome.state == "failed"
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None and status.tasks[0].error is not None
    assert "project: valid project is required" in status.tasks[0].error.message
    assert status.tasks[0].error.contact == "platform-messaging-team (messaging@company.com)"


def test_jira_backend_reads_live_status(jira: FakeJira) -> None:
    backend = JiraTickets(jira.url, "bot", TOKEN)
    from pac.fulfilment.backends import RenderedTicket

    ticket = backend.create(RenderedTicket("DBA", "Task", "x"), ["pac-t"])
    jira.set_status(ticket.key, "In Progress")
    assert backend.state(ticket.key) == "In Progress"
    assert backend.find(["pac-t", "pac-other"])["pac-t"].key == ticket.key
    backend.close()


def typed_fields(root: Path, fields: str) -> None:
    """The Kafka item's ticket with `fields` (YAML lines) added to its custom fields."""
    path = root / "catalog/messaging/messaging-kafka-topic.yaml"
    anchor = '              customfield_10010: "{{ .current.environment.costCenter }}"\n'
    text = path.read_text()
    assert anchor in text
    path.write_text(text.replace(anchor, anchor + fields))


def test_custom_fields_are_sent_in_the_shape_of_their_jira_type(
    sample_root: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed_fields(
        sample_root,
        '              customfield_10016: "{{ .current.topic.partitions }}"\n'
        '              customfield_10020: "{{ .current.topic.retention }}"\n'
        '              customfield_10021: "{{ .current.topic.consumers }}"\n'
        '              customfield_10022: "{{ .current.environment.stage }}, {{ .current.name }}"\n'
        '              customfield_10023: "{{ .current.topic.contactEmail }}"\n'
        '              customfield_10024: "{{ .current.topic.goLiveDate }}"\n',
    )
    [outcome] = apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    assert outcome.state == "waiting", outcome.summary
    fields = jira.issues["MSG-1"]["fields"]
    assert fields["customfield_10010"] == "CC-4521"
    assert fields["customfield_10016"] == 12
    assert fields["customfield_10020"] == {"value": "30d"}
    assert fields["customfield_10021"] == [{"value": "analytics"}, {"value": "fraud"}]
    assert fields["customfield_10022"] == ["prod", "payments-events"]
    assert fields["customfield_10023"] == {"name": "dana.dev@company.com"}
    assert fields["customfield_10024"] == "2027-02-01"
    # The field list is read once, and shared with the library's own search.
    assert jira.count("GET", "/field$") == 1


def test_a_value_a_typed_field_cannot_take_fails_the_task_before_jira_is_asked(
    sample_root: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed_fields(sample_root, '              customfield_10016: "{{ .current.topic.retention }}"\n')
    [outcome] = apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    assert outcome.state == "failed"
    assert jira.count("POST", "/issue$") == 0 and not jira.issues
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None and status.tasks[0].error is not None
    error = status.tasks[0].error
    assert error.message == (
        "the ticket template rendered '30d' for customfield_10016 (Story Points), "
        "a number field in JIRA"
    )
    assert "customFields.customfield_10016" in error.hint and "type: number" in error.hint
    assert error.contact == "platform-messaging-team (messaging@company.com)"


def test_typed_values_are_unescaped_and_empty_ones_left_out(jira: FakeJira) -> None:
    from pac.fulfilment.backends import RenderedTicket

    backend = JiraTickets(jira.url, "bot", TOKEN)
    ticket = RenderedTicket(
        "DBA",
        "Task",
        "x",
        custom_fields={
            "customfield_10025": "Tier 1 \\- critical",
            "customfield_10010": "a \\[b\\]",
            "customfield_10016": "",
            "customfield_10024": "",
        },
        custom_values={
            "customfield_10025": "Tier 1 - critical",
            "customfield_10010": "a [b]",
            "customfield_10016": "",
            "customfield_10024": "",
        },
    )
    key = backend.create(ticket, ["pac-t"]).key
    fields = jira.issues[key]["fields"]
    assert fields["customfield_10025"] == {"value": "Tier 1 - critical"}
    assert fields["customfield_10010"] == "a \\[b\\]"  # text fields keep JIRA escaping
    assert "customfield_10016" not in fields and "customfield_10024" not in fields
    backend.close()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("customfield_10024", "01/02/2027", "'01/02/2027' for customfield_10024 (Go-live Date)"),
        ("customfield_10024", "2027-02-30", "a date field in JIRA, which takes"),
        ("customfield_10022", "prod, two words", "'two words' into customfield_10022 (Tags)"),
        ("customfield_10016", "1,5", "'1,5' for customfield_10016 (Story Points)"),
    ],
)
def test_values_jira_would_refuse_are_refused_first(
    jira: FakeJira, field: str, value: str, message: str
) -> None:
    from pac.fulfilment.backends import BackendError, RenderedTicket

    backend = JiraTickets(jira.url, "bot", TOKEN)
    ticket = RenderedTicket(
        "DBA", "Task", "x", custom_fields={field: value}, custom_values={field: value}
    )
    with pytest.raises(BackendError) as caught:
        backend.create(ticket, ["pac-t"])
    assert message in caught.value.message and not caught.value.transient
    assert f"customFields.{field}" in caught.value.hint
    assert jira.count("POST", "/issue$") == 0
    backend.close()


# --- kill tests --------------------------------------------------------------------------


def start_apply(root: Path, jira: FakeJira, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pac", "apply", *args],
        cwd=root,
        env=environment(jira),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_pac(root: Path, jira: FakeJira, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `pac` command, against the fake JIRA, to its end."""
    return pac_in(root, environment(jira), *args)


def finish_apply(root: Path, jira: FakeJira, *args: str) -> str:
    done = run_pac(root, jira, "apply", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout + done.stderr


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(30)


@pytest.mark.parametrize(
    ("point", "gate"),
    [
        ("before the first create", {"method": "POST", "path": "/issue$"}),
        (
            "after a create, before its status is written",
            {"method": "POST", "path": "/issue$", "after_effect": True},
        ),
        ("between components", {"method": "POST", "path": "/issue$", "skip": 1}),
        (
            "after a link, before its status is written",
            {"method": "POST", "path": "/issueLink$", "after_effect": True},
        ),
    ],
)
def test_killed_at_any_point_then_re_run_creates_each_ticket_once(
    sample_root: Path, jira: FakeJira, point: str, gate: dict[str, object]
) -> None:
    manual_only(sample_root)
    held = jira.pause_on(
        str(gate["method"]),
        str(gate["path"]),
        after_effect=bool(gate.get("after_effect")),
        skip=int(gate.get("skip", 0)),  # type: ignore[call-overload]
    )
    process = start_apply(sample_root, jira, WEBAPP)
    assert held.reached.wait(60), f"pac apply never got to {point}"
    kill(process)
    held.release()
    finish_apply(sample_root, jira, WEBAPP)
    tasks = ["database", "secrets", "app"]
    for component in tasks:
        label = f"pac-payments-webapp.{component}.manual.0"
        assert len(jira.with_label(label)) == 1, f"{point}: {component}"
    assert jira.blocked_by("PLATFORM-1") == {"DBA-1", "SEC-1"}
    assert len(jira._all_links()) == 2 * 3, f"{point}: a link made twice"  # listed on both ends
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "waiting"
    assert [t.state for t in status.tasks] == ["waiting"] * 3


def test_killed_after_a_call_the_re_run_sends_the_same_idempotency_key(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    point_rest_at(sample_root, platform.url)
    held = platform.pause_on("POST", "/api/v1/clusters$", after_effect=True)
    process = start_apply(sample_root, jira, WEBAPP)
    assert held.reached.wait(60)
    kill(process)
    held.release()
    finish_apply(sample_root, jira, WEBAPP)
    clusters = [r for r in platform.requests if r.path == "/api/v1/clusters"]
    assert len(clusters) == 2  # sent again, with the same key...
    assert len([e for e in platform.effects if e.path == "/api/v1/clusters"]) == 1  # ...done once
    assert {r.headers["Idempotency-Key"] for r in clusters} == {
        "payments-webapp/database/automatic/0"
    }
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "completed"


def test_from_request_new_to_status_against_jira(sample_root: Path, jira: FakeJira) -> None:
    """The whole flow through the real command: write, validate, plan, apply, status."""

    def pac(*args: str) -> str:
        done = run_pac(sample_root, jira, *args)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    manual_only(sample_root)
    pac(
        "request",
        "new",
        "bundle-webapp-standard",
        "--set",
        "name=checkout-api",
        "--set",
        "environment.costCenter=CC-2001",
        "--set",
        "app.image=registry.company.com/checkout/api:0.9.0",
        "--set",
        "credentials.adminPassword=CHECKOUT_DB_ADMIN",
        "--set",
        "secrets.notifyEmail=checkout-oncall@company.com",
        "--email",
        "sam@company.com",
        "--requester",
        "Sam Shop",
        "--team",
        "checkout",
    )
    pac("validate", "requests/checkout/checkout-api.yaml")
    plan = pac("plan", "checkout-api")
    assert "JIRA DBA Task: Aurora PostgreSQL checkout-api (dev)" in plan
    pac("apply", "checkout-api")
    jira.set_status("DBA-1", "In Progress")
    status = pac("status", "checkout-api")
    assert "DBA-1 (JIRA: In Progress)" in status
    assert "SEC-1 (JIRA: Open)" in status and "PLATFORM-1 (JIRA: Open)" in status


# --- secrets in failures, unreadable status ------------------------------------------------


def test_an_empty_secret_is_missing_and_nothing_is_sent(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitHub Actions passes a repository secret that was never created as an empty string.
    point_rest_at(sample_root, platform.url)
    monkeypatch.setenv("PAC_SECRET_DBAAS_API_TOKEN", "")
    for name, value in environment(jira).items():
        if name != "PAC_SECRET_DBAAS_API_TOKEN":
            monkeypatch.setenv(name, value)
    repo = Repository(sample_root)
    [outcome] = apply.run(
        repo, apply.select_requests(repo, [WEBAPP]).requests, ticket_backend(repo)[1]
    )
    assert outcome.state == "failed"
    assert platform.requests == []
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.tasks[0].error is not None
    assert "the secret DBAAS_API_TOKEN is not set" in status.tasks[0].error.message
    assert "PAC_SECRET_DBAAS_API_TOKEN" in status.tasks[0].error.hint


@pytest.mark.parametrize("authentication", ["bearer", "basic"])
def test_a_rejection_echoing_the_credentials_is_masked_before_it_is_cut_short(
    sample_root: Path,
    jira: FakeJira,
    platform: FakeRestTarget,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    authentication: str,
) -> None:
    point_rest_at(sample_root, platform.url)
    item = sample_root / "catalog/databases/database-aurora-postgresql-standard.yaml"
    if authentication == "basic":
        item.write_text(
            item.read_text().replace(
                "{type: bearer, token: {secretRef: DBAAS_API_TOKEN}}",
                "{type: basic, username: pac, password: {secretRef: DBAAS_API_TOKEN}}",
            )
        )

    def echo(request: Received, match: re.Match[str]) -> tuple[int, object]:
        # Long enough that the quoted answer is cut in the middle of the credentials.
        return 400, {"error": "bad request", "headers": request.headers, "body": request.json()}

    platform.routes.insert(0, ("POST", re.compile(r"/api/v1/clusters"), echo))
    [outcome] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert outcome.state == "failed"
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.tasks[0].error is not None
    assert status.tasks[0].http_status == 400
    assert '"Authorization": "***"' in status.tasks[0].error.message
    sent = platform.requests[0].headers["Authorization"].partition(" ")[2]
    printed = capfd.readouterr()
    written = (sample_root / "requests/.status" / f"{WEBAPP}.yaml").read_text()
    for value in [sent, *SECRETS.values()]:
        for text in [written, outcome.summary, printed.out, printed.err]:
            assert value[:8] not in text


def test_an_unreadable_status_stops_only_its_request_with_a_clear_message(
    sample_root: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    manual_only(sample_root)
    apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    path = sample_root / "requests/.status" / f"{EVENTS}.yaml"
    path.write_text(path.read_text().replace("state: waiting", "state: [waiting", 1))
    outcomes = apply_in_process(sample_root, jira, EVENTS, WEBAPP, monkeypatch=monkeypatch)
    by_id = {o.request_id: o for o in outcomes}
    assert by_id[WEBAPP].state == "waiting"  # the other request went on
    assert by_id[EVENTS].state == "failed"
    assert f"requests/.status/{EVENTS}.yaml:5:" in by_id[EVENTS].summary
    assert "git checkout" in by_id[EVENTS].summary
    assert len(jira.issues) == 4  # nothing was created again for the unreadable one
    for command in (["status"], ["status", EVENTS], ["apply", EVENTS], ["plan", EVENTS]):
        done = run_pac(sample_root, jira, *command)
        assert done.returncode in (1, 2), command
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr
        assert "not valid YAML" in done.stdout + done.stderr


def test_jira_unavailable_before_anything_started_leaves_the_request_for_the_next_run(
    sample_root: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    manual_only(sample_root)
    jira.credentials = ("bot", "a-rotated-token")  # pac's token no longer works
    [outcome] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert outcome.failed and outcome.unavailable
    assert "401" in outcome.summary and "PAC_JIRA_TOKEN" in outcome.summary
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "processing"
    assert [t.state for t in status.tasks] == ["pending"] * 3
    assert all(t.error is None for t in status.tasks)

    # Watching it does not wait forever for a run that has not happened yet.
    watched = run_pac(sample_root, jira, "status", WEBAPP, "--watch", "--timeout", "0")
    assert watched.returncode == 1, watched.stderr
    assert f"not settled yet: {WEBAPP} (processing)" in watched.stderr
    assert "--timeout SECONDS" in watched.stderr
    assert WEBAPP in watched.stdout  # the state was shown before it stopped

    jira.credentials = ("bot", TOKEN)  # the secret is updated...
    jira.fail_next("GET", "/search", 503)  # ...and then JIRA has an outage
    [outcome] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert outcome.unavailable and "503" in outcome.summary
    assert outcome.pending and not outcome.failed  # an outage: exit 0, the next run carries on

    # The next run goes through, with no operations.retry in the request file.
    [outcome] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert outcome.state == "waiting" and outcome.created == ["DBA-1", "SEC-1", "PLATFORM-1"]


def test_credentials_echoed_into_an_output_are_masked(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_rest_at(sample_root, platform.url)
    item = sample_root / "catalog/databases/database-aurora-postgresql-standard.yaml"
    item.write_text(
        item.read_text().replace(
            "{type: bearer, token: {secretRef: DBAAS_API_TOKEN}}",
            "{type: basic, username: pac, password: {secretRef: DBAAS_API_TOKEN}}",
        )
    )

    def careless(request: Received, match: re.Match[str]) -> tuple[int, object]:
        # A service that puts the caller's credentials into its answer.
        return 201, {"endpoint": f"db.internal (auth {request.headers['Authorization']})"}

    platform.routes.insert(0, ("POST", re.compile(r"/api/v1/clusters"), careless))
    [outcome] = apply_in_process(sample_root, jira, WEBAPP, monkeypatch=monkeypatch)
    assert outcome.state == "completed", outcome.summary
    sent = platform.requests[0].headers["Authorization"].partition(" ")[2]
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None
    assert status.tasks[0].outputs["databaseEndpoint"] == "db.internal (auth ***)"
    seed = platform.requests[1].json()["seed"]["DATABASE_HOST"]
    assert (
        sent not in seed
        and sent not in (sample_root / "requests/.status/").joinpath(f"{WEBAPP}.yaml").read_text()
    )


def test_an_escalation_killed_half_way_carries_on_as_an_escalation(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    point_rest_at(sample_root, platform.url)
    fast_retries(sample_root)
    pac_settings(sample_root, transient_retries=0)
    platform.fail_next("PUT", "/api/v2/namespaces", 503, times=100)
    first = run_pac(sample_root, jira, "apply", WEBAPP)
    assert first.returncode == 1, first.stdout + first.stderr
    request = sample_root / "requests/payments/payments-webapp.yaml"
    request.write_text(request.read_text() + "operations: {escalate: true}\n")
    held = jira.pause_on("POST", "/issue$", after_effect=True)  # the first manual ticket
    process = start_apply(sample_root, jira, WEBAPP)
    assert held.reached.wait(60)
    kill(process)
    held.release()
    calls = len(platform.requests)
    finish_apply(sample_root, jira, WEBAPP)
    assert len(platform.requests) == calls  # the failed automation is not tried again
    assert sorted(jira.issues) == ["PLATFORM-1", "SEC-1"]
    assert jira.blocked_by("PLATFORM-1") == {"SEC-1"}
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "waiting"
    jira.resolve_all()  # the teams do the escalated work
    finish_apply(sample_root, jira, WEBAPP)
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "escalated"
    manual = [t for t in status.tasks if t.strategy == "manual"]
    assert [(t.state, t.ticket_key) for t in manual] == [
        ("completed", "SEC-1"),
        ("completed", "PLATFORM-1"),
    ]


# --- imperfect servers: lost answers, index lag, transient faults (SPEC §6.4) -------------


@pytest.fixture
def lagging_jira() -> Iterator[FakeJira]:
    """JIRA whose search finds a new ticket only a second after it was created."""
    with FakeJira(credentials=("bot", TOKEN), search_lag=1.0) as fake:
        yield fake  # type: ignore[misc]


def test_a_call_whose_answers_were_all_lost_is_retried_with_its_own_key_and_done_once(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    point_rest_at(sample_root, platform.url)
    fast_retries(sample_root)
    pac_settings(sample_root, transient_retries=0)  # fail at once, to need operations.retry
    # The cluster is created, but every one of the four attempts loses its answer.
    platform.fail_next("POST", "/api/v1/clusters$", "drop", times=4, after_effect=True)
    first = run_pac(sample_root, jira, "apply", WEBAPP)
    assert first.returncode == 1, first.stdout + first.stderr
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "failed"
    after_first = (sample_root / f"requests/.status/{WEBAPP}.yaml").read_text()

    request = sample_root / "requests/payments/payments-webapp.yaml"
    request.write_text(request.read_text() + "operations: {retry: 1}\n")
    finish_apply(sample_root, jira, WEBAPP)
    clusters = [r for r in platform.requests if r.path == "/api/v1/clusters"]
    assert len(clusters) == 5
    assert len([e for e in platform.effects if e.path == "/api/v1/clusters"]) == 1
    assert {r.headers["Idempotency-Key"] for r in clusters} == {
        "payments-webapp/database/automatic/0"
    }
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "completed"
    # What the retry went by: the key, and that the outcome was unknown, recorded before.
    assert "known: unknown" in after_first
    assert "key: payments-webapp/database/automatic/0" in after_first


def test_a_call_refused_for_good_is_retried_under_a_new_key(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    point_rest_at(sample_root, platform.url)
    platform.fail_next("POST", "/api/v1/clusters$", 409, after_effect=True)
    assert run_pac(sample_root, jira, "apply", WEBAPP).returncode == 1
    request = sample_root / "requests/payments/payments-webapp.yaml"
    request.write_text(request.read_text() + "operations: {retry: 1}\n")
    finish_apply(sample_root, jira, WEBAPP)
    keys = [r.headers["Idempotency-Key"] for r in platform.requests if r.path.endswith("clusters")]
    assert keys == [
        "payments-webapp/database/automatic/0",
        "payments-webapp/database/automatic/0#retry-1",
    ]
    written = (sample_root / f"requests/.status/{WEBAPP}.yaml").read_text()
    assert "key: payments-webapp/database/automatic/0#retry-1" in written  # for any re-run


def test_killed_after_a_create_with_a_lagging_search_the_re_run_makes_no_second_ticket(
    sample_root: Path,
) -> None:
    manual_only(sample_root)
    pac_settings(sample_root, search_lag=5)
    # A lag longer than a re-run takes to start, even on a busy machine.
    jira = FakeJira(credentials=("bot", TOKEN), search_lag=3.0)
    jira.start()
    try:
        for _ in range(3):  # each run killed after its first create: each ticket in turn
            held = jira.pause_on("POST", "/issue$", after_effect=True)
            process = start_apply(sample_root, jira, WEBAPP)
            assert held.reached.wait(60)
            kill(process)
            held.release()
        finish_apply(sample_root, jira, WEBAPP)
    finally:
        jira.stop()
    for component in ["database", "secrets", "app"]:
        label = f"pac-payments-webapp.{component}.manual.0"
        assert len(jira.with_label(label)) == 1, component
    assert len(jira.issues) == 3
    assert jira.blocked_by("PLATFORM-1") == {"DBA-1", "SEC-1"}
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "waiting"


def test_a_lost_create_answer_with_a_lagging_search_adopts_the_ticket(
    sample_root: Path, lagging_jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    pac_settings(sample_root, search_lag=3)
    lagging_jira.fail_next("POST", "/issue$", "drop", after_effect=True)
    [outcome] = apply_in_process(sample_root, lagging_jira, EVENTS, monkeypatch=monkeypatch)
    assert outcome.state == "waiting", outcome.summary
    assert list(lagging_jira.issues) == ["MSG-1"]


def test_a_retry_after_a_declined_ticket_never_adopts_the_declined_one(
    sample_root: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The declined ticket carries the task's label too, and while the index lags it is the
    # only one a search finds: the lost create's ticket is the one to adopt.
    apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    jira.resolve("MSG-1", "Won't Do", comment="Not this quarter.")
    [declined] = apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    assert declined.state == "failed", declined.summary
    request = sample_root / "requests/payments/payments-events.yaml"
    request.write_text(request.read_text() + "operations: {retry: 1}\n")
    pac_settings(sample_root, search_lag=3)
    jira.search_lag = 1.0
    jira.fail_next("POST", "/issue$", "drop", after_effect=True)
    [retried] = apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    assert retried.state == "waiting", retried.summary
    assert list(jira.issues) == ["MSG-1", "MSG-2"]
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None
    [task] = status.tasks
    assert (task.ticket_key, task.refs.get("declined")) == ("MSG-2", "MSG-1")
    [again] = apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    assert again.state == "waiting", again.summary
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None and status.tasks[0].ticket_key == "MSG-2"
    history = (sample_root / "requests/.status/payments-events.yaml").read_text()
    assert "was moved by its team" not in history
    assert list(jira.issues) == ["MSG-1", "MSG-2"]


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (503, "JIRA failed to create the ticket in MSG: 503"),
        ("drop", "no answer from JIRA to the create of the ticket in MSG"),
    ],
)
def test_one_transient_jira_fault_leaves_the_request_for_the_next_run(
    sample_root: Path, jira: FakeJira, fault: int | str, said: str
) -> None:
    pac_settings(sample_root, search_lag=0.5)
    jira.fail_next("POST", "/issue$", fault)  # nothing created
    first = run_pac(sample_root, jira, "apply", EVENTS)
    assert first.returncode == 0, first.stdout + first.stderr
    shown = first.stdout + first.stderr
    assert "pending after a transient fault" in shown and said in shown
    assert "JIRA refused" not in shown
    assert "the next run (at the latest the hourly one) tries again" in shown
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None and status.state == "processing"
    [task] = status.tasks
    assert (task.state, task.transient_failures, task.error) == ("pending", 1, None)
    assert said in task.transient_error
    shown = run_pac(sample_root, jira, "status", EVENTS).stdout
    assert "transient fault (1 run(s) in a row), the next run tries again" in shown
    planned = run_pac(sample_root, jira, "plan", EVENTS).stdout
    assert "met a transient fault in 1 run(s) in a row" in planned and said in planned

    finish_apply(sample_root, jira, EVENTS)  # no change to the request file
    assert list(jira.issues) == ["MSG-1"]
    status = StatusStore(sample_root).load(EVENTS)
    assert status is not None and status.state == "waiting"


def test_a_transient_fault_that_keeps_coming_back_fails_the_task_at_the_limit(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    point_rest_at(sample_root, platform.url)
    fast_retries(sample_root)
    pac_settings(sample_root, transient_retries=1)
    platform.fail_next("POST", "/api/v1/clusters$", 503, times=8)  # two runs of four attempts
    first = run_pac(sample_root, jira, "apply", WEBAPP)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "1 pending after a transient fault" in first.stdout
    second = run_pac(sample_root, jira, "apply", WEBAPP)
    assert second.returncode == 1, second.stdout + second.stderr
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "failed"
    failed = status.tasks[0]
    assert failed.state == "failed" and failed.error is not None
    assert "answered 503" in failed.error.message
    assert "2 runs in a row (pac.yaml apply.transientRetries: 1)" in failed.error.hint
    for word in ("operations.retry", "operations.abort", "operations.escalate"):
        assert word in failed.error.hint
    assert [t.state for t in status.tasks[1:]] == ["skipped"] * 3


def test_a_connection_that_never_reached_jira_does_not_say_jira_refused(jira: FakeJira) -> None:
    from pac.fulfilment.backends import BackendError, RenderedTicket

    backend = JiraTickets(jira.url, "bot", TOKEN)
    assert backend.client is not None  # connected once...
    jira.stop()  # ...then JIRA goes away
    backend.client._session.close()  # with the connection kept open to it
    ticket = RenderedTicket(project="MSG", issue_type="Task", summary="A topic")
    with pytest.raises(BackendError) as unreachable:
        backend.create(ticket, ["pac-x"])
    error = unreachable.value
    assert error.message.startswith("could not reach JIRA to create the ticket in MSG")
    assert error.transient and not error.unknown


def test_an_escalation_links_a_blocker_that_is_also_the_previous_ticket_once(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    point_rest_at(sample_root, platform.url)
    fast_retries(sample_root)
    pac_settings(sample_root, transient_retries=0)
    platform.fail_next("PUT", "/api/v2/namespaces", 503, times=100)
    assert run_pac(sample_root, jira, "apply", WEBAPP).returncode == 1
    request = sample_root / "requests/payments/payments-webapp.yaml"
    request.write_text(request.read_text() + "operations: {escalate: true}\n")
    finish_apply(sample_root, jira, WEBAPP)
    # SEC-1 is the app's dependency and the previous escalation ticket: one link.
    assert jira.links("PLATFORM-1") == [("Blocks", "SEC-1")]
    assert jira.count("POST", "/issueLink$") == 1


def test_jira_asking_to_wait_briefly_is_waited_out_a_long_wait_is_left_to_the_next_run(
    sample_root: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    jira.fail_next("POST", "/issue$", 429, headers={"Retry-After": "0.1"})
    [outcome] = apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    assert outcome.state == "waiting", outcome.summary
    assert (jira.count("POST", "/issue$"), list(jira.issues)) == (2, ["MSG-1"])

    (sample_root / f"requests/.status/{EVENTS}.yaml").unlink()
    jira.issues.clear()
    jira.fail_next("POST", "/issue$", 429, headers={"Retry-After": "3600"})
    [outcome] = apply_in_process(sample_root, jira, EVENTS, monkeypatch=monkeypatch)
    assert outcome.pending and not outcome.failed and outcome.state == "processing"
    assert "429" in outcome.summary and jira.issues == {}
