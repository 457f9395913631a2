"""Request and task states, and which state may follow which (SPEC §6.2).

Both are `StrEnum`s: a state is written into status files and outputs as its plain value,
so files written before the states were typed read back unchanged.
"""

from __future__ import annotations

from enum import StrEnum

from pac.errors import PacError


class TransitionError(PacError):
    """pac tried to move a request or task into a state that may not follow its own.

    A bug in pac, never a user mistake: the status stays as it was.
    """

    exit_code = 1


class RequestState(StrEnum):
    """Where a request stands: submitted → processing → completed, or failed and then
    retrying, aborted or escalated; waiting while a step outside pac (a workflow run) is
    under way and later runs follow it; deferred while a change freeze holds it;
    decommissioned at the end of its life. A completed request starts a new revision
    (processing again) when its request file changes it (SPEC §6.6)."""

    SUBMITTED = "submitted"
    PROCESSING = "processing"
    WAITING = "waiting"
    COMPLETED = "completed"
    FAILED = "failed"
    RETRYING = "retrying"
    ABORTED = "aborted"
    ESCALATED = "escalated"
    DEFERRED = "deferred"
    DECOMMISSIONED = "decommissioned"

    @property
    def final(self) -> bool:
        """The revision's run is over: only a change of the request file starts another."""
        return self in _FINAL

    @property
    def settled(self) -> bool:
        """A run left it here: no run is working on it (`pac status --wait` stops)."""
        return self in _SETTLED

    def can_become(self, other: RequestState) -> bool:
        return other in _REQUEST_NEXT[self]


class NoState(StrEnum):
    """What pac shows where a request's state would be when it has none to read."""

    NEW = "new"  # no run has touched the request: it has no status file yet
    UNREADABLE = "unreadable"  # its status file is there but cannot be read


# What pac found of a request before a run (and what `pac plan` shows): a state, or why none.
Found = RequestState | NoState


class TaskState(StrEnum):
    """Where one task stands; `completed` is final, which is what makes it exactly once."""

    PENDING = "pending"
    PROCESSING = "processing"
    WAITING = "waiting"  # started something outside pac that later runs follow to its end
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def rank(self) -> int:
        """How far a task got: of two runs' records of one task, the higher one is kept."""
        return _TASK_RANK[self]

    @property
    def open(self) -> bool:
        """Still to be done in this run (abort and failure skip these)."""
        return self in (TaskState.PENDING, TaskState.PROCESSING, TaskState.WAITING)

    def can_become(self, other: TaskState) -> bool:
        return other in _TASK_NEXT[self]


_FINAL = frozenset(
    {
        RequestState.COMPLETED,
        RequestState.ABORTED,
        RequestState.ESCALATED,
        RequestState.DECOMMISSIONED,
    }
)
_SETTLED = _FINAL | {RequestState.FAILED, RequestState.DEFERRED, RequestState.WAITING}

_R = RequestState
# A freeze may catch a run that began nothing (→ deferred); a failed request whose retry
# or escalation waits for a freeze stays failed (failed → failed). A new revision (a
# change, an upgrade, a decommission) starts from where the last one ended (→ processing,
# or deferred by a freeze); only a decommissioned request never moves again.
_REQUEST_NEXT: dict[RequestState, frozenset[RequestState]] = {
    _R.SUBMITTED: frozenset({_R.PROCESSING, _R.DEFERRED, _R.ABORTED, _R.FAILED}),
    _R.DEFERRED: frozenset({_R.PROCESSING, _R.DEFERRED, _R.ABORTED, _R.FAILED}),
    _R.PROCESSING: frozenset(
        {
            *(_R.PROCESSING, _R.WAITING, _R.DEFERRED, _R.COMPLETED, _R.FAILED),
            *(_R.ESCALATED, _R.DECOMMISSIONED),
        }
    ),
    _R.RETRYING: frozenset(
        {_R.RETRYING, _R.WAITING, _R.DEFERRED, _R.COMPLETED, _R.FAILED, _R.DECOMMISSIONED}
    ),
    # A later run follows what is under way (→ processing), or gives it up (→ aborted); a
    # decommission starts its revision from here (→ processing, or deferred by a freeze).
    _R.WAITING: frozenset({_R.PROCESSING, _R.WAITING, _R.ABORTED, _R.DEFERRED}),
    _R.FAILED: frozenset({_R.FAILED, _R.RETRYING, _R.PROCESSING, _R.ABORTED, _R.DEFERRED}),
    _R.COMPLETED: frozenset({_R.PROCESSING, _R.DEFERRED}),
    _R.ABORTED: frozenset({_R.PROCESSING, _R.DEFERRED, _R.DECOMMISSIONED}),
    _R.ESCALATED: frozenset({_R.PROCESSING, _R.DEFERRED}),
    _R.DECOMMISSIONED: frozenset(),
}

_T = TaskState
# Any unfinished task may be worked on again (a resumed run, a retry, two runs' records
# merged); only a completed one never is.
_TASK_NEXT: dict[TaskState, frozenset[TaskState]] = {
    _T.PENDING: frozenset({_T.PENDING, _T.PROCESSING, _T.SKIPPED}),
    _T.PROCESSING: frozenset(
        {_T.PROCESSING, _T.PENDING, _T.WAITING, _T.COMPLETED, _T.FAILED, _T.SKIPPED}
    ),
    _T.WAITING: frozenset({_T.WAITING, _T.PROCESSING, _T.SKIPPED}),
    _T.FAILED: frozenset({_T.PENDING, _T.PROCESSING}),
    _T.SKIPPED: frozenset({_T.PENDING, _T.PROCESSING}),
    _T.COMPLETED: frozenset(),
}

_TASK_RANK = {
    _T.PENDING: 0,
    _T.SKIPPED: 1,
    _T.PROCESSING: 2,
    _T.WAITING: 3,
    _T.FAILED: 4,
    _T.COMPLETED: 5,
}


def check_request(current: RequestState, new: RequestState, request: str) -> RequestState:
    """`new`, if a request in `current` may move there; raises `TransitionError` if not."""
    if not current.can_become(new):
        raise TransitionError(
            f"{request}: a {current} request cannot become {new}",
            "This is a bug in pac; the status file was left as it was.",
        )
    return new


def check_task(current: TaskState, new: TaskState, task: str) -> TaskState:
    """`new`, if a task in `current` may move there; raises `TransitionError` if not."""
    if not current.can_become(new):
        raise TransitionError(
            f"{task}: a {current} task cannot become {new}",
            "This is a bug in pac; the status file was left as it was.",
        )
    return new
