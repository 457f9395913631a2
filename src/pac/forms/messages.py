"""The words of a request-input finding: one template per field and check.

`pac validate`, `pac request new` and the site's form all speak through these templates,
so a person reads the same sentence wherever they fill a form in. A template may hold
`VALUE`, where the offending value goes, quoted as Python's `repr` quotes it (`shown`);
`pac.forms.inputs` fills it in for the CLI, and the exported form carries the templates
(`field_messages`) for `pac.js`, which only fills in the value (its `shown` mirrors this
one). Hints that depend on the value (did you mean …?) are added by the CLI only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pac.documents.loader import JsonPath
from pac.documents.model import NAME_PATTERN, Field, Form
from pac.forms.schema import DATE_PATTERN, EMAIL_PATTERN, SECRET_NAME_PATTERN, needed

VALUE = "{value}"


@dataclass(frozen=True, slots=True)
class Wording:
    """What is wrong (`message`) and how to put it right (`how`), for one code."""

    code: str
    message: str
    how: str

    def filled(self, value: Any) -> Wording:
        return Wording(self.code, fill(self.message, value), fill(self.how, value))

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "how": self.how}


# A longer text is quoted by its start and its length: a 300,000-character value pasted
# into a field must not fill the terminal, the log and the pull request comment.
SHOWN_MAX = 80
SHOWN_HEAD = 60


def shown(value: Any) -> str:
    """A value as messages quote it: `'text'`, `48`, `2.5`, `True`; a long text by its
    first characters and its length."""
    if isinstance(value, str) and len(value) > SHOWN_MAX:
        return f"{value[:SHOWN_HEAD]!r}… ({len(value):,} characters)"
    return repr(value)


def fill(template: str, value: Any) -> str:
    # Split and join, as pac.js does, so catalog text holding braces is never a format.
    return shown(value).join(template.split(VALUE))


def _choices(limit: Any) -> str:
    return f"{limit} choice{'' if limit == 1 else 's'}"


# What a value out of range must do, by keyword, given the keyword's limit.
RANGE_RULES: dict[str, Callable[[Any], str]] = {
    "minimum": lambda limit: f"be at least {limit}",
    "maximum": lambda limit: f"be at most {limit}",
    "multipleOf": lambda limit: "be a whole number" if limit == 1 else f"be a multiple of {limit}",
    "minLength": lambda limit: f"be at least {limit} characters long",
    "maxLength": lambda limit: f"be at most {limit} characters long",
    "minItems": lambda limit: f"have at least {_choices(limit)}",
    "maxItems": lambda limit: f"have at most {_choices(limit)}",
    "formatMinimum": lambda limit: f"be on or after {limit}",
    "formatMaximum": lambda limit: f"be on or before {limit}",
}

# Patterns pac itself sets, in words: (what the value must be, how to write it).
KNOWN_PATTERNS: dict[str, tuple[str, str]] = {
    NAME_PATTERN: (
        "must be 4 to 30 lower-case letters, digits and hyphens, starting with a letter "
        "and not ending with a hyphen",
        "For example payments-db.",
    ),
    EMAIL_PATTERN: ("must be an email address", "Write one address, such as name@company.com."),
    DATE_PATTERN: ("must be a date written YYYY-MM-DD", "Write the date as YYYY-MM-DD."),
    SECRET_NAME_PATTERN: (
        "must be upper-case letters, digits and underscores",
        "For example PAYMENTS_DB_ADMIN.",
    ),
}


def dotted(path: JsonPath) -> str:
    return ".".join(map(str, path))


def field_label(field: Field, path: JsonPath) -> str:
    """`Cost center (environment.costCenter)`: a field by its label and where it sits."""
    return f"{field.name} ({dotted(path)})"


def required(field: Field, path: JsonPath) -> Wording:
    parent = dotted(path[:-1]) or "input"
    return Wording(
        "input-required",
        f"required field {field_label(field, path)} is missing",
        f"Add `{path[-1]}:` under {parent}.",
    )


def missing_group(form: Form, group_id: str) -> Wording:
    group = form.group(group_id)
    what = f"group {group.name} ({group_id})" if group else f"'{group_id}'"
    add = f"Add `{group_id}:` under input"
    if group is not None:
        # Named here so the group is filled in one edit, not found out field by field.
        fields = [f.id for f in group.fields if needed(f)]
        add += f" with {', '.join(fields)}" if fields else ""
    return Wording("input-required", f"required {what} is missing", f"{add}.")


def wrong_type(label: str, wanted: str, quote: bool) -> Wording:
    how = "Put the value in quotes." if quote else f"Write {wanted}."
    if wanted == "a number":
        how = "Write it in digits, such as 42 or 2.5."
    return Wording("input-type", f"{label} must be {wanted}", how)


def choice(label: str, options: list[str]) -> Wording:
    return Wording(
        "input-choice",
        f"{label} is {VALUE}; choose one of: {', '.join(options)}",
        "Pick one of the listed values.",
    )


def repeated_choice(label: str) -> Wording:
    return Wording("input-choice", f"{label} lists a choice twice", "Remove the repeat.")


def pattern(label: str, pattern: str, field: Field | None) -> Wording:
    """A value that does not match its pattern, in the words of the field's type."""
    if field is not None and field.type == "email":
        what, how = KNOWN_PATTERNS[EMAIL_PATTERN]
    elif field is not None and field.type == "date":
        what, how = KNOWN_PATTERNS[DATE_PATTERN]
    elif pattern in KNOWN_PATTERNS:
        what, how = KNOWN_PATTERNS[pattern]
    else:
        what, how = "does not have the required form", f"It must match {pattern}."
    return Wording("input-format", f"{label} {VALUE} {what}", how)


def not_a_date(label: str) -> Wording:
    return Wording(
        "input-format",
        f"{label} {VALUE} is not a real calendar date",
        "Write the date as YYYY-MM-DD.",
    )


def file_type(label: str, field: Field) -> Wording:
    types = [str(t).lstrip(".") for t in field.validation.get("types", [])]
    return Wording(
        "input-file",
        f"{label} {VALUE} must be a file of type {', '.join(types)}",
        "Name a file ending in "
        + " or ".join(f".{t}" for t in types)
        + ", committed next to the request.",
    )


def out_of_range(label: str, rule_keyword: str, limit: Any, listed: bool) -> Wording:
    """A value past a limit; a list (`listed`) is not quoted, its count is the point."""
    rule = RANGE_RULES[rule_keyword](limit)
    shown_value = "" if listed else f" {VALUE}"
    return Wording("input-range", f"{label}{shown_value} must {rule}", "Choose a value in range.")


def secret_name(field: Field, path: JsonPath) -> Wording:
    what = KNOWN_PATTERNS[SECRET_NAME_PATTERN][0]
    return Wording(
        "input-secret",
        f"{field.name} ({dotted(path)}): the secret name {VALUE} {what}",
        "For example `{secretRef: PAYMENTS_DB_ADMIN}`, stored as the CI secret "
        "PAC_SECRET_PAYMENTS_DB_ADMIN.",
    )


def secret_itself(field: Field, path: JsonPath) -> Wording:
    return Wording(
        "input-secret",
        f"{field_label(field, path)} must be a secret reference, never the secret itself",
        f"Write `{field.id}: {{secretRef: NAME}}` and store the value as the CI "
        "secret PAC_SECRET_NAME.",
    )


def _value_messages(field: Field, schema: dict[str, Any], label: str) -> dict[str, Wording]:
    """The checks a form page can find a field's value failing, keyword -> wording (a
    select, a checkbox list or a text box never holds a value of the wrong type, nor a
    repeated choice, so those have none)."""
    words: dict[str, Wording] = {}
    listed = schema.get("type") == "array"
    for key in RANGE_RULES:
        if key in schema:
            words[key] = out_of_range(label, key, schema[key], listed)
    if "enum" in schema:
        words["enum"] = choice(label, [str(o) for o in schema["enum"]])
    if field.type == "file" and "pattern" in schema:
        words["pattern"] = file_type(label, field)
    elif "pattern" in schema:
        words["pattern"] = pattern(label, schema["pattern"], field)
    if schema.get("format") == "date":
        words["format"] = not_a_date(label)
    if field.type == "number":
        words["type"] = wrong_type(label, "a number", quote=False)
    return words


def field_messages(field: Field, path: JsonPath, schema: dict[str, Any]) -> dict[str, Any]:
    """Every message the site's form can give a field, keyword -> {code, message, how}."""
    if field.type == "password":
        words = {"secret": secret_name(field, path)}
    else:
        words = _value_messages(field, schema, field_label(field, path))
    if path == ("name",) or needed(field):
        words["required"] = required(field, path)
    return {key: wording.as_json() for key, wording in words.items()}


def form_messages(form: Form, schema: dict[str, Any]) -> dict[str, Any]:
    """The messages of a form's fields, by dotted path (`name`, `<group>.<field>`)."""
    table = {"name": field_messages(form.name_field, ("name",), schema["properties"]["name"])}
    for group, field in form.fields():
        field_schema = schema["properties"][group.id]["properties"][field.id]
        table[f"{group.id}.{field.id}"] = field_messages(field, (group.id, field.id), field_schema)
    return table


def _kebab(label: str, example: str) -> Wording:
    return Wording(
        "input-format",
        f"{label} {VALUE} must be lower-case letters, digits and hyphens, starting with a letter",
        f"For example {example}.",
    )


@cache
def requester_messages() -> dict[str, Any]:
    """The messages of the site form's own fields: who asks, and the request's id (the
    same for every form: made once, never changed by callers)."""
    what, how = KNOWN_PATTERNS[EMAIL_PATTERN]
    email = Wording("input-format", f"Your email {VALUE} {what}", how)
    table: dict[str, dict[str, Wording]] = {
        "meta-email": {"pattern": email},
        "meta-name": {},
        "meta-team": {"pattern": _kebab("Your team", "payments")},
        "meta-id": {"pattern": _kebab("The request id", "payments-db")},
    }
    labels = {"meta-email": "Your email", "meta-name": "Your name", "meta-team": "Your team"}
    for key, label in labels.items():
        table[key]["required"] = Wording("input-required", f"{label} is missing", "")
    return {key: {k: w.as_json() for k, w in words.items()} for key, words in table.items()}
