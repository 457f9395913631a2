"""What changed between two inputs of one request (SPEC §6.6).

A change is judged on the effective input — defaults applied — so writing a default out
in the request file changes nothing, and paths are named `group.field` (or `name`) the
way `.system.changedFields` lists them. Validate (which refusals apply) and apply (which
components update) read the same answer from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pac.documents.model import Field, Form
from pac.forms.defaults import apply_defaults


def effective_input(form: Form, values: Mapping[str, Any]) -> dict[str, Any]:
    """The input a revision works on: the request's values with the form's defaults."""
    return apply_defaults(form, values)


def changed_paths(form: Form, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The `group.field` paths (and `name`) whose effective values differ, in form order.

    Keys the form does not know (a field removed from a newer item version) are compared
    too, after the form's own, so nothing that changed goes unnamed.
    """
    old, new = effective_input(form, before), effective_input(form, after)
    paths = ["name"] if old.get("name") != new.get("name") else []
    known: set[str] = {"name"}
    for group, field_ in form.fields():
        known.add(f"{group.id}.{field_.id}")
        if _value(old, group.id, field_.id) != _value(new, group.id, field_.id):
            paths.append(f"{group.id}.{field_.id}")
    paths.extend(p for p in _all_paths(old, new) if p not in known and p not in paths)
    return paths


def immutable_changes(form: Form, changed: list[str]) -> list[tuple[str, Field]]:
    """Which of `changed` may not change once fulfilled: `name` always, and fields marked
    `immutable` (SPEC §4.2)."""
    out: list[tuple[str, Field]] = []
    for path in changed:
        if path == "name":
            out.append((path, form.name_field))
            continue
        group_id, _, field_id = path.partition(".")
        group = form.group(group_id)
        found = group.field(field_id) if group is not None else None
        if found is not None and found.immutable:
            out.append((path, found))
    return out


def _value(values: Mapping[str, Any], group: str, field_id: str) -> Any:
    section = values.get(group)
    return section.get(field_id) if isinstance(section, Mapping) else None


def _all_paths(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """`group.field` paths of either input whose values differ, beyond the form's."""
    paths: list[str] = []
    for group in dict.fromkeys([*old, *new]):
        if group == "name":
            continue
        before, after = old.get(group), new.get(group)
        if not isinstance(before, Mapping) or not isinstance(after, Mapping):
            if before != after:
                paths.append(group)
            continue
        for key in dict.fromkeys([*before, *after]):
            if before.get(key) != after.get(key):
                paths.append(f"{group}.{key}")
    return paths
