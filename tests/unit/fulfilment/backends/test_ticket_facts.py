"""What tracking reads of a ticket: the outbox's files and JIRA's search answers alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.fulfilment.backends import RenderedTicket
from pac.fulfilment.backends.jira_api import facts_from
from pac.fulfilment.backends.outbox import Outbox


def test_an_outbox_ticket_is_open_until_resolved(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    made = outbox.create(
        RenderedTicket("DBA", "Task", "Aurora for payments", custom_fields={"Cost Center": "CC-1"}),
        ["pac-payments-db.database.manual.0"],
    )
    facts = outbox.read(["pac-payments-db.database.manual.0", "pac-other"])
    assert list(facts) == ["pac-payments-db.database.manual.0"]
    open_ticket = facts["pac-payments-db.database.manual.0"]
    assert (open_ticket.key, open_ticket.status, open_ticket.resolved) == (made.key, "Open", False)

    done = outbox.resolve(made.key, fields={"endpoint": "db.internal:5432"})
    assert done.resolved and done.resolution == "Done" and done.resolved_at
    assert done.fields == {"Cost Center": "CC-1", "endpoint": "db.internal:5432"}
    assert [t.key for t in outbox.tickets()] == [made.key]


def test_an_outbox_ticket_resolved_as_wont_do(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    made = outbox.create(RenderedTicket("DBA", "Task", "Aurora"), ["pac-x"])
    assert outbox.resolve(made.key, wont_do=True).resolution == "Won't Do"


@pytest.mark.parametrize("key", ["DBA-99", "../pac", "not a key"])
def test_resolving_an_unknown_outbox_ticket_raises_key_error(tmp_path: Path, key: str) -> None:
    with pytest.raises(KeyError):
        Outbox(tmp_path).resolve(key)


def test_jira_facts_name_fields_by_id_and_by_name() -> None:
    raw = {
        "key": "DBA-12",
        "fields": {
            "status": {"name": "Done", "statusCategory": {"key": "done"}},
            "resolution": {"name": "Won't Do"},
            "resolutiondate": "2026-11-30T10:00:00.000+0000",
            "assignee": {"name": "kim", "displayName": "Kim Lee"},
            "labels": ["pac-a"],
            "customfield_10030": "db.internal",
            "comment": {
                "comments": [
                    {"body": "first"},
                    {"body": "Use the shared cluster.", "author": {"displayName": "Kim Lee"}},
                ]
            },
        },
    }
    facts = facts_from(raw, {"customfield_10030": "Endpoint", "status": "Status"})
    assert facts.resolved and facts.resolution == "Won't Do"
    assert facts.assignee == "Kim Lee" and facts.labels == ("pac-a",)
    assert facts.fields["customfield_10030"] == facts.fields["Endpoint"] == "db.internal"
    assert (facts.last_comment, facts.last_comment_by) == ("Use the shared cluster.", "Kim Lee")


def test_an_unresolved_jira_ticket() -> None:
    facts = facts_from(
        {
            "key": "DBA-1",
            "fields": {
                "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}
            },
        },
        {},
    )
    assert not facts.resolved and facts.status == "In Progress" and facts.assignee == ""
