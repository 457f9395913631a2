"""Which ticket system a run uses: JIRA when its credentials are set, else the outbox —
never the outbox silently in CI."""

from __future__ import annotations

import pytest

from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.fulfilment.backends import ticket_backend

JIRA = {"PAC_JIRA_URL": "https://jira.example", "PAC_JIRA_USER": "bot", "PAC_JIRA_TOKEN": "t"}


def test_jira_when_its_credentials_are_set(sample_repo: Repository) -> None:
    name, _ = ticket_backend(sample_repo, env=JIRA)
    assert name == "JIRA at https://jira.example"


def test_the_outbox_without_credentials_or_when_asked(sample_repo: Repository) -> None:
    assert ticket_backend(sample_repo, env={})[0].startswith("the outbox .pac/outbox/")
    assert ticket_backend(sample_repo, outbox=True, env=JIRA)[0].startswith("the outbox")


def test_ci_without_credentials_is_refused_unless_the_outbox_is_asked_for(
    sample_repo: Repository,
) -> None:
    with pytest.raises(UsageError, match="in CI pac will not put tickets"):
        ticket_backend(sample_repo, env={"CI": "true"})
    assert ticket_backend(sample_repo, outbox=True, env={"CI": "true"})[0].startswith("the outbox")
