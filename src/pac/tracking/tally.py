"""Counting `pac report`'s figures from the catalog, the request files and the status files
`pac apply` writes: nothing is sent anywhere and nothing is cached.

Request-level figures (volume, lead time, targets, failure rate) count for the team that
owns the offering asked for; task-level ones (tickets, calls, failed tasks) for the team
that owns each task. Failures are every one ever recorded: a status's `failed` events
(never truncated), or for statuses older than events, the failed tasks of its revisions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pac.documents.action_types import Makes, action_kind
from pac.documents.files import Role
from pac.documents.layout import REQUESTS
from pac.documents.model import CatalogItem, Offering, Priority, Request
from pac.documents.repository import Repository
from pac.git import added_and_landed
from pac.records.events import EventKind
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.tracking.figures import Failure, OfferingFigures, Report, Requests, TeamFigures
from pac.tracking.leadtime import LeadTime, lead_times, parse_time
from pac.tracking.versions import live_versions

# A request that has a request file but no status yet is waiting for `pac apply`.
AWAITING_APPLY = "awaiting apply"
_STATE_ORDER = {state: index for index, state in enumerate((AWAITING_APPLY, *RequestState))}


def _seconds(start: str, end: str) -> float | None:
    begun, ended = parse_time(start), parse_time(end)
    if begun is None or ended is None:
        return None
    return max((ended - begun).total_seconds(), 0.0)


def _by_a_person(action_type: str) -> bool:
    # A type pac knows nothing about (a hand-edited status file) counts as a ticket, as
    # it always has: only what the catalog says runs unattended counts as automated.
    kind = action_kind(action_type)
    return kind is None or kind.makes is Makes.TICKET


def _revision_tasks(status: RequestStatus) -> dict[int, list[TaskStatus]]:
    tasks = {r.number: r.tasks for r in status.revisions}
    tasks[status.revision] = status.tasks
    return tasks


def failures_of(status: RequestStatus, team: str, contact: str) -> list[Failure]:
    """Every failure ever recorded for `status`, newest last: its failed tasks, and the
    failures later retried away that only its events remember (counted for the team of
    the task that was tried again, else the offering's team: `team`, `contact`)."""
    found: list[Failure] = []
    for number, tasks in _revision_tasks(status).items():
        failed = [t for t in tasks if t.state is TaskState.FAILED]
        current = number == status.revision and status.state is RequestState.FAILED
        events = sorted(
            (e for e in status.events if e.kind is EventKind.FAILED and e.revision == number),
            key=lambda e: e.at,
        )
        again = next((t for t in tasks if t.attempts > 1), None)
        for event in events[: max(len(events) - len(failed), 0)]:
            found.append(
                Failure(
                    status.request,
                    (again.label or again.key) if again else "",
                    (again.owner_team if again else "") or team,
                    (again.owner_contact if again else "") or contact,
                    event.detail or "failed; tried again afterwards",
                    event.at,
                    retried=True,
                )
            )
        found.extend(_failure(status, task, retried=not current) for task in failed)
    return found


def _failure(status: RequestStatus, task: TaskStatus, retried: bool) -> Failure:
    error = task.error
    return Failure(
        status.request,
        task.label or task.key,
        task.owner_team,
        error.contact if error else task.owner_contact,
        error.message if error else "",
        task.finished_at or status.updated_at,
        retried,
    )


def _team(teams: dict[str, TeamFigures], name: str, contact: str) -> TeamFigures:
    key = name or "unknown"
    team = teams.setdefault(key, TeamFigures(key, contact))
    team.contact = team.contact or contact
    return team


@dataclass
class _Tally:
    """The figures as they are counted, offering by offering and status by status."""

    since: dt.date | None
    now: dt.datetime
    git_times: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    teams: dict[str, TeamFigures] = field(default_factory=dict)
    by_offering: dict[str, OfferingFigures] = field(default_factory=dict)
    states: Counter[str] = field(default_factory=Counter)
    asked: Requests = field(default_factory=Requests)
    measures: list[LeadTime] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    emergencies: int = 0
    retried: int = 0
    applied: set[str] = field(default_factory=set)

    def offering(self, offered: Offering) -> None:
        team = _team(self.teams, offered.owner.team, offered.owner.contact)
        if isinstance(offered, CatalogItem):
            team.items += 1
            team.automatic_items += offered.mode == "automatic"
        else:
            team.bundles += 1
        self.by_offering[offered.id] = OfferingFigures(
            offered.id, offered.owner.team, offered.lead_time_target
        )

    def _figures(self, target_id: str) -> OfferingFigures:
        return self.by_offering.setdefault(target_id, OfferingFigures(target_id, ""))

    def _counts(self, status: RequestStatus) -> bool:
        started = parse_time(status.created_at)
        return self.since is None or (started is not None and started.date() >= self.since)

    def status(self, status: RequestStatus) -> None:
        self.applied.add(status.request)
        if not self._counts(status):
            return
        if not status.requested_at and status.request in self.git_times:
            requested, landed = self.git_times[status.request]
            status = replace(status, requested_at=requested, landed_at=landed)
        self.states[status.state.value] += 1
        self.emergencies += status.priority is Priority.EMERGENCY
        self.retried += status.handled_retry > 0
        offering = self._figures(status.target_id)
        offering.requests += 1
        # An offering the catalog no longer has: its requests count for no team.
        owner = _team(self.teams, offering.team, "") if offering.team else None
        measures = lead_times(status, offering.target, self.now)
        self.measures.extend(measures)
        failures = failures_of(status, offering.team, owner.contact if owner else "")
        self.failures.extend(failures)
        for asked in (self.asked, offering.asked, *([owner.asked] if owner else [])):
            asked.taken_up += 1
            asked.completed += status.state is RequestState.COMPLETED
            asked.failed_now += status.state is RequestState.FAILED
            asked.failed_ever += bool(failures)
            asked.failures += len(failures)
            asked.measures.extend(measures)
        for failure in failures:
            _team(self.teams, failure.team, failure.contact).failures += 1
        # Every revision's work counts for its team, the day-2 changes as much as the create.
        for task in [*(t for r in status.revisions for t in r.tasks), *status.tasks]:
            self._task(offering, task)

    def _task(self, offering: OfferingFigures, task: TaskStatus) -> None:
        team = _team(self.teams, task.owner_team, task.owner_contact)
        if task.state is not TaskState.COMPLETED:
            return
        for work in (team.work, offering.work):
            if _by_a_person(task.action):
                work.tickets += 1
            else:
                work.calls += 1
        took = _seconds(task.started_at, task.finished_at)
        if took is not None:
            team.durations.append(took)

    def request(self, request: Request) -> None:
        if request.id not in self.applied:
            self.states[AWAITING_APPLY] += 1
            self._figures(request.target_id).requests += 1

    def report(self, recent_failures: int) -> Report:
        failures = sorted(self.failures, key=lambda f: (f.at, f.request), reverse=True)
        states = sorted(self.states.items(), key=lambda kv: (_STATE_ORDER.get(kv[0], 99), kv[0]))
        return Report(
            since=self.since,
            now=self.now,
            states=dict(states),
            measures=self.measures,
            teams=sorted(self.teams.values(), key=lambda t: t.team),
            offerings=sorted(
                (o for o in self.by_offering.values() if o.requests),
                key=lambda o: (-o.requests, o.id),
            ),
            failures=failures[:recent_failures],
            asked=self.asked,
            emergencies=self.emergencies,
            retried=self.retried,
        )


def git_times(root: Path, files: Mapping[str, Path]) -> dict[str, tuple[str, str]]:
    """(requested, landed) per request id (`files`: id -> its request file) from git for
    the request files under `root`'s requests folder: the same few git calls for two or
    two thousand requests."""
    folder = (root / REQUESTS).resolve()
    times = added_and_landed(folder) if folder.is_dir() else {}
    found = {}
    for request_id, path in files.items():
        try:
            relative = path.resolve().relative_to(folder).as_posix()
        except ValueError:
            continue
        if relative in times:
            found[request_id] = times[relative]
    return found


def build_report(
    offerings: Iterable[Offering],
    requests: Iterable[Request],
    statuses: Iterable[RequestStatus],
    since: dt.date | None = None,
    recent_failures: int = 10,
    now: dt.datetime | None = None,
    times: Mapping[str, tuple[str, str]] | None = None,
) -> Report:
    """The figures for the catalog, its requests and their statuses.

    With `since`, only requests pac first took up on or after that day count; requests
    still waiting for `pac apply` always count, as they are what is waiting now. `times`
    (see `git_times`) fills the commit times of statuses written before pac recorded them.
    """
    tally = _Tally(since, now or dt.datetime.now(dt.UTC), times or {})
    offered_list = list(offerings)
    for offered in offered_list:
        tally.offering(offered)
    # Statuses before requests: a request counts as awaiting apply only without one.
    status_list = list(statuses)
    for status in status_list:
        tally.status(status)
    for request in requests:
        tally.request(request)
    report = tally.report(recent_failures)
    # What is live now, whatever `since` says: it is what an upgrade would touch.
    report.versions = live_versions(offered_list, status_list)
    return report


def report_of(
    repo: Repository, statuses: list[RequestStatus], since: dt.date | None = None
) -> Report:
    """`pac report`'s figures for the repository and its (already read) statuses.

    A request file is named by its id, so only those no status tells about are loaded (to
    count them as awaiting apply, by what they ask for); git is asked for commit times
    once, and only when some status was written before apply recorded them.
    """
    files = {path.stem: path for path in repo.files(Role.REQUEST)}
    seen = {s.request for s in statuses}
    unapplied = [
        request
        for path in files.values()
        if path.stem not in seen and isinstance(request := repo.load(path).model, Request)
    ]
    times = {} if all(s.requested_at for s in statuses) else git_times(repo.root, files)
    offerings = [*repo.items(), *repo.bundles()]
    return build_report(offerings, unapplied, statuses, since, times=times)
