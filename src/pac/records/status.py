"""The status store: `requests/.status/<id>.yaml`, written only by `pac apply` (SPEC §6.2).

Every write replaces the whole file atomically (temporary file, fsync, rename), so a run
killed at any instant leaves either the previous status or the new one, never a torn file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pac.documents.lifecycle import Operation
from pac.documents.model import Priority
from pac.records.states import RequestState, TaskState, check_request, check_task


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


class Effect(StrEnum):
    """What an attempt was about to do to the outside world."""

    CREATE_TICKET = "create-ticket"
    CALL = "call"
    DISPATCH = "dispatch"  # a workflow run started; `key` is the dispatch id it carried


class Known(StrEnum):
    """What is known about the outcome of the last attempt (SPEC §6.4)."""

    SENT = "sent"  # recorded before sending; a run killed before the answer leaves this
    UNKNOWN = "unknown"  # sent, but the answer was lost (timeout, connection dropped)
    TRANSIENT = "transient"  # answered "not now" (5xx, 408, 429), or never reached
    REFUSED = "refused"  # answered that it failed for good: nothing was done
    DONE = "done"  # answered that it was done


@dataclass
class Attempt:
    """The last create or call of a task, written before it is sent.

    `key` is the Idempotency-Key it was sent with, so every re-run of an attempt whose
    outcome is not known to be a failure sends the same one.
    """

    effect: Effect
    at: str
    known: Known = Known.SENT
    key: str = ""

    @property
    def maybe_done(self) -> bool:
        """The target may have done the work: never do it again under another key."""
        return self.known is not Known.REFUSED

    def as_dict(self) -> dict[str, str]:
        data = {"effect": self.effect.value, "at": self.at, "known": self.known.value}
        return data | ({"key": self.key} if self.key else {})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attempt:
        return cls(
            Effect(str(data["effect"])),
            str(data.get("at", "")),
            Known(str(data.get("known", Known.SENT.value))),
            str(data.get("key", "")),
        )


@dataclass
class TaskError:
    message: str
    hint: str = ""
    contact: str = ""  # the owning team, to escalate to

    def as_dict(self) -> dict[str, str]:
        return {"message": self.message, "hint": self.hint, "contact": self.contact}


@dataclass
class TaskStatus:
    key: str
    component: str
    catalog_item: str
    action: str
    strategy: str
    index: int
    label: str = ""
    owner_team: str = ""
    owner_contact: str = ""
    state: TaskState = TaskState.PENDING
    attempts: int = 0
    started_at: str = ""
    finished_at: str = ""
    ticket_key: str = ""
    ticket_url: str = ""
    http_status: int = 0
    http_method: str = ""
    http_url: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    error: TaskError | None = None
    attempt: Attempt | None = None
    transient_failures: int = 0  # runs in a row that met a transient fault
    transient_error: str = ""  # the last of them, masked
    # What the task made outside pac and a later run finds again: commit, branch, pull
    # request, workflow run (its id, URL and when it was dispatched).
    refs: dict[str, str] = field(default_factory=dict)

    def become(self, state: TaskState) -> None:
        """Move to `state` as SPEC §6.2 allows; `TransitionError` otherwise."""
        self.state = check_task(self.state, state, self.key)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "component": self.component,
            "catalogItem": self.catalog_item,
            "action": self.action,
            "strategy": self.strategy,
            "index": self.index,
            "label": self.label,
            "owner": {"team": self.owner_team, "contact": self.owner_contact},
            "state": self.state.value,
            "attempts": self.attempts,
        }
        if self.started_at:
            data["startedAt"] = self.started_at
        if self.finished_at:
            data["finishedAt"] = self.finished_at
        if self.ticket_key:
            data["ticket"] = {"key": self.ticket_key, "url": self.ticket_url}
        if self.http_status or self.http_url:
            data["http"] = {
                "method": self.http_method,
                "url": self.http_url,
                "status": self.http_status,
            }
        if self.outputs:
            data["outputs"] = dict(self.outputs)
        if self.error is not None:
            data["error"] = self.error.as_dict()
        if self.attempt is not None:
            data["lastAttempt"] = self.attempt.as_dict()
        if self.transient_failures:
            data["transientFaults"] = {
                "count": self.transient_failures,
                "lastError": self.transient_error,
            }
        if self.refs:
            data["refs"] = dict(self.refs)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskStatus:
        owner = data.get("owner") or {}
        ticket = data.get("ticket") or {}
        http = data.get("http") or {}
        error = data.get("error")
        attempt = data.get("lastAttempt")
        transient = data.get("transientFaults") or {}
        return cls(
            key=str(data["key"]),
            component=str(data.get("component", "")),
            catalog_item=str(data.get("catalogItem", "")),
            action=str(data.get("action", "")),
            strategy=str(data.get("strategy", "")),
            index=int(data.get("index", 0)),
            label=str(data.get("label", "")),
            owner_team=str(owner.get("team", "")),
            owner_contact=str(owner.get("contact", "")),
            state=TaskState(str(data.get("state", TaskState.PENDING))),
            attempts=int(data.get("attempts", 0)),
            started_at=str(data.get("startedAt", "")),
            finished_at=str(data.get("finishedAt", "")),
            ticket_key=str(ticket.get("key", "")),
            ticket_url=str(ticket.get("url", "")),
            http_status=int(http.get("status", 0) or 0),
            http_method=str(http.get("method", "")),
            http_url=str(http.get("url", "")),
            outputs={str(k): str(v) for k, v in (data.get("outputs") or {}).items()},
            error=TaskError(
                str(error.get("message", "")),
                str(error.get("hint", "")),
                str(error.get("contact", "")),
            )
            if isinstance(error, Mapping)
            else None,
            attempt=Attempt.from_dict(attempt) if isinstance(attempt, Mapping) else None,
            transient_failures=int(transient.get("count", 0)),
            transient_error=str(transient.get("lastError", "")),
            refs={str(k): str(v) for k, v in (data.get("refs") or {}).items()},
        )


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

    def become(self, state: RequestState) -> None:
        """Move to `state` as SPEC §6.2 allows; `TransitionError` otherwise."""
        self.state = check_request(self.state, state, self.request)

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
