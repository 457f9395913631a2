"""What `pac apply` says about its run once it is over: a line a request acted on, the
summary line for the whole run, and the notes on requests that will be carried on."""

from __future__ import annotations

from collections.abc import Callable

from pac.fulfilment.executor import Outcome
from pac.fulfilment.policy import Step
from pac.records.states import RequestState

_WAITS = (Step.WAITING, Step.DEFER)
_UNCHANGED = (Step.NOTHING,)

LEASE_LOST_NOTE = (
    "another pac apply took the lease on the upstream over during this run (see the "
    "warning below): requests it had not finished stopped before their next ticket or "
    "call; they are not failed, and that run (or the next) carries on\n"
)


def _untouched(outcome: Outcome) -> bool:
    # Nothing was done for a request not started or whose status pac would not read.
    return outcome.unavailable or outcome.unreadable


def _acted(o: Outcome) -> bool:
    return o.step not in (*_UNCHANGED, *_WAITS, Step.HELD) and not _untouched(o)


def _held(o: Outcome) -> bool:
    return o.step is Step.HELD


def _waiting(o: Outcome) -> bool:
    # A change freeze, a retry nobody asked for yet, or a team's open ticket.
    return (o.step in _WAITS or o.state is RequestState.WAITING) and not o.failed


def _failed(o: Outcome) -> bool:
    return o.failed and not o.unavailable


def _pending(o: Outcome) -> bool:
    return o.pending and not o.unavailable and not o.lease_lost


def _unavailable(o: Outcome) -> bool:
    return o.unavailable


def _stopped(o: Outcome) -> bool:
    return o.lease_lost


def _unchanged(o: Outcome) -> bool:
    return o.step in _UNCHANGED


def _created(o: Outcome) -> int:
    return len(o.created)


def _adopted(o: Outcome) -> int:
    return len(o.adopted)


# The summary line in order: (wording, what counts for an outcome, shown even when 0).
_PARTS: tuple[tuple[str, Callable[[Outcome], int], bool], ...] = (
    ("{} request(s) acted on", _acted, True),
    ("{} ticket(s) created", _created, True),
    ("{} found from an earlier run", _adopted, False),
    ("{} failed", _failed, True),
    ("{} not started (tickets unavailable)", _unavailable, False),
    ("{} pending after a transient fault", _pending, False),
    ("{} stopped (lease taken over)", _stopped, False),
    ("{} waiting", _waiting, False),
    ("{} held (a change pac will not apply; see why above)", _held, False),
    ("{} unchanged", _unchanged, True),
)


def summary_line(outcomes: list[Outcome]) -> str:
    """One line for the whole run; a request that only waits (a change freeze, a retry
    nobody asked for yet) was not acted on, and tickets found from an earlier run count."""
    counts = [(wording, sum(map(count, outcomes)), always) for wording, count, always in _PARTS]
    return ", ".join(wording.format(n) for wording, n, always in counts if always or n) + "\n"


def pending_note(outcomes: list[Outcome]) -> str:
    """Why requests held by a transient fault are not failed, or "" when there are none."""
    pending = sum(map(_pending, outcomes))
    if not pending:
        return ""
    return (
        f"{pending} request(s) met a transient fault (JIRA or a service unavailable); "
        "they are not failed: the next run (at the latest the hourly one) tries again\n"
    )


def run_report(outcomes: list[Outcome]) -> str:
    """Everything printed after the run: each request acted on, the summary and notes."""
    lines = [f"{o.request_id}: {o.summary}\n" for o in outcomes if o.step != Step.NOTHING]
    lines.append(summary_line(outcomes))
    if any(map(_stopped, outcomes)):
        lines.append(LEASE_LOST_NOTE)
    lines.append(pending_note(outcomes))
    return "".join(lines)
