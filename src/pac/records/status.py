"""The status store: `requests/.status/<id>.yaml`, written only by `pac apply` (SPEC §6.2).

Every write replaces the whole file atomically (temporary file, fsync, rename), so a run
killed at any instant leaves either the previous status or the new one, never a torn file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pac.documents.lifecycle import Operation
from pac.documents.model import Priority
from pac.records.events import Event, EventKind, read_events
from pac.records.states import RequestState, TaskState, check_request
from pac.records.task import Attempt, Effect, Known, TaskError, TaskStatus

# Tasks' records live in `records.task`; most readers take them from here with the rest.
__all__ = [
    "Attempt",
    "Effect",
    "Event",
    "EventKind",
    "Known",
    "RequestStatus",
    "Revision",
    "TaskError",
    "TaskStatus",
    "now_text",
    "parse_time",
    "precise_now_text",
]


def now_text() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def precise_now_text() -> str:
    """Now to the microsecond: an intent's time bounds a wait of a second or two."""
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass
class Revision:
    """A revision that is over (SPEC §6.6): what it did, with which versions, and its tasks.

    The status keeps them as history; `.output` of later revisions starts from their
    outputs, and `.previous` from the input of the last one that was fulfilled.
    """

    number: int
    operation: Operation
    state: RequestState
    input: dict[str, Any]
    item_versions: dict[str, str]
    catalog_revision: str = ""
    changed_fields: list[str] = field(default_factory=list)
    reason: str = ""
    started_at: str = ""
    finished_at: str = ""
    tasks: list[TaskStatus] = field(default_factory=list)

    @property
    def fulfilled(self) -> bool:
        return self.state is RequestState.COMPLETED

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "revision": self.number,
            "operation": self.operation.value,
            "state": self.state.value,
            "itemVersions": dict(self.item_versions),
            "catalogRevision": self.catalog_revision,
            "input": self.input,
        }
        if self.changed_fields:
            data["changedFields"] = list(self.changed_fields)
        if self.reason:
            data["reason"] = self.reason
        data |= {"startedAt": self.started_at, "finishedAt": self.finished_at}
        data["tasks"] = [t.as_dict() for t in self.tasks]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Revision:
        return cls(
            number=int(data.get("revision", 0)),
            operation=Operation(str(data.get("operation", Operation.CREATE))),
            state=RequestState(str(data.get("state", RequestState.COMPLETED))),
            input=dict(data.get("input") or {}),
            item_versions={str(k): str(v) for k, v in (data.get("itemVersions") or {}).items()},
            catalog_revision=str(data.get("catalogRevision", "")),
            changed_fields=[str(f) for f in data.get("changedFields") or []],
            reason=str(data.get("reason", "")),
            started_at=str(data.get("startedAt", "")),
            finished_at=str(data.get("finishedAt", "")),
            tasks=[TaskStatus.from_dict(t) for t in data.get("tasks") or []],
        )


@dataclass
class RequestStatus:
    request: str
    state: RequestState = RequestState.SUBMITTED
    target_kind: str = ""
    target_id: str = ""
    target_version: str = ""
    catalog_revision: str = ""
    item_versions: dict[str, str] = field(default_factory=dict)
    input_digest: str = ""
    priority: Priority = Priority.NORMAL
    system: dict[str, Any] = field(default_factory=dict)
    handled_retry: int = 0
    escalating: str = ""  # the failed task an escalation started from, until it is done
    deferred_window: str = ""
    deferred_until: str = ""
    created_at: str = ""
    updated_at: str = ""
    tasks: list[TaskStatus] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)
    # Two runs that did one task twice (two tickets, two effects): what was not kept.
    duplicates: list[dict[str, str]] = field(default_factory=list)
    # The current revision (SPEC §6.6): 0 is the create; `tasks` are its tasks.
    revision: int = 0
    operation: Operation = Operation.CREATE
    input: dict[str, Any] = field(default_factory=dict)  # effective input, as it started
    changed_fields: list[str] = field(default_factory=list)
    reason: str = ""  # a decommission's reason
    started_at: str = ""
    revisions: list[Revision] = field(default_factory=list)  # the ones that are over
    # What people were told, or are still to be told (SPEC §6.7); never truncated.
    events: list[Event] = field(default_factory=list)
    # Lead time's ends before pac: when the commit adding the request file was made, and
    # when it landed on the main branch (review); both ISO 8601, '' when git could not say.
    requested_at: str = ""
    landed_at: str = ""

    def task(self, key: str) -> TaskStatus | None:
        return next((t for t in self.tasks if t.key == key), None)

    @property
    def fulfilled_input(self) -> dict[str, Any] | None:
        """The input as the last fulfilled revision left it (`.previous`), if any is known."""
        if self.state is RequestState.COMPLETED and self.input:
            return self.input
        done = next((r for r in reversed(self.revisions) if r.fulfilled and r.input), None)
        return done.input if done else None

    def recorded_outputs(self) -> dict[str, str]:
        """`.output` as every revision so far left it: later revisions start from it."""
        merged: dict[str, str] = {}
        for revision in self.revisions:
            for task in revision.tasks:
                if task.state is TaskState.COMPLETED:
                    merged.update(task.outputs)
        return merged | self.outputs()

    def start_revision(
        self,
        operation: Operation,
        effective_input: Mapping[str, Any],
        digest: str,
        item_versions: Mapping[str, str],
        catalog_revision: str,
        changed_fields: list[str] | None = None,
        reason: str = "",
    ) -> None:
        """Keep the revision that is over as history and begin the next one, with no tasks
        yet. Saved in one write, so a run killed after it resumes the new revision."""
        self.revisions.append(
            Revision(
                self.revision,
                self.operation,
                self.state,
                dict(self.input),
                dict(self.item_versions),
                self.catalog_revision,
                list(self.changed_fields),
                self.reason,
                self.started_at or self.created_at,
                self.updated_at,
                self.tasks,
            )
        )
        self.revision += 1
        self.operation = operation
        self.input = dict(effective_input)
        self.input_digest = digest
        self.item_versions = dict(item_versions)
        self.catalog_revision = catalog_revision
        self.changed_fields = list(changed_fields or [])
        self.reason = reason
        self.started_at = now_text()
        self.tasks = []
        self.system = {}
        self.escalating = ""
        self.become(RequestState.PROCESSING)
        self.note(f"revision {self.revision} started: {operation.value}")

    def become(self, state: RequestState, detail: str = "") -> None:
        """Move to `state` as SPEC §6.2 allows; `TransitionError` otherwise. Entering a
        state people are told about records its event (`detail`: one line, masked)."""
        before, self.state = self.state, check_request(self.state, state, self.request)
        kind = EventKind.entering(state)
        if before is state or kind is None:
            return
        latest = next((e for e in reversed(self.events) if e.revision == self.revision), None)
        # Following a waiting request moves it through processing each run: people are
        # told it waits once per revision, not once an hour.
        if kind is EventKind.WAITING and latest is not None and latest.kind is kind:
            return
        self.record_event(kind, detail)

    def adopt_state(self, state: RequestState) -> None:
        """Take the state two runs' records of this request reached together (a merge).

        No transition and no event: each run reached its state by allowed steps of its own
        and recorded its own events, which the merge keeps; this only says where they ended.
        """
        self.state = state

    def record_event(self, kind: EventKind, detail: str = "") -> Event:
        """Record that `kind` happened in this revision; its id counts its kind in it."""
        same = [e for e in self.events if e.kind is kind and e.revision == self.revision]
        event = Event(
            f"{self.request}/r{self.revision}/{kind.value}/{len(same) + 1}",
            kind,
            now_text(),
            self.revision,
            detail,
        )
        self.events.append(event)
        return event

    def failures(self) -> int:
        """Every failure ever recorded, also those later retried (SPEC §6.7)."""
        return sum(1 for e in self.events if e.kind is EventKind.FAILED)

    def note(self, event: str) -> None:
        """Keep a short trail of what happened, for people reading the status."""
        self.history.append({"at": now_text(), "event": event})
        del self.history[:-50]

    def outputs(self) -> dict[str, str]:
        """`.output` as completed tasks left it, in execution order."""
        merged: dict[str, str] = {}
        for task in self.tasks:
            if task.state is TaskState.COMPLETED:
                merged.update(task.outputs)
        return merged

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "request": self.request,
            "state": self.state.value,
            "target": {
                "kind": self.target_kind,
                "id": self.target_id,
                "version": self.target_version,
            },
            "catalogRevision": self.catalog_revision,
            "itemVersions": dict(self.item_versions),
            "inputDigest": self.input_digest,
            "priority": self.priority.value,
            "operations": {"retryHandled": self.handled_retry}
            | ({"escalating": self.escalating} if self.escalating else {}),
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }
        if self.deferred_window:
            data["deferred"] = {"window": self.deferred_window, "until": self.deferred_until}
        if self.system:
            data["system"] = dict(self.system)
        data["tasks"] = [t.as_dict() for t in self.tasks]
        if self.duplicates:
            data["duplicates"] = [dict(d) for d in self.duplicates]
        data |= self._revision_dict()
        if self.requested_at or self.landed_at:
            data["lead"] = {"requestedAt": self.requested_at, "landedAt": self.landed_at}
        if self.events:
            data["events"] = [e.as_dict() for e in self.events]
        data["history"] = list(self.history)
        return data

    def _revision_dict(self) -> dict[str, Any]:
        """The current revision's facts; left out for a create that predates revisions'
        records, so such status files read back unchanged."""
        data: dict[str, Any] = {}
        if self.revision or self.input:
            data["revision"] = {
                "number": self.revision,
                "operation": self.operation.value,
                "startedAt": self.started_at,
                "input": self.input,
            }
            if self.changed_fields:
                data["revision"]["changedFields"] = list(self.changed_fields)
            if self.reason:
                data["revision"]["reason"] = self.reason
        if self.revisions:
            data["revisions"] = [r.as_dict() for r in self.revisions]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RequestStatus:
        target = data.get("target") or {}
        deferred = data.get("deferred") or {}
        operations = data.get("operations") or {}
        return cls(
            request=str(data["request"]),
            state=RequestState(str(data.get("state", RequestState.SUBMITTED))),
            target_kind=str(target.get("kind", "")),
            target_id=str(target.get("id", "")),
            target_version=str(target.get("version", "")),
            catalog_revision=str(data.get("catalogRevision", "")),
            item_versions={str(k): str(v) for k, v in (data.get("itemVersions") or {}).items()},
            input_digest=str(data.get("inputDigest", "")),
            priority=Priority(str(data.get("priority", Priority.NORMAL))),
            system=dict(data.get("system") or {}),
            handled_retry=int(operations.get("retryHandled", 0)),
            escalating=str(operations.get("escalating", "")),
            deferred_window=str(deferred.get("window", "")),
            deferred_until=str(deferred.get("until", "")),
            created_at=str(data.get("createdAt", "")),
            updated_at=str(data.get("updatedAt", "")),
            tasks=[TaskStatus.from_dict(t) for t in data.get("tasks") or []],
            history=[dict(h) for h in data.get("history") or []],
            duplicates=[
                {str(k): str(v) for k, v in d.items()}
                for d in data.get("duplicates") or []
                if isinstance(d, Mapping)
            ],
            **_revision_fields(data),
            events=read_events(data.get("events")),
            requested_at=str((data.get("lead") or {}).get("requestedAt", "")),
            landed_at=str((data.get("lead") or {}).get("landedAt", "")),
        )


def _revision_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    current = data.get("revision") or {}
    return {
        "revision": int(current.get("number", 0)),
        "operation": Operation(str(current.get("operation", Operation.CREATE))),
        "input": dict(current.get("input") or {}),
        "changed_fields": [str(f) for f in current.get("changedFields") or []],
        "reason": str(current.get("reason", "")),
        "started_at": str(current.get("startedAt", "")),
        "revisions": [Revision.from_dict(r) for r in data.get("revisions") or []],
    }
