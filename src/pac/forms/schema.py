"""Forms as JSON Schema: the single definition of what a request's `input` may hold.

`form_schema` is what `pac form` publishes for portals and what `pac validate` itself runs
against request input, so a portal's verdict and pac's can never drift apart. Date bounds
use `formatMinimum` / `formatMaximum`, the keywords of ajv-formats, implemented in
`pac.forms.validators`. `ui_schema` is the matching react-jsonschema-form layout.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pac.documents.model import NAME_PATTERN, Field, Form

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
SECRET_NAME_PATTERN = "^[A-Z][A-Z0-9_]*$"
SECRET_HELP = "The name of the CI secret (PAC_SECRET_<NAME>), never the secret itself."


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


# No text input is longer than this, whatever its form says: a megabyte pasted into a field
# would pass and then fail at apply, in a ticket or a request body. docs/rules.md
# (form-text-unbounded) documents it; a field's own maxLength may be lower or higher.
TEXT_INPUT_CAP = 65536
# The longest address mail can deliver (RFC 5321's path limit less its angle brackets).
EMAIL_MAX_LENGTH = 254


def field_schema(field: Field) -> dict[str, Any]:
    """The JSON Schema of one field's value."""
    if field.type == "password":
        return secret_ref_schema(field.name, field.description)
    build = _VALUE_SCHEMAS.get(field.type)
    # The item schema admits only the types in the table.
    schema = build(field, field.validation) if build else {}
    schema["title"] = field.name
    if field.description:
        schema["description"] = field.description
    if field.has_default:
        schema["default"] = field.default
    return schema


def _copied(rules: Mapping[str, Any], schema: dict[str, Any], keys: dict[str, str]) -> None:
    """Copy the validation rules in `keys` (rule -> schema keyword) that are set."""
    for rule, keyword in keys.items():
        if rule in rules:
            schema[keyword] = rules[rule]


def _text_schema(field: Field, rules: Mapping[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if field.type == "string" and "pattern" in rules:
        schema["pattern"] = rules["pattern"]
    _copied(rules, schema, {"minLength": "minLength", "maxLength": "maxLength"})
    # The cap holds whatever the form says: a higher maxLength is a finding of its own
    # (form-text-over-cap), and never lets a longer value through.
    written = schema.get("maxLength")
    if isinstance(written, int) and not isinstance(written, bool):
        schema["maxLength"] = min(written, TEXT_INPUT_CAP)
    else:
        schema["maxLength"] = TEXT_INPUT_CAP
    return schema


def _number_schema(field: Field, rules: Mapping[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "number"}
    _copied(rules, schema, {"min": "minimum", "max": "maximum", "step": "multipleOf"})
    return schema


def _select_schema(field: Field, rules: Mapping[str, Any]) -> dict[str, Any]:
    values = list(field.enum or ())
    return {"type": _enum_type(values), "enum": values}


def _multiselect_schema(field: Field, rules: Mapping[str, Any]) -> dict[str, Any]:
    values = list(field.enum or ())
    schema: dict[str, Any] = {
        "type": "array",
        "items": {"type": _enum_type(values), "enum": values},
        "uniqueItems": True,
    }
    _copied(rules, schema, {"minItems": "minItems", "maxItems": "maxItems"})
    return schema


def _date_schema(field: Field, rules: Mapping[str, Any]) -> dict[str, Any]:
    # The pattern first: "soon" is told to be written YYYY-MM-DD, and only a date so
    # written that does not exist (2027-02-30) is "not a real calendar date".
    schema: dict[str, Any] = {"type": "string", "pattern": DATE_PATTERN, "format": "date"}
    if "min" in rules:
        schema["formatMinimum"] = str(rules["min"])
    if "max" in rules:
        schema["formatMaximum"] = str(rules["max"])
    return schema


def _email_schema(field: Field, rules: Mapping[str, Any]) -> dict[str, Any]:
    # No `format: email`: ajv-formats' email format is stricter than pac's rule (it
    # refuses non-ASCII names, for one), so a portal would refuse what pac accepts.
    return {"type": "string", "pattern": EMAIL_PATTERN, "maxLength": EMAIL_MAX_LENGTH}


def _file_schema(field: Field, rules: Mapping[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    types = [t.lstrip(".") for t in rules.get("types", [])]
    if types:
        schema["pattern"] = r"\.(" + "|".join(re.escape(t) for t in types) + r")$"
    return schema


_VALUE_SCHEMAS: dict[str, Callable[[Field, Mapping[str, Any]], dict[str, Any]]] = {
    "string": _text_schema,
    "textarea": _text_schema,
    "number": _number_schema,
    "boolean": lambda field, rules: {"type": "boolean"},
    "select": _select_schema,
    "multiselect": _multiselect_schema,
    "date": _date_schema,
    "email": _email_schema,
    "file": _file_schema,
}


def _enum_type(values: list[Any]) -> str | list[str]:
    if values and all(isinstance(v, str) for v in values):
        return "string"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    return ["string", "number"]


def needed(field: Field) -> bool:
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
        group_required = [f.id for f in group.fields if needed(f)]
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


_WIDGETS = {
    "textarea": "textarea",
    "select": "select",
    "multiselect": "checkboxes",
    "date": "date",
    "email": "email",
    "number": "updown",
    "boolean": "checkbox",
    "file": "file",
}


def _field_ui(field: Field) -> dict[str, Any]:
    ui: dict[str, Any] = {}
    if field.type == "password":
        # The value is a reference to a CI secret, so the input asks for its name.
        ui["secretRef"] = {"ui:widget": "text", "ui:placeholder": "NAME_OF_THE_CI_SECRET"}
        ui["ui:options"] = {"pacFieldType": "password"}
        # Said once: the owners' help where they wrote some, else pac's own line.
        if field.description:
            ui["ui:description"] = field.description
        else:
            ui["secretRef"]["ui:help"] = SECRET_HELP
        return ui
    widget = _WIDGETS.get(field.type)
    if widget:
        ui["ui:widget"] = widget
    if field.description:
        ui["ui:help"] = field.description
    if field.placeholder:
        ui["ui:placeholder"] = field.placeholder
    if field.type == "file":
        # pac stores a path in the repository, not the file's content.
        types = [str(t).lstrip(".") for t in field.validation.get("types", [])]
        ui["ui:options"] = {"pacFieldType": "file", "accept": ",".join(f".{t}" for t in types)}
    return ui


def ui_schema(form: Form) -> dict[str, Any]:
    """The react-jsonschema-form UI schema: field order, widgets, help and placeholders."""
    name = form.name_field
    ui: dict[str, Any] = {"ui:order": ["name", *(g.id for g in form.groups)]}
    ui["name"] = {
        key: value
        for key, value in (
            ("ui:help", name.description),
            ("ui:placeholder", name.placeholder),
        )
        if value
    }
    for group in form.groups:
        group_ui: dict[str, Any] = {"ui:order": [f.id for f in group.fields]}
        if group.description:
            group_ui["ui:description"] = group.description
        for field in group.fields:
            group_ui[field.id] = _field_ui(field)
        ui[group.id] = group_ui
    return ui
