"""Forms as JSON Schema: the single definition of what a request's `input` may hold.

`form_schema` is what `pac form` publishes for portals and what `pac validate` itself runs
against request input, so a portal's verdict and pac's can never drift apart. Date bounds
use `formatMinimum` / `formatMaximum`, the keywords of ajv-formats, implemented here too.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property
from typing import Any

from pac.documents import JsonPath
from pac.model import NAME_PATTERN, Field, Form
from pac.schemas import did_you_mean

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
SECRET_NAME_PATTERN = "^[A-Z][A-Z0-9_]*$"
_DATE_RE = re.compile(DATE_PATTERN)

# ECMAScript's \s (what browsers and ajv use), spelled out for Python.
_ECMA_SPACE = (
    "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)


@cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled with the meaning JSON Schema gives it (ECMA-262), as far as the
    two dialects differ in patterns people write.

    A form's patterns are also run by browsers and portal libraries; read with Python's
    meaning they would disagree: `$` matches before a final newline (so "name\\n" passed
    `^[a-z-]+$`), `\\d` and `\\w` match any script's digits and letters, and `\\s` is a
    different set of spaces.
    """
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if escaped == "s":
                out.append(_ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]")
            elif escaped == "S" and not in_class:
                out.append(f"[^{_ECMA_SPACE}]")
            else:
                out.append(char + escaped)
            index += 2
            continue
        if in_class:
            if char == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
        elif char == "[":
            in_class = True
            if pattern.startswith("[^", index):
                out.append("[^")
                index += 2
                continue
        elif char == "$":
            char = r"\Z"
        out.append(char)
        index += 1
    return re.compile("".join(out), re.ASCII)


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
        # No `format: email`: ajv-formats' email format is stricter than pac's rule (it
        # refuses non-ASCII names, for one), so a portal would refuse what pac accepts.
        schema = {"type": "string", "pattern": EMAIL_PATTERN}
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
        ui["secretRef"] = {
            "ui:widget": "text",
            "ui:placeholder": "NAME_OF_THE_CI_SECRET",
            "ui:help": "The name of the CI secret (PAC_SECRET_<NAME>), never the secret itself.",
        }
        ui["ui:options"] = {"pacFieldType": "password"}
        if field.description:
            ui["ui:description"] = field.description
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

    def pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(instance, str) and not ecma_regex(pattern).search(instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    return validators.extend(  # type: ignore[no-untyped-call]
        Draft7Validator,
        {"formatMinimum": bound("min"), "formatMaximum": bound("max"), "pattern": pattern},
    )


def validator_for(schema: Mapping[str, Any]) -> Any:
    """A jsonschema validator for a form schema, with date formats and bounds enforced."""
    from jsonschema import FormatChecker

    cls = _validator_class()
    return cls(schema, format_checker=FormatChecker(formats=("date",)))


# --- a fast yes/no check of form schemas -------------------------------------------------
#
# Form schemas use a small, fixed vocabulary. Compiling them into nested closures answers
# "valid?" some ten times faster than the general validator; only invalid input is handed
# to jsonschema for its full list of errors. The two are proven to agree by the tests.

Check = Callable[[Any], bool]
_IGNORED = frozenset({"title", "description", "default", "$schema"})
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _unbool(value: Any) -> Any:
    if value is True:
        return ("bool", True)
    if value is False:
        return ("bool", False)
    return value


def _json_equal(one: Any, two: Any) -> bool:
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(map(_json_equal, one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_json_equal(one[k], two[k]) for k in one)
    return bool(_unbool(one) == _unbool(two))


def _multiple_of(value: float, divisor: int | float) -> bool:
    if isinstance(divisor, float):
        quotient = value / divisor
        try:
            return int(quotient) == quotient
        except OverflowError:
            return (Fraction(value) / Fraction(divisor)).denominator == 1
    return not value % divisor


def _is_date(value: str) -> bool:
    if not _DATE_RE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def compile_check(schema: Mapping[str, Any]) -> Check:
    """A function telling whether a value satisfies a form schema (no error details)."""
    checks: list[Check] = []
    unknown = set(schema) - _IGNORED - _KEYWORDS
    if unknown:
        raise ValueError(f"form schemas do not use {sorted(unknown)}")
    kind = schema.get("type")
    if kind is not None:
        tests = [_JSON_TYPES[k] for k in (kind if isinstance(kind, list) else [kind])]
        checks.append(lambda v: any(t(v) for t in tests))
    if "enum" in schema:
        options = list(schema["enum"])
        checks.append(lambda v: any(_json_equal(v, o) for o in options))
    is_str = _JSON_TYPES["string"]
    is_num = _JSON_TYPES["number"]
    if "pattern" in schema:
        regex = ecma_regex(schema["pattern"])
        checks.append(lambda v: not is_str(v) or regex.search(v) is not None)
    if "minLength" in schema:
        low = schema["minLength"]
        checks.append(lambda v: not is_str(v) or len(v) >= low)
    if "maxLength" in schema:
        high = schema["maxLength"]
        checks.append(lambda v: not is_str(v) or len(v) <= high)
    if "minimum" in schema:
        minimum = schema["minimum"]
        checks.append(lambda v: not is_num(v) or v >= minimum)
    if "maximum" in schema:
        maximum = schema["maximum"]
        checks.append(lambda v: not is_num(v) or v <= maximum)
    if "multipleOf" in schema:
        divisor = schema["multipleOf"]
        checks.append(lambda v: not is_num(v) or _multiple_of(v, divisor))
    if schema.get("format") == "date":
        checks.append(lambda v: not is_str(v) or _is_date(v))
    if "formatMinimum" in schema:
        earliest = schema["formatMinimum"]
        checks.append(lambda v: not is_str(v) or not _DATE_RE.match(v) or v >= earliest)
    if "formatMaximum" in schema:
        latest = schema["formatMaximum"]
        checks.append(lambda v: not is_str(v) or not _DATE_RE.match(v) or v <= latest)
    if "items" in schema:
        item = compile_check(schema["items"])
        checks.append(lambda v: not isinstance(v, list) or all(map(item, v)))
    if "minItems" in schema:
        fewest = schema["minItems"]
        checks.append(lambda v: not isinstance(v, list) or len(v) >= fewest)
    if "maxItems" in schema:
        most = schema["maxItems"]
        checks.append(lambda v: not isinstance(v, list) or len(v) <= most)
    if schema.get("uniqueItems"):
        checks.append(
            lambda v: (
                not isinstance(v, list)
                or all(not _json_equal(a, b) for i, a in enumerate(v) for b in v[i + 1 :])
            )
        )
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        properties = {k: compile_check(s) for k, s in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        closed = schema.get("additionalProperties") is False

        def check_object(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            if any(key not in v for key in required):
                return False
            for key, value in v.items():
                check = properties.get(key)
                if check is None:
                    if closed:
                        return False
                elif not check(value):
                    return False
            return True

        checks.append(check_object)
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(check(v) for check in checks)


_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "multipleOf",
        "format",
        "formatMinimum",
        "formatMaximum",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "properties",
        "required",
        "additionalProperties",
    }
)


def _without_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            k: _without_required(v)
            for k, v in schema.items()
            if not (k == "required" and isinstance(v, list))  # the keyword, not a field
        }
    return schema


class InputChecker:
    """Checks request input against one form; build once per offering, reuse per request."""

    def __init__(self, form: Form, owner_hint: str = "") -> None:
        self.form = form
        self.schema = form_schema(form)
        self.owner_hint = owner_hint

    @cached_property
    def is_valid(self) -> Check:
        """The compiled yes/no check of the form schema (built when first needed)."""
        return compile_check(self.schema)

    @cached_property
    def validator(self) -> Any:
        """The reference validator, built only when some input is invalid."""
        return validator_for(self.schema)

    @cached_property
    def is_valid_partial(self) -> Check:
        """Like `is_valid`, but missing fields are fine (for checking defaults alone)."""
        return compile_check(_without_required(self.schema))

    def errors(self, values: Any, *, partial: bool = False) -> Iterator[Any]:
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

    def check(self, values: Any) -> list[InputFinding]:
        findings: list[InputFinding] = []
        seen: set[tuple[JsonPath, str]] = set()
        for error in self.errors(values):
            for finding in self.convert(error):
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
        if field is not None and len(path) == 3 and isinstance(path[2], int):
            # An entry of a multiselect list: counted from 1, as people count.
            where = ".".join(str(p) for p in path[:2])
            return f"{field.name} ({where}) entry {path[2] + 1}"
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

    def convert(self, error: Any) -> list[InputFinding]:
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
                    path,
                    "input-choice",
                    f"{label} lists a choice twice",
                    self._hint("Remove the repeat.", field),
                )
            ]
        if keyword == "pattern":
            what = "does not have the required form"
            if field is not None and field.type == "file":
                types = [str(t).lstrip(".") for t in field.validation.get("types", [])]
                return [
                    InputFinding(
                        path,
                        "input-file",
                        f"{label} {instance!r} must be a file of type {', '.join(types)}",
                        self._hint(
                            "Name a file ending in "
                            + " or ".join(f".{t}" for t in types)
                            + ", committed next to the request.",
                            field,
                        ),
                    )
                ]
            how = f"It must match {error.validator_value}."
            if field is not None and field.type == "email":
                what = "must be an email address"
                how = "Write one address, such as name@company.com."
            elif field is not None and field.type == "date":
                what = "must be a date written YYYY-MM-DD"
                how = "Write the date as YYYY-MM-DD."
            return [
                InputFinding(
                    path, "input-format", f"{label} {instance!r} {what}", self._hint(how, field)
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
            choices = f"{limit} choice{'' if limit == 1 else 's'}"
            rule = {
                "minimum": f"be at least {limit}",
                "maximum": f"be at most {limit}",
                "multipleOf": "be a whole number" if limit == 1 else f"be a multiple of {limit}",
                "minLength": f"be at least {limit} characters long",
                "maxLength": f"be at most {limit} characters long",
                "minItems": f"have at least {choices}",
                "maxItems": f"have at most {choices}",
                "formatMinimum": f"be on or after {limit}",
                "formatMaximum": f"be on or before {limit}",
            }[keyword]
            shown = f"{instance!r}" if not isinstance(instance, list | dict) else ""
            return [
                InputFinding(
                    path,
                    "input-range",
                    f"{label} {shown} must {rule}".replace("  ", " "),
                    self._hint("Choose a value in range.", field),
                )
            ]
        # Keywords the form generator does not emit; reported as a format problem.
        return [InputFinding(path, "input-format", f"{label}: {error.message}", self._hint(""))]
