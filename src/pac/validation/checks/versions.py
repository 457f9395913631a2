"""Versions mean something (SPEC §7): a changed item or bundle raises `metadata.version`
as far as its form change demands, judged against the document at the `--changed` base.

The forms are compared as plain data, not as the typed model, so keys the schema of this
release does not know yet (`immutable`) are judged as soon as a document carries them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pac.diagnostics import Diagnostic
from pac.documents.loader import parse_bytes
from pac.documents.model import Offering
from pac.documents.repository import Loaded
from pac.validation.checks import Findings

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?")
# Validation keys whose larger value accepts less (a lower bound), and more (an upper one).
_LOWER_BOUNDS = ("min", "minLength", "minItems")
_UPPER_BOUNDS = ("max", "maxLength", "maxItems", "maxSize")
_LIST_KEYS = ("types",)


@dataclass(frozen=True, slots=True)
class FormChange:
    """One difference between two forms: `where` is `group` or `group.field`."""

    where: str
    what: str
    breaking: bool

    def text(self) -> str:
        return f"{self.where}: {self.what}"


def form_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FormChange]:
    """What changed from the `old` form to the `new` one that existing requests notice:
    breaking changes (a request valid before may be invalid now) and additions."""
    out: list[FormChange] = []
    old_groups = _by_id(old.get("groups"))
    new_groups = _by_id(new.get("groups"))
    for group_id, group in old_groups.items():
        if group_id not in new_groups:
            out.append(FormChange(group_id, "group removed (or renamed)", True))
            continue
        out += _group_changes(group_id, group, new_groups[group_id])
    for group_id, group in new_groups.items():
        if group_id not in old_groups:
            required = [f for f in _by_id(group.get("fields")).values() if _needed(f)]
            if required:
                names = ", ".join(f"{group_id}.{f['id']}" for f in required)
                out.append(FormChange(group_id, f"new group with required {names}", True))
            else:
                out.append(FormChange(group_id, "group added", False))
    return out


def _group_changes(
    group_id: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> list[FormChange]:
    out: list[FormChange] = []
    old_fields = _by_id(old.get("fields"))
    new_fields = _by_id(new.get("fields"))
    for field_id, field in old_fields.items():
        where = f"{group_id}.{field_id}"
        if field_id not in new_fields:
            out.append(FormChange(where, "field removed (or renamed)", True))
        else:
            out += _field_changes(where, field, new_fields[field_id])
    for field_id, field in new_fields.items():
        if field_id not in old_fields:
            where = f"{group_id}.{field_id}"
            if _needed(field):
                out.append(FormChange(where, "new required field without a default", True))
            else:
                out.append(FormChange(where, "field added", False))
    return out


def _field_changes(where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FormChange]:
    out: list[FormChange] = []
    if old.get("type") != new.get("type"):
        out.append(
            FormChange(where, f"type changed from {old.get('type')} to {new.get('type')}", True)
        )
    # A required field with a default is never missing (the default fills it), so only
    # a field that now needs a value the request may not have breaks it.
    if _needed(new) and not _needed(old):
        what = "made required" if old.get("required") is not True else "default removed"
        out.append(FormChange(where, f"{what} (no default fills it)", True))
    if new.get("immutable") is True and old.get("immutable") is not True:
        out.append(FormChange(where, "made immutable", True))
    out += _member_changes(where, "enum member", old.get("enum"), new.get("enum"))
    old_rules, new_rules = _mapping(old.get("validation")), _mapping(new.get("validation"))
    for key in _LIST_KEYS:
        before, after = old_rules.get(key), new_rules.get(key)
        if before is None and isinstance(after, list):  # anything was allowed before
            out.append(FormChange(where, f"{key} restricted to {', '.join(map(str, after))}", True))
        elif isinstance(before, list) and after is None:
            out.append(FormChange(where, f"{key} restriction removed", False))
        else:
            out += _member_changes(where, f"{key} entry", before, after)
    for key in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
        out += _bound_change(where, key, old_rules.get(key), new_rules.get(key))
    for key in ("pattern", "step"):
        before, after = old_rules.get(key), new_rules.get(key)
        if before == after:
            continue
        if after is None:
            out.append(FormChange(where, f"{key} {before!r} removed", False))
        elif before is None:
            out.append(FormChange(where, f"{key} {after!r} added", True))
        else:
            out.append(FormChange(where, f"{key} changed from {before!r} to {after!r}", True))
    return out


def _member_changes(where: str, what: str, old: Any, new: Any) -> list[FormChange]:
    if not isinstance(old, list) or not isinstance(new, list):
        return []
    removed = [m for m in old if m not in new]
    added = [m for m in new if m not in old]
    out = []
    if removed:
        out.append(FormChange(where, f"{what} removed: {', '.join(map(str, removed))}", True))
    if added:
        out.append(FormChange(where, f"{what} added: {', '.join(map(str, added))}", False))
    return out


def _bound_change(where: str, key: str, old: Any, new: Any) -> list[FormChange]:
    if old == new or not _comparable(old, new):
        return []
    if new is None:
        return [FormChange(where, f"{key} {old} removed", False)]
    if old is None:
        return [FormChange(where, f"{key} {new} added", True)]
    narrowed = new > old if key in _LOWER_BOUNDS else new < old
    return [
        FormChange(
            where, f"{key} {'narrowed' if narrowed else 'widened'} from {old} to {new}", narrowed
        )
    ]


def _comparable(old: Any, new: Any) -> bool:
    """Numbers with numbers, dates (ISO text) with dates; a missing bound with anything."""
    if old is None or new is None:
        return True
    numbers = (int, float)
    if isinstance(old, bool) or isinstance(new, bool):
        return False
    return (isinstance(old, numbers) and isinstance(new, numbers)) or (
        isinstance(old, str) and isinstance(new, str)
    )


def _needed(field: Mapping[str, Any]) -> bool:
    return field.get("required") is True and "default" not in field


def _by_id(entries: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(entries, list):
        return {}
    return {
        str(e["id"]): e for e in entries if isinstance(e, Mapping) and isinstance(e.get("id"), str)
    }


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


# --- the finding --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: str

    @classmethod
    def parse(cls, text: Any) -> Version | None:
        match = _VERSION.match(text) if isinstance(text, str) else None
        if match is None:
            return None
        major, minor, patch, pre = match.groups()
        return cls(int(major), int(minor), int(patch), pre or "")

    def key(self) -> tuple[int, int, int, int, str]:
        # A pre-release comes before its release: 2.0.0-rc1 < 2.0.0.
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, self.pre)

    def bump(self, new: Version) -> str:
        """How far `new` raises this version: lower, none, patch, minor or major."""
        if new.key() < self.key():
            return "lower"
        if new.key() == self.key():
            return "none"
        if self.pre and new.key()[:3] == self.key()[:3]:
            return "major"  # a pre-release is not a promise yet: 2.0.0-rc1 -> 2.0.0-rc2
        if new.major > self.major:
            return "major"
        return "minor" if new.minor > self.minor else "patch"

    def raised(self, level: str) -> str:
        if level == "major":
            return f"{self.major + 1}.0.0"
        if level == "minor":
            return f"{self.major}.{self.minor + 1}.0"
        return f"{self.major}.{self.minor}.{self.patch + 1}"

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}" + (f"-{self.pre}" if self.pre else "")


def check_version(loaded: Loaded, base: bytes, base_name: str) -> list[Diagnostic]:
    """Findings for an item or bundle whose version does not follow its change since
    `base_name`; `base` is the document's content there."""
    offering = loaded.model
    if not isinstance(offering, Offering) or loaded.document is None:
        return []
    old_doc = parse_bytes(base, Path(loaded.display), loaded.display).document
    new_data = loaded.document.data
    if old_doc is None or not isinstance(old_doc.data, dict):
        return []  # nothing readable to compare with
    old_data = old_doc.data
    old = Version.parse(_mapping(old_data.get("metadata")).get("version"))
    new = Version.parse(offering.version)
    if old is None or new is None or old_data.get("kind") != new_data.get("kind"):
        return []
    if _unversioned(old_data) == _unversioned(new_data) and old.bump(new) != "lower":
        return []  # only comments, layout or the version itself changed
    changes = form_changes(_form(old_data), _form(new_data))
    findings = Findings(loaded, owner=offering.owner.describe())
    _judge(findings, old, new, changes, base_name)
    return findings.items


def _judge(
    findings: Findings, old: Version, new: Version, changes: list[FormChange], base_name: str
) -> None:
    bump = old.bump(new)
    breaking = [c.text() for c in changes if c.breaking]
    added = [c.text() for c in changes if not c.breaking]
    at = ("metadata", "version")
    moved = f"stayed {old}" if bump == "none" else f"went from {old} to {new}"
    if bump == "lower":
        need = "major" if breaking else "minor" if added else "patch"
        findings.add(
            at,
            "version-lowered",
            f"metadata.version went down from {old} (at {base_name}) to {new}",
            "Versions only go up: requests record the version they were fulfilled with. "
            f"Set it to {old.raised(need)}.",
        )
    elif breaking and bump != "major":
        findings.add(
            at,
            "version-breaking-change",
            f"the form changed since {base_name} in ways that can break existing requests, "
            f"and the version {moved} where a new major version is needed; breaking: "
            + "; ".join(breaking),
            f"Raise metadata.version to {old.raised('major')}, or undo these changes (add a "
            "new field beside an old one instead of renaming or narrowing it).",
        )
    elif added and bump in ("none", "patch"):
        findings.add(
            at,
            "version-bump-minor",
            f"the form changed since {base_name} by additions ({'; '.join(added)}), and the "
            f"version {moved} where a new minor version is needed",
            f"Raise metadata.version to {old.raised('minor')}: additions are a minor version.",
        )
    elif bump == "none":
        findings.add(
            at,
            "version-unchanged",
            f"the document changed since {base_name} but metadata.version stayed {old}",
            f"Raise it to {old.raised('patch')} (a patch version; a minor one for additions, "
            "a major one for changes that can break requests).",
        )


def _form(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(_mapping(data.get("input")).get("form"))


def _unversioned(data: Mapping[str, Any]) -> dict[str, Any]:
    metadata = {k: v for k, v in _mapping(data.get("metadata")).items() if k != "version"}
    return {**data, "metadata": metadata}
