"""One task's record in a status file: its state, attempts, what it made, and its error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pac.records.states import TaskState, check_task


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
    # Where the ticket lives ("outbox" or "jira": it is read from the backend that made it)
    # and what the last run's look-up found (SPEC §6.7).
    ticket_backend: str = ""
    ticket_status: str = ""  # JIRA's status name, e.g. "In Progress"
    ticket_assignee: str = ""
    resolution: str = ""  # e.g. "Done", "Won't Do"; set once the ticket is resolved
    resolved_at: str = ""
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
            data["ticket"] = {"key": self.ticket_key, "url": self.ticket_url} | _ticket_facts(self)
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
        if self.transient_failures or self.transient_error:
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
            ticket_backend=str(ticket.get("backend", "")),
            ticket_status=str(ticket.get("status", "")),
            ticket_assignee=str(ticket.get("assignee", "")),
            resolution=str(ticket.get("resolution", "")),
            resolved_at=str(ticket.get("resolvedAt", "")),
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


def _ticket_facts(task: TaskStatus) -> dict[str, str]:
    facts = {
        "backend": task.ticket_backend,
        "status": task.ticket_status,
        "assignee": task.ticket_assignee,
        "resolution": task.resolution,
        "resolvedAt": task.resolved_at,
    }
    return {k: v for k, v in facts.items() if v}
