"""Checking request input: codes, wording, and agreement with the published schema."""

from __future__ import annotations

from typing import Any

import pytest

from pac.documents.model import CatalogItem
from pac.documents.repository import Repository
from pac.forms.inputs import InputChecker
from pac.forms.schema import form_schema
from pac.forms.validators import validator_for


def _item(repo: Repository, item_id: str) -> CatalogItem:
    item = repo.item(item_id)
    assert item is not None
    return item


VALID: dict[str, Any] = {
    "name": "orders-events",
    "environment": {"stage": "prod", "costCenter": "CC-0001"},
    "topic": {"consumers": ["fraud"], "contactEmail": "a@b.co", "goLiveDate": "2026-05-05"},
}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "Orders"}, "input-format"),
        ({"topic": {**VALID["topic"], "partitions": 0}}, "input-range"),
        ({"topic": {**VALID["topic"], "partitions": 2.5}}, "input-range"),
        ({"topic": {**VALID["topic"], "retention": "2d"}}, "input-choice"),
        ({"topic": {**VALID["topic"], "consumers": []}}, "input-range"),
        ({"topic": {**VALID["topic"], "consumers": ["fraud", "fraud"]}}, "input-choice"),
        ({"topic": {**VALID["topic"], "contactEmail": "nobody"}}, "input-format"),
        ({"topic": {**VALID["topic"], "goLiveDate": "2031-01-01"}}, "input-range"),
        ({"topic": {**VALID["topic"], "goLiveDate": "05/05/2026"}}, "input-format"),
        ({"topic": {**VALID["topic"], "compacted": "yes"}}, "input-type"),
        ({"topic": {**VALID["topic"], "purpose": "short"}}, "input-range"),
        ({"topic": {**VALID["topic"], "schemaFile": "schema.xml"}}, "input-file"),
        ({"topic": {"consumers": ["fraud"]}}, "input-required"),
        ({"extra": 1}, "input-unknown-field"),
        ({"environment": "prod"}, "input-type"),
    ],
)
def test_input_mistakes_get_their_codes(
    sample_repo: Repository, change: dict[str, Any], code: str
) -> None:
    checker = InputChecker(_item(sample_repo, "messaging-kafka-topic").form)
    assert checker.check(VALID) == []
    findings = checker.check({**VALID, **change})
    assert [f.code for f in findings] == [code]


@pytest.mark.parametrize(
    ("topic", "message", "hint"),
    [
        ({"partitions": 2.5}, "Partitions (topic.partitions) 2.5 must be a whole number", ""),
        ({"consumers": []}, "Consumer Teams (topic.consumers) must have at least 1 choice", ""),
        (
            {"contactEmail": "nobody"},
            "Technical Contact (topic.contactEmail) 'nobody' must be an email address",
            "Write one address, such as name@company.com.",
        ),
        ({"consumers": ["fraud", "fraud"]}, "lists a choice twice", "team (t@c.com)"),
        (
            {"consumers": ["fraud", "frud"]},
            "Consumer Teams (topic.consumers) entry 2 is 'frud'; choose one of:",
            "Did you mean 'fraud'?",
        ),
    ],
)
def test_input_findings_read_naturally(
    sample_repo: Repository, topic: dict[str, Any], message: str, hint: str
) -> None:
    checker = InputChecker(_item(sample_repo, "messaging-kafka-topic").form, "team (t@c.com)")
    [finding] = checker.check({**VALID, "topic": {**VALID["topic"], **topic}})
    assert message in finding.message
    assert hint in finding.hint


def test_unknown_fields_suggest_the_closest(sample_repo: Repository) -> None:
    checker = InputChecker(_item(sample_repo, "messaging-kafka-topic").form, "team (t@c.com)")
    [finding] = checker.check({**VALID, "topic": {**VALID["topic"], "partitons": 3}})
    assert finding.path == ("topic", "partitons")
    assert finding.at_key
    assert "Did you mean 'partitions'?" in finding.hint
    assert "team (t@c.com)" in finding.hint


def test_pac_and_the_published_schema_agree_on_a_corpus(sample_repo: Repository) -> None:
    """One source of truth: pac's verdict is the form schema's verdict."""
    form = _item(sample_repo, "messaging-kafka-topic").form
    checker = InputChecker(form)
    published = validator_for(form_schema(form))
    corpus = [VALID, {}, {"name": "x"}, {**VALID, "topic": {**VALID["topic"], "partitions": 49}}]
    corpus += [{**VALID, "environment": {"stage": "qa", "costCenter": "CC-1"}}]
    for values in corpus:
        assert (checker.check(values) == []) == published.is_valid(values)


def test_a_name_with_a_trailing_newline_is_refused(sample_repo: Repository) -> None:
    checker = InputChecker(_item(sample_repo, "messaging-kafka-topic").form)
    findings = checker.check({**VALID, "name": "orders-events\n"})
    assert [f.code for f in findings] == ["input-format"]
    assert checker.check({**VALID, "topic": {**VALID["topic"], "contactEmail": "a@b.co\n"}})


def test_a_long_value_is_quoted_by_its_start_and_length(sample_repo: Repository) -> None:
    checker = InputChecker(_item(sample_repo, "messaging-kafka-topic").form)
    pasted = "x" * 300_000
    for change in ({"purpose": pasted}, {"contactEmail": pasted + "@b.co"}):
        [finding] = checker.check({**VALID, "topic": {**VALID["topic"], **change}})
        assert finding.code in ("input-range", "input-format")
        assert len(finding.message) < 300, finding.message[:400]
        assert "… (300,0" in finding.message
