"""The shared translator: one real jsonschema error per keyword in, its finding out."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft7Validator

from pac.documents.schema_errors import SchemaFinding, Translator, wanted_types


def _findings(
    schema: dict[str, Any], instance: Any, translate: Translator | None = None
) -> list[SchemaFinding]:
    translate = translate or Translator()
    errors = list(Draft7Validator(schema).iter_errors(instance))
    assert errors, "the instance must be invalid"
    return [finding for error in errors for finding in translate(error)]


def _one(schema: dict[str, Any], instance: Any, **options: Any) -> SchemaFinding:
    [finding] = _findings(schema, instance, Translator(**options) if options else None)
    return finding


def test_required_names_the_missing_key_and_what_it_is() -> None:
    schema = {"type": "object", "properties": {"owner": {"description": "a team"}}}
    schema["required"] = ["owner"]
    finding = _one(
        {"properties": {"metadata": schema}}, {"metadata": {}}, describe=lambda s: "a team"
    )
    assert finding == SchemaFinding(
        ("metadata",),
        "schema-required",
        "missing required key 'owner' in metadata",
        "Add `owner:` (a team).",
    )


def test_a_missing_automatic_block_has_its_own_code() -> None:
    schema = {"properties": {"fulfillment": {"required": ["automatic"]}}}
    finding = _one(schema, {"fulfillment": {}})
    assert finding.code == "fulfillment-automatic"


def test_an_unknown_key_suggests_the_closest_and_points_at_the_key() -> None:
    schema = {"properties": {"description": {}, "name": {}}, "additionalProperties": False}
    finding = _one(schema, {"descripton": "x"})
    assert finding == SchemaFinding(
        ("descripton",),
        "schema-unknown-key",
        "unknown key 'descripton' in the document",
        "Did you mean 'description'?",
        at_key=True,
    )
    assert _one(schema, {"zzz": 1}).hint == "Allowed keys here: description, name."
    seed = _one({"properties": {"input": {}}, "additionalProperties": False}, {"presentation": 1})
    assert "the seed's name" in seed.hint


def test_a_type_error_names_both_types_and_spots_yaml_reading_a_number() -> None:
    finding = _one({"properties": {"version": {"type": "string"}}}, {"version": 1.0})
    assert finding.code == "schema-type"
    assert finding.message == "version must be a string, not a number"
    assert finding.hint == "YAML read 1.0 as a number; put it in quotes."
    listed = _one({"type": ["string", "array"]}, {})
    assert listed.message == "the document must be a string or a list, not a mapping"


def test_enum_and_const_list_the_choices() -> None:
    finding = _one({"properties": {"stage": {"enum": ["dev", "prod"]}}}, {"stage": "prd"})
    assert finding == SchemaFinding(
        ("stage",),
        "schema-value",
        'stage is "prd"; it must be one of: dev, prod',
        "Did you mean 'prod'?",
    )
    const = _one({"const": "Request"}, "Requests")
    assert const.message == 'the document is "Requests"; it must be Request'


def test_a_titled_pattern_gets_its_code_and_a_respelling() -> None:
    schema = {"pattern": "^[a-z][a-zA-Z0-9]*$", "title": "camelCase id"}
    finding = _one({"properties": {"id": schema}}, {"id": "Cost_center"})
    assert finding.code == "naming-camel-case"
    assert finding.message == 'id "Cost_center" is not a valid camelCase id'
    assert finding.hint.startswith("Write it as 'costCenter'")
    plain = _one({"pattern": "^a$"}, "b")
    assert (plain.code, plain.message) == ("schema-pattern", 'the document "b" does not match ^a$')


def test_a_pattern_on_property_names_is_about_the_key() -> None:
    finding = _one({"propertyNames": {"pattern": "^[a-z]+$"}}, {"Bad": 1})
    assert finding.at_key and finding.path == ("Bad",)
    assert finding.message == "the key 'Bad' does not match ^[a-z]+$"


@pytest.mark.parametrize(
    ("schema", "instance", "code", "message"),
    [
        (
            {"minLength": 3},
            "ab",
            "schema-length",
            "the document is 2 characters long; it must be at least 3",
        ),
        (
            {"maxLength": 1},
            "ab",
            "schema-length",
            "the document is 2 characters long; it must be at most 1",
        ),
        ({"minimum": 3}, 2, "schema-range", "the document is 2; it must be at least 3"),
        ({"exclusiveMaximum": 2}, 2, "schema-range", "the document is 2; it must be less than 2"),
        ({"minItems": 1}, [], "schema-range", "the document must have at least 1 entry"),
        ({"maxItems": 2}, [1, 2, 3], "schema-range", "the document must have at most 2 entries"),
        (
            {"uniqueItems": True},
            [1, 1],
            "schema-duplicate",
            "the document lists the same value more than once",
        ),
    ],
)
def test_bounds_say_what_the_value_is_and_must_be(
    schema: dict[str, Any], instance: Any, code: str, message: str
) -> None:
    finding = _one(schema, instance)
    assert (finding.code, finding.message) == (code, message)


def test_alternatives_report_the_best_matching_branch() -> None:
    schema = {"properties": {"port": {"anyOf": [{"type": "integer"}, {"enum": ["auto"]}]}}}
    finding = _one(schema, {"port": "x"})
    assert finding == SchemaFinding(
        ("port",),
        "schema-type",
        "port must be a whole number, not a string",
        "Write a whole number here.",
    )


def test_a_request_naming_both_targets_gets_its_own_code() -> None:
    schema = {"oneOf": [{"required": ["catalogItemId"]}, {"required": ["bundleId"]}]}
    finding = _one(schema, {"catalogItemId": "a", "bundleId": "b"})
    assert finding.code == "request-target"
    assert "both" in finding.message


def test_other_keywords_fall_back_to_the_validator_s_message() -> None:
    finding = _one({"not": {"type": "string"}}, "x")
    assert finding.code == "schema-invalid"
    assert finding.hint.startswith("Compare the document with the schema")


def test_overrides_reword_a_keyword_and_leave_the_rest() -> None:
    def mine(error: Any) -> list[SchemaFinding]:
        return [SchemaFinding((), "mine", error.validator, "")]

    translate = Translator(overrides={"minimum": mine})
    assert _findings({"minimum": 3}, 2, translate)[0].code == "mine"
    assert _findings({"maximum": 3}, 4, translate)[0].code == "schema-range"


def test_type_names_come_from_one_table_with_layered_words() -> None:
    assert wanted_types(["string", "number"]) == "a string or a number"
    assert wanted_types("string", {"string": "text"}) == "text"
