"""Request and task states and the transitions between them (SPEC §6.2)."""

from __future__ import annotations

import pytest

from pac.records.states import RequestState, TaskState, TransitionError
from pac.records.status import RequestStatus, TaskStatus

R, T = RequestState, TaskState

# SPEC §6.2: submitted → processing → completed, or failed (then retrying, aborted or
# escalated); deferred while a change freeze holds the request. §6.6: a change or upgrade
# starts a new revision of a completed request; a decommission of one that may have
# created something; decommissioned is the end.
ALLOWED = [
    (R.SUBMITTED, R.PROCESSING),
    (R.SUBMITTED, R.DEFERRED),
    (R.SUBMITTED, R.ABORTED),
    (R.DEFERRED, R.PROCESSING),
    (R.DEFERRED, R.ABORTED),
    (R.PROCESSING, R.COMPLETED),
    (R.PROCESSING, R.FAILED),
    (R.PROCESSING, R.ESCALATED),
    (R.FAILED, R.RETRYING),
    (R.FAILED, R.ABORTED),
    (R.FAILED, R.PROCESSING),  # an escalation runs the manual tickets
    (R.FAILED, R.FAILED),  # a retry waiting for a change freeze
    (R.RETRYING, R.COMPLETED),
    (R.RETRYING, R.FAILED),
    (R.COMPLETED, R.PROCESSING),  # a change, an upgrade or a decommission
    (R.COMPLETED, R.DEFERRED),  # … held by a change freeze
    (R.ESCALATED, R.PROCESSING),  # a decommission
    (R.ABORTED, R.PROCESSING),
    (R.ABORTED, R.DECOMMISSIONED),  # never started: nothing to retire
    (R.PROCESSING, R.DECOMMISSIONED),
    # waiting: a workflow run under way, followed by every later run (or given up)
    (R.PROCESSING, R.WAITING),
    (R.RETRYING, R.WAITING),
    (R.WAITING, R.PROCESSING),
    (R.WAITING, R.WAITING),
    (R.WAITING, R.ABORTED),
]
REFUSED = [
    (R.COMPLETED, R.FAILED),
    (R.COMPLETED, R.COMPLETED),
    (R.ABORTED, R.RETRYING),
    (R.ESCALATED, R.RETRYING),
    (R.DECOMMISSIONED, R.PROCESSING),
    (R.SUBMITTED, R.DECOMMISSIONED),
    (R.SUBMITTED, R.COMPLETED),
    (R.FAILED, R.COMPLETED),
    (R.RETRYING, R.ESCALATED),
    (R.WAITING, R.COMPLETED),  # only through a run that reads it: processing first
    (R.SUBMITTED, R.WAITING),
    (R.COMPLETED, R.WAITING),
]


@pytest.mark.parametrize(("before", "after"), ALLOWED)
def test_the_request_moves_as_the_spec_says(before: RequestState, after: RequestState) -> None:
    status = RequestStatus(request="r", state=before)
    status.become(after)
    assert status.state is after


@pytest.mark.parametrize(("before", "after"), REFUSED)
def test_a_request_never_moves_against_the_spec(before: RequestState, after: RequestState) -> None:
    status = RequestStatus(request="r", state=before)
    with pytest.raises(TransitionError, match=f"a {before} request cannot become {after}"):
        status.become(after)
    assert status.state is before


def test_final_and_settled_states() -> None:
    assert {s for s in R if s.final} == {R.COMPLETED, R.ABORTED, R.ESCALATED, R.DECOMMISSIONED}
    # `pac status --wait` stops at these: no run is working on the request.
    assert {s for s in R if s.settled} == {
        R.COMPLETED,
        R.ABORTED,
        R.ESCALATED,
        R.FAILED,
        R.DEFERRED,
        R.DECOMMISSIONED,
        R.WAITING,  # what it waits for is outside pac; the next run reads it
    }
    # Only a new revision moves a finished request on, and nothing moves a decommissioned one.
    assert all(
        other in (R.PROCESSING, R.DEFERRED, R.DECOMMISSIONED)
        for s in R
        if s.final
        for other in R
        if s.can_become(other)
    )
    assert not any(R.DECOMMISSIONED.can_become(other) for other in R)


def test_a_completed_task_is_never_run_again() -> None:
    assert not any(T.COMPLETED.can_become(other) for other in T)
    task = TaskStatus("r/a/automatic/0", "a", "a", "rest-api", "automatic", 0)
    task.become(T.PROCESSING)
    task.become(T.COMPLETED)
    with pytest.raises(TransitionError):
        task.become(T.PROCESSING)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (T.PENDING, T.PROCESSING),
        (T.PENDING, T.SKIPPED),  # abort, or a failure before it
        (T.PROCESSING, T.COMPLETED),
        (T.PROCESSING, T.FAILED),
        (T.PROCESSING, T.PENDING),  # a transient fault: the next run tries again
        (T.FAILED, T.PENDING),  # operations.retry
        (T.SKIPPED, T.PENDING),
        (T.PROCESSING, T.WAITING),  # a workflow run started and still under way
        (T.WAITING, T.PROCESSING),  # a later run reads it
        (T.WAITING, T.SKIPPED),  # the request is aborted meanwhile
    ],
)
def test_task_transitions(before: TaskState, after: TaskState) -> None:
    assert before.can_become(after)


def test_of_two_records_of_a_task_the_one_further_on_is_kept() -> None:
    order = sorted(T, key=lambda s: s.rank)
    assert order == [T.PENDING, T.SKIPPED, T.PROCESSING, T.WAITING, T.FAILED, T.COMPLETED]
    assert not T.WAITING.can_become(T.COMPLETED)  # only through processing, by a run


def test_states_are_written_as_their_plain_names() -> None:
    status = RequestStatus(request="r", state=R.DEFERRED)
    status.tasks.append(TaskStatus("r/a/automatic/0", "a", "a", "rest-api", "automatic", 0))
    data = status.as_dict()
    assert type(data["state"]) is str and data["state"] == "deferred"
    assert type(data["tasks"][0]["state"]) is str and data["tasks"][0]["state"] == "pending"
    assert RequestStatus.from_dict(data).state is R.DEFERRED
