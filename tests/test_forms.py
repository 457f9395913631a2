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


# --- the fast check agrees with jsonschema -----------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pac.forms import compile_check  # noqa: E402
from tests.conftest import PROJECT  # noqa: E402

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-100, 5000) | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _plausible(field_schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = [_JSON]
    if "enum" in field_schema:
        options.append(st.sampled_from(field_schema["enum"]))
    if field_schema.get("type") == "array" and "enum" in field_schema.get("items", {}):
        options.append(st.lists(st.sampled_from(field_schema["items"]["enum"]), max_size=5))
    if field_schema.get("type") == "number":
        low, high = field_schema.get("minimum", -10), field_schema.get("maximum", 10_000)
        options.append(st.integers(low - 2, high + 2) | st.floats(low - 1, high + 1))
    if field_schema.get("format") == "date":
        options.append(st.dates().map(lambda d: d.isoformat()) | st.just("2026-02-30"))
    if "pattern" in field_schema:
        options.append(st.from_regex(field_schema["pattern"], fullmatch=True))
    if field_schema.get("type") == "object":  # a password field's secretRef
        options.append(st.fixed_dictionaries({"secretRef": st.sampled_from(["OK_NAME", "bad"])}))
    return st.one_of(options)


def _inputs(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    groups = {}
    for group_id, group in schema["properties"].items():
        if group_id == "name":
            continue
        fields = {f: _plausible(s) for f, s in group["properties"].items()}
        groups[group_id] = st.fixed_dictionaries({}, optional=fields)
    return st.fixed_dictionaries(
        {"name": _plausible(schema["properties"]["name"])},
        optional={**groups, "unknown": _JSON},
    )


def _sample_forms() -> list[dict[str, Any]]:
    repo = Repository(PROJECT)
    return [form_schema(o.form) for o in [*repo.items(), *repo.bundles()]]


@pytest.mark.parametrize("schema", _sample_forms(), ids=lambda s: ",".join(s["properties"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_fast_check_agrees_with_jsonschema(schema: dict[str, Any], data: st.DataObject) -> None:
    values = data.draw(_inputs(schema))
    assert compile_check(schema)(values) == validator_for(schema).is_valid(values)
