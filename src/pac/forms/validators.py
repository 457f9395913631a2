"""The two validators of form schemas: the reference one (jsonschema with pac's keywords),
which lists every error, and a compiled yes/no check that answers "valid?" quickly.

Form schemas use a small, fixed vocabulary. Compiling them into nested closures answers
"valid?" some ten times faster than the general validator; only invalid input is handed
to jsonschema for its full list of errors. The two are proven to agree by the tests.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

from pac.forms.ecma import ecma_regex, pattern_search
from pac.forms.schema import DATE_PATTERN

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

    # What jsonschema calls to check one keyword: (validator, its value, the instance, schema).
    KeywordCheck = Callable[[Validator, Any, Any, Mapping[str, Any]], Iterator[ValidationError]]

_DATE_RE = re.compile(DATE_PATTERN)


@cache
def _validator_class() -> type[Validator]:
    from jsonschema import Draft7Validator, ValidationError, validators

    def bound(kind: str) -> KeywordCheck:
        def check(
            validator: Validator, limit: Any, instance: Any, schema: Mapping[str, Any]
        ) -> Iterator[ValidationError]:
            if not isinstance(instance, str) or not _DATE_RE.match(instance):
                return
            if kind == "min" and instance < limit:
                yield ValidationError(f"{instance!r} is before {limit}")
            if kind == "max" and instance > limit:
                yield ValidationError(f"{instance!r} is after {limit}")

        return check

    def pattern(
        validator: Validator, pattern: str, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if isinstance(instance, str) and not pattern_search(ecma_regex(pattern), instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    def multiple_of(
        validator: Validator, step: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if _JSON_TYPES["number"](instance) and not _multiple_of(instance, step):
            yield ValidationError(f"{instance!r} is not a multiple of {step}")

    extended: type[Validator] = validators.extend(  # type: ignore[no-untyped-call]
        Draft7Validator,
        {
            "formatMinimum": bound("min"),
            "formatMaximum": bound("max"),
            "pattern": pattern,
            "multipleOf": multiple_of,
        },
    )
    return extended


def validator_for(schema: Mapping[str, Any]) -> Validator:
    """A jsonschema validator for a form schema, with date formats and bounds enforced."""
    from jsonschema import FormatChecker

    cls = _validator_class()
    return cls(schema, format_checker=FormatChecker(formats=("date",)))


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


def _multiple_of(value: int | float, divisor: int | float) -> bool:
    """Whether `value` is a multiple of `divisor`, compared as the decimals people write.

    In binary floating point 0.3 / 0.1 is 2.9999999999999996, so stock validators refuse
    0.3 for `step: 0.1`; nobody filling in a form expects that. Both numbers are read as
    the shortest decimal that names them (their repr), so 0.3 is three steps of 0.1.
    """
    if isinstance(divisor, float) or isinstance(value, float):
        if not (math.isfinite(value) and math.isfinite(divisor)):
            return False
        return (Fraction(repr(value)) / Fraction(repr(divisor))).denominator == 1
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
    unknown = set(schema) - _IGNORED - _KEYWORDS
    if unknown:
        raise ValueError(f"form schemas do not use {sorted(unknown)}")
    checks: list[Check] = []
    for keyword, build in _VALUE_CHECKS.items():
        if keyword in schema and (check := build(schema[keyword])) is not None:
            checks.append(check)
    if not _OBJECT_KEYWORDS.isdisjoint(schema):
        checks.append(_object_check(schema))
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(check(v) for check in checks)


_is_str = _JSON_TYPES["string"]
_is_num = _JSON_TYPES["number"]


def _type_check(kind: Any) -> Check | None:
    if kind is None:
        return None
    tests = [_JSON_TYPES[k] for k in (kind if isinstance(kind, list) else [kind])]
    return lambda v: any(t(v) for t in tests)


def _enum_check(values: Any) -> Check:
    options = list(values)
    return lambda v: any(_json_equal(v, o) for o in options)


def _pattern_check(pattern: str) -> Check:
    compiled = ecma_regex(pattern)
    return lambda v: not _is_str(v) or pattern_search(compiled, v)


def _date_check(kind: Any) -> Check | None:
    return (lambda v: not _is_str(v) or _is_date(v)) if kind == "date" else None


def _unique_check(unique: Any) -> Check | None:
    if not unique:
        return None
    return lambda v: (
        not isinstance(v, list)
        or all(not _json_equal(a, b) for i, a in enumerate(v) for b in v[i + 1 :])
    )


def _items_check(items: Mapping[str, Any]) -> Check:
    item = compile_check(items)
    return lambda v: not isinstance(v, list) or all(map(item, v))


def _object_check(schema: Mapping[str, Any]) -> Check:
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

    return check_object


# Each keyword's check, built from the keyword's value, in the order they are tried; a
# check passes values of other types, as JSON Schema's keywords do.
_VALUE_CHECKS: dict[str, Callable[[Any], Check | None]] = {
    "type": _type_check,
    "enum": _enum_check,
    "pattern": _pattern_check,
    "minLength": lambda low: lambda v: not _is_str(v) or len(v) >= low,
    "maxLength": lambda high: lambda v: not _is_str(v) or len(v) <= high,
    "minimum": lambda least: lambda v: not _is_num(v) or v >= least,
    "maximum": lambda most: lambda v: not _is_num(v) or v <= most,
    "multipleOf": lambda divisor: lambda v: not _is_num(v) or _multiple_of(v, divisor),
    "format": _date_check,
    "formatMinimum": lambda earliest: (
        lambda v: not _is_str(v) or not _DATE_RE.match(v) or v >= earliest
    ),
    "formatMaximum": lambda latest: (
        lambda v: not _is_str(v) or not _DATE_RE.match(v) or v <= latest
    ),
    "items": _items_check,
    "minItems": lambda fewest: lambda v: not isinstance(v, list) or len(v) >= fewest,
    "maxItems": lambda most: lambda v: not isinstance(v, list) or len(v) <= most,
    "uniqueItems": _unique_check,
}
_OBJECT_KEYWORDS = frozenset({"properties", "required", "additionalProperties"})
_KEYWORDS = frozenset(_VALUE_CHECKS) | _OBJECT_KEYWORDS
