"""Checking a request's input against its form, worded for the person filling it in.

The fast yes/no check answers for valid input; invalid input goes through jsonschema, and
its errors through the shared translator (`pac.documents.schema_errors`) with the
field-aware wording below layered on top: field names and labels, choices, help texts.
Findings' paths are relative to the request's `input`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pac.documents.loader import JsonPath
from pac.documents.model import Field, Form, Offering
from pac.documents.repository import Repository
from pac.documents.schema_errors import (
    TYPE_NAMES,
    Findings,
    Override,
    SchemaFinding,
    Translator,
    keyword,
    keyword_value,
    missing_keys,
    unknown_keys,
    wanted_types,
)
from pac.documents.suggestions import did_you_mean
from pac.forms.ecma import MATCH_TIMEOUT, pattern_timed_out
from pac.forms.schema import form_schema, needed
from pac.forms.validators import Check, compile_check, validator_for

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

# People filling in a form write text, not strings.
_INPUT_TYPE_NAMES = {**TYPE_NAMES, "string": "text"}


def _choices(limit: Any) -> str:
    return f"{limit} choice{'' if limit == 1 else 's'}"


# What a value out of range must do, by keyword, given the keyword's limit.
_RANGE_RULES: dict[str, Callable[[Any], str]] = {
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


def _without_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            k: _without_required(v)
            for k, v in schema.items()
            if not (k == "required" and isinstance(v, list))  # the keyword, not a field
        }
    return schema


def _missing_key(finding: SchemaFinding) -> str:
    return finding.message if finding.code == "input-required" else ""


def _dotted(path: JsonPath) -> str:
    return ".".join(map(str, path))


class InputChecker:
    """Checks request input against one form; build once per offering, reuse per request."""

    def __init__(self, form: Form, owner_hint: str = "") -> None:
        self.form = form
        self.schema = form_schema(form)
        self.owner_hint = owner_hint
        self._wording = _Wording(form, owner_hint)
        self._translate = Translator(overrides=self._wording.overrides())

    @cached_property
    def is_valid(self) -> Check:
        """The compiled yes/no check of the form schema (built when first needed)."""
        return compile_check(self.schema)

    @cached_property
    def validator(self) -> Validator:
        """The reference validator, built only when some input is invalid."""
        return validator_for(self.schema)

    @cached_property
    def is_valid_partial(self) -> Check:
        """Like `is_valid`, but missing fields are fine (for checking defaults alone)."""
        return compile_check(_without_required(self.schema))

    def errors(self, values: Any, *, partial: bool = False) -> Iterator[ValidationError]:
        """jsonschema errors for `values`; none at all, quickly, when they are valid.

        With `partial`, missing required fields are not errors.
        """
        valid = self.is_valid_partial(values) if partial else self.is_valid(values)
        if valid:
            return iter(())
        errors = self.validator.iter_errors(values)
        if partial:
            return (e for e in errors if e.validator != "required")
        return iter(errors)

    def check(self, values: Any) -> list[SchemaFinding]:
        findings: list[SchemaFinding] = []
        seen: set[tuple[JsonPath, str, str]] = set()
        for error in self.errors(values):
            for finding in self.convert(error):
                # One finding per value and kind: a malformed date fails both its pattern
                # and its format, which is one mistake. Missing fields share their parent's
                # path, so each is told apart by its message: five missing groups are five.
                key = (finding.path, finding.code, _missing_key(finding))
                if key not in seen:
                    seen.add(key)
                    findings.append(finding)
        return findings

    def convert(self, error: ValidationError) -> Findings:
        """The findings for one jsonschema error in this form's input."""
        secret = self._wording.secret(error)
        return [secret] if secret is not None else self._translate(error)


class _Wording:
    """Input errors of one form in the words of its fields: keyword handlers that override
    the shared translator's catalog wording."""

    def __init__(self, form: Form, owner_hint: str) -> None:
        self.form = form
        self.owner_hint = owner_hint

    def overrides(self) -> dict[str, Override]:
        return {
            "required": self.required,
            "additionalProperties": self.unknown_field,
            "type": self.wrong_type,
            "enum": self.choice,
            "uniqueItems": self.repeated_choice,
            "pattern": self.pattern,
            "format": self.not_a_date,
            **dict.fromkeys(_RANGE_RULES, self.out_of_range),
        }

    def field(self, path: JsonPath) -> Field | None:
        if path == ("name",):
            return self.form.name_field
        if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], str):
            group = self.form.group(path[0])
            return group.field(path[1]) if group else None
        return None

    def label(self, path: JsonPath) -> str:
        dotted = _dotted(path) or "input"
        field = self.field(path[:2])
        if field is not None and len(path) <= 2:
            return f"{field.name} ({dotted})"
        if field is not None and len(path) == 3 and isinstance(path[2], int):
            # An entry of a multiselect list: counted from 1, as people count.
            return f"{field.name} ({_dotted(path[:2])}) entry {path[2] + 1}"
        if len(path) == 1 and isinstance(path[0], str):
            group = self.form.group(path[0])
            if group is not None:
                return f"group {group.name} ({dotted})"
        return dotted

    def hint(self, text: str, field: Field | None = None) -> str:
        parts = [text]
        if field is not None and field.description:
            parts.append(f"Field help: {field.description}")
        if self.owner_hint:
            parts.append(f"Questions about this form: {self.owner_hint}.")
        return " ".join(parts)

    def about(self, error: ValidationError) -> tuple[JsonPath, Field | None, str]:
        """The error's path, the field it is about (if any) and that field's label."""
        path: JsonPath = tuple(error.absolute_path)
        return path, self.field(path[:2]), self.label(path)

    def secret(self, error: ValidationError) -> SchemaFinding | None:
        """A password field's value, whatever the keyword: a secret reference, or wrong."""
        path, field, label = self.about(error)
        if field is None or field.type != "password" or len(path) not in (2, 3):
            return None
        if len(path) == 3:
            return SchemaFinding(
                path,
                "input-secret",
                f"{field.name} ({_dotted(path[:2])}): the secret name "
                f"{error.instance!r} must be upper-case letters, digits and underscores",
                self.hint(
                    "For example `{secretRef: PAYMENTS_DB_ADMIN}`, stored as the CI secret "
                    "PAC_SECRET_PAYMENTS_DB_ADMIN."
                ),
            )
        return SchemaFinding(
            path,
            "input-secret",
            f"{label} must be a secret reference, never the secret itself",
            self.hint(
                f"Write `{field.id}: {{secretRef: NAME}}` and store the value as the CI "
                "secret PAC_SECRET_NAME."
            ),
        )

    def required(self, error: ValidationError) -> Findings:
        path: JsonPath = tuple(error.absolute_path)
        return [self.missing(path, key) for key in missing_keys(error)]

    def missing(self, path: JsonPath, key: str) -> SchemaFinding:
        missing_path = (*path, key)
        missing = self.field(missing_path)
        group = self.form.group(key) if not path and missing is None else None
        if missing is not None:
            what = f"required field {missing.name} ({_dotted(missing_path)})"
        else:
            what = "required " + (f"group {group.name} ({key})" if group else f"'{key}'")
        add = f"Add `{key}:` under {_dotted(path) or 'input'}"
        if group is not None:
            # Named here so the group is filled in one edit, not found out field by field.
            fields = [f.id for f in group.fields if needed(f)]
            add += f" with {', '.join(fields)}" if fields else ""
        return SchemaFinding(
            path, "input-required", f"{what} is missing", self.hint(f"{add}.", missing)
        )

    def unknown_field(self, error: ValidationError) -> Findings:
        path: JsonPath = tuple(error.absolute_path)
        allowed, unknown = unknown_keys(error)
        where = _dotted(path) or "input"
        findings = []
        for key in unknown:
            suggestion = did_you_mean(key, allowed)
            hint = (
                f"Did you mean '{suggestion}'?"
                if suggestion
                else "Known here: " + ", ".join(allowed) + "."
            )
            findings.append(
                SchemaFinding(
                    (*path, key),
                    "input-unknown-field",
                    f"unknown field '{key}' in {where}",
                    self.hint(hint),
                    at_key=True,
                )
            )
        return findings

    def wrong_type(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        expected = error.validator_value
        wanted = wanted_types(expected, _INPUT_TYPE_NAMES)
        hint = f"Write {wanted}."
        if expected == "string" and not isinstance(error.instance, dict | list):
            hint = "Put the value in quotes."
        message = f"{label} must be {wanted}"
        return [SchemaFinding(path, "input-type", message, self.hint(hint, field))]

    def choice(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        options = [str(o) for o in keyword_value(error)]
        suggestion = did_you_mean(str(error.instance), options)
        hint = f"Did you mean '{suggestion}'?" if suggestion else ""
        return [
            SchemaFinding(
                path,
                "input-choice",
                f"{label} is {error.instance!r}; choose one of: {', '.join(options)}",
                self.hint(hint or "Pick one of the listed values.", field),
            )
        ]

    def repeated_choice(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        hint = self.hint("Remove the repeat.", field)
        return [SchemaFinding(path, "input-choice", f"{label} lists a choice twice", hint)]

    def pattern(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        instance = error.instance
        if field is not None and field.type == "file":
            return [self.file_type(path, field, label, instance)]
        what, how = self.pattern_wording(keyword_value(error), instance, field)
        message = f"{label} {instance!r} {what}"
        return [SchemaFinding(path, "input-format", message, self.hint(how, field))]

    def pattern_wording(self, pattern: str, instance: Any, field: Field | None) -> tuple[str, str]:
        """(what is wrong, how to write it) for a value that does not match `pattern`."""
        if isinstance(instance, str) and pattern_timed_out(pattern, instance):
            return (
                f"could not be checked: matching it against {pattern} took "
                f"longer than {MATCH_TIMEOUT} s",
                "The field's validation.pattern backtracks catastrophically on this value; "
                "the owning team should simplify it (no nested quantifiers such as (a+)+).",
            )
        if field is not None and field.type == "email":
            return "must be an email address", "Write one address, such as name@company.com."
        if field is not None and field.type == "date":
            return "must be a date written YYYY-MM-DD", "Write the date as YYYY-MM-DD."
        return "does not have the required form", f"It must match {pattern}."

    def file_type(self, path: JsonPath, field: Field, label: str, instance: Any) -> SchemaFinding:
        types = [str(t).lstrip(".") for t in field.validation.get("types", [])]
        return SchemaFinding(
            path,
            "input-file",
            f"{label} {instance!r} must be a file of type {', '.join(types)}",
            self.hint(
                "Name a file ending in "
                + " or ".join(f".{t}" for t in types)
                + ", committed next to the request.",
                field,
            ),
        )

    def not_a_date(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        return [
            SchemaFinding(
                path,
                "input-format",
                f"{label} {error.instance!r} is not a real calendar date",
                self.hint("Write the date as YYYY-MM-DD.", field),
            )
        ]

    def out_of_range(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        rule = _RANGE_RULES[keyword(error)](keyword_value(error))
        shown = f"{error.instance!r}" if not isinstance(error.instance, list | dict) else ""
        return [
            SchemaFinding(
                path,
                "input-range",
                f"{label} {shown} must {rule}".replace("  ", " "),
                self.hint("Choose a value in range.", field),
            )
        ]


def input_checker(repo: Repository, offering: Offering) -> InputChecker:
    """One checker per offering and run: the form's schema is built once."""
    return repo.memo(
        ("input-checker", offering.id),
        lambda: InputChecker(offering.form, offering.owner.describe()),
    )
