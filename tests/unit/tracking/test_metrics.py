"""`pac report`: lead time, automation and failures from the status files `pac apply` writes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from pac.documents.model import Priority
from pac.documents.repository import Repository
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskError, TaskStatus
from pac.records.store import StatusStore
from pac.tracking.metrics import AWAITING_APPLY, Durations, build_report, humanise, lead_time
from tests.conftest import invoke


def task(
    key: str,
    action: str,
    team: str,
    state: str,
    started: str = "",
    finished: str = "",
    error: TaskError | None = None,
) -> TaskStatus:
    return TaskStatus(
        key=key,
        component=key.split("/")[1],
        catalog_item=key.split("/")[1],
        action=action,
        strategy="automatic" if action == "rest-api" else "manual",
        index=0,
        label=f"{action} for {team}",
        owner_team=team,
        owner_contact=f"{team.split('-')[1]}@company.com",
        state=TaskState(state),
        attempts=1,
        started_at=started,
        finished_at=finished,
        error=error,
    )


def statuses() -> list[RequestStatus]:
    stack = RequestStatus(
        "shop-stack",
        state=RequestState.COMPLETED,
        target_kind="CatalogBundle",
        target_id="bundle-webapp-standard",
        created_at="2026-03-02T10:00:00Z",
        tasks=[
            task(
                "shop-stack/db/0",
                "rest-api",
                "platform-databases-team",
                "completed",
                "2026-03-02T10:00:00Z",
                "2026-03-02T10:00:30Z",
            ),
            task(
                "shop-stack/app/0",
                "jira-ticket",
                "platform-compute-team",
                "completed",
                "2026-03-02T10:00:30Z",
                "2026-03-02T10:10:00Z",
            ),
        ],
    )
    topic = RequestStatus(
        "shop-events",
        state=RequestState.COMPLETED,
        target_kind="CatalogItem",
        target_id="messaging-kafka-topic",
        created_at="2026-03-05T09:00:00Z",
        priority=Priority.EMERGENCY,
        handled_retry=1,
        tasks=[
            task(
                "shop-events/topic/0",
                "jira-ticket",
                "platform-messaging-team",
                "completed",
                "2026-03-05T09:00:00Z",
                "2026-03-05T09:01:00Z",
            ),
        ],
    )
    broken = RequestStatus(
        "shop-db",
        state=RequestState.FAILED,
        target_kind="CatalogItem",
        target_id="database-aurora-postgresql-standard",
        created_at="2026-01-10T08:00:00Z",
        tasks=[
            task(
                "shop-db/db/0",
                "rest-api",
                "platform-databases-team",
                "failed",
                "2026-01-10T08:00:00Z",
                "2026-01-10T08:00:05Z",
                TaskError("POST returned 409", "Pick another name.", "dba@company.com"),
            ),
            task("shop-db/db/1", "rest-api", "platform-databases-team", "skipped"),
        ],
    )
    held = RequestStatus(
        "shop-cache",
        state=RequestState.DEFERRED,
        target_kind="CatalogItem",
        target_id="messaging-kafka-topic",
        created_at="2026-12-20T08:00:00Z",
    )
    return [stack, topic, broken, held]


def test_lead_time_is_from_first_take_up_to_the_last_task_of_a_completed_request() -> None:
    stack, topic, broken, held = statuses()
    assert lead_time(stack) == 600
    assert lead_time(topic) == 60
    assert lead_time(broken) is None  # never completed: no lead time to speak of
    assert lead_time(held) is None


def test_durations_use_measured_values_only() -> None:
    figures = Durations.of([600, 60, 5, 3600])
    assert (figures.count, figures.median, figures.p90, figures.longest) == (4, 60, 3600, 3600)
    assert Durations.of([]) == Durations()
    assert [humanise(s) for s in (None, 42, 600, 7200, 3 * 86400)] == [
        "-",
        "42 s",
        "10 min",
        "2.0 h",
        "3.0 d",
    ]


def test_report_counts_states_automation_failures_and_what_waits_for_apply(
    sample_repo: Repository,
) -> None:
    offerings = [*sample_repo.items(), *sample_repo.bundles()]
    report = build_report(offerings, sample_repo.requests(), statuses())
    # The sample catalog's two request files have no status: both wait for pac apply.
    assert report.states == {AWAITING_APPLY: 2, "completed": 2, "failed": 1, "deferred": 1}
    assert report.requests == 6
    assert (report.emergencies, report.retried) == (1, 1)
    assert report.lead_time.count == 2
    assert report.lead_time.median == 60
    # One completed API call against two completed tickets.
    assert report.automation == 1 / 3
    teams = {t.team: t for t in report.teams}
    databases = teams["platform-databases-team"]
    assert (databases.calls, databases.failures, databases.automation) == (1, 1, 1.0)
    assert databases.items == 2  # from the catalog
    assert teams["platform-compute-team"].tickets == 1
    assert teams["developer-experience-team"].bundles == 1
    assert [f.as_dict() for f in report.failures] == [
        {
            "request": "shop-db",
            "task": "rest-api for platform-databases-team",
            "team": "platform-databases-team",
            "contact": "dba@company.com",
            "message": "POST returned 409",
            "at": "2026-01-10T08:00:05Z",
            "retried": False,
        }
    ]
    asked = {o.id: (o.requests, o.completed, o.failed) for o in report.offerings}
    assert asked["messaging-kafka-topic"] == (3, 1, 0)  # two with a status, one waiting
    assert asked["database-aurora-postgresql-standard"] == (1, 0, 1)
    assert report.offerings[0].id == "messaging-kafka-topic"  # most requested first


def test_since_keeps_requests_taken_up_from_that_day_and_all_that_wait(
    sample_repo: Repository,
) -> None:
    report = build_report(
        [*sample_repo.items()], sample_repo.requests(), statuses(), since=dt.date(2026, 3, 1)
    )
    assert report.states == {AWAITING_APPLY: 2, "completed": 2, "deferred": 1}
    assert report.failures == []


def write_statuses(root: Path) -> None:
    store = StatusStore(root)
    for status in statuses():
        store.save(status)
        # save() stamps the time of writing; keep the history these tests describe.
        path = store.path(status.request)
        data = yaml.safe_load(path.read_text())
        data["createdAt"] = status.created_at
        path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_report_command_as_json_yaml_and_table(sample_root: Path) -> None:
    write_statuses(sample_root)
    code, out = invoke(sample_root, "report", "--output", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["requests"]["total"] == 6
    assert data["requests"]["byState"]["awaiting apply"] == 2
    assert data["leadTime"]["medianSeconds"] == 60
    assert data["recentFailures"][0]["contact"] == "dba@company.com"

    code, out = invoke(sample_root, "report", "--output", "yaml", "--since", "2026-03-01")
    assert code == 0, out
    assert yaml.safe_load(out)["requests"]["total"] == 5

    code, out = invoke(sample_root, "report")
    assert code == 0, out
    assert "lead time (median / p90)" in out
    assert "60 s / 10 min" in out
    assert "POST returned 409" in out
    assert "ask dba@company.com" in out


def test_report_after_a_real_apply(sample_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)  # a laptop run: tickets go to the outbox
    code, out = invoke(sample_root, "apply", "payments-events")
    assert code == 0, out
    # The ticket is a hand-off: completed once its team resolved it (SPEC §6.7).
    code, out = invoke(sample_root, "outbox", "resolve", "MSG-1")
    assert code == 0, out
    code, out = invoke(sample_root, "apply", "payments-events")
    assert code == 0, out
    data = json.loads(invoke(sample_root, "report", "-o", "json")[1])
    assert data["requests"]["byState"] == {"awaiting apply": 1, "completed": 1}
    messaging = next(t for t in data["teams"] if t["team"] == "platform-messaging-team")
    assert messaging["tasks"]["tickets"] == 1
    assert data["automation"] == 0.0


def test_report_explains_bad_input(sample_root: Path) -> None:
    code, out = invoke(sample_root, "report", "--since", "last week")
    assert code == 2
    assert "--since 'last week' is not a day" in out
    assert "YYYY-MM-DD" in out

    broken = sample_root / "requests/.status/shop-db.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("- just\n- a list\n")
    code, out = invoke(sample_root, "report")
    assert code == 2
    assert "requests/.status/shop-db.yaml: not a pac status file" in out
    assert "git checkout -- requests/.status/shop-db.yaml" in out
    assert "Traceback" not in out


def _live(request: str, state: RequestState, versions: dict[str, str]) -> RequestStatus:
    item = next(iter(versions))
    return RequestStatus(
        request,
        state,
        target_kind="CatalogItem",
        target_id=item,
        target_version=versions[item],
        item_versions=dict(versions),
    )


def test_live_requests_per_version_leave_out_what_is_not_live(sample_repo: Repository) -> None:
    from pac.tracking.metrics import live_versions, versions_in_use

    kafka = sample_repo.item("messaging-kafka-topic")
    assert kafka is not None
    old = "0.9.0"
    statuses = [
        _live("a", RequestState.COMPLETED, {kafka.id: kafka.version}),
        _live("b", RequestState.COMPLETED, {kafka.id: old}),
        _live("c", RequestState.COMPLETED, {kafka.id: old}),
        _live("gone", RequestState.DECOMMISSIONED, {kafka.id: old}),
        _live("never", RequestState.FAILED, {kafka.id: old}),
    ]
    assert versions_in_use(statuses[3]) is None and versions_in_use(statuses[4]) is None
    (use,) = live_versions(sample_repo.items(), statuses)
    assert use.as_dict() == {
        "id": kafka.id,
        "team": "platform-messaging-team",
        "catalogVersion": kafka.version,
        "live": 3,
        "behind": 2,
        "versions": [
            {"version": kafka.version, "live": 1, "requests": ["a"]},
            {"version": old, "live": 2, "requests": ["b", "c"]},
        ],
    }


def test_a_revision_under_way_counts_on_the_versions_its_last_completed_one_left() -> None:
    from pac.documents.lifecycle import Operation
    from pac.tracking.metrics import versions_in_use

    status = _live("r", RequestState.COMPLETED, {"x": "1.0.0"})
    status.start_revision(Operation.UPGRADE, {}, "", {"x": "1.1.0"}, "abc")
    status.become(RequestState.FAILED)
    assert versions_in_use(status) == {"x": "1.0.0"}


def test_report_lists_live_requests_per_item_version(sample_root: Path) -> None:
    store = StatusStore(sample_root)
    store.save(_live("payments-events", RequestState.COMPLETED, {"messaging-kafka-topic": "0.9.0"}))
    code, out = invoke(sample_root, "report", "--output", "json")
    assert code == 0, out
    (use,) = json.loads(out)["liveRequestsPerVersion"]
    assert use["id"] == "messaging-kafka-topic" and use["behind"] == 1
    assert use["versions"][0] == {"version": "0.9.0", "live": 1, "requests": ["payments-events"]}
    code, out = invoke(sample_root, "report")
    assert code == 0 and "Live requests per item version" in out
    assert "0.9.0" in out and "payments-events" in out


def test_lead_time_of_a_changed_request_is_its_creates_and_all_work_counts() -> None:
    from pac.documents.lifecycle import Operation

    status = RequestStatus(
        "r",
        RequestState.COMPLETED,
        created_at="2026-03-01T10:00:00Z",
        tasks=[
            task(
                "r/db/0",
                "rest-api",
                "platform-databases-team",
                "completed",
                "",
                "2026-03-01T10:01:00Z",
            )
        ],
    )
    status.start_revision(Operation.UPDATE, {}, "", {}, "abc", ["db.size"])
    status.tasks = [
        task(
            "r/r1/db/u",
            "jira-ticket",
            "platform-databases-team",
            "completed",
            "",
            "2026-04-01T10:00:00Z",
        )
    ]
    status.become(RequestState.COMPLETED)
    assert lead_time(status) == 60.0
    report = build_report([], [], [status])
    (team,) = report.teams
    assert (team.calls, team.tickets) == (1, 1)


def test_report_formats_html_page_and_out_file(sample_root: Path, tmp_path: Path) -> None:
    write_statuses(sample_root)
    code, as_output = invoke(sample_root, "report", "-o", "json")
    code_format, as_format = invoke(sample_root, "report", "--format", "json")
    assert code == code_format == 0
    assert json.loads(as_output)["requests"] == json.loads(as_format)["requests"]

    out = tmp_path / "report.html"
    code, said = invoke(sample_root, "report", "--format", "html", "--out", str(out))
    assert code == 0, said
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page
    assert "Promises kept per team" in page and "shop-db" in page

    code, page = invoke(sample_root, "report", "--format", "html")
    assert code == 0 and "</html>" in page

    table = tmp_path / "report.txt"
    code, said = invoke(sample_root, "report", "--out", str(table))
    assert code == 0 and said == ""
    assert "lead time (median / p90)" in table.read_text() and "\x1b[" not in table.read_text()


def test_report_refuses_formats_that_disagree_and_an_unwritable_out(
    sample_root: Path, tmp_path: Path
) -> None:
    code, out = invoke(sample_root, "report", "--format", "html", "-o", "json")
    assert code == 2
    assert "--format html and --output json disagree" in out
    code, out = invoke(sample_root, "report", "--format", "pdf")
    assert code == 2 and "Traceback" not in out
    code, out = invoke(
        sample_root, "report", "--format", "html", "--out", str(tmp_path / "no/such/r.html")
    )
    assert code == 2
    assert "cannot write" in out and "folder that exists" in out
    assert "Traceback" not in out
