"""Lead time, measured honestly (SPEC §6.7): from the commit that added a request file to
the moment its resources were ready, split into review, freeze and fulfilment.

- review: the commit's author time until it landed on the main branch (`lead:` in the
  status, recorded from git when `pac apply` first saw the request);
- freeze: time spent `deferred` by a change freeze, until the next run took it up;
- fulfilment: the rest, until the last task finished (a ticket: when it was resolved).

Without git times (a shallow clone, a status older than them) a request is measured
from when pac first took it up, and says so. A day-2 revision (a change, an upgrade) is
measured from its own start; a decommission is not lead time at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from pac.documents.lifecycle import Operation
from pac.records.events import EventKind
from pac.records.states import RequestState
from pac.records.status import RequestStatus, TaskStatus

# A revision that has not reached one of these is still on its way: it has an age.
_ENDED = frozenset({RequestState.COMPLETED, RequestState.ABORTED, RequestState.DECOMMISSIONED})
_DEFERRED_NOTE = "deferred by the change freeze"  # `pac apply`'s note before events existed


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 timestamp as status files write it; None when absent or unreadable."""
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _span(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


@dataclass(frozen=True)
class LeadTime:
    """One revision of one request, measured. Seconds throughout."""

    request: str
    revision: int
    operation: Operation
    state: RequestState
    started: dt.datetime  # the request's commit, else when pac took it up
    finished: dt.datetime | None  # ready: None while it is not
    review: float | None  # None when git could not tell (and for day-2 revisions)
    freeze: float
    target: float | None  # the item's leadTimeTarget
    from_git: bool
    over: bool = False  # a revision a later one followed: whatever its state, it ended

    @property
    def completed(self) -> bool:
        return self.state is RequestState.COMPLETED and self.finished is not None

    @property
    def open(self) -> bool:
        return not self.over and self.state not in _ENDED

    @cached_property
    def total(self) -> float | None:
        return _span(self.started, self.finished) if self.completed else None

    @cached_property
    def fulfilment(self) -> float | None:
        total = self.total
        if total is None:
            return None
        return max(total - (self.review or 0.0) - self.freeze, 0.0)

    def age(self, now: dt.datetime) -> float:
        """How long it has been on its way (its lead time once it is completed)."""
        return _span(self.started, self.finished if self.completed else now) or 0.0

    def met(self, now: dt.datetime) -> bool | None:
        """The team's promise kept (True), broken (False, also while still open past it),
        or not yet decided or not made (None)."""
        if self.target is None:
            return None
        if self.completed:
            return (self.total or 0.0) <= self.target
        if self.open and self.age(now) > self.target:
            return False
        return None


@dataclass(frozen=True)
class _Stage:
    """One revision's record as the status holds it, current or over."""

    number: int
    operation: Operation
    state: RequestState
    started_at: str
    finished_at: str
    tasks: list[TaskStatus]
    over: bool = True


def _stages(status: RequestStatus) -> Iterator[_Stage]:
    for r in status.revisions:
        yield _Stage(r.number, r.operation, r.state, r.started_at, r.finished_at, r.tasks)
    started = status.started_at if status.revision else status.created_at
    yield _Stage(
        status.revision,
        status.operation,
        status.state,
        started or status.created_at,
        status.updated_at,
        status.tasks,
        over=False,
    )


def lead_times(
    status: RequestStatus, target: float | None = None, now: dt.datetime | None = None
) -> list[LeadTime]:
    """Every revision of `status` that makes or changes resources, measured."""
    moment = now or dt.datetime.now(dt.UTC)
    found = []
    for stage in _stages(status):
        if stage.operation is Operation.DECOMMISSION:
            continue
        measured = _measure(status, stage, target, moment)
        if measured is not None:
            found.append(measured)
    return found


def _measure(
    status: RequestStatus, stage: _Stage, target: float | None, now: dt.datetime
) -> LeadTime | None:
    taken_up = parse_time(stage.started_at) or parse_time(status.created_at)
    requested = landed = None
    if stage.number == 0:
        requested, landed = parse_time(status.requested_at), parse_time(status.landed_at)
    started = requested or taken_up
    if started is None:
        return None
    finished = _finished(status, stage) if stage.state is RequestState.COMPLETED else None
    review = _span(requested, landed)
    freeze = _freeze(status, stage, finished or now)
    return LeadTime(
        status.request,
        stage.number,
        stage.operation,
        stage.state,
        started,
        finished,
        review,
        freeze,
        target,
        requested is not None,
        stage.over,
    )


def _finished(status: RequestStatus, stage: _Stage) -> dt.datetime | None:
    """When the last task finished (a ticket: when its team resolved it); else when pac
    recorded the revision completed."""
    ends = [parse_time(t.resolved_at or t.finished_at) for t in stage.tasks]
    known = [end for end in ends if end is not None]
    if known:
        return max(known)
    done = [
        parse_time(e.at)
        for e in status.events
        if e.kind is EventKind.COMPLETED and e.revision == stage.number
    ]
    return max((d for d in done if d), default=None) or parse_time(stage.finished_at)


def _freeze(status: RequestStatus, stage: _Stage, until: dt.datetime) -> float:
    """Seconds the revision spent deferred: from each deferral to the next moment pac took
    it up again (a task starting, a later note), or `until` while it still waits."""
    held = [
        parse_time(e.at)
        for e in status.events
        if e.kind is EventKind.DEFERRED and e.revision == stage.number
    ]
    if not any(e.kind is EventKind.DEFERRED for e in status.events) and stage.number == 0:
        held = [parse_time(h.get("at", "")) for h in _deferral_notes(status.history)]
    resumed = sorted(
        moment
        for moment in (
            *(parse_time(t.started_at) for t in stage.tasks),
            *(parse_time(h.get("at", "")) for h in status.history if not _is_deferral(h)),
        )
        if moment is not None
    )
    total = 0.0
    for start in sorted(h for h in held if h is not None):
        end = next((m for m in resumed if m > start), until)
        total += _span(start, min(end, until)) or 0.0
    return total


def _deferral_notes(history: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    return [h for h in history if _is_deferral(h)]


def _is_deferral(note: dict[str, str]) -> bool:
    return note.get("event", "").startswith(_DEFERRED_NOTE)


def lead_time(status: RequestStatus) -> float | None:
    """Seconds from the request's commit (or pac first taking it up) to its create's
    completion; None until then. Later revisions are not part of getting it."""
    first = next((m for m in lead_times(status) if m.revision == 0), None)
    return first.total if first else None
