"""Writing a request: questions re-asked until they fit, and the document's id and requester."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pac.authoring import discovery
from pac.authoring.request import Requester, ask_all, build, starting_values
from pac.documents.repository import Repository
from pac.errors import UsageError

KAFKA = "messaging-kafka-topic"
SAM = Requester("sam@company.com", "Sam", "checkout")


def _scripted(answers: list[str]) -> tuple[Any, list[str], list[str]]:
    asked: list[str] = []
    said: list[str] = []
    replies: Iterator[str] = iter(answers)

    def ask(question: str, default: str, hide: bool) -> str:
        asked.append(question)
        return next(replies)

    return ask, asked, said


def test_ask_all_re_asks_until_each_answer_fits(sample_repo: Repository) -> None:
    offering = discovery.find(sample_repo, KAFKA)
    ask, asked, said = _scripted(
        ["taken-name", "checkout-events", "", "", "1234", "CC-1234"] + [""] * 7 + ["sam@x.com"]
    )
    values = ask_all(offering, {}, ask, said.append, taken=lambda name: name == "taken-name")
    assert values["name"] == "checkout-events"
    assert values["environment"] == {"costCenter": "CC-1234"}  # the stage keeps its default
    assert values["topic"] == {"contactEmail": "sam@x.com"}
    assert any("already exists" in line for line in said)
    assert "  This field is required." in said  # the cost center left empty
    assert asked[2] == "Stage [dev, staging, prod]"
    assert any(q.startswith("Go-live Date") and q.endswith("(optional)") for q in asked)


def test_starting_values_drop_the_copied_name(sample_repo: Repository) -> None:
    offering = discovery.find(sample_repo, KAFKA)
    assert starting_values(sample_repo, offering, None, ["name=abc-def"]) == {"name": "abc-def"}


def test_build_checks_the_id_and_the_requester(sample_repo: Repository) -> None:
    sets = ["name=checkout-events", "environment.costCenter=CC-1234", "topic.contactEmail=a@b.co"]
    document = build(
        sample_repo, KAFKA, sets=sets, from_request=None, request_id=None, requester=SAM
    )
    assert document["metadata"]["id"] == "checkout-events"
    assert next(iter(document["input"])) == "name"
    with pytest.raises(UsageError, match="not a kebab-case id"):
        build(sample_repo, KAFKA, sets=sets, from_request=None, request_id="Bad_Id", requester=SAM)
    with pytest.raises(UsageError, match="requester is incomplete"):
        build(
            sample_repo,
            KAFKA,
            sets=sets,
            from_request=None,
            request_id=None,
            requester=Requester("", "Sam", "checkout"),
        )
