"""`pac new`: new catalog documents from the starter templates in `templates/`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pac.documents.layout import BUNDLES, CATALOG
from pac.documents.loader import parse_bytes
from pac.documents.model import Form
from pac.documents.repository import Repository
from pac.documents.starters import template_path
from pac.documents.suggestions import did_you_mean
from pac.errors import UsageError

_KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_WORD = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Scaffolded:
    path: Path
    doc_id: str


def _check_word(value: str, what: str, example: str) -> None:
    if not _WORD.match(value):
        raise UsageError(
            f"{what} {value!r} must be lower-case letters and digits, words joined by hyphens",
            f"For example `{example}`.",
        )


def _title(*words: str) -> str:
    return " ".join(w.capitalize() for part in words for w in part.split("-"))


def _write_new(repo: Repository, path: Path, text: str, words: str) -> None:
    if path.exists():
        raise UsageError(
            f"{repo.display(path)} already exists; pac new never overwrites a document",
            f"Choose another {words}, or edit the existing file.",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail if it appeared meanwhile
        handle.write(text)


def new_item(repo: Repository, category_id: str, service: str, variant: str) -> Scaffolded:
    registry = repo.categories
    category = registry.get(category_id)
    if category is None or category_id == BUNDLES:
        known = ", ".join(sorted({c.id for c in registry.categories} - {BUNDLES})) or "none yet"
        suggestion = did_you_mean(
            category_id, [c.id for c in registry.categories if c.id != BUNDLES]
        )
        architects = repo.architecture_owner()
        raise UsageError(
            f"{category_id!r} is not a registered category",
            (f"Did you mean '{suggestion}'? " if suggestion else "")
            + f"Use one of: {known}. New categories are added to catalog/categories.yaml "
            f"with the review of {architects or 'the architecture team'}.",
        )
    _check_word(service, "SERVICE", "aurora-postgresql")
    _check_word(variant, "VARIANT", "standard")
    item_id = f"{category.id_prefix}-{service}-{variant}"
    if not _KEBAB.match(item_id) or len(item_id) > 63:
        raise UsageError(f"the id {item_id} is not valid", "Use shorter words.")
    contact = (
        category.contact
        or _contact_from_items(repo, category_id)
        or (f"{category.team}@company.com")
    )
    text = template_path(repo.root, "catalog-item.yaml").read_text(encoding="utf-8")
    replacements = [
        ("example-service-standard", item_id),
        ("Example Service Standard", _title(service, variant)),
        ("example-category", category.id),
        ("example-team@company.com", contact),
        ("example-team", category.team),
        ("example-service", service),
        ("project: EXAMPLE", f"project: {category.id_prefix.upper().replace('-', '_')}"),
        ("EXAMPLE_API_TOKEN", f"{item_id.upper().replace('-', '_')}_API_TOKEN"),
        ("tags: [example]", f"tags: [{service}]"),
        ("$schema=../schema/", "$schema=../../schema/"),
    ]
    for old, new in replacements:
        text = text.replace(old, new)
    path = repo.root / CATALOG / category.id / f"{item_id}.yaml"
    _write_new(repo, path, text, "SERVICE or VARIANT")
    return Scaffolded(path, item_id)


def _contact_from_items(repo: Repository, category_id: str) -> str:
    for item in repo.items():
        if item.category == category_id:
            return item.owner.contact
    return ""


def new_bundle(
    repo: Repository, name: str, variant: str, components: list[str] | None = None
) -> Scaffolded:
    _check_word(name, "NAME", "webapp")
    _check_word(variant, "VARIANT", "standard")
    bundle_id = f"bundle-{name}-{variant}"
    bundles = repo.categories.bundles
    team = bundles.team if bundles else "developer-experience-team"
    contact = (bundles.contact if bundles else "") or f"{team}@company.com"
    text = template_path(repo.root, "catalog-bundle.yaml").read_text(encoding="utf-8")
    if components:
        text = _with_components(repo, text, components)
    replacements = [
        ("bundle-example-standard", bundle_id),
        ("Example Stack Standard", _title(name, variant)),
        ("example-team@company.com", contact),
        ("example-team", team),
        ("tags: [example]", f"tags: [{name}]"),
        ("$schema=../schema/", "$schema=../../schema/"),
    ]
    for old, new in replacements:
        text = text.replace(old, new)
    path = repo.root / CATALOG / BUNDLES / f"{bundle_id}.yaml"
    _write_new(repo, path, text, "NAME or VARIANT")
    return Scaffolded(path, bundle_id)


def _with_components(repo: Repository, text: str, item_ids: list[str]) -> str:
    """The template with its components and form groups replaced by the given items'."""
    items = []
    for item_id in item_ids:
        item = repo.item(item_id)
        if item is None:
            raise UsageError(
                f"{item_id} is not a valid catalog item",
                "`pac catalog list` shows the items; fix any item with errors first.",
            )
        items.append(item)
    components: list[dict[str, Any]] = []
    previous: list[str] = []
    for item in items:
        component_id = _component_id(item.id, {c["id"] for c in components})
        components.append({"id": component_id, "catalogItem": item.id, "dependsOn": list(previous)})
        previous = [component_id]
    groups = _merged_groups([item.form for item in items], [item.doc.data for item in items])

    parsed = parse_bytes(text.encode(), Path("template"), "template").document
    assert parsed is not None, "the bundle template must be valid YAML"
    lines = text.splitlines(keepends=True)
    _, groups_node = parsed.node_at(("input", "form", "groups"))
    _, components_node = parsed.node_at(("components",))
    # Replace from the bottom up so earlier line numbers stay valid.
    for node, value in sorted(
        ((groups_node, groups), (components_node, components)),
        key=lambda pair: -pair[0].start_mark.line,
    ):
        start, end = node.start_mark.line, node.end_mark.line
        if node.end_mark.column > 0:
            end += 1
        indent = node.start_mark.column
        dumped = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)
        block = "".join(" " * indent + line + "\n" for line in dumped.splitlines())
        lines[start:end] = [block]
    return "".join(lines)


def _component_id(item_id: str, taken: set[str]) -> str:
    words = item_id.split("-")
    base = words[0] + "".join(w.capitalize() for w in words[1:2])
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}{number}", number + 1
    return candidate


def _merged_groups(forms: list[Form], sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every group and field of the items' forms, first definition winning."""
    merged: dict[str, dict[str, Any]] = {}
    for form, source in zip(forms, sources, strict=True):
        raw_groups = source["input"]["form"].get("groups") or []
        for group, raw in zip(form.groups, raw_groups, strict=True):
            target = merged.setdefault(group.id, {"id": group.id, "name": group.name, "fields": []})
            known = {f["id"] for f in target["fields"]}
            target["fields"].extend(f for f in raw["fields"] if f["id"] not in known)
    return list(merged.values())
