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
    # The cost center left empty, in the words of pac validate and the site's form.
    assert "  Required field Cost Center (environment.costCenter) is missing." in said
    assert (
        "  Cost Center (environment.costCenter) '1234' does not have the required form. "
        "It must match ^CC-[0-9]{4}$."
    ) in said
    assert asked[2] == "Stage [dev, staging, prod]"
    assert any(q.startswith("Go-live Date") and q.endswith("(optional)") for q in asked)


def test_ask_all_keeps_defaults_out_and_says_what_a_boolean_takes(
    sample_repo: Repository,
) -> None:
    offering = discovery.find(sample_repo, KAFKA)
    # name, stage (the default, typed), cost center, partitions "lots" then 6 (the default),
    # retention, compacted "sure" then "yes", the rest left empty, the contact.
    answers = ["checkout-events", "dev", "CC-1234", "lots", "6", "", "sure", "yes"]
    ask, asked, said = _scripted([*answers, "", "", "", "", "sam@x.com"])

    def ask_with_defaults(question: str, default: str, hide: bool) -> str:
        # As typer's prompt does: an empty answer is the default offered.
        return ask(question, default, hide) or default

    values = ask_all(offering, {}, ask_with_defaults, said.append)
    assert values["environment"] == {"costCenter": "CC-1234"}
    assert values["topic"] == {"compacted": True, "contactEmail": "sam@x.com"}
    assert any(q.startswith("Log Compaction (yes or no)") for q in asked)
    assert "  Log Compaction (topic.compacted) must be true or false. Answer yes or no." in said
    assert (
        "  Partitions (topic.partitions) must be a number. Write it in digits, such as 42 or 2.5."
    ) in said


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
