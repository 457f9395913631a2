"""Checked before apply, not during: settings that pass the schema but fail, or go wrong,
only once a merged request runs (a ticket already created, a credential already sent).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pac.diagnostics import Diagnostic
from pac.documents.model import Bundle, CatalogItem, Field, Offering
from pac.documents.repository import Loaded, Repository
from pac.forms.schema import TEXT_INPUT_CAP
from pac.validation.checks import Findings, every_action
from pac.validation.checks.actions import check_action_before_apply

_UNBOUNDED = re.compile(r"(?<!\\)[*+]|\{\d*,\}")
_TEXT_TYPES = frozenset({"string", "textarea"})


def check_before_apply(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    offering = loaded.model
    assert isinstance(offering, Offering)
    findings = Findings(loaded, owner=offering.owner.describe())
    for _, field in offering.form.fields():
        _check_field(field, findings)
    if isinstance(offering, CatalogItem):
        for action in every_action(offering):
            check_action_before_apply(repo, action, offering.form, findings)
    if isinstance(offering, Bundle):
        _check_linking(repo, offering, findings)
    return findings.items


# --- forms ------------------------------------------------------------------------------


def _check_field(field: Field, findings: Findings) -> None:
    if field.has_default and _has_template(field.default):
        findings.add(
            (*field.path, "default"),
            "form-default-template",
            f"the default of field {field.id} contains template syntax, but input is never "
            "rendered: requests would hold the text as it is written",
            "Write the value itself as the default; to derive a value from others, "
            "compute it in the action's template instead.",
        )
    if field.type not in _TEXT_TYPES:
        return
    pattern = field.validation.get("pattern") if field.type == "string" else None
    anchored, bounded = _pattern_facts(pattern) if isinstance(pattern, str) else (True, False)
    if not anchored:
        findings.add(
            (*field.path, "validation", "pattern"),
            "form-pattern-unanchored",
            f"the pattern {pattern!r} of field {field.id} is not anchored: it accepts any "
            "value that merely contains a match",
            f"Write {_anchor(str(pattern))!r} to match the whole value.",
        )
    if not bounded and "maxLength" not in field.validation:
        findings.add(
            field.path,
            "form-text-unbounded",
            f"the {field.type} field {field.id} has no maxLength: requests may hold up to "
            f"{TEXT_INPUT_CAP:,} characters, pac's cap for any text",
            "Set validation.maxLength to what the fulfilment can take (a JIRA text field "
            "holds 32,767 characters, a summary 255).",
        )


@cache
def _pattern_facts(pattern: str) -> tuple[bool, bool]:
    """(anchored, bounded): an anchored pattern without an open-ended repeat cannot match
    a long value. Patterns repeat across a catalog, so each is read once."""
    anchored = _anchored(pattern)
    return anchored, anchored and not _UNBOUNDED.search(pattern)


def _has_template(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and ("{{" in v or "{%" in v) for v in values)


def _anchored(pattern: str) -> bool:
    end = pattern.endswith("$") and not pattern.endswith("\\$")
    return pattern.startswith("^") and end and not _top_level_alternation(pattern)


def _anchor(pattern: str) -> str:
    inner = pattern.removeprefix("^")
    inner = inner[:-1] if inner.endswith("$") and not inner.endswith("\\$") else inner
    return f"^(?:{inner})$" if _top_level_alternation(pattern) else f"^{inner}$"


def _top_level_alternation(pattern: str) -> bool:
    """Whether `|` splits the whole pattern (`^a|b$` anchors each side only once)."""
    depth, in_class, index = 0, False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        index += 1
    return False


# --- bundles ----------------------------------------------------------------------------


def _check_linking(repo: Repository, bundle: Bundle, findings: Findings) -> None:
    linking = ("fulfillment", "orchestration", "jiraLinking")
    declared = repo.config.link_types
    if bundle.link_type and bundle.link_type not in declared:
        same = next((t for t in declared if t.lower() == bundle.link_type.lower()), "")
        findings.add(
            (*linking, "linkType"),
            "link-type-unknown",
            f"the JIRA link type {bundle.link_type!r} is not one pac.yaml declares "
            f"({', '.join(declared)}); linking the component tickets would fail at apply, "
            "after the tickets were created",
            f"Write {same!r}: JIRA link type names are case-sensitive."
            if same
            else f"Use one of: {', '.join(declared)}, or ask the architecture team to add it "
            "to jira.linkTypes in pac.yaml (spelled as in JIRA's issue linking settings).",
        )
    if bundle.parent_ticket:
        findings.add(
            (*linking, "parentTicket"),
            "bundle-parent-ticket",
            "jiraLinking.parentTicket is not supported: pac creates no parent ticket, so "
            "the setting would be ignored",
            "Remove parentTicket (or set it to false). To gather the component tickets "
            "under one epic, set `epicKey` in each component item's ticket action; the "
            "tickets are linked to each other through linkType.",
        )
