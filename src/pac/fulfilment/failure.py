"""How a run stops short of finishing a request, and how that is put to people.

A task met a transient fault (it stays pending, the next run tries again), failed for good
(the request waits for a person: retry, abort or escalate), or another run took the apply
lease over. The executor raises these inside a run and turns them into its outcome.
"""

from __future__ import annotations

from pac.documents.config import PacConfig
from pac.fulfilment.states import TaskState
from pac.fulfilment.status import RequestStatus, TaskStatus


class RequestFailed(Exception):
    """A task failed for good; the request is failed and saved so."""


class LeaseLost(Exception):
    """Another run took the upstream's apply lease over: this run must not act any more.

    The task it was about to act on gets no new attempt record; the run holding the lease
    now (or the next one) carries on as after a run killed just before sending.
    """

    def __init__(self, task: TaskStatus) -> None:
        super().__init__(task.key)
        self.task = task


class TaskPending(Exception):
    """A task met a transient fault: it stays pending and the next run tries it again."""

    def __init__(self, task: TaskStatus) -> None:
        super().__init__(task.key)
        self.task = task


def transient_limit_hint(hint: str, faults: int, config: PacConfig) -> str:
    """A transient fault that kept coming back: now a person decides what happens."""
    return (
        f"{hint} It failed like this in {faults} run{'s' if faults != 1 else ''} in a row "
        f"(pac.yaml apply.transientRetries: {config.transient_retries}). Raise operations.retry "
        "in the request file to try again, set operations.abort to give up, or "
        "operations.escalate to hand it to the owning team as tickets."
    ).strip()


def pending_summary(task: TaskStatus, config: PacConfig) -> str:
    limit = config.transient_retries
    return (
        f"pending after a transient fault at {task.key} ({task.transient_failures} of "
        f"{limit} allowed): {task.transient_error}; the next run tries again, no change "
        "to the request needed"
    )


def failure_summary(status: RequestStatus) -> str:
    failed = next((t for t in status.tasks if t.state is TaskState.FAILED), None)
    if failed is None or failed.error is None:
        return "failed"
    return f"failed at {failed.key}: {failed.error.message} (ask {failed.error.contact})"
