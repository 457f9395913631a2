"""What happened to a request that people are told about (SPEC §6.7): its events.

An event is recorded in the status file in the same write as the state change it reports,
so it exists exactly once however often a run is killed and re-run; each channel it is
routed to marks it as sent there. Failures are never removed from this list, so the report
counts every failure ever recorded, also of requests that were later retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pac.records.states import RequestState


class EventKind(StrEnum):
    """The state changes (and the one promise broken) that are worth telling someone."""

    WAITING = "waiting"
    COMPLETED = "completed"
    FAILED = "failed"
    ESCALATED = "escalated"
    DEFERRED = "deferred"
    DECOMMISSIONED = "decommissioned"
    TARGET_MISSED = "target-missed"  # open longer than the item's leadTimeTarget

    @classmethod
    def entering(cls, state: RequestState) -> EventKind | None:
        """The event entering `state` records, or None when nobody is told of it."""
        return _ENTERING.get(state)


_ENTERING = {
    state: EventKind(state.value) for state in RequestState if state.value in set(EventKind)
}


@dataclass
class Event:
    """One event: `id` is stable (request, revision, kind, count), so a re-run that makes
    the same transition again after its status was lost names the same event."""

    id: str
    kind: EventKind
    at: str
    revision: int = 0
    detail: str = ""  # one line in plain words, secrets masked
    sent: dict[str, str] = field(default_factory=dict)  # channel -> when it was sent there
    errors: dict[str, str] = field(default_factory=dict)  # channel -> its last failure

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "at": self.at,
            "revision": self.revision,
        }
        if self.detail:
            data["detail"] = self.detail
        if self.sent:
            data["sent"] = dict(self.sent)
        if self.errors:
            data["errors"] = dict(self.errors)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        return cls(
            id=str(data.get("id", "")),
            kind=EventKind(str(data.get("kind", EventKind.WAITING))),
            at=str(data.get("at", "")),
            revision=int(data.get("revision", 0)),
            detail=str(data.get("detail", "")),
            sent={str(k): str(v) for k, v in (data.get("sent") or {}).items()},
            errors={str(k): str(v) for k, v in (data.get("errors") or {}).items()},
        )


def read_events(data: Any) -> list[Event]:
    return [Event.from_dict(e) for e in data or [] if isinstance(e, Mapping)]


def merge_events(ours: list[Event], theirs: list[Event]) -> list[Event]:
    """Two runs' events of one request: each id once, sent wherever either run sent it, so
    a merge of statuses neither loses an event nor sends one again."""
    merged = {e.id: Event.from_dict(e.as_dict()) for e in ours}
    for event in theirs:
        mine = merged.setdefault(event.id, Event.from_dict(event.as_dict()))
        mine.sent = {**event.sent, **mine.sent}
        mine.errors = {
            k: v for k, v in {**event.errors, **mine.errors}.items() if k not in mine.sent
        }
    return sorted(merged.values(), key=lambda e: (e.at, e.id))
