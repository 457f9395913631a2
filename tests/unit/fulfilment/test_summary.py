"""The words `pac apply` ends its run with: what counts as acted on, waiting or unchanged."""

from __future__ import annotations

from pac.fulfilment.executor import Outcome
from pac.fulfilment.policy import Step
from pac.fulfilment.summary import LEASE_LOST_NOTE, run_report, summary_line
from pac.records.states import NoState, RequestState


def _outcome(step: Step, state: RequestState = RequestState.PROCESSING, **more: object) -> Outcome:
    before = RequestState.SUBMITTED
    return Outcome("r", step, before, state, "did it", **more)  # type: ignore[arg-type]


def test_a_quiet_run_shows_only_the_counts_always_shown() -> None:
    assert summary_line([]) == (
        "0 request(s) acted on, 0 ticket(s) created, 0 failed, 0 unchanged\n"
    )


def test_every_part_in_order() -> None:
    outcomes = [
        _outcome(Step.NEW, created=["OPS-1", "OPS-2"], adopted=["OPS-0"]),
        _outcome(Step.RETRY, RequestState.FAILED),
        _outcome(Step.NEW, unavailable=True),
        _outcome(Step.RESUME, pending=True),
        _outcome(Step.RESUME, pending=True, lease_lost=True),
        _outcome(Step.DEFER, RequestState.DEFERRED),
        _outcome(Step.NOTHING, RequestState.COMPLETED),
        _outcome(Step.HELD, RequestState.COMPLETED),
        _outcome(Step.NOTHING, RequestState.DECOMMISSIONED),
    ]
    assert summary_line(outcomes) == (
        "4 request(s) acted on, 2 ticket(s) created, 1 found from an earlier run, 1 failed, "
        "1 not started (tickets unavailable), 1 pending after a transient fault, "
        "1 stopped (lease taken over), 1 waiting, "
        "1 held (a change pac will not apply; see why above), 2 unchanged\n"
    )


def test_an_unreadable_status_is_not_acted_on() -> None:
    outcome = Outcome("r", Step.NEW, NoState.UNREADABLE, RequestState.FAILED, "cannot read")
    assert summary_line([outcome]).startswith("0 request(s) acted on")


def test_the_report_lists_requests_acted_on_then_the_summary_and_notes() -> None:
    text = run_report(
        [_outcome(Step.NOTHING, RequestState.COMPLETED), _outcome(Step.RESUME, pending=True)]
    )
    lines = text.splitlines(keepends=True)
    assert lines[0] == "r: did it\n"
    assert lines[1].startswith("1 request(s) acted on")
    assert lines[2].startswith("1 request(s) met a transient fault")
    assert LEASE_LOST_NOTE not in text


def test_a_request_left_waiting_on_tickets_counts_as_waiting() -> None:
    outcomes = [
        _outcome(Step.NEW, RequestState.WAITING, created=["DBA-1"]),
        _outcome(Step.WAITING, RequestState.WAITING),
    ]
    assert summary_line(outcomes) == (
        "1 request(s) acted on, 1 ticket(s) created, 0 failed, 2 waiting, 0 unchanged\n"
    )
