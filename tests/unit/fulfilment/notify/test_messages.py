from __future__ import annotations

from pac.documents.repository import Repository
from pac.fulfilment.notify.messages import compose, plain
from pac.records.events import EventKind
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskError, TaskStatus


def _status(state: RequestState = RequestState.PROCESSING) -> RequestStatus:
    status = RequestStatus(
        "payments-db",
        target_kind="CatalogItem",
        target_id="database-aurora-postgresql-standard",
        created_at="2026-11-28T10:00:00Z",
        requested_at="2026-11-28T08:00:00Z",
    )
    status.state = state
    return status


def _task(state: TaskState, **extra: object) -> TaskStatus:
    return TaskStatus(
        "payments-db/database/manual/0", "database", "database-aurora-postgresql-standard",
        "jira-ticket", "manual", 0, label="database", state=state,
        owner_team="platform-databases-team", owner_contact="dba@company.com", **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_plain_takes_the_markup_out_of_text_from_files() -> None:
    said = plain("<!channel> [click](https://evil) `code` \x1b[31mred\u202e")
    assert "<" not in said and ">" not in said and "[" not in said and "`" not in said
    assert "\x1b" not in said and "\u202e" not in said
    assert len(plain("x" * 1000)) == 200


def test_a_completed_request_says_how_long_it_took_against_the_promise(
    sample_repo: Repository,
) -> None:
    status = _status()
    status.tasks = [_task(TaskState.COMPLETED, outputs={"endpoint": "db.internal:5432"})]
    status.become(RequestState.COMPLETED)
    event = status.events[-1]
    event.at = "2026-11-28T10:00:00Z"
    offering = sample_repo.offering(status.target_id)
    message = compose(status, event, offering, "https://github.com/acme/catalog/x.yaml")
    assert message.body.splitlines() == [
        "payments-db is ready: database-aurora-postgresql-standard completed in 2 hours "
        "(promised 2 days). Outputs: endpoint db.internal:5432",
        "Status: https://github.com/acme/catalog/x.yaml",
        "Event: payments-db/r0/completed/1",
    ]
    assert message.title == "payments-db is ready" and message.event_id == event.id


def test_a_waiting_request_names_the_team_and_the_ticket() -> None:
    status = _status()
    status.tasks = [_task(TaskState.WAITING, ticket_key="DBA-12", ticket_status="In Progress")]
    status.become(RequestState.WAITING)
    body = compose(status, status.events[-1], None, "").body
    assert body.startswith("payments-db waits on platform-databases-team: DBA-12 (In Progress)")


def test_a_failure_says_where_and_whom_to_ask_with_its_text_neutralised() -> None:
    status = _status()
    error = TaskError("the API answered 400: <b>bad</b>", contact="dba@company.com")
    status.tasks = [_task(TaskState.FAILED, error=error)]
    status.become(RequestState.FAILED)
    body = compose(status, status.events[-1], None, "").body
    assert body.splitlines()[0] == (
        "payments-db failed at database: the API answered 400: ‹b›bad‹/b› — ask dba@company.com"
    )


def test_an_event_the_status_has_moved_past_says_its_recorded_detail() -> None:
    status = _status()
    status.become(RequestState.WAITING, "waits on platform-databases-team: DBA-12")
    status.become(RequestState.PROCESSING)
    status.become(RequestState.COMPLETED)
    waiting = next(e for e in status.events if e.kind is EventKind.WAITING)
    body = compose(status, waiting, None, "").body
    assert body.splitlines()[0] == "payments-db waits: waits on platform-databases-team: DBA-12"
