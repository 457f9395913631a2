"""The figures of `pac report`, as counted: durations, targets met, failures, per owning
team, per offering and per week, each with the stable dictionary shape its JSON has."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pac.tracking.leadtime import LeadTime
from pac.tracking.versions import VersionUse


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


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Targets:
    """Promises kept: `met` of `measured` (completed with a target, or open past it)."""

    met: int = 0
    measured: int = 0

    @property
    def share(self) -> float | None:
        return share(self.met, self.measured)

    @classmethod
    def of(cls, measures: Iterable[LeadTime], now: dt.datetime) -> Targets:
        verdicts = [m.met(now) for m in measures]
        decided = [v for v in verdicts if v is not None]
        return cls(sum(decided), len(decided))

    def as_dict(self) -> dict[str, Any]:
        return {"met": self.met, "measured": self.measured, "share": self.share}


@dataclass(frozen=True)
class LeadTimes:
    """Lead time of completed revisions and its three parts; the age of open ones."""

    total: Durations
    review: Durations
    freeze: Durations
    fulfilment: Durations
    open: Durations
    without_git_times: int
    # Where the time went: each part's share of all completed lead time (None: nothing).
    shares: dict[str, float | None] = field(default_factory=dict)

    @classmethod
    def of(cls, measures: list[LeadTime], now: dt.datetime) -> LeadTimes:
        done = [m for m in measures if m.completed]
        return cls(
            Durations.of(_known(m.total for m in done)),
            Durations.of(_known(m.review for m in done)),
            Durations.of(m.freeze for m in done),
            Durations.of(_known(m.fulfilment for m in done)),
            Durations.of(m.age(now) for m in measures if m.open),
            sum(1 for m in measures if m.revision == 0 and not m.from_git),
            _shares(done),
        )

    def as_dict(self) -> dict[str, Any]:
        # The total's keys at the top, as the report has always had them.
        return self.total.as_dict() | {
            "review": self.review.as_dict(),
            "freeze": self.freeze.as_dict(),
            "fulfilment": self.fulfilment.as_dict(),
            "openAge": self.open.as_dict(),
            "withoutGitTimes": self.without_git_times,
            "shares": dict(self.shares),
        }


def _known(seconds: Iterable[float | None]) -> Iterator[float]:
    """The parts that could be measured (a review without git's times cannot)."""
    return (s for s in seconds if s is not None)


def _shares(done: list[LeadTime]) -> dict[str, float | None]:
    """Each part's share of all completed lead time; None each when there is none."""
    parts = {
        "review": sum(_known(m.review for m in done)),
        "freeze": sum(m.freeze for m in done),
        "fulfilment": sum(_known(m.fulfilment for m in done)),
    }
    whole = sum(parts.values())
    return {name: (part / whole if whole else None) for name, part in parts.items()}


@dataclass
class Requests:
    """What happened to the requests of one team's or one offering's: volume, lead time,
    failures (every one ever recorded, also those later retried)."""

    taken_up: int = 0  # with a status: pac has seen them
    completed: int = 0
    failed_now: int = 0
    failed_ever: int = 0  # requests that failed at least once
    failures: int = 0  # failures ever recorded
    measures: list[LeadTime] = field(default_factory=list, repr=False)

    @property
    def failure_rate(self) -> float | None:
        return share(self.failed_ever, self.taken_up)

    def as_dict(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "takenUp": self.taken_up,
            "completed": self.completed,
            "failedNow": self.failed_now,
            "failedEver": self.failed_ever,
            "failures": self.failures,
            "failureRate": self.failure_rate,
            "leadTime": LeadTimes.of(self.measures, now).as_dict(),
            "targets": Targets.of(self.measures, now).as_dict(),
        }


@dataclass
class Work:
    """Completed tasks: tickets (a person picks them up) and calls (done unattended)."""

    tickets: int = 0
    calls: int = 0

    @property
    def automation(self) -> float | None:
        return share(self.calls, self.tickets + self.calls)


@dataclass
class TeamFigures:
    team: str
    contact: str = ""
    items: int = 0
    automatic_items: int = 0
    bundles: int = 0
    work: Work = field(default_factory=Work)
    failures: int = 0  # failed tasks of this team's, every one ever recorded
    durations: list[float] = field(default_factory=list, repr=False)
    asked: Requests = field(default_factory=Requests)  # requests for its offerings

    @property
    def tickets(self) -> int:
        return self.work.tickets

    @property
    def calls(self) -> int:
        return self.work.calls

    @property
    def automation(self) -> float | None:
        return self.work.automation

    def as_dict(self, now: dt.datetime) -> dict[str, Any]:
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
            "requests": self.asked.as_dict(now),
        }


@dataclass
class OfferingFigures:
    id: str
    team: str
    target: float | None = None  # leadTimeTarget, seconds
    requests: int = 0  # request files and statuses, awaiting apply included
    asked: Requests = field(default_factory=Requests)
    work: Work = field(default_factory=Work)

    @property
    def completed(self) -> int:
        return self.asked.completed

    @property
    def failed(self) -> int:
        return self.asked.failed_now

    def as_dict(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "team": self.team,
            "requests": self.requests,
            "completed": self.completed,
            "failed": self.failed,
            "leadTimeTargetSeconds": self.target,
            "automation": self.work.automation,
        } | {k: v for k, v in self.asked.as_dict(now).items() if k not in ("completed",)}


@dataclass(frozen=True)
class Failure:
    request: str
    task: str
    team: str
    contact: str
    message: str
    at: str
    retried: bool = False  # tried again since: the request went on

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "task": self.task,
            "team": self.team,
            "contact": self.contact,
            "message": self.message,
            "at": self.at,
            "retried": self.retried,
        }


@dataclass(frozen=True)
class Week:
    """Revisions completed in one ISO week (Monday first): their lead time."""

    start: dt.date
    lead_time: Durations
    targets: Targets

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.label,
            "start": self.start.isoformat(),
            "leadTime": self.lead_time.as_dict(),
            "targets": self.targets.as_dict(),
        }


def weeks(measures: Iterable[LeadTime], now: dt.datetime) -> list[Week]:
    """Completed revisions by the week they completed in, oldest first, empty weeks left
    out (a gap in the chart is a week nothing finished)."""
    by_week: dict[dt.date, list[LeadTime]] = {}
    for m in measures:
        if m.completed and m.finished is not None:
            day = m.finished.date()
            by_week.setdefault(day - dt.timedelta(days=day.weekday()), []).append(m)
    return [
        Week(
            start, Durations.of(m.total for m in done if m.total is not None), Targets.of(done, now)
        )
        for start, done in sorted(by_week.items())
    ]


@dataclass
class Report:
    since: dt.date | None
    now: dt.datetime
    states: dict[str, int]
    measures: list[LeadTime]
    teams: list[TeamFigures]
    offerings: list[OfferingFigures]
    failures: list[Failure]
    asked: Requests = field(default_factory=Requests)
    emergencies: int = 0
    retried: int = 0
    versions: list[VersionUse] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.states.values())

    @property
    def lead_time(self) -> Durations:
        return self.lead_times.total

    @property
    def lead_times(self) -> LeadTimes:
        return LeadTimes.of(self.measures, self.now)

    @property
    def targets(self) -> Targets:
        return Targets.of(self.measures, self.now)

    @property
    def weeks(self) -> list[Week]:
        return weeks(self.measures, self.now)

    @property
    def automation(self) -> float | None:
        tickets = sum(t.tickets for t in self.teams)
        calls = sum(t.calls for t in self.teams)
        return share(calls, tickets + calls)

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "requests": {
                "total": self.requests,
                "byState": dict(self.states),
                "emergency": self.emergencies,
                "retried": self.retried,
            },
            "leadTime": self.lead_times.as_dict(),
            "targets": self.targets.as_dict(),
            "failures": {
                "count": self.asked.failures,
                "requestsFailed": self.asked.failed_ever,
                "rate": self.asked.failure_rate,
            },
            "automation": self.automation,
            "teams": [t.as_dict(self.now) for t in self.teams],
            "offerings": [o.as_dict(self.now) for o in self.offerings],
            "weeks": [w.as_dict() for w in self.weeks],
            "recentFailures": [f.as_dict() for f in self.failures],
            "liveRequestsPerVersion": [v.as_dict() for v in self.versions],
        }
