"""Forms as JSON Schema, defaults, and checking request input."""

from __future__ import annotations

from typing import Any

import pytest

from pac.forms import InputChecker, apply_defaults, form_schema, validator_for
from pac.model import CatalogItem
from pac.repository import Repository


def _item(repo: Repository, item_id: str) -> CatalogItem:
    item = repo.item(item_id)
    assert item is not None
    return item


def test_form_schema_nests_groups_and_lists_what_is_required(sample_repo: Repository) -> None:
    schema = form_schema(_item(sample_repo, "database-aurora-postgresql-standard").form)
    assert schema["additionalProperties"] is False
    # `environment.stage` is required but has a default, so only costCenter is needed.
    assert schema["required"] == ["name", "environment", "credentials"]
    assert schema["properties"]["environment"]["required"] == ["costCenter"]
    storage = schema["properties"]["database"]["properties"]["storageGb"]
    assert storage == {
        "type": "number",
        "minimum": 20,
        "maximum": 2000,
        "multipleOf": 10,
        "title": "Storage (GiB)",
        "description": "Initial allocated storage; it grows automatically.",
        "default": 20,
    }
    password = schema["properties"]["credentials"]["properties"]["adminPassword"]
    assert password["required"] == ["secretRef"]


def test_every_field_type_maps_to_json_schema(sample_repo: Repository) -> None:
    topic = form_schema(_item(sample_repo, "messaging-kafka-topic").form)["properties"]["topic"]
    fields = topic["properties"]
    assert fields["consumers"]["type"] == "array"
    assert fields["consumers"]["items"]["enum"] == ["analytics", "fraud", "search", "notifications"]
    assert fields["goLiveDate"]["format"] == "date"
    assert fields["goLiveDate"]["formatMinimum"] == "2026-01-01"
    assert fields["schemaFile"]["pattern"] == r"\.(avsc|json)$"
    assert fields["purpose"] == {
        "type": "string",
        "minLength": 10,
        "maxLength": 2000,
        "title": "Purpose",
        "description": "What flows through the topic and who produces it.",
    }
    assert fields["contactEmail"]["format"] == "email"
    assert fields["compacted"]["type"] == "boolean"


def test_apply_defaults_fills_missing_fields_only(sample_repo: Repository) -> None:
    form = _item(sample_repo, "database-aurora-postgresql-standard").form
    values = {"name": "x-db1", "database": {"storageGb": 50}}
    filled = apply_defaults(form, values)
    assert filled["database"]["storageGb"] == 50
    assert filled["database"]["instanceClass"] == "db.t3.medium"
    assert filled["database"]["extensions"] == ["pg_stat_statements"]
    assert filled["environment"] == {"stage": "dev"}
    assert "credentials" not in filled  # no defaults there
    assert values == {"name": "x-db1", "database": {"storageGb": 50}}  # input untouched


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
        ({"topic": {**VALID["topic"], "schemaFile": "schema.xml"}}, "input-format"),
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
