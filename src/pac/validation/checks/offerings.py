"""Checks shared by items and bundles (metadata, form) and the item's fulfilment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pac.diagnostics import Diagnostic, Severity
from pac.documents.model import CatalogItem, Field, Form, Offering, build_metadata_only
from pac.documents.repository import Loaded, Repository
from pac.forms.ecma_syntax import ecma_pattern_problem
from pac.forms.inputs import input_checker
from pac.forms.redos import catastrophic_backtracking
from pac.forms.schema import TEXT_INPUT_CAP
from pac.templating.translation import line_col
from pac.validation.checks import Findings, every_action
from pac.validation.checks.actions import check_action
from pac.validation.checks.placement import check_offering_placement

VALIDATION_KEYS: dict[str, frozenset[str]] = {
    "string": frozenset({"pattern", "minLength", "maxLength"}),
    "textarea": frozenset({"minLength", "maxLength"}),
    "number": frozenset({"min", "max", "step"}),
    "boolean": frozenset(),
    "select": frozenset(),
    "multiselect": frozenset({"minItems", "maxItems"}),
    "date": frozenset({"min", "max"}),
    "email": frozenset(),
    "password": frozenset(),
    "file": frozenset({"maxSize", "types"}),
}
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or"}
    | {"per", "the", "to", "via", "vs", "with"}
)


def check_offering(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    offering = loaded.model
    assert isinstance(offering, Offering)
    findings = Findings(loaded, owner=offering.owner.describe())
    check_offering_placement(repo, loaded, offering, findings)
    _check_metadata(offering, findings)
    check_form(offering.form, findings)
    if not any(d.severity is Severity.ERROR for d in findings.items):
        _check_defaults(repo, offering, findings)
    if isinstance(offering, CatalogItem):
        _check_fulfillment(repo, offering, findings)
    return findings.items


def check_offering_metadata(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    """Name, place and owner of an item or bundle whose schema errors lie elsewhere.

    A broken form or action must not hide a wrong owner or folder until the next round:
    the metadata passed its schema, so these checks read nothing guessed.
    """
    doc = loaded.document
    if (
        loaded.kind not in ("CatalogItem", "CatalogBundle")
        or doc is None
        or not isinstance(doc.data.get("metadata"), dict)
    ):
        return []
    if "metadata" in loaded.schema_errors_under:
        return _check_name_only(repo, loaded, doc.data["metadata"].get("name"))
    offering = build_metadata_only(doc)
    findings = Findings(loaded, owner=offering.owner.describe())
    check_offering_placement(repo, loaded, offering, findings)
    _check_metadata(offering, findings)
    return findings.items


def _check_name_only(repo: Repository, loaded: Loaded, name: object) -> list[Diagnostic]:
    """The naming checks of metadata with other errors (a missing owner): the name parsed,
    so its finding comes in the same run, not after the owner is added."""
    spoiled = any(path[:2] == ("metadata", "name") for path, _ in loaded.schema_errors)
    if not isinstance(name, str) or spoiled:
        return []
    findings = Findings(loaded, owner=repo.owner_hint(loaded))
    _check_name(name, findings)
    return findings.items


def _check_metadata(offering: Offering, findings: Findings) -> None:
    _check_name(offering.name, findings)
    _check_custom(offering, findings)


def _check_name(name: str, findings: Findings) -> None:
    words = name.split()
    lower = [
        w
        for i, w in enumerate(words)
        if w[:1].isalpha() and w[:1].islower() and (i == 0 or w not in _SMALL_WORDS)
    ]
    if lower:
        suggestion = " ".join(w[:1].upper() + w[1:] if w in lower else w for w in words)
        findings.add(
            ("metadata", "name"),
            "naming-title-case",
            f"the display name {name!r} is not in title case",
            f"Write it as {suggestion!r}; portals show names side by side.",
        )


def _check_custom(offering: Offering, findings: Findings) -> None:
    for key, value in offering.custom.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and ("{{" in v or "{%" in v) for v in values):
            findings.add(
                ("metadata", key),
                "metadata-template",
                f"metadata.{key} contains template syntax, but metadata is never rendered",
                "Metadata holds constants; templates refer to it as "
                f"{{{{ .metadata.{offering.id}.{key} }}}}. Put computed text in an action.",
            )


def check_form(form: Form, findings: Findings) -> None:
    seen_groups: dict[str, int] = {}
    for group in form.groups:
        if group.id in seen_groups:
            findings.add(
                (*group.path, "id"),
                "form-duplicate-id",
                f"the group id {group.id} is used twice in this form",
                "Give each group a different id; requests address fields as group.field.",
            )
        seen_groups.setdefault(group.id, 0)
        seen_fields: set[str] = set()
        for field in group.fields:
            if field.id in seen_fields:
                findings.add(
                    (*field.path, "id"),
                    "form-duplicate-id",
                    f"the field id {field.id} is used twice in group {group.id}",
                    "Give each field in a group a different id.",
                )
            seen_fields.add(field.id)
            if field.id == "name":
                findings.add(
                    (*field.path, "id"),
                    "form-reserved-name",
                    f"group {group.id} has a field called name, which is reserved",
                    "The top-level `name` field names every request; call this one e.g. "
                    f"{group.id}Name.",
                )
            _check_field(field, findings)


def _check_field(field: Field, findings: Findings) -> None:
    allowed = VALIDATION_KEYS[field.type]
    for key in field.validation:
        if key not in allowed:
            applies = ", ".join(sorted(allowed)) or "no validation keys"
            findings.add(
                (*field.path, "validation", key),
                "form-validation-key",
                f"validation.{key} does not apply to a {field.type} field",
                f"A {field.type} field takes {applies}.",
                at_key=True,
            )
    if field.type in ("select", "multiselect") and not field.enum:
        findings.add(
            field.path,
            "form-enum",
            f"the {field.type} field {field.id} has no enum",
            "List the choices: `enum: [small, medium, large]`.",
        )
    if field.enum is not None and field.type not in ("select", "multiselect"):
        findings.add(
            (*field.path, "enum"),
            "form-enum",
            f"enum is only for select and multiselect fields, not {field.type}",
            "Use `type: select` to offer a fixed list of choices.",
            at_key=True,
        )
    _check_validation_values(field, findings)


def _check_validation_values(field: Field, findings: Findings) -> None:
    # A range is compared only when both bounds are of the field's type.
    if _check_bound_types(field, findings):
        _check_ranges(field, findings)
    _check_text_cap(field, findings)
    if "pattern" in field.validation and not _check_pattern_controls(field, findings):
        _check_pattern(field, findings)


def _check_text_cap(field: Field, findings: Findings) -> None:
    written = field.validation.get("maxLength")
    if field.type not in ("string", "textarea") or not isinstance(written, int):
        return
    if written > TEXT_INPUT_CAP:
        findings.add(
            (*field.path, "validation", "maxLength"),
            "form-text-over-cap",
            f"validation.maxLength of field {field.id} is {written:,}, above pac's cap of "
            f"{TEXT_INPUT_CAP:,} characters for any text: a longer value is refused all the same",
            f"Set maxLength to what the fulfilment can take, at most {TEXT_INPUT_CAP:,} (a JIRA "
            "text field holds 32,767 characters); for more, use a `file` field.",
        )


# The YAML escapes of double quotes that give a control character, by the character: a
# pattern written "^\bq\b$" holds two backspaces, not word boundaries, and never matches.
_YAML_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
}


def _control(char: str) -> bool:
    return ord(char) < 32 or 127 <= ord(char) < 160


def _spelled(char: str) -> str:
    """A character as the pattern's author meant it: a control character by its escape."""
    if not _control(char):
        return char
    return _YAML_ESCAPES.get(char) or f"\\x{ord(char):02x}"


def _check_pattern_controls(field: Field, findings: Findings) -> bool:
    """A control character in a pattern (a finding; True) — in double quotes YAML turns
    `\\b` into a backspace, so the pattern says something else than it reads."""
    written = field.validation["pattern"]
    pattern = str(written)
    at = next((i for i, ch in enumerate(pattern) if _control(ch)), -1)
    if at < 0:
        return False
    char = pattern[at]
    escape = _YAML_ESCAPES.get(char, "")
    name = f"U+{ord(char):04X}"
    cause = (
        f"in double quotes YAML turned `{escape}` into it"
        if escape
        else "a double-quoted escape or a block scalar put it there"
    )
    line, column = line_col(pattern, at)
    meant = "".join(_spelled(c) for c in pattern).replace("'", "''")
    findings.add(
        (*field.path, "validation", "pattern"),
        "form-pattern-control",
        f"validation.pattern holds the control character {name} (character {at + 1}): "
        f"{cause}, so the pattern does not match what it reads",
        f"Write it in single quotes, where a backslash stays as it is: `pattern: '{meant}'` "
        f"(or double each backslash inside double quotes).",
        within=(line, column) if isinstance(written, str) else None,
    )
    return True


def _check_bound_types(field: Field, findings: Findings) -> bool:
    """False when a min/max is not of the field's type (a finding each)."""
    rule = _BOUND_TYPES.get(field.type)
    if rule is None:
        return True
    valid, wording, hint = rule
    ok = True
    for key in ("min", "max"):
        if key in field.validation and not valid(field.validation[key]):
            findings.add(
                (*field.path, "validation", key),
                "form-validation-key",
                f"validation.{key} of a {field.type} field "
                + wording.format(value=field.validation[key]),
                hint,
            )
            ok = False
    return ok


def _check_ranges(field: Field, findings: Findings) -> None:
    rules = field.validation
    for low, high in (("min", "max"), ("minLength", "maxLength"), ("minItems", "maxItems")):
        if low not in rules or high not in rules:
            continue
        if field.type == "date":
            above = str(rules[low]) > str(rules[high])
        else:
            above = float(rules[low]) > float(rules[high])
        if above:
            findings.add(
                (*field.path, "validation", low),
                "form-range",
                f"validation.{low} ({rules[low]}) is above validation.{high} ({rules[high]})",
                "No value could satisfy both; swap or correct them.",
            )
            return


def _check_pattern(field: Field, findings: Findings) -> None:
    # The reading pac validates input with, so a pattern passes here exactly when
    # pac, browsers and JSON Schema validators can all run it.
    written = field.validation["pattern"]
    pattern = str(written)
    problem = ecma_pattern_problem(pattern)
    if problem is not None:
        line, column = line_col(pattern, problem.index)
        findings.add(
            (*field.path, "validation", "pattern"),
            "form-range",
            f"validation.pattern is not a JSON Schema (ECMA-262) regular expression: "
            f"{problem.message} (character {problem.index + 1})",
            f"{problem.hint} Form patterns run in browsers and portals as JavaScript "
            "regular expressions.",
            within=(line, column) if isinstance(written, str) else None,
        )
    elif (slow := catastrophic_backtracking(pattern)) is not None:
        line, column = line_col(pattern, slow.index)
        findings.add(
            (*field.path, "validation", "pattern"),
            "form-pattern-backtracking",
            f"validation.pattern can take exponential time on a value that almost matches: "
            f"{slow.message} (character {slow.index + 1})",
            "Browsers and portals run form patterns with backtracking engines, where a "
            "value of some 40 characters hangs them. Let each repetition match in only "
            "one way: `^(a+)+$` is `^a+$`, `(\\w+\\s?)*` is `(\\w+\\s)*\\w*`, "
            "`(a|ab)*` is `(ab?)*`.",
            within=(line, column) if isinstance(written, str) else None,
        )


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


# Per field type: what a min/max bound must be, the finding's wording and its hint.
_BOUND_TYPES: dict[str, tuple[Callable[[Any], bool], str, str]] = {
    "date": (
        _is_date,
        "must be a date, not {value!r}",
        "Write it as YYYY-MM-DD in quotes, e.g. '2026-01-31'.",
    ),
    "number": (
        lambda value: not isinstance(value, str),
        "must be a number",
        "Remove the quotes.",
    ),
}


def _check_defaults(repo: Repository, offering: Offering, findings: Findings) -> None:
    """Defaults must be values a request could send: check them as one request input."""
    defaults: dict[str, Any] = {}
    for group, field in offering.form.fields():
        if field.has_default:
            defaults.setdefault(group.id, {})[field.id] = field.default
    if not defaults:
        return
    checker = input_checker(repo, offering)
    for error in checker.errors(defaults, partial=True):
        path = tuple(error.absolute_path)
        if len(path) < 2:
            continue
        owner_group = offering.form.group(str(path[0]))
        target = owner_group.field(str(path[1])) if owner_group else None
        if target is None:
            continue
        for finding in checker.convert(error):
            findings.add(
                (*target.path, "default", *path[2:]),
                "form-default",
                f"the default of field {target.id} is not a value the field accepts: "
                f"{finding.message}",
                "Defaults must be values a request could send; correct the default or the "
                "field's validation.",
            )
            break


def _check_fulfillment(repo: Repository, item: CatalogItem, findings: Findings) -> None:
    for action in every_action(item):
        check_action(repo, item, action, findings)
    _check_day_two(item, findings)


# What a developer is refused when the item's strategy lacks a day-2 list (SPEC §6.6).
_REFUSED = {
    "update": (
        "every change and upgrade of a fulfilled request for it is refused: developers "
        "must decommission and request anew for a bigger size or a security fix",
        "the actions that change a live one in place: a JIRA ticket to your team showing "
        "old -> new (.previous and .current, .system.changedFields) or a REST PATCH of the "
        "id a create action's outputs kept (.output.<key>)",
    ),
    "decommission": (
        "decommissioning its requests is refused: developers cannot retire what they "
        "asked for, and its resources live on after the request's file is gone",
        "the actions that retire one: a JIRA ticket to your team naming it "
        "(.previous, .system.reason) or a REST DELETE of the id a create action kept",
    ),
}


def check_item_day_two(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    """The day-2 warnings of an item with errors elsewhere: its owners hear in the same run
    that developers cannot change or retire what they asked for."""
    item = loaded.model
    assert isinstance(item, CatalogItem)
    findings = Findings(loaded, owner=item.owner.describe())
    _check_day_two(item, findings)
    return findings.items


def _check_day_two(item: CatalogItem, findings: Findings) -> None:
    """A warning for the owners of an item whose strategy in use lacks a day-2 list."""
    for listed in ("update", "decommission"):
        if item.day_two.get((item.mode, listed)):
            continue
        refused, what = _REFUSED[listed]
        findings.add(
            ("fulfillment", item.mode),
            "fulfillment-day-two",
            f"the {item.mode} strategy has no `{listed}` actions, so {refused}",
            f"Add `{listed}:` under fulfillment.{item.mode} with {what}; see "
            "docs/platform-teams.md.",
            at_key=True,
        )
