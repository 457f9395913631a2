"""Checking a request's input against its form, worded for the person filling it in.

The fast yes/no check answers for valid input; invalid input goes through jsonschema, and
its errors through the shared translator (`pac.documents.schema_errors`) with the
field-aware wording below layered on top: field names and labels, choices, help texts.
Findings' paths are relative to the request's `input`.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from pac.forms import messages
from pac.forms.ecma import MATCH_TIMEOUT, pattern_timed_out
from pac.forms.messages import RANGE_RULES, Wording, dotted, field_label
from pac.forms.schema import form_schema
from pac.forms.validators import Check, compile_check, validator_for

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

# People filling in a form write text, not strings.
_INPUT_TYPE_NAMES = {**TYPE_NAMES, "string": "text"}


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


class InputChecker:
    """Checks request input against one form; build once per offering, reuse per request."""

    def __init__(self, form: Form, owner_hint: str = "", *, field_help: bool = True) -> None:
        """`field_help`: add the field's help text to hints (not where it is already shown)."""
        self.form = form
        self.schema = form_schema(form)
        self.owner_hint = owner_hint
        self._wording = _Wording(form, owner_hint, field_help)
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

    def said(self, values: Any) -> str:
        """The first problem of (possibly partial) `values`, worded as the site's form shows
        it: the message, then how to put it right; "" when there is none."""
        for error in self.errors(values, partial=True):
            for finding in self.convert(error):
                message = finding.message[:1].upper() + finding.message[1:]
                return f"{message}. {finding.hint}".strip()
        return ""

    def convert(self, error: ValidationError) -> Findings:
        """The findings for one jsonschema error in this form's input."""
        secret = self._wording.secret(error)
        return [secret] if secret is not None else self._translate(error)


class _Wording:
    """Input errors of one form in the words of its fields: keyword handlers that override
    the shared translator's catalog wording."""

    def __init__(self, form: Form, owner_hint: str, field_help: bool = True) -> None:
        self.form = form
        self.owner_hint = owner_hint
        self.field_help = field_help

    def overrides(self) -> dict[str, Override]:
        return {
            "required": self.required,
            "additionalProperties": self.unknown_field,
            "type": self.wrong_type,
            "enum": self.choice,
            "uniqueItems": self.repeated_choice,
            "pattern": self.pattern,
            "format": self.not_a_date,
            **dict.fromkeys(RANGE_RULES, self.out_of_range),
        }

    def field(self, path: JsonPath) -> Field | None:
        if path == ("name",):
            return self.form.name_field
        if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], str):
            group = self.form.group(path[0])
            return group.field(path[1]) if group else None
        return None

    def label(self, path: JsonPath) -> str:
        field = self.field(path[:2])
        if field is not None and len(path) <= 2:
            return field_label(field, path)
        if field is not None and len(path) == 3 and isinstance(path[2], int):
            # An entry of a multiselect list: counted from 1, as people count.
            return f"{field_label(field, path[:2])} entry {path[2] + 1}"
        if len(path) == 1 and isinstance(path[0], str):
            group = self.form.group(path[0])
            if group is not None:
                return f"group {group.name} ({dotted(path)})"
        return dotted(path) or "input"

    def hint(self, text: str, field: Field | None = None) -> str:
        parts = [text]
        if self.field_help and field is not None and field.description:
            parts.append(f"Field help: {field.description}")
        if self.owner_hint:
            parts.append(f"Questions about this form: {self.owner_hint}.")
        return " ".join(parts)

    def finding(
        self, path: JsonPath, wording: Wording, field: Field | None, value: Any = None
    ) -> SchemaFinding:
        """The finding `wording` makes, its value filled in and the field's help added."""
        filled = wording.filled(value)
        return SchemaFinding(path, filled.code, filled.message, self.hint(filled.how, field))

    def about(self, error: ValidationError) -> tuple[JsonPath, Field | None, str]:
        """The error's path, the field it is about (if any) and that field's label."""
        path: JsonPath = tuple(error.absolute_path)
        return path, self.field(path[:2]), self.label(path)

    def secret(self, error: ValidationError) -> SchemaFinding | None:
        """A password field's value, whatever the keyword: a secret reference, or wrong."""
        path, field, _ = self.about(error)
        if field is None or field.type != "password" or len(path) not in (2, 3):
            return None
        if len(path) == 3:
            wording = messages.secret_name(field, path[:2])
            return self.finding(path, wording, None, error.instance)
        return self.finding(path, messages.secret_itself(field, path), None)

    def required(self, error: ValidationError) -> Findings:
        path: JsonPath = tuple(error.absolute_path)
        return [self.missing(path, key) for key in missing_keys(error)]

    def missing(self, path: JsonPath, key: str) -> SchemaFinding:
        missing_path = (*path, key)
        missing = self.field(missing_path)
        if missing is not None:
            return self.finding(path, messages.required(missing, missing_path), missing)
        if not path:
            return self.finding(path, messages.missing_group(self.form, key), None)
        wording = Wording(
            "input-required", f"required '{key}' is missing", f"Add `{key}:` under {dotted(path)}."
        )
        return self.finding(path, wording, None)

    def unknown_field(self, error: ValidationError) -> Findings:
        path: JsonPath = tuple(error.absolute_path)
        allowed, unknown = unknown_keys(error)
        where = dotted(path) or "input"
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
        quote = expected == "string" and not isinstance(error.instance, dict | list)
        return [self.finding(path, messages.wrong_type(label, wanted, quote), field)]

    def choice(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        options = [str(o) for o in keyword_value(error)]
        wording = messages.choice(label, options)
        suggestion = did_you_mean(str(error.instance), options)
        if suggestion:
            wording = Wording(wording.code, wording.message, f"Did you mean '{suggestion}'?")
        return [self.finding(path, wording, field, error.instance)]

    def repeated_choice(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        return [self.finding(path, messages.repeated_choice(label), field)]

    def pattern(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        instance = error.instance
        if field is not None and field.type == "file":
            return [self.finding(path, messages.file_type(label, field), field, instance)]
        pattern = keyword_value(error)
        if isinstance(instance, str) and pattern_timed_out(pattern, instance):
            wording = Wording(
                "input-format",
                f"{label} {messages.VALUE} could not be checked: matching it against "
                f"{pattern} took longer than {MATCH_TIMEOUT} s",
                "The field's validation.pattern backtracks catastrophically on this value; "
                "the owning team should simplify it (no nested quantifiers such as (a+)+).",
            )
        else:
            wording = messages.pattern(label, pattern, field)
        return [self.finding(path, wording, field, instance)]

    def not_a_date(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        return [self.finding(path, messages.not_a_date(label), field, error.instance)]

    def out_of_range(self, error: ValidationError) -> Findings:
        path, field, label = self.about(error)
        listed = isinstance(error.instance, list | dict)
        wording = messages.out_of_range(label, keyword(error), keyword_value(error), listed)
        return [self.finding(path, wording, field, error.instance)]


def input_checker(repo: Repository, offering: Offering) -> InputChecker:
    """One checker per offering and run: the form's schema is built once."""
    return repo.memo(
        ("input-checker", offering.id),
        lambda: InputChecker(offering.form, offering.owner.describe()),
    )
