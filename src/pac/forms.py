"""Forms as JSON Schema: the single definition of what a request's `input` may hold.

`form_schema` is what `pac form` publishes for portals and what `pac validate` itself runs
against request input, so a portal's verdict and pac's can never drift apart. Date bounds
use `formatMinimum` / `formatMaximum`, the keywords of ajv-formats, implemented here too.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pac.documents import JsonPath
from pac.model import NAME_PATTERN, Field, Form
from pac.schemas import did_you_mean

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
SECRET_NAME_PATTERN = "^[A-Z][A-Z0-9_]*$"
_DATE_RE = re.compile(DATE_PATTERN)


def secret_ref_schema(title: str = "", description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "secretRef": {
                "type": "string",
                "pattern": SECRET_NAME_PATTERN,
                "title": "Secret name",
                "description": "resolved at apply time from the CI secret PAC_SECRET_<NAME>",
            }
        },
        "required": ["secretRef"],
        "additionalProperties": False,
    }
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    return schema


def field_schema(field: Field) -> dict[str, Any]:
    """The JSON Schema of one field's value."""
    rules = field.validation
    schema: dict[str, Any]
    kind = field.type
    if kind == "password":
        return secret_ref_schema(field.name, field.description)
    if kind in ("string", "textarea"):
        schema = {"type": "string"}
        if kind == "string" and "pattern" in rules:
            schema["pattern"] = rules["pattern"]
        for key in ("minLength", "maxLength"):
            if key in rules:
                schema[key] = rules[key]
    elif kind == "number":
        schema = {"type": "number"}
        if "min" in rules:
            schema["minimum"] = rules["min"]
        if "max" in rules:
            schema["maximum"] = rules["max"]
        if "step" in rules:
            schema["multipleOf"] = rules["step"]
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "select":
        values = list(field.enum or ())
        schema = {"type": _enum_type(values), "enum": values}
    elif kind == "multiselect":
        schema = {
            "type": "array",
            "items": {"type": _enum_type(list(field.enum or ())), "enum": list(field.enum or ())},
            "uniqueItems": True,
        }
        for key in ("minItems", "maxItems"):
            if key in rules:
                schema[key] = rules[key]
    elif kind == "date":
        schema = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
        if "min" in rules:
            schema["formatMinimum"] = str(rules["min"])
        if "max" in rules:
            schema["formatMaximum"] = str(rules["max"])
    elif kind == "email":
        schema = {"type": "string", "format": "email", "pattern": EMAIL_PATTERN}
    elif kind == "file":
        schema = {"type": "string", "minLength": 1}
        types = [t.lstrip(".") for t in rules.get("types", [])]
        if types:
            schema["pattern"] = r"\.(" + "|".join(re.escape(t) for t in types) + r")$"
    else:  # pragma: no cover - the item schema admits only the types above
        schema = {}
    schema["title"] = field.name
    if field.description:
        schema["description"] = field.description
    if field.has_default:
        schema["default"] = field.default
    return schema


def _enum_type(values: list[Any]) -> str | list[str]:
    if values and all(isinstance(v, str) for v in values):
        return "string"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    return ["string", "number"]


def _needed(field: Field) -> bool:
    # A required field with a default can never be missing: the default fills it.
    return field.required and not field.has_default


def form_schema(form: Form, title: str = "", description: str = "") -> dict[str, Any]:
    """JSON Schema (draft-07) of a request's `input` for this form."""
    name = form.name_field
    properties: dict[str, Any] = {
        "name": {
            "type": "string",
            "pattern": NAME_PATTERN,
            "title": name.name,
            **({"description": name.description} if name.description else {}),
        }
    }
    required = ["name"]
    for group in form.groups:
        group_required = [f.id for f in group.fields if _needed(f)]
        group_schema: dict[str, Any] = {
            "type": "object",
            "title": group.name,
            "properties": {f.id: field_schema(f) for f in group.fields},
            "additionalProperties": False,
        }
        if group.description:
            group_schema["description"] = group.description
        if group_required:
            group_schema["required"] = group_required
            required.append(group.id)
        properties[group.id] = group_schema
    schema: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    return schema


def apply_defaults(form: Form, values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `values` with every missing field that has a default filled in."""
    result = copy.deepcopy(dict(values))
    for group in form.groups:
        defaults = {f.id: copy.deepcopy(f.default) for f in group.fields if f.has_default}
        if not defaults:
            continue
        current = result.get(group.id)
        if current is None:
            result[group.id] = defaults
        elif isinstance(current, dict):
            for key, value in defaults.items():
                current.setdefault(key, value)
    return result


# --- checking input ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InputFinding:
    path: JsonPath  # relative to `input`
    code: str
    message: str
    hint: str
    at_key: bool = False


@cache
def _validator_class() -> Any:
    from jsonschema import Draft7Validator, ValidationError, validators

    def bound(kind: str) -> Any:
        def check(validator: Any, limit: Any, instance: Any, schema: Any) -> Iterator[Any]:
            if not isinstance(instance, str) or not _DATE_RE.match(instance):
                return
            if kind == "min" and instance < limit:
                yield ValidationError(f"{instance!r} is before {limit}")
            if kind == "max" and instance > limit:
                yield ValidationError(f"{instance!r} is after {limit}")

        return check

    return validators.extend(  # type: ignore[no-untyped-call]
        Draft7Validator,
        {"formatMinimum": bound("min"), "formatMaximum": bound("max")},
    )


def validator_for(schema: Mapping[str, Any]) -> Any:
    """A jsonschema validator for a form schema, with date formats and bounds enforced."""
    from jsonschema import FormatChecker

    cls = _validator_class()
    return cls(schema, format_checker=FormatChecker(formats=("date",)))


class InputChecker:
    """Checks request input against one form; build once per offering, reuse per request."""

    def __init__(self, form: Form, owner_hint: str = "") -> None:
        self.form = form
        self.schema = form_schema(form)
        self.validator = validator_for(self.schema)
        self.owner_hint = owner_hint

    def check(self, values: Any) -> list[InputFinding]:
        findings: list[InputFinding] = []
        seen: set[tuple[JsonPath, str]] = set()
        for error in self.validator.iter_errors(values):
            for finding in self._convert(error):
                # One finding per value and kind: a malformed date fails both its pattern
                # and its format, which is one mistake.
                if (finding.path, finding.code) not in seen:
                    seen.add((finding.path, finding.code))
                    findings.append(finding)
        return findings

    def _field(self, path: JsonPath) -> Field | None:
        if path == ("name",):
            return self.form.name_field
        if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], str):
            group = self.form.group(path[0])
            return group.field(path[1]) if group else None
        return None

    def _label(self, path: JsonPath) -> str:
        dotted = ".".join(str(p) for p in path) or "input"
        field = self._field(path[:2])
        if field is not None and len(path) <= 2:
            return f"{field.name} ({dotted})"
        if len(path) == 1 and isinstance(path[0], str):
            group = self.form.group(path[0])
            if group is not None:
                return f"group {group.name} ({dotted})"
        return dotted

    def _hint(self, text: str, field: Field | None = None) -> str:
        parts = [text]
        if field is not None and field.description:
            parts.append(f"Field help: {field.description}")
        if self.owner_hint:
            parts.append(f"Questions about this form: {self.owner_hint}.")
        return " ".join(parts)

    def _convert(self, error: Any) -> list[InputFinding]:
        path: JsonPath = tuple(error.absolute_path)
        keyword = error.validator
        instance = error.instance
        field = self._field(path[:2])
        label = self._label(path)

        if field is not None and field.type == "password" and len(path) == 3:
            return [
                InputFinding(
                    path,
                    "input-secret",
                    f"{field.name} ({'.'.join(map(str, path[:2]))}): the secret name "
                    f"{instance!r} must be upper-case letters, digits and underscores",
                    self._hint(
                        "For example `{secretRef: PAYMENTS_DB_ADMIN}`, stored as the CI secret "
                        "PAC_SECRET_PAYMENTS_DB_ADMIN."
                    ),
                )
            ]
        if field is not None and field.type == "password" and len(path) == 2:
            return [
                InputFinding(
                    path,
                    "input-secret",
                    f"{label} must be a secret reference, never the secret itself",
                    self._hint(
                        f"Write `{field.id}: {{secretRef: NAME}}` and store the value as the CI "
                        "secret PAC_SECRET_NAME."
                    ),
                )
            ]
        if keyword == "required":
            out = []
            for key in error.validator_value:
                if key in instance:
                    continue
                missing_path = (*path, key)
                missing = self._field(missing_path)
                if missing is not None:
                    what = f"required field {missing.name} ({'.'.join(map(str, missing_path))})"
                else:
                    group = self.form.group(key) if not path else None
                    what = f"group {group.name} ({key})" if group else f"'{key}'"
                    what = "required " + what
                out.append(
                    InputFinding(
                        path,
                        "input-required",
                        f"{what} is missing",
                        self._hint(
                            f"Add `{key}:` under {'.'.join(map(str, path)) or 'input'}.", missing
                        ),
                    )
                )
            return out
        if keyword == "additionalProperties":
            allowed = list(error.schema.get("properties", {}))
            out = []
            for key in instance:
                if key in allowed:
                    continue
                suggestion = did_you_mean(key, allowed)
                where = ".".join(map(str, path)) or "input"
                hint = (
                    f"Did you mean '{suggestion}'?"
                    if suggestion
                    else "Known here: " + ", ".join(allowed) + "."
                )
                out.append(
                    InputFinding(
                        (*path, key),
                        "input-unknown-field",
                        f"unknown field '{key}' in {where}",
                        self._hint(hint),
                        at_key=True,
                    )
                )
            return out
        if keyword == "type":
            expected = error.validator_value
            names = {
                "string": "text",
                "number": "a number",
                "boolean": "true or false",
                "array": "a list",
                "object": "a mapping",
            }
            wanted = (
                " or ".join(names.get(str(t), str(t)) for t in expected)
                if isinstance(expected, list)
                else names.get(expected, expected)
            )
            hint = f"Write {wanted}."
            if expected == "string" and not isinstance(instance, dict | list):
                hint = "Put the value in quotes."
            return [
                InputFinding(
                    path, "input-type", f"{label} must be {wanted}", self._hint(hint, field)
                )
            ]
        if keyword == "enum":
            options = [str(o) for o in error.validator_value]
            suggestion = did_you_mean(str(instance), options)
            hint = f"Did you mean '{suggestion}'?" if suggestion else ""
            return [
                InputFinding(
                    path,
                    "input-choice",
                    f"{label} is {instance!r}; choose one of: {', '.join(options)}",
                    self._hint(hint or "Pick one of the listed values.", field),
                )
            ]
        if keyword == "uniqueItems":
            return [
                InputFinding(
                    path, "input-choice", f"{label} lists a choice twice", "Remove the repeat."
                )
            ]
        if keyword == "pattern":
            what = "does not have the required form"
            if field is not None and field.type == "file":
                types = ", ".join(field.validation.get("types", []))
                what = f"must be a file of type {types}"
            elif field is not None and field.type == "email":
                what = "must be an email address"
            elif field is not None and field.type == "date":
                what = "must be a date written YYYY-MM-DD"
            return [
                InputFinding(
                    path,
                    "input-format",
                    f"{label} {instance!r} {what}",
                    self._hint(f"It must match {error.validator_value}.", field),
                )
            ]
        if keyword == "format":
            return [
                InputFinding(
                    path,
                    "input-format",
                    f"{label} {instance!r} is not a real calendar date",
                    self._hint("Write the date as YYYY-MM-DD.", field),
                )
            ]
        if keyword in (
            "minimum",
            "maximum",
            "multipleOf",
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "formatMinimum",
            "formatMaximum",
        ):
            limit = error.validator_value
            rule = {
                "minimum": f"at least {limit}",
                "maximum": f"at most {limit}",
                "multipleOf": f"a multiple of {limit}",
                "minLength": f"at least {limit} characters long",
                "maxLength": f"at most {limit} characters long",
                "minItems": f"at least {limit} choices",
                "maxItems": f"at most {limit} choices",
                "formatMinimum": f"on or after {limit}",
                "formatMaximum": f"on or before {limit}",
            }[keyword]
            shown = f"{instance!r}" if not isinstance(instance, list | dict) else ""
            return [
                InputFinding(
                    path,
                    "input-range",
                    f"{label} {shown} must be {rule}".replace("  ", " "),
                    self._hint("Choose a value in range.", field),
                )
            ]
        # Keywords the form generator does not emit; reported as a format problem.
        return [InputFinding(path, "input-format", f"{label}: {error.message}", self._hint(""))]
