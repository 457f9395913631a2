"""Figures for leaders (`pac report`): how fast requests are fulfilled, how much of the
work is automated, and where requests fail, per owning team.

Everything is read from the repository itself: the catalog, the request files and the
status files `pac apply` writes. Nothing is sent anywhere and nothing is cached.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pac.documents.action_types import Makes, action_kind
from pac.documents.model import CatalogItem, Offering, Priority, Request
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus

# A request that has a request file but no status yet is waiting for `pac apply`.
AWAITING_APPLY = "awaiting apply"


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 timestamp as status files write it; None when absent or unreadable."""
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Durations:
    """Seconds: how many, the median, the 90th percentile and the longest."""

    count: int = 0
    median: float | None = None
    p90: float | None = None
    longest: float | None = None

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Durations:
        ordered = sorted(seconds)
        if not ordered:
            return cls()
        return cls(len(ordered), _percentile(ordered, 50), _percentile(ordered, 90), ordered[-1])

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "medianSeconds": self.median,
            "p90Seconds": self.p90,
            "longestSeconds": self.longest,
        }


def _percentile(ordered: list[float], percent: int) -> float:
    """Nearest-rank percentile: always one of the measured values, never an invented one."""
    rank = max(math.ceil(percent / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass
class TeamFigures:
    team: str
    contact: str = ""
    items: int = 0
    automatic_items: int = 0
    bundles: int = 0
    tickets: int = 0  # completed tasks that made a ticket: work a person picks up
    calls: int = 0  # completed tasks of any other type: work done without a person
    failures: int = 0
    durations: list[float] = field(default_factory=list, repr=False)

    @property
    def automation(self) -> float | None:
        done = self.tickets + self.calls
        return self.calls / done if done else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "contact": self.contact,
            "offerings": {
                "items": self.items,
                "automaticItems": self.automatic_items,
                "bundles": self.bundles,
            },
            "tasks": {
                "tickets": self.tickets,
                "calls": self.calls,
                "failed": self.failures,
                "automation": self.automation,
            },
            "taskTime": Durations.of(self.durations).as_dict(),
        }


@dataclass
class OfferingFigures:
    id: str
    team: str
    requests: int = 0
    completed: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team": self.team,
            "requests": self.requests,
            "completed": self.completed,
            "failed": self.failed,
        }


@dataclass(frozen=True)
class Failure:
    request: str
    task: str
    team: str
    contact: str
    message: str
    at: str

    def as_dict(self) -> dict[str, str]:
        return {
            "request": self.request,
            "task": self.task,
            "team": self.team,
            "contact": self.contact,
            "message": self.message,
            "at": self.at,
        }


def versions_in_use(status: RequestStatus) -> dict[str, str] | None:
    """The item (and bundle) versions a live request's resources were last fulfilled with;
    None when it is not live: decommissioned, or no revision of it ever completed.

    A revision still running, failed or deferred has not changed the resources yet, so
    the last completed one tells which versions they are on.
    """
    if status.state is RequestState.DECOMMISSIONED:
        return None
    if status.state is RequestState.COMPLETED:
        return {status.target_id: status.target_version} | status.item_versions
    done = next((r for r in reversed(status.revisions) if r.fulfilled), None)
    return {status.target_id: status.target_version} | done.item_versions if done else None


@dataclass
class VersionUse:
    """Live requests on each version of one offering (SPEC §6.6): what `pac upgrade` moves."""

    id: str
    team: str = ""
    catalog_version: str = ""
    requests: dict[str, list[str]] = field(default_factory=dict)  # version -> request ids

    @property
    def live(self) -> int:
        return sum(len(ids) for ids in self.requests.values())

    @property
    def behind(self) -> int:
        """Live requests on another version than the catalog's."""
        return sum(len(ids) for v, ids in self.requests.items() if v != self.catalog_version)

    def ordered(self) -> list[tuple[str, list[str]]]:
        """Newest version first (versions that are not semantic, last)."""
        return sorted(self.requests.items(), key=lambda kv: _version_key(kv[0]), reverse=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team": self.team,
            "catalogVersion": self.catalog_version,
            "live": self.live,
            "behind": self.behind,
            "versions": [
                {"version": version, "live": len(ids), "requests": sorted(ids)}
                for version, ids in self.ordered()
            ],
        }


def _version_key(text: str) -> tuple[int, ...]:
    numbers = text.split("-", 1)[0].split(".")
    if not all(n.isdigit() for n in numbers):
        return (-1,)
    return tuple(int(n) for n in numbers)


def live_versions(
    offerings: Iterable[Offering], statuses: Iterable[RequestStatus]
) -> list[VersionUse]:
    """For each offering that live requests use (directly or as a bundle component), how
    many are on each version, with their ids; offerings in catalog order, then any the
    catalog no longer has."""
    uses = {o.id: VersionUse(o.id, o.owner.team, o.version) for o in offerings}
    for status in statuses:
        for offering_id, version in (versions_in_use(status) or {}).items():
            if not offering_id:
                continue
            use = uses.setdefault(offering_id, VersionUse(offering_id))
            use.requests.setdefault(version, []).append(status.request)
    return [use for use in uses.values() if use.requests]


@dataclass
class Report:
    since: dt.date | None
    states: dict[str, int]
    lead_time: Durations
    teams: list[TeamFigures]
    offerings: list[OfferingFigures]
    failures: list[Failure]
    emergencies: int = 0
    retried: int = 0
    versions: list[VersionUse] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.states.values())

    @property
    def automation(self) -> float | None:
        tickets = sum(t.tickets for t in self.teams)
        calls = sum(t.calls for t in self.teams)
        return calls / (tickets + calls) if tickets + calls else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "requests": {
                "total": self.requests,
                "byState": dict(self.states),
                "emergency": self.emergencies,
                "retried": self.retried,
            },
            "leadTime": self.lead_time.as_dict(),
            "automation": self.automation,
            "teams": [t.as_dict() for t in self.teams],
            "offerings": [o.as_dict() for o in self.offerings],
            "recentFailures": [f.as_dict() for f in self.failures],
            "liveRequestsPerVersion": [v.as_dict() for v in self.versions],
        }


def lead_time(status: RequestStatus) -> float | None:
    """Seconds from pac first taking up a completed request to its last task finishing:
    the time every team's work was in hand, which used to take weeks of tickets."""
    # The create's: later revisions (changes, upgrades) are not part of getting it.
    create = status.revisions[0] if status.revisions else None
    if (create.state if create else status.state) is not RequestState.COMPLETED:
        return None
    start = parse_time(status.created_at)
    ends = [parse_time(t.finished_at) for t in (create.tasks if create else status.tasks)]
    finished = [end for end in ends if end is not None]
    if start is None or not finished:
        return None
    return max((max(finished) - start).total_seconds(), 0.0)


def _seconds(start: str, end: str) -> float | None:
    begun, ended = parse_time(start), parse_time(end)
    if begun is None or ended is None:
        return None
    return max((ended - begun).total_seconds(), 0.0)


def _failure(status: RequestStatus, task: TaskStatus) -> Failure:
    error = task.error
    return Failure(
        status.request,
        task.label or task.key,
        task.owner_team,
        error.contact if error else task.owner_contact,
        error.message if error else "",
        task.finished_at or status.updated_at,
    )


_STATE_ORDER = {state: index for index, state in enumerate((AWAITING_APPLY, *RequestState))}


@dataclass
class _Tally:
    """The figures as they are counted, offering by offering and status by status."""

    since: dt.date | None
    teams: dict[str, TeamFigures] = field(default_factory=dict)
    by_offering: dict[str, OfferingFigures] = field(default_factory=dict)
    states: Counter[str] = field(default_factory=Counter)
    lead: list[float] = field(default_factory=list)
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
        self.by_offering[offered.id] = OfferingFigures(offered.id, offered.owner.team)

    def _figures(self, target_id: str) -> OfferingFigures:
        return self.by_offering.setdefault(target_id, OfferingFigures(target_id, ""))

    def _counts(self, status: RequestStatus) -> bool:
        started = parse_time(status.created_at)
        return self.since is None or (started is not None and started.date() >= self.since)

    def status(self, status: RequestStatus) -> None:
        self.applied.add(status.request)
        if not self._counts(status):
            return
        self.states[status.state.value] += 1
        self.emergencies += status.priority is Priority.EMERGENCY
        self.retried += status.handled_retry > 0
        offering = self._figures(status.target_id)
        offering.requests += 1
        offering.completed += status.state is RequestState.COMPLETED
        offering.failed += status.state is RequestState.FAILED
        took = lead_time(status)
        if took is not None:
            self.lead.append(took)
        # Every revision's work counts for its team, the day-2 changes as much as the create.
        for task in [*(t for r in status.revisions for t in r.tasks), *status.tasks]:
            self._task(status, task)

    def _task(self, status: RequestStatus, task: TaskStatus) -> None:
        team = _team(self.teams, task.owner_team, task.owner_contact)
        if task.state is TaskState.COMPLETED:
            if _by_a_person(task.action):
                team.tickets += 1
            else:
                team.calls += 1
            took = _seconds(task.started_at, task.finished_at)
            if took is not None:
                team.durations.append(took)
        elif task.state is TaskState.FAILED:
            team.failures += 1
            self.failures.append(_failure(status, task))

    def request(self, request: Request) -> None:
        if request.id not in self.applied:
            self.states[AWAITING_APPLY] += 1
            self._figures(request.target_id).requests += 1

    def report(self, recent_failures: int) -> Report:
        failures = sorted(self.failures, key=lambda f: (f.at, f.request), reverse=True)
        states = sorted(self.states.items(), key=lambda kv: (_STATE_ORDER.get(kv[0], 99), kv[0]))
        return Report(
            since=self.since,
            states=dict(states),
            lead_time=Durations.of(self.lead),
            teams=sorted(self.teams.values(), key=lambda t: t.team),
            offerings=sorted(
                (o for o in self.by_offering.values() if o.requests),
                key=lambda o: (-o.requests, o.id),
            ),
            failures=failures[:recent_failures],
            emergencies=self.emergencies,
            retried=self.retried,
        )


def build_report(
    offerings: Iterable[Offering],
    requests: Iterable[Request],
    statuses: Iterable[RequestStatus],
    since: dt.date | None = None,
    recent_failures: int = 10,
) -> Report:
    """The figures for the catalog, its requests and their statuses.

    With `since`, only requests pac first took up on or after that day count; requests
    still waiting for `pac apply` always count, as they are what is waiting now.
    """
    tally = _Tally(since)
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


def _by_a_person(action_type: str) -> bool:
    # A type pac knows nothing about (a hand-edited status file) counts as a ticket, as
    # it always has: only what the catalog says runs unattended counts as automated.
    kind = action_kind(action_type)
    return kind is None or kind.makes is Makes.TICKET


def _team(teams: dict[str, TeamFigures], name: str, contact: str) -> TeamFigures:
    key = name or "unknown"
    team = teams.setdefault(key, TeamFigures(key, contact))
    team.contact = team.contact or contact
    return team


def humanise(seconds: float | None) -> str:
    """A duration as people read it: 42 s, 7 min, 3.5 h, 12 d."""
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def summary_rows(report: Report) -> Mapping[str, str]:
    """The headline figures, in the order people ask for them."""
    lead = report.lead_time
    return {
        "requests": str(report.requests),
        "by state": ", ".join(f"{state} {count}" for state, count in report.states.items()) or "-",
        "lead time (median / p90)": f"{humanise(lead.median)} / {humanise(lead.p90)}",
        "work automated": percent(report.automation),
        "emergency requests": str(report.emergencies),
        "retried requests": str(report.retried),
    }


def short_ids(ids: Iterable[str], shown: int = 3) -> str:
    """A few request ids and how many more: `a, b, c and 4 more`."""
    ordered = sorted(ids)
    more = len(ordered) - shown
    return ", ".join(ordered[:shown]) + (f" and {more} more" if more > 0 else "")


def version_rows(use: VersionUse) -> list[tuple[str, str, str]]:
    """(version, live count, ids) per version, newest first; the catalog's marked."""
    return [
        (
            version + (" (catalog)" if version == use.catalog_version else ""),
            str(len(ids)),
            short_ids(ids),
        )
        for version, ids in use.ordered()
    ]


def live_versions_of(offering: Offering, statuses: Iterable[RequestStatus]) -> VersionUse:
    """`pac catalog show`'s count: the live requests on each version of one offering."""
    found = [u for u in live_versions([offering], statuses) if u.id == offering.id]
    return found[0] if found else VersionUse(offering.id, offering.owner.team, offering.version)
