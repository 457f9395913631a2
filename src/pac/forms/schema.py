"""Forms as JSON Schema: the single definition of what a request's `input` may hold.

`form_schema` is what `pac form` publishes for portals and what `pac validate` itself runs
against request input, so a portal's verdict and pac's can never drift apart. Date bounds
use `formatMinimum` / `formatMaximum`, the keywords of ajv-formats, implemented here too.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property
from typing import Any

import regex

from pac.documents.loader import JsonPath
from pac.documents.model import NAME_PATTERN, Field, Form
from pac.documents.suggestions import did_you_mean

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
SECRET_NAME_PATTERN = "^[A-Z][A-Z0-9_]*$"
_DATE_RE = re.compile(DATE_PATTERN)

# ECMAScript's \s (what browsers and ajv use), spelled out for Python.
_ECMA_SPACE = (
    "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)

# What `.` matches in JavaScript: anything but its four line terminators.
_ECMA_DOT = "[^\\n\\r\\u2028\\u2029]"
_NAMED_GROUP = re.compile(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>")
_BACK_REFERENCE = re.compile(r"\\k<([A-Za-z_][A-Za-z0-9_]*)>")
_CODE_POINT = re.compile(r"\\u\{([0-9A-Fa-f]{1,6})\}")
_CONTROL_ESCAPE = re.compile(r"\\c([A-Za-z])")
# Escapes that run on past their letter: \u{...}, \p{...}, \P{...} and \k<...>.
_LONG_ESCAPE = re.compile(r"\\(?:[upP]\{[^}]*\}|k<[^>]*>)")


@cache
def ecma_regex(pattern: str) -> regex.Pattern[str]:
    """`pattern` compiled with the meaning JSON Schema gives it (ECMA-262); see `_translate`."""
    # The `regex` engine rather than `re`: it reads the same syntax (named groups and back
    # references included, which linear-time engines such as RE2 lack) and its matching can
    # be stopped after a time limit, so a pattern that backtracks catastrophically on some
    # value costs a bounded moment instead of hanging validation or a portal's server.
    return regex.compile(_translate(pattern), regex.ASCII | regex.VERSION0)


def _translate(pattern: str) -> str:
    """`pattern` spelled for Python with the meaning JSON Schema gives it (ECMA-262), as far
    as the two dialects differ in patterns people write.

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
            translated = _ecma_escape(pattern, index)
            if translated is not None:
                out.append(translated[0])
                index += translated[1]
                continue
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
        elif char == ".":
            char = _ECMA_DOT
        elif char == "(" and (named := _NAMED_GROUP.match(pattern, index)):
            out.append(f"(?P<{named.group(1)}>")
            index = named.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)


# How long one value may take to match a form pattern. Real patterns answer in
# microseconds; a value that takes this long meets catastrophic backtracking.
MATCH_TIMEOUT = 0.25
_TIMED_OUT: dict[tuple[str, str], None] = {}  # (pattern, value) pairs, oldest first
_TIMED_OUT_LOCK = threading.Lock()


def pattern_search(compiled: regex.Pattern[str], value: str) -> bool:
    """Whether `compiled` finds a match in `value`; False when matching takes longer than
    MATCH_TIMEOUT (remembered, so reporting the refusal does not wait a second time)."""
    key = (compiled.pattern, value)
    if key in _TIMED_OUT:
        return False
    try:
        return compiled.search(value, timeout=MATCH_TIMEOUT) is not None
    except TimeoutError:
        with _TIMED_OUT_LOCK:  # `pac apply` checks requests in several threads
            _TIMED_OUT[key] = None
            while len(_TIMED_OUT) > 256:
                del _TIMED_OUT[next(iter(_TIMED_OUT))]
        return False


def pattern_timed_out(pattern: str, value: str) -> bool:
    """Whether matching `value` against the form pattern `pattern` ran out of time."""
    return (ecma_regex(pattern).pattern, value) in _TIMED_OUT


def _ecma_escape(pattern: str, index: int) -> tuple[str, int] | None:
    """JavaScript escapes Python spells differently, as (Python spelling, length)."""
    if reference := _BACK_REFERENCE.match(pattern, index):
        return f"(?P={reference.group(1)})", len(reference.group())
    if code_point := _CODE_POINT.match(pattern, index):
        return f"\\U{int(code_point.group(1), 16):08X}", len(code_point.group())
    if control := _CONTROL_ESCAPE.match(pattern, index):
        return f"\\x{ord(control.group(1)) % 32:02x}", 3
    return None


# --- patterns browsers and portals can compile --------------------------------------------

# What JavaScript's unicode mode (`new RegExp(p, "u")`, used by ajv, pac's site and the HTML
# `pattern` attribute) lets a backslash escape; anything else after `\` is a syntax error
# there, although Python accepts most punctuation after a backslash.
_JS_SYNTAX_CHARS = frozenset("^$\\.*+?()[]{}|/")
_JS_LETTER_ESCAPES = frozenset("dDwWsSbBfnrtv0")
_JS_CLASS_LETTER_ESCAPES = frozenset("dDwWsSbfnrtv0")
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")
_QUANTIFIER = re.compile(r"\{[0-9]+(,[0-9]*)?\}")
_PY_FLAGS = re.compile(r"\(\?(?:[aiLmsux]+(?:-[imsx]+)?|-[imsx]+)[:)]")


@dataclass(frozen=True, slots=True)
class PatternProblem:
    """Why a pattern is not an ECMA-262 regular expression: `index` is 0-based."""

    index: int
    message: str
    hint: str


def ecma_pattern_problem(pattern: str) -> PatternProblem | None:
    """The first reason browsers and JSON Schema validators could not use `pattern`, or
    None. Python-only syntax is the common case: Python compiles it, JavaScript refuses it
    (or, without the unicode flag, silently reads something else)."""
    found = _python_only_syntax(pattern)
    if found is not None:
        return found
    try:
        # `re` first: its messages point at the character that breaks the expression.
        re.compile(_translate(pattern), re.ASCII)
        ecma_regex(pattern)
    except (re.error, regex.error) as exc:
        where = getattr(exc, "pos", None) or 0
        return PatternProblem(
            min(where, len(pattern)),
            str(getattr(exc, "msg", exc)),
            "Fix the expression; test it with an example value.",
        )
    return None


def _python_only_syntax(pattern: str) -> PatternProblem | None:
    in_class = False
    after_quantifier = False
    groups: list[bool] = []  # for each open group: is it a lookaround?
    after_lookaround = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        quantified = False
        if after_lookaround and char in "*+?{":
            return PatternProblem(
                index,
                "a repeated lookahead or lookbehind, which JavaScript refuses",
                "A lookaround matches no characters, so repeating it changes nothing: "
                "remove the quantifier.",
            )
        after_lookaround = False
        if char == "\\" and index + 1 < len(pattern):
            if pattern.startswith(("\\p{", "\\P{"), index):
                return PatternProblem(
                    index,
                    "pac cannot check Unicode property escapes like `\\p{L}`",
                    "List the characters instead, e.g. `[A-Za-z\\u00C0-\\u024F]`.",
                )
            problem = _escape_problem(pattern, index, in_class)
            if problem is not None:
                return problem
            long = _LONG_ESCAPE.match(pattern, index)
            index = long.end() if long else index + 2
        elif in_class:
            in_class = char != "]"
            index += 1
        elif char == "[":
            body = index + (2 if pattern.startswith("[^", index) else 1)
            if pattern.startswith("]", body):
                return PatternProblem(
                    body,
                    "a `]` first in a class: Python reads it as the character, JavaScript "
                    "as the end of an empty class",
                    "Escape it: `[\\]...]`.",
                )
            in_class = True
            index = body
        elif char == "{":
            quantifier = _QUANTIFIER.match(pattern, index)
            if quantifier is None:
                spelled = re.match(r"\{,([0-9]+)\}", pattern[index:])
                return PatternProblem(
                    index,
                    "a `{` that does not start a repetition like {2,5}",
                    f"Write {{0,{spelled.group(1)}}}: JavaScript has no `{{,n}}` form."
                    if spelled
                    else "Escape it as `\\{` to match a brace.",
                )
            index = quantifier.end()
            quantified = True
        elif char in "}]":
            return PatternProblem(
                index,
                f"a lone `{char}`, which JavaScript refuses",
                f"Escape it as `\\{char}` to match the character.",
            )
        elif char == "+" and after_quantifier:
            return PatternProblem(
                index,
                "a possessive quantifier (`*+`, `++`, `?+`, `{n}+`) is Python-only syntax",
                "JavaScript has no possessive quantifiers: drop the final `+`.",
            )
        else:
            if char == "(" and pattern.startswith("(?", index):
                problem = _group_problem(pattern, index)
                if problem is not None:
                    return problem
            if char == "(":
                groups.append(pattern.startswith(_LOOKAROUNDS, index))
            elif char == ")" and groups:
                after_lookaround = groups.pop()
            # `?` right after a quantifier makes it lazy, which both dialects know.
            quantified = char in "*+?" and not (char == "?" and after_quantifier)
            index += 1
        after_quantifier = quantified
    return None


def _escape_problem(pattern: str, index: int, in_class: bool) -> PatternProblem | None:
    escaped = pattern[index + 1]
    replacements = {
        "A": ("`\\A` is Python-only syntax", "Write `^`: it marks the start of the value."),
        "Z": (
            "`\\Z` is Python-only syntax",
            "Write `$`: in a form pattern it already means the very end of the value.",
        ),
        "a": ("`\\a` (bell) is Python-only syntax", "Write `\\x07`."),
        "U": (
            "`\\U` escapes are Python-only syntax",
            "Write the code point as `\\u{1F600}`.",
        ),
        "N": (
            "`\\N{...}` named characters are Python-only syntax",
            "Write the code point as `\\u{...}` or the character itself.",
        ),
    }
    if escaped in replacements:
        message, hint = replacements[escaped]
        return PatternProblem(index, message, hint)
    if (escaped == "0" and pattern[index + 2 : index + 3].isdigit()) or (
        in_class and escaped in "123456789"
    ):
        return PatternProblem(
            index,
            "an octal escape is Python-only syntax",
            "Write the character as `\\xNN` (two hexadecimal digits).",
        )
    if (
        (escaped.isascii() and escaped.isalnum())
        or escaped in _JS_SYNTAX_CHARS
        or (in_class and escaped == "-")
    ):
        return None  # letters and digits: Python's compile decides; the rest is valid
    shown = escaped if escaped.isprintable() and escaped != " " else f"U+{ord(escaped):04X}"
    return PatternProblem(
        index,
        f"`\\{shown}` is not a valid escape in JavaScript (browsers and JSON Schema "
        "validators refuse it)",
        f"Write `{escaped}` without the backslash"
        + ("." if escaped != "-" else ", or put it first in a class: `[-a-z]`."),
    )


def _group_problem(pattern: str, index: int) -> PatternProblem | None:
    rest = pattern[index:]
    if rest.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!")) or _NAMED_GROUP.match(rest):
        return None
    if rest.startswith("(?P<"):
        name = re.match(r"\(\?P<([^>]*)>", rest)
        return PatternProblem(
            index,
            "a `(?P<name>...)` group is Python-only syntax",
            f"Write `(?<{name.group(1) if name else 'name'}>...)`, the JavaScript spelling.",
        )
    if rest.startswith("(?P="):
        name = re.match(r"\(\?P=([^)]*)\)", rest)
        return PatternProblem(
            index,
            "a `(?P=name)` back-reference is Python-only syntax",
            f"Write `\\k<{name.group(1) if name else 'name'}>`, the JavaScript spelling.",
        )
    if rest.startswith("(?#"):
        return PatternProblem(
            index, "a `(?#...)` comment is Python-only syntax", "Remove the comment."
        )
    if rest.startswith("(?>"):
        return PatternProblem(
            index,
            "an atomic group `(?>...)` is Python-only syntax",
            "JavaScript has no atomic groups: write `(?:...)`.",
        )
    if rest.startswith("(?("):
        return PatternProblem(
            index,
            "a conditional group `(?(1)...|...)` is Python-only syntax",
            "JavaScript has no conditionals: write the alternatives out with `|`.",
        )
    flags = _PY_FLAGS.match(rest)
    if flags and flags.group().endswith(":"):
        return PatternProblem(
            index,
            "a `(?i:...)` modifier group, which only the newest JavaScript engines know "
            "(ajv on Node.js 20 and older browsers refuse it)",
            "Spell the cases out instead, e.g. `[Yy]es` or `[A-Za-z]`.",
        )
    if flags:
        return PatternProblem(
            index,
            "inline flags like `(?i)` are Python-only syntax; JSON Schema patterns have no flags",
            "Spell the cases out instead, e.g. `[Yy]es` or `[A-Za-z]`.",
        )
    return None


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
        schema.setdefault("maxLength", TEXT_INPUT_CAP)
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
        if isinstance(instance, str) and not pattern_search(ecma_regex(pattern), instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    def multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if _JSON_TYPES["number"](instance) and not _multiple_of(instance, step):
            yield ValidationError(f"{instance!r} is not a multiple of {step}")

    return validators.extend(  # type: ignore[no-untyped-call]
        Draft7Validator,
        {
            "formatMinimum": bound("min"),
            "formatMaximum": bound("max"),
            "pattern": pattern,
            "multipleOf": multiple_of,
        },
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
        compiled = ecma_regex(schema["pattern"])
        checks.append(lambda v: not is_str(v) or pattern_search(compiled, v))
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


def _missing_key(finding: InputFinding) -> str:
    return finding.message if finding.code == "input-required" else ""


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
                group = self.form.group(key) if not path and missing is None else None
                if missing is not None:
                    what = f"required field {missing.name} ({'.'.join(map(str, missing_path))})"
                else:
                    what = f"group {group.name} ({key})" if group else f"'{key}'"
                    what = "required " + what
                add = f"Add `{key}:` under {'.'.join(map(str, path)) or 'input'}"
                if group is not None:
                    # Named here so the group is filled in one edit, not found out field by field.
                    needed = [f.id for f in group.fields if _needed(f)]
                    add += f" with {', '.join(needed)}" if needed else ""
                out.append(
                    InputFinding(
                        path, "input-required", f"{what} is missing", self._hint(f"{add}.", missing)
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
            if isinstance(instance, str) and pattern_timed_out(error.validator_value, instance):
                what = (
                    f"could not be checked: matching it against {error.validator_value} took "
                    f"longer than {MATCH_TIMEOUT} s"
                )
                how = (
                    "The field's validation.pattern backtracks catastrophically on this value; "
                    "the owning team should simplify it (no nested quantifiers such as (a+)+)."
                )
            elif field is not None and field.type == "email":
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
