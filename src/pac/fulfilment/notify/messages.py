"""What a notification says, in pac's own plain words (SPEC §6.7).

Messages are built from the status (request id, state, offering, team, ticket key,
outputs as recorded, secrets already masked), never from a template a requester could
write. Anything that came from a file or a remote service (an error text, an output value,
a decommission reason) is neutralised for every channel's format: no control characters,
and none of the characters Slack, Teams, Markdown or HTML make links or mentions from.
"""

from __future__ import annotations

import re

from pac.documents.durations import in_words
from pac.documents.model import Offering
from pac.fulfilment.notify.channel import Message
from pac.records.events import Event, EventKind
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, parse_time

_MARKUP = str.maketrans({"<": "‹", ">": "›", "[": "(", "]": ")", "`": "'", "|": "/", "\\": "/"})
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")
VALUE_LIMIT = 200

_TITLES = {
    EventKind.WAITING: "waits",
    EventKind.COMPLETED: "is ready",
    EventKind.FAILED: "failed",
    EventKind.ESCALATED: "was escalated",
    EventKind.DEFERRED: "is held by a change freeze",
    EventKind.DECOMMISSIONED: "was decommissioned",
    EventKind.TARGET_MISSED: "is past its lead-time target",
}


def plain(text: str) -> str:
    """`text` from a file or a service, safe in any channel's format, on one line."""
    flat = _CONTROL.sub(" ", str(text)).translate(_MARKUP).strip()
    return flat if len(flat) <= VALUE_LIMIT else flat[: VALUE_LIMIT - 1] + "…"


def compose(status: RequestStatus, event: Event, offering: Offering | None, link: str) -> Message:
    """The message for `event` of `status`; `link` is the status page, '' when unknown."""
    rid = plain(status.request)
    current = event.revision == status.revision and _still(status, event.kind)
    line = _LINES[event.kind](status, event, offering) if current else ""
    if not line:
        said = f": {plain(event.detail)}" if event.detail else ""
        line = f"{rid} {_TITLES[event.kind]}{said}"
    tail = [f"Status: {link}"] if link else []
    tail.append(f"Event: {event.id}")
    return Message(f"{rid} {_TITLES[event.kind]}", "\n".join([line, *tail]), event.id)


def _still(status: RequestStatus, kind: EventKind) -> bool:
    """The status still shows what the event reports, so its tasks can say more."""
    if kind is EventKind.TARGET_MISSED:
        return True
    return EventKind.entering(status.state) is kind


def _promise(offering: Offering | None) -> float | None:
    return offering.lead_time_target if offering is not None else None


def started(status: RequestStatus) -> str:
    """When the lead time of the current revision started: the request's commit, else
    pac's first record of it (a later revision: when it started)."""
    if status.revision:
        return status.started_at or status.created_at
    return status.requested_at or status.created_at


def _elapsed(status: RequestStatus, until: str) -> float | None:
    start, end = parse_time(started(status)), parse_time(until)
    return (end - start).total_seconds() if start and end else None


def _completed(status: RequestStatus, event: Event, offering: Offering | None) -> str:
    name = plain(status.target_id)
    took = _elapsed(status, event.at)
    line = f"{plain(status.request)} is ready: {name} completed"
    if took is not None:
        line += f" in {in_words(took)}"
    target = _promise(offering)
    if target is not None:
        line += f" (promised {in_words(target)})"
    outputs = status.outputs()
    if outputs:
        line += ". Outputs: " + ", ".join(f"{plain(k)} {plain(v)}" for k, v in outputs.items())
    return line


def _waiting(status: RequestStatus, event: Event, offering: Offering | None) -> str:
    parts = []
    for task in status.tasks:
        if task.state is not TaskState.WAITING:
            continue
        team = plain(task.owner_team or (offering.owner.team if offering else ""))
        if task.ticket_key:
            state = f" ({plain(task.ticket_status)})" if task.ticket_status else ""
            parts.append(f"{team}: {plain(task.ticket_key)}{state}")
        else:
            parts.append(f"{plain(task.label or task.key)} (under way)")
    return f"{plain(status.request)} waits on " + "; ".join(parts) if parts else ""


def _failed(status: RequestStatus, event: Event, offering: Offering | None) -> str:
    task = next((t for t in status.tasks if t.state is TaskState.FAILED), None)
    if task is None or task.error is None:
        return ""
    ask = task.error.contact or task.owner_contact or task.owner_team
    line = f"{plain(status.request)} failed at {plain(task.label or task.key)}: "
    line += plain(task.error.message)
    return line + (f" — ask {plain(ask)}" if ask else "")


def _escalated(status: RequestStatus, event: Event, offering: Offering | None) -> str:
    who = offering.owner.describe() if offering else ""
    detail = f": {plain(event.detail)}" if event.detail else ""
    return f"{plain(status.request)} was escalated to {plain(who)}{detail}" if who else ""


def _deferred(status: RequestStatus, event: Event, offering: Offering | None) -> str:
    if not status.deferred_window:
        return ""
    until = f" until {plain(status.deferred_until)}" if status.deferred_until else ""
    window = plain(status.deferred_window)
    return f"{plain(status.request)} is held by the change freeze {window}{until}"


def _decommissioned(status: RequestStatus, event: Event, offering: Offering | None) -> str:
    why = f" ({plain(status.reason)})" if status.reason else ""
    return f"{plain(status.request)} was decommissioned{why}: its resources are gone"


def _target_missed(status: RequestStatus, event: Event, offering: Offering | None) -> str:
    target, took = _promise(offering), _elapsed(status, event.at)
    if target is None or took is None:
        return ""
    state = "waits" if status.state is RequestState.WAITING else status.state.value
    return (
        f"{plain(status.request)} has been open {in_words(took)}, past the {in_words(target)} "
        f"{plain(status.target_id)} promises (now: {state})"
    )


_LINES = {
    EventKind.WAITING: _waiting,
    EventKind.COMPLETED: _completed,
    EventKind.FAILED: _failed,
    EventKind.ESCALATED: _escalated,
    EventKind.DEFERRED: _deferred,
    EventKind.DECOMMISSIONED: _decommissioned,
    EventKind.TARGET_MISSED: _target_missed,
}
