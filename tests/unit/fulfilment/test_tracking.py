"""Advancing a ticket task from one batched read (SPEC §6.7): what each read says."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from pac.documents.config import PacConfig
from pac.documents.model import Action
from pac.documents.repository import Repository
from pac.fulfilment.backends import TicketFacts, task_label
from pac.fulfilment.tasks import expand
from pac.fulfilment.tracking import (
    TicketRead,
    creation_outputs,
    labels_by_backend,
    look,
    missing_fields,
    waiting_on,
    waits_for,
)
from pac.records.states import RequestState, TaskState
from pac.records.status import Attempt, Effect, RequestStatus, TaskStatus, precise_now_text

KEY = "r/database/manual/0"
LABEL = task_label(KEY)
CONFIG = PacConfig()


def task(**more: object) -> TaskStatus:
    made = TaskStatus(KEY, "database", "db", "jira-ticket", "manual", 0, owner_team="dba-team")
    made.state = TaskState.WAITING
    made.ticket_key, made.ticket_url = "DBA-1", "https://jira/browse/DBA-1"
    for name, value in more.items():
        setattr(made, name, value)
    return made


def read(found: TicketFacts | None = None) -> TicketRead:
    return TicketRead({LABEL: found} if found else {}, frozenset({LABEL}), time.time())


def facts(**more: object) -> TicketFacts:
    return replace(TicketFacts("DBA-1", "Open"), **more)  # type: ignore[arg-type]


def test_an_open_ticket_records_what_its_team_is_doing() -> None:
    waiting = task()
    seen = look(waiting, read(facts(status="In Progress", assignee="Kim")), CONFIG, 0)
    assert not (seen.done or seen.declined or seen.message)
    assert (waiting.ticket_status, waiting.ticket_assignee) == ("In Progress", "Kim")


def test_resolutions_as_pac_yaml_lists_them() -> None:
    done = facts(resolution="Fixed", category="done")
    assert look(task(), read(done), CONFIG, 0).done
    declined = facts(resolution="Declined", category="done")
    assert look(task(), read(declined), CONFIG, 0).declined
    odd = look(task(), read(facts(resolution="Out of Scope")), CONFIG, 0)
    assert not (odd.done or odd.declined)
    assert "'Out of Scope'" in odd.message and "jira.resolutions.done" in odd.message
    listed = replace(CONFIG, resolutions_done=("Done", "Out of Scope"))
    assert look(task(), read(facts(resolution="Out of Scope")), listed, 0).done


def test_a_ticket_not_found_is_young_or_gone() -> None:
    young = task(attempt=Attempt(Effect.CREATE_TICKET, precise_now_text()))
    assert "was just made" in look(young, read(), CONFIG, 60).message
    gone = look(task(), read(), CONFIG, 60).message
    assert "DBA-1 is no longer found by its label" in gone


def test_a_moved_ticket_is_followed_under_its_new_key() -> None:
    moved = task()
    seen = look(moved, read(facts(key="PLATFORM-7")), CONFIG, 0)
    assert seen.moved_from == "DBA-1"
    assert (moved.ticket_key, moved.ticket_url) == ("PLATFORM-7", "https://jira/browse/PLATFORM-7")


def test_a_declined_ticket_still_found_is_not_the_new_one() -> None:
    retried = task(ticket_key="", refs={"declined": "DBA-1"})
    assert "no longer found" in look(retried, read(facts()), CONFIG, 0).message


def test_a_failed_read_and_a_backend_not_reached_keep_it_waiting() -> None:
    failed = TicketRead(error="JIRA is down (try later)")
    assert look(task(), failed, CONFIG, 0).message == "JIRA is down (try later)"
    elsewhere = TicketRead(elsewhere=frozenset({LABEL}))
    assert "PAC_JIRA_URL" in look(task(), elsewhere, CONFIG, 0).message


def test_only_open_tickets_are_read_each_from_the_backend_that_made_it() -> None:
    status = RequestStatus("r", state=RequestState.WAITING)
    legacy = task(ticket_url=".pac/outbox/MSG-1.json")
    done = task(key="r/x/manual/0")
    done.state = TaskState.COMPLETED
    status.tasks = [legacy, task(key="r/app/manual/0", ticket_backend="jira"), done]
    assert labels_by_backend([status], "jira") == {
        "outbox": [LABEL],
        "jira": [task_label("r/app/manual/0")],
    }
    status.state = RequestState.COMPLETED
    assert labels_by_backend([status], "jira") == {}


def test_automated_steps_wait_for_their_dependencies_tickets_transitively(
    sample_root: Path,
) -> None:
    repo = Repository(sample_root)
    bundle = repo.offering("bundle-webapp-standard")
    assert bundle is not None
    specs = expand(repo, bundle)
    depends = {s.component: s.depends_on for s in specs}
    app = next(s for s in specs if s.component == "app")
    assert waits_for(app, {"database": ["DBA-1"]}, depends) == ["DBA-1"]
    assert waits_for(app, {"secrets": ["SEC-1"], "app": ["PLATFORM-1"]}, depends) == [
        "PLATFORM-1",
        "SEC-1",
    ]
    assert waits_for(app, {}, depends) == []


def test_outputs_reading_fields_wait_for_the_resolution(sample_root: Path) -> None:
    repo = Repository(sample_root)
    item = repo.offering("database-aurora-postgresql-standard")
    assert item is not None
    [spec] = [s for s in expand(repo, item, {item.id: "manual"}) if s.index == 0]
    outputs = {
        "ticket": "{{ .response.key }}",
        "endpoint": "{{ .response.fields.Endpoint }}",
        "port": "{{ .response['fields']['customfield_10031'] }}",
    }
    spec = replace(spec, action=replace(spec.action, outputs=outputs))
    assert isinstance(spec.action, Action)
    assert creation_outputs(spec) == ["ticket"]
    lacking = missing_fields(spec, facts(fields={"Endpoint": "db.internal"}))
    assert lacking == ["customfield_10031"]


def test_waiting_on_names_each_team_and_its_tickets() -> None:
    status = RequestStatus("r", state=RequestState.WAITING)
    blocked = task(key="r/app/automatic/0", action="rest-api", ticket_key="")
    status.tasks = [task(), task(key="r/db2/manual/0", ticket_key="DBA-2"), blocked]
    assert waiting_on(status) == "dba-team: DBA-1, DBA-2"
