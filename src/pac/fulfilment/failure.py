"""How a run stops short of finishing a request, and how that is put to people.

A task met a transient fault (it stays pending, the next run tries again), failed for good
(the request waits for a person: retry, abort or escalate), or another run took the apply
lease over. The executor raises these inside a run and turns them into its outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from pac.documents.config import PacConfig
from pac.fulfilment.backends import BackendError
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskError, TaskStatus, now_text

if TYPE_CHECKING:
    from pac.fulfilment.actions.base import TaskRun
    from pac.fulfilment.rendering import RenderError


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


def stop_at(run: TaskRun, task: TaskStatus, exc: BackendError | RenderError) -> NoReturn:
    """A task that did not complete: pending after a transient fault, else failed."""
    transient = isinstance(exc, BackendError) and exc.transient
    if transient and task.transient_failures < run.repo.config.transient_retries:
        assert isinstance(exc, BackendError)
        _hold_task(run, task, exc)
        raise TaskPending(task) from exc
    _fail_task(run, task, exc)
    raise RequestFailed from exc


def _hold_task(run: TaskRun, task: TaskStatus, exc: BackendError) -> None:
    """Leave the task pending after a transient fault, for the next run to try again."""
    task.become(TaskState.PENDING)
    task.transient_failures += 1
    task.transient_error = run.redact(exc.message)
    limit = run.repo.config.transient_retries
    run.status.note(
        f"{task.key}: transient fault {task.transient_failures} of {limit} allowed; "
        "the next run tries again"
    )
    run.store.save(run.status)
    run.say(f"{task.component}: transient fault, the next run tries again: {task.transient_error}")


def _fail_task(run: TaskRun, task: TaskStatus, exc: BackendError | RenderError) -> None:
    """The task failed for good: the rest are skipped and the request waits for a person."""
    status = run.status
    contact = f"{task.owner_team} ({task.owner_contact})" if task.owner_team else ""
    task.become(TaskState.FAILED)
    task.finished_at = now_text()
    hint = exc.hint or ""
    if isinstance(exc, BackendError) and exc.transient:
        task.transient_failures += 1
        hint = transient_limit_hint(hint, task.transient_failures, run.repo.config)
    task.error = TaskError(run.redact(exc.message), run.redact(hint), contact)
    for other in status.tasks:
        if other is not task and other.state.open:
            other.become(TaskState.SKIPPED)
    status.become(RequestState.FAILED)
    status.note(f"failed at {task.key}")
    run.store.save(status)
    run.say(f"{task.component}: FAILED: {run.redact(exc.message)}")
