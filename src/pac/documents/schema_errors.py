"""jsonschema validation errors as findings: one small handler per keyword, in one table.

Catalog documents and request input are both checked by jsonschema, and both turn its
errors into findings here. The handlers below word them for catalog documents; request
input (`pac.forms.inputs`) layers its field-aware wording on top by passing a `Translator`
handlers that override some keywords, so there is one dispatch and one type-name table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pac.documents.loader import JsonPath, path_text
from pac.documents.suggestions import did_you_mean

if TYPE_CHECKING:
    from jsonschema import ValidationError


@dataclass(frozen=True, slots=True)
class SchemaFinding:
    """A structural problem at `path` (a key name when `at_key`)."""

    path: JsonPath
    code: str
    message: str
    hint: str
    at_key: bool = False


SCHEMA_HINT = "Compare the document with the schema in schema/ or a sample under catalog/."
TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "nothing",
}
# A schema's pattern title names the kind of value; some kinds have a code of their own.
_PATTERN_CODES = {
    "kebab-case id": "naming-kebab-case",
    "camelCase id": "naming-camel-case",
    "JIRA project key": "naming-jira-project",
    "semantic version": "schema-format",
    "email address": "schema-format",
    "GitHub handle": "schema-format",
}

Findings = list[SchemaFinding]
Override = Callable[["ValidationError"], Findings]


def _undescribed(schema: dict[str, Any]) -> str:
    return ""


@dataclass(frozen=True)
class Translator:
    """Turns one jsonschema error into findings.

    `describe` gives a subschema's description (following `$ref`s the caller can resolve);
    `overrides` reword keywords for one kind of document, keyword -> handler.
    """

    describe: Callable[[dict[str, Any]], str] = _undescribed
    overrides: Mapping[str, Override] = field(default_factory=dict)

    def __call__(self, error: ValidationError) -> Findings:
        override = self.overrides.get(keyword(error))
        if override is not None:
            return override(error)
        return _HANDLERS.get(keyword(error), _invalid)(error, self)


def keyword(error: ValidationError) -> str:
    """The keyword that failed; jsonschema names it on every error it yields."""
    return str(error.validator)


def keyword_value(error: ValidationError) -> Any:
    """The failed keyword's value in the schema (a limit, the choices, the keys required)."""
    value: Any = error.validator_value
    return value


def instance_of(error: ValidationError) -> Any:
    """The value that failed the keyword."""
    value: Any = error.instance
    return value


def where(path: JsonPath) -> str:
    """A path as messages name it; the whole document when empty."""
    return path_text(path) or "the document"


def wanted_types(expected: Any, names: Mapping[str, str] = TYPE_NAMES) -> str:
    """`a string or a number` for a `type` keyword's value."""
    expected_list = expected if isinstance(expected, list) else [expected]
    return " or ".join(names.get(str(t), str(t)) for t in expected_list)


def missing_keys(error: ValidationError) -> list[str]:
    """The keys a `required` error finds missing, in the schema's order."""
    given = instance_of(error)
    return [key for key in keyword_value(error) if key not in given]


def unknown_keys(error: ValidationError) -> tuple[list[str], list[str]]:
    """(allowed, unknown) keys of an `additionalProperties` error, in their written order."""
    schema = _schema(error)
    allowed = list(schema.get("properties", {}))
    return allowed, [key for key in instance_of(error) if key not in allowed]


def _json_type(value: Any) -> str:
    """The JSON Schema type name of a parsed YAML value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _schema(error: ValidationError) -> dict[str, Any]:
    return error.schema if isinstance(error.schema, dict) else {}


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _sentence(text: str, fallback: str) -> str:
    if not text:
        return fallback
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# --- the handlers, keyword by keyword ---------------------------------------------------

# Keys of the seed's format (docs/migration.md) and pac's name for each.
_SEED_KEYS = {"presentation": "input", "form-data": "form"}


def _seed_hint(path: JsonPath, key: str, allowed: list[str]) -> str:
    """Advice for a key written as the seed's format has it (docs/migration.md)."""
    if key == "enum" and path and path[-1] == "validation":
        return (
            "In pac `enum` is a key of the field, beside `type:`, not of its validation "
            "(where the seed put it): move it up one level."
        )
    if key in ("config", "outputs") and len(path) == 2 and path[0] == "components":
        return (
            f"A component has no `{key}` in pac: every component reads the bundle's form as "
            ".current, and an action's `outputs` pass values on as .output (see "
            "docs/migration.md)."
        )
    if _SEED_KEYS.get(key) in allowed:
        return (
            f"`{key}:` is the seed's name for it: in pac write `{_SEED_KEYS[key]}:` "
            "(see docs/migration.md)."
        )
    return ""


_NO_AUTOMATIC_ACTIONS = SchemaFinding(
    ("fulfillment",),
    "fulfillment-automatic",
    "strategy mode is automatic but there are no automatic actions",
    "Add `automatic: {actions: [...]}` with the API calls, or set "
    "`strategy: {mode: manual}` until the automation is ready.",
)


def _required(error: ValidationError, translator: Translator) -> Findings:
    # Imported when a document lacks a key, not by every `pac validate`.
    from pac.documents.required_hints import required_snippet

    path: JsonPath = tuple(error.absolute_path)
    findings = []
    for key in missing_keys(error):
        if (path, key) == (("fulfillment",), "automatic"):
            findings.append(_NO_AUTOMATIC_ACTIONS)
            continue
        schema = _schema(error).get("properties", {}).get(key, {})
        about = translator.describe(schema)
        snippet = required_snippet(path, key, error.instance, schema)
        if snippet:
            hint = snippet if not about else f"{snippet[:-1]} ({about})."
        else:
            hint = f"Add `{key}:`" + (f" ({about})." if about else ".")
        if (path[:2] == ("input", "form") or path == ("input",)) and "templates/" not in hint:
            hint += " See templates/ for a complete example."
        message = f"missing required key '{key}' in {where(path)}"
        findings.append(SchemaFinding(path, "schema-required", message, hint))
    return findings


def _additional_properties(error: ValidationError, translator: Translator) -> Findings:
    path: JsonPath = tuple(error.absolute_path)
    allowed, unknown = unknown_keys(error)
    findings = []
    for key in unknown:
        suggestion = did_you_mean(key, allowed)
        seed = _seed_hint(path, key, allowed)
        if seed:
            hint = seed
        elif suggestion:
            hint = f"Did you mean '{suggestion}'?"
        elif allowed:
            hint = "Allowed keys here: " + ", ".join(sorted(allowed)) + "."
        else:
            hint = "No keys are allowed here."
        message = f"unknown key '{key}' in {where(path)}"
        findings.append(
            SchemaFinding((*path, key), "schema-unknown-key", message, hint, at_key=True)
        )
    return findings


def _type(error: ValidationError, translator: Translator) -> Findings:
    path: JsonPath = tuple(error.absolute_path)
    expected = error.validator_value
    wanted = wanted_types(expected)
    actual = _json_type(error.instance)
    hint = f"Write {wanted} here."
    expected_list = expected if isinstance(expected, list) else [expected]
    if "string" in expected_list and actual in ("number", "integer", "boolean", "null"):
        hint = f"YAML read {_show(error.instance)} as {TYPE_NAMES[actual]}; put it in quotes."
        about = translator.describe(_schema(error))
        if about:
            hint += f" It must be {about}."
    message = f"{where(path)} must be {wanted}, not {TYPE_NAMES.get(actual, actual)}"
    return [SchemaFinding(path, "schema-type", message, hint)]


def _name_field_value(path: JsonPath, expected: Any, instance: Any) -> SchemaFinding:
    """A form's first field, the reserved name field, spelled other than the schema fixes."""
    return SchemaFinding(
        path,
        "form-name-field",
        f"the top-level name field's {path_text(path[2:])} must be "
        f"{_show(expected)}, not {_show(instance)}",
        "Every form starts with the reserved name field: `type: string`, "
        "`required: true`, `validation: {pattern: "
        '"^[a-z][a-z0-9-]{2,28}[a-z0-9]$"}`.',
    )


def _enum(error: ValidationError, translator: Translator) -> Findings:
    path: JsonPath = tuple(error.absolute_path)
    value = keyword_value(error)
    options = value if keyword(error) == "enum" else [value]
    if path[:2] == ("input", "form") and len(path) in (3, 4):
        return [_name_field_value(path, options[0], error.instance)]
    shown = ", ".join(str(o) for o in options)
    suggestion = did_you_mean(str(error.instance), [str(o) for o in options])
    hint = f"Did you mean '{suggestion}'?" if suggestion else f"Use one of: {shown}."
    message = f"{where(path)} is {_show(error.instance)}; it must be " + (
        f"one of: {shown}" if len(options) > 1 else shown
    )
    return [SchemaFinding(path, "schema-value", message, hint)]


def _respelled(value: Any, title: str, pattern: str) -> str:
    """`Cost_center` as the camelCase id `costCenter`, or as the kebab-case id
    `cost-center`, when that spelling is valid; "" when there is none to offer."""
    if not isinstance(value, str) or title not in ("camelCase id", "kebab-case id"):
        return ""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", value)
    parts = [w for w in re.split(r"[^A-Za-z0-9]+", words) if w]
    if not parts:
        return ""
    if title == "camelCase id":
        fixed = parts[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in parts[1:])
    else:
        fixed = "-".join(w.lower() for w in parts)
    try:
        valid = re.fullmatch(pattern, fixed) is not None
    except re.error:
        return ""
    return fixed if valid and fixed != value else ""


def _names_a_key(error: ValidationError) -> bool:
    """True when a pattern error comes from `propertyNames`: it is about a key, not a value."""
    steps = list(error.schema_path)
    if "propertyNames" not in steps:
        return False
    tail = steps[len(steps) - steps[::-1].index("propertyNames") :]
    return not any(
        step in ("properties", "items", "additionalProperties", "patternProperties")
        for step in tail
    )


def _pattern(error: ValidationError, translator: Translator) -> Findings:
    path: JsonPath = tuple(error.absolute_path)
    schema = _schema(error)
    instance = instance_of(error)
    title = schema.get("title", "")
    at_key = _names_a_key(error)
    target = (*path, instance) if at_key else path
    what = f"the key '{instance}'" if at_key else f"{where(path)} {_show(instance)}"
    hint = _sentence(
        schema.get("description", ""), f"Write a value matching {error.validator_value}."
    )
    fixed = _respelled(instance, title, str(error.validator_value))
    if fixed:
        hint = f"Write it as '{fixed}': {hint[0].lower()}{hint[1:]}"
    message = (
        f"{what} is not a valid {title}"
        if title
        else f"{what} does not match {error.validator_value}"
    )
    code = _PATTERN_CODES.get(title, "schema-pattern")
    return [SchemaFinding(target, code, message, hint, at_key=at_key)]


def _length(error: ValidationError, translator: Translator) -> Findings:
    path: JsonPath = tuple(error.absolute_path)
    length = len(error.instance) if isinstance(error.instance, str) else 0
    relation = "at least" if error.validator == "minLength" else "at most"
    return [
        SchemaFinding(
            path,
            "schema-length",
            f"{where(path)} is {length} characters long; it must be {relation} "
            f"{error.validator_value}",
            _sentence(_schema(error).get("description", ""), "Adjust the length."),
        )
    ]


_BOUNDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "more than",
    "exclusiveMaximum": "less than",
}


def _bound(error: ValidationError, translator: Translator) -> Findings:
    path: JsonPath = tuple(error.absolute_path)
    message = (
        f"{where(path)} is {_show(error.instance)}; it must be {_BOUNDS[keyword(error)]} "
        f"{error.validator_value}"
    )
    return [SchemaFinding(path, "schema-range", message, "Choose a value in range.")]


def _items(error: ValidationError, translator: Translator) -> Findings:
    path: JsonPath = tuple(error.absolute_path)
    fewest = error.validator == "minItems"
    count = error.validator_value
    return [
        SchemaFinding(
            path,
            "schema-range",
            f"{where(path)} must have {'at least' if fewest else 'at most'} {count} "
            f"entr{'y' if count == 1 else 'ies'}",
            "Add entries to the list." if fewest else "Shorten the list.",
        )
    ]


def _unique_items(error: ValidationError, translator: Translator) -> Findings:
    path: JsonPath = tuple(error.absolute_path)
    message = f"{where(path)} lists the same value more than once"
    return [SchemaFinding(path, "schema-duplicate", message, "Remove the repeated entries.")]


def _request_target(instance: dict[str, Any]) -> SchemaFinding:
    """A request's `oneOf`: it names exactly one of an offering and a bundle."""
    both = "catalogItemId" in instance and "bundleId" in instance
    return SchemaFinding(
        (),
        "request-target",
        "a request names both catalogItemId and bundleId"
        if both
        else "a request must name what it asks for: catalogItemId or bundleId",
        "Keep exactly one of `catalogItemId:` (a single offering) or `bundleId:` "
        "(a bundle); `pac catalog list` shows the ids.",
    )


def _alternatives(error: ValidationError, translator: Translator) -> Findings:
    path: JsonPath = tuple(error.absolute_path)
    if error.validator == "oneOf" and path == () and isinstance(error.instance, dict):
        return [_request_target(error.instance)]
    if error.context:
        from jsonschema.exceptions import best_match

        return translator(best_match(error.context))
    return _invalid(error, translator)


def _invalid(error: ValidationError, translator: Translator) -> Findings:
    return [SchemaFinding(tuple(error.absolute_path), "schema-invalid", error.message, SCHEMA_HINT)]


_HANDLERS: dict[str, Callable[[ValidationError, Translator], Findings]] = {
    "required": _required,
    "additionalProperties": _additional_properties,
    "type": _type,
    "enum": _enum,
    "const": _enum,
    "pattern": _pattern,
    "minLength": _length,
    "maxLength": _length,
    "minimum": _bound,
    "maximum": _bound,
    "exclusiveMinimum": _bound,
    "exclusiveMaximum": _bound,
    "minItems": _items,
    "maxItems": _items,
    "uniqueItems": _unique_items,
    "oneOf": _alternatives,
    "anyOf": _alternatives,
}
