"""Counting the report: every failure ever recorded (retried ones too, and those of
statuses older than events), per owning team and per offering, targets met, lead time by
week, and commit times filled from one look at git for statuses that lack them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pac.documents.lifecycle import Operation
from pac.documents.repository import Repository
from pac.records.events import Event, EventKind
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskError, TaskStatus
from pac.tracking.tally import build_report, failures_of, git_times
from tests.unit.test_git import AUTHORED, MERGED, REQUEST, branch_with_request, git

NOW = dt.datetime(2026, 3, 31, tzinfo=dt.UTC)
KAFKA = "messaging-kafka-topic"  # leadTimeTarget P3D, platform-messaging-team
AURORA = "database-aurora-postgresql-standard"  # P2D, platform-databases-team


def task(key: str, team: str, state: TaskState, finished: str = "", **extra: object) -> TaskStatus:
    made = TaskStatus(
        key=key,
        component=key.split("/")[1],
        catalog_item=key.split("/")[1],
        action="rest-api",
        strategy="automatic",
        index=0,
        label=f"call for {team}",
        owner_team=team,
        owner_contact=f"{team}@company.com",
        state=state,
        attempts=1,
        started_at="2026-03-02T10:00:00Z",
        finished_at=finished,
    )
    for name, value in extra.items():
        setattr(made, name, value)
    return made


def failed_event(request: str, at: str, detail: str = "", revision: int = 0) -> Event:
    return Event(f"{request}/r{revision}/failed/{at}", EventKind.FAILED, at, revision, detail)


def retried() -> RequestStatus:
    """Failed with a 400, fixed by a pull request (operations.retry), then completed: the
    failure is only in its events now."""
    return RequestStatus(
        "shop-db",
        RequestState.COMPLETED,
        target_id=AURORA,
        created_at="2026-03-02T10:00:00Z",
        handled_retry=1,
        tasks=[
            task(
                "shop-db/db/0",
                "platform-databases-team",
                TaskState.COMPLETED,
                "2026-03-03T10:00:00Z",
                attempts=2,
            )
        ],
        events=[
            failed_event("shop-db", "2026-03-02T10:00:05Z", "POST returned 400: bad size"),
            Event("shop-db/r0/completed/1", EventKind.COMPLETED, "2026-03-03T10:00:00Z"),
        ],
    )


def failing_now() -> RequestStatus:
    return RequestStatus(
        "shop-events",
        RequestState.FAILED,
        target_id=KAFKA,
        created_at="2026-03-05T09:00:00Z",
        tasks=[
            task(
                "shop-events/topic/0",
                "platform-messaging-team",
                TaskState.FAILED,
                "2026-03-05T09:00:05Z",
                error=TaskError("POST returned 409", "Pick another name.", "msg@company.com"),
            )
        ],
        events=[failed_event("shop-events", "2026-03-05T09:00:05Z", "POST returned 409")],
    )


def before_events() -> RequestStatus:
    """Written before events existed: a create that failed (kept as revision history),
    was then decommissioned; only its archived failed task remembers the failure."""
    status = RequestStatus(
        "old-topic",
        RequestState.FAILED,
        target_id=KAFKA,
        created_at="2026-03-01T09:00:00Z",
        tasks=[task("old-topic/topic/0", "platform-messaging-team", TaskState.FAILED, "x")],
    )
    status.start_revision(Operation.DECOMMISSION, {}, "", {}, "abc")
    status.become(RequestState.DECOMMISSIONED)
    status.events = []
    return status


def test_a_failure_later_retried_still_counts(sample_repo: Repository) -> None:
    offerings = [*sample_repo.items(), *sample_repo.bundles()]
    report = build_report(offerings, [], [retried(), failing_now(), before_events()], now=NOW)
    assert report.asked.failures == 3
    assert report.asked.failed_ever == 3
    assert report.asked.failure_rate == 1.0
    data = report.as_dict()
    assert data["failures"] == {"count": 3, "requestsFailed": 3, "rate": 1.0}
    recent = {f["request"]: f for f in data["recentFailures"]}
    assert recent["shop-db"]["retried"] is True
    assert recent["shop-db"]["message"] == "POST returned 400: bad size"
    # Counted for the team of the task that was tried again.
    assert recent["shop-db"]["team"] == "platform-databases-team"
    assert recent["shop-events"]["retried"] is False
    assert recent["old-topic"]["retried"] is True
    teams = {t["team"]: t for t in data["teams"]}
    assert teams["platform-databases-team"]["tasks"]["failed"] == 1
    assert teams["platform-messaging-team"]["tasks"]["failed"] == 2
    assert teams["platform-messaging-team"]["requests"]["failureRate"] == 1.0


def test_failures_are_counted_once_when_events_and_tasks_both_tell() -> None:
    # The failed task and its event are the same failure.
    assert len(failures_of(failing_now(), "t", "c")) == 1
    twice = failing_now()
    twice.events.insert(0, failed_event("shop-events", "2026-03-04T09:00:00Z", "timeout"))
    found = failures_of(twice, "platform-messaging-team", "msg@company.com")
    assert [(f.message, f.retried) for f in found] == [
        ("timeout", True),
        ("POST returned 409", False),
    ]


def test_per_offering_and_team_lead_time_targets_and_weeks(sample_repo: Repository) -> None:
    offerings = [*sample_repo.items(), *sample_repo.bundles()]
    report = build_report(offerings, [], [retried(), failing_now()], now=NOW)
    aurora = next(o for o in report.offerings if o.id == AURORA)
    assert aurora.target == 2 * 86400
    data = aurora.as_dict(NOW)
    assert data["leadTime"]["medianSeconds"] == 86400  # a day, within the promised two
    assert data["targets"] == {"met": 1, "measured": 1, "share": 1.0}
    assert data["automation"] == 1.0
    assert data["failures"] == 1 and data["failedNow"] == 0 and data["failureRate"] == 1.0
    kafka = next(o for o in report.offerings if o.id == KAFKA).as_dict(NOW)
    assert kafka["failed"] == 1 and kafka["targets"]["measured"] == 1  # open past 3 days
    assert kafka["targets"]["met"] == 0
    databases = next(t for t in report.teams if t.team == "platform-databases-team")
    assert databases.asked.taken_up == 1 and databases.asked.completed == 1
    assert report.targets.met == 1 and report.targets.measured == 2
    (week,) = report.as_dict()["weeks"]
    assert week["week"] == "2026-W10" and week["start"] == "2026-03-02"
    assert week["leadTime"]["count"] == 1


def test_since_leaves_out_older_requests_from_every_figure(sample_repo: Repository) -> None:
    report = build_report(
        [*sample_repo.items()], [], [retried(), failing_now()], dt.date(2026, 3, 4), now=NOW
    )
    assert report.asked.taken_up == 1
    assert [f.request for f in report.failures] == ["shop-events"]


def test_commit_times_of_older_statuses_come_from_one_look_at_git(sample_git: Path) -> None:
    branch_with_request(sample_git)
    git(sample_git, "merge", "-q", "--no-ff", "add-orders", "-m", "merge orders", at=MERGED)
    files = {
        "payments-orders": sample_git / REQUEST,
        "payments-events": sample_git / "requests/payments/payments-events.yaml",
        "elsewhere": sample_git.parent / "x.yaml",
    }
    times = git_times(sample_git, files)
    assert times["payments-orders"] == (AUTHORED, MERGED)
    assert "payments-events" in times and "elsewhere" not in times
    status = RequestStatus(
        "payments-orders",
        RequestState.COMPLETED,
        target_id=KAFKA,
        created_at="2026-03-05T09:00:00Z",
        tasks=[task("payments-orders/topic/0", "t", TaskState.COMPLETED, "2026-03-05T15:30:00Z")],
    )
    report = build_report([], [], [status], now=NOW, times=times)
    (measured,) = report.measures
    assert measured.from_git and measured.review == 2 * 86400 + 6.5 * 3600
    assert status.requested_at == ""  # the status read is left as it was
    assert report.as_dict()["leadTime"]["withoutGitTimes"] == 0
    assert build_report([], [], [status], now=NOW).lead_times.without_git_times == 1
