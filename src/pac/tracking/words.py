"""Where a request stands, in one line a developer understands (SPEC §6.7).

"waiting on platform-databases-team: DBA-12 In Progress, assigned to Kim, 3 days of the
promised 2"; "ready: completed in 2 hours (promised 4 hours)"; "failed at database: …".
The time counts from when the request was asked for against its item's `leadTimeTarget`.
"""

from __future__ import annotations

import datetime as dt

from pac.documents.durations import in_words
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus, parse_time
from pac.tracking.live import LiveTickets

NOT_APPLIED = "waiting for pac apply: it has not run for this request yet"


def started(status: RequestStatus) -> dt.datetime | None:
    """When the developer asked: the commit adding the request file, else when pac first
    wrote its status; a later revision counts from when it started."""
    if status.revision and status.started_at:
        return parse_time(status.started_at)
    return parse_time(status.requested_at) or parse_time(status.created_at)


def finished(status: RequestStatus) -> dt.datetime | None:
    """When the current revision was done: its last task's end, else the last write."""
    ends = [t.finished_at for t in status.tasks if t.finished_at]
    return parse_time(max(ends)) if ends else parse_time(status.updated_at)


def against_target(elapsed: float, target: float | None, *, done: bool = False) -> str:
    """`3 days of the promised 2`, `3 days, over the promised 2 days`, or the time alone;
    done: `2 hours (promised 4 hours)`."""
    spent = in_words(elapsed)
    if target is None:
        return spent if done else f"open for {spent}"
    promised = in_words(target)
    if done:
        over = "over the " if elapsed > target else ""
        return f"{spent} ({over}promised {promised})"
    if elapsed > target:
        return f"{spent}, over the promised {promised}"
    # "3 days of the promised 5": the unit is said once when both share it.
    if _unit(spent) == _unit(promised):
        promised = promised.split()[0]
    return f"{spent} of the promised {promised}"


def _unit(words: str) -> str:
    return words.rsplit(maxsplit=1)[-1].removesuffix("s")


def request_words(
    status: RequestStatus,
    tickets: LiveTickets,
    target: float | None,
    now: dt.datetime,
) -> str:
    """The one line for `status`, told in the developer's words."""
    begun = started(status)
    elapsed = (now - begun).total_seconds() if begun else None
    state = status.state
    if state is RequestState.WAITING:
        return _waiting(status, tickets, target, elapsed)
    if state is RequestState.COMPLETED:
        end = finished(status)
        if begun is None or end is None:
            return "ready: completed"
        took = against_target((end - begun).total_seconds(), target, done=True)
        return f"ready: completed in {took}"
    if state is RequestState.FAILED:
        return _failed(status)
    return _other(status, tickets, target, elapsed)


def _other(
    status: RequestStatus, tickets: LiveTickets, target: float | None, elapsed: float | None
) -> str:
    state = status.state
    if state is RequestState.DEFERRED:
        window = status.deferred_window or "a change freeze"
        until = f" until {status.deferred_until}" if status.deferred_until else ""
        return f"deferred by the change freeze '{window}'{until}: the first run after it applies it"
    if state is RequestState.DECOMMISSIONED:
        return "decommissioned" + (f": {status.reason}" if status.reason else "")
    if state is RequestState.ABORTED:
        return "aborted: nothing more is done for it (operations.abort)"
    if state is RequestState.ESCALATED:
        failed = next((t for t in status.tasks if t.error is not None), None)
        team = _team(failed) if failed else ""
        handed = f" to {team}" if team else ""
        return f"escalated{handed}: a person finishes it from the ticket(s)" + _open(
            status, tickets
        )
    held = next((t for t in status.tasks if t.transient_error), None)
    if held is not None:
        return f"held at {held.component}: {held.transient_error}; the next pac apply tries again"
    done = sum(1 for t in status.tasks if t.state is TaskState.COMPLETED)
    steps = f"{done} of {len(status.tasks)} steps done" if status.tasks else "starting"
    time = f", {against_target(elapsed, target)}" if elapsed is not None else ""
    word = "being retried" if state is RequestState.RETRYING else "being fulfilled"
    return f"{word} by pac apply: {steps}{time}"


def _open(status: RequestStatus, tickets: LiveTickets) -> str:
    shown = [s.words() for t in status.tasks if (s := tickets.of(t)) is not None]
    return f" ({'; '.join(shown)})" if shown else ""


def _team(task: TaskStatus) -> str:
    return task.owner_team or task.owner_contact or ""


def _waiting(
    status: RequestStatus, tickets: LiveTickets, target: float | None, elapsed: float | None
) -> str:
    waiting = [t for t in status.tasks if t.state is TaskState.WAITING]
    time = f", {against_target(elapsed, target)}" if elapsed is not None else ""
    if not waiting:
        return f"waiting{time}"
    parts: dict[str, list[str]] = {}
    steps: dict[str, list[str]] = {}  # what is waited for -> the steps waiting for it
    for task in waiting:
        ticket = tickets.of(task)
        if ticket is not None:
            parts.setdefault(_team(task) or "its team", []).append(ticket.words())
            continue
        link = task.refs.get("url") or task.refs.get("pullRequest") or ""
        blocker = waits_for(status, task) or f"its run to finish {link}".strip()
        if task.component not in steps.setdefault(blocker, []):
            steps[blocker].append(task.component)
    said = [f"waiting on {team}: {', '.join(shown)}" for team, shown in parts.items()]
    after = [_steps_wait(components, blocker) for blocker, components in steps.items()]
    if not said:
        return "; ".join(after) + time
    return "; ".join(said) + time + "".join(f"; {a}" for a in after)


def _steps_wait(components: list[str], blocker: str) -> str:
    """`the app step waits for DBA-12`, `the secrets and app steps wait for DBA-12`."""
    if len(components) == 1:
        return f"the {components[0]} step waits for {blocker}"
    named = ", ".join(components[:-1]) + f" and {components[-1]}"
    return f"the {named} steps wait for {blocker}"


def waits_for(status: RequestStatus, task: TaskStatus) -> str:
    """The ticket a ticket-less waiting step waits for, as its `refs` name it (by the
    ticket's key, or by the task that has the ticket)."""
    keys = {t.key: t.ticket_key for t in status.tasks if t.ticket_key}
    tickets = set(keys.values())
    found = []
    for value in task.refs.values():
        for part in value.replace(";", ",").split(","):
            name = part.strip()
            if name in tickets:
                found.append(name)
            elif name in keys:
                found.append(keys[name])
    return ", ".join(dict.fromkeys(found))


def _failed(status: RequestStatus) -> str:
    failed = next((t for t in status.tasks if t.state is TaskState.FAILED), None)
    failed = failed or next((t for t in status.tasks if t.error is not None), None)
    if failed is None or failed.error is None:
        return "failed"
    error = failed.error
    said = f"failed at {failed.component}: {error.message}"
    if error.hint:
        said += f" — {error.hint.rstrip('. ')}"
    if error.contact:
        said += f", ask {error.contact}"
    return said


def outputs(status: RequestStatus) -> list[tuple[str, str]]:
    """What the request made that a developer uses (endpoints, URLs), as recorded: secrets
    are already masked there."""
    return sorted(status.recorded_outputs().items())
