"""A synthetic history of requests for `pac report`: the sample catalog plus copies of its
Kafka topic owned by three teams with different promises (a few dozen offerings), request
files, and the status files `pac apply` would have written over three months — reviews,
change freezes, tickets resolved after hours or days, failures (some retried), requests
still waiting, day-2 changes, and a few requests git could not date.

Deterministic for a seed, so a test can compare the page with the JSON and a benchmark is
repeatable. Statuses are written directly (no fsync per file): building is not measured.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from pac.documents.lifecycle import Operation
from pac.records.events import Event, EventKind
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskError, TaskStatus
from pac.records.store import HEADER, dump
from tests.sample import PROJECT, SAMPLE_PARTS, sample_source

KAFKA = "messaging-kafka-topic"
BUNDLE = "bundle-webapp-standard"
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
# Copies of the Kafka topic: (owning team, contact, promise).
_OWNERS = (
    ("platform-messaging-team", "messaging@company.com", "P3D"),
    ("platform-streaming-team", "streaming@company.com", "P1D"),
    ("data-platform-team", "data@company.com", "PT8H"),
)


def _stamp(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _catalog(root: Path, copies: int) -> list[tuple[str, str, str]]:
    """The sample catalog and `copies` Kafka topics; (id, team, contact) of each copy."""
    for part in ("catalog", "templates", "schema", "pac.yaml", "CODEOWNERS"):
        source = (sample_source() if part in SAMPLE_PARTS else PROJECT) / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)
    text = (sample_source() / f"catalog/messaging/{KAFKA}.yaml").read_text()
    made = []
    for index in range(copies):
        team, contact, target = _OWNERS[index % len(_OWNERS)]
        item = f"messaging-topic{index:03d}-standard"
        copy = text.replace(KAFKA, item).replace("platform-messaging-team", team)
        copy = copy.replace("messaging@company.com", contact)
        copy = copy.replace("leadTimeTarget: P3D", f"leadTimeTarget: {target}")
        (root / f"catalog/messaging/{item}.yaml").write_text(copy)
        made.append((item, team, contact))
    return made


def _task(key: str, action: str, team: str, contact: str, begun: dt.datetime) -> TaskStatus:
    return TaskStatus(
        key=key,
        component=key.split("/")[-2],
        catalog_item=key.split("/")[-2],
        action=action,
        strategy="automatic" if action == "rest-api" else "manual",
        index=0,
        label=f"{action} for {team}",
        owner_team=team,
        owner_contact=contact,
        state=TaskState.COMPLETED,
        attempts=1,
        started_at=_stamp(begun),
    )


def _tasks(request: str, target: tuple[str, str, str] | None) -> list[TaskStatus]:
    if target is None:  # the bundle: a database ticket, then two calls
        return [
            _task(
                f"{request}/database/0",
                "jira-ticket",
                "platform-databases-team",
                "dba@company.com",
                START,
            ),
            _task(
                f"{request}/secrets/0",
                "rest-api",
                "platform-security-team",
                "security@company.com",
                START,
            ),
            _task(
                f"{request}/app/0",
                "rest-api",
                "platform-compute-team",
                "compute@company.com",
                START,
            ),
        ]
    item, team, contact = target
    return [_task(f"{request}/{item}/0", "jira-ticket", team, contact, START)]


def _event(status: RequestStatus, kind: EventKind, at: dt.datetime, detail: str = "") -> None:
    same = [e for e in status.events if e.kind is kind and e.revision == status.revision]
    status.events.append(
        Event(
            f"{status.request}/r{status.revision}/{kind.value}/{len(same) + 1}",
            kind,
            _stamp(at),
            status.revision,
            detail,
        )
    )


def _status(
    rng: random.Random,
    index: int,
    count: int,
    target: tuple[str, str, str] | None,
    now: dt.datetime,
) -> RequestStatus:
    request = f"req{index:05d}"
    authored = START + dt.timedelta(days=84 * index / count, minutes=rng.randrange(600))
    landed = authored + dt.timedelta(minutes=rng.lognormvariate(5.5, 1.0))
    taken_up = landed + dt.timedelta(minutes=rng.randrange(1, 60))
    status = RequestStatus(
        request,
        RequestState.PROCESSING,
        target_kind="CatalogBundle" if target is None else "CatalogItem",
        target_id=BUNDLE if target is None else target[0],
        target_version="1.0.0",
        created_at=_stamp(taken_up),
        tasks=_tasks(request, target),
    )
    if index % 20 != 7:  # a few git could not date (statuses from a shallow clone)
        status.requested_at, status.landed_at = _stamp(authored), _stamp(landed)
    began = taken_up
    if index % 10 == 3:  # held by a change freeze for a few days
        _event(status, EventKind.DEFERRED, taken_up, "change freeze 'year end'")
        began = taken_up + dt.timedelta(hours=rng.randrange(24, 120))
    for task in status.tasks:
        task.started_at = _stamp(began)
    _fulfil(rng, index, status, began, now)
    if index % 12 == 5 and status.state is RequestState.COMPLETED:
        _change(rng, status, now)
    status.updated_at = status.events[-1].at if status.events else status.created_at
    return status


def _fulfil(
    rng: random.Random, index: int, status: RequestStatus, began: dt.datetime, now: dt.datetime
) -> None:
    """Tickets resolved after minutes to days; a failure now and then, some retried."""
    end = began
    for task in status.tasks:
        took = dt.timedelta(seconds=rng.randrange(5, 30))
        if task.action == "jira-ticket":
            took = dt.timedelta(minutes=rng.lognormvariate(6.5, 1.2))
            task.ticket_key = f"OPS-{index}"
        end = end + took
        task.finished_at = _stamp(end)
        if task.action == "jira-ticket":
            task.resolved_at, task.resolution = task.finished_at, "Done"
    if index % 25 == 11 or end > now:  # still with its team
        for task in status.tasks:
            if task.action == "jira-ticket":
                task.state, task.finished_at = TaskState.WAITING, ""
                task.resolved_at = task.resolution = ""
        status.state = RequestState.WAITING
        _event(status, EventKind.WAITING, began)
        return
    if index % 13 == 4:  # failed for good: the API said no
        failed = status.tasks[-1]
        failed.state = TaskState.FAILED
        failed.error = TaskError(
            "POST returned 409: name taken", "Pick another name.", failed.owner_contact
        )
        status.state = RequestState.FAILED
        _event(status, EventKind.FAILED, end, "POST returned 409: name taken")
        return
    if index % 9 == 2:  # failed once, retried by a pull request, then went through
        status.tasks[-1].attempts = 2
        status.handled_retry = 1
        _event(status, EventKind.FAILED, began, "rejected at first: a required field was empty")
    status.state = RequestState.COMPLETED
    _event(status, EventKind.COMPLETED, end)


def _change(rng: random.Random, status: RequestStatus, now: dt.datetime) -> None:
    """A day-2 change some weeks later, done by a change ticket."""
    later = dt.datetime.fromisoformat(status.events[-1].at) + dt.timedelta(
        days=rng.randrange(3, 30)
    )
    if later > now:
        return
    status.updated_at = status.events[-1].at
    first = status.tasks[0]
    status.start_revision(Operation.UPDATE, {}, "", {}, "abc", ["topic.partitions"])
    status.started_at = _stamp(later)
    task = _task(
        f"{status.request}/r1/change/0", "jira-ticket", first.owner_team, first.owner_contact, later
    )
    status.tasks = [task]
    done = later + dt.timedelta(hours=rng.randrange(1, 48))
    task.finished_at = task.resolved_at = _stamp(done)
    task.resolution = "Done"
    status.state = RequestState.COMPLETED
    status.events.append(
        Event(f"{status.request}/r1/completed/1", EventKind.COMPLETED, _stamp(done), 1)
    )


def build_history(
    root: Path, requests: int = 2000, copies: int = 28, seed: int = 14
) -> dt.datetime:
    """Write the history under `root` (a new folder); returns the moment it ends ("now")."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    topics = _catalog(root, copies)
    now = START + dt.timedelta(days=90)
    kafka_sample = (sample_source() / "requests/payments/payments-events.yaml").read_text()
    kafka_sample = kafka_sample.replace("    schemaFile: payments-events.avsc\n", "")
    bundle_sample = (sample_source() / "requests/payments/payments-webapp.yaml").read_text()
    statuses = root / "requests/.status"
    statuses.mkdir(parents=True)
    for index in range(requests):
        target = None if index % 3 == 0 else topics[index % len(topics)]
        request = f"req{index:05d}"
        team = f"team{index % 40:02d}"
        if target is None:
            text = bundle_sample.replace("payments-webapp", request)
        else:
            text = kafka_sample.replace("payments-events", request).replace(KAFKA, target[0])
        folder = root / "requests" / team
        folder.mkdir(exist_ok=True)
        (folder / f"{request}.yaml").write_text(text.replace("team: payments", f"team: {team}"))
        if index % 50 == 49:
            continue  # merged, not yet taken up by `pac apply`
        status = _status(rng, index, requests, target, now)
        (statuses / f"{request}.yaml").write_text(HEADER + dump(status.as_dict()))
    return now
