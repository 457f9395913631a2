"""Bundle composition: components exist, dependencies resolve and do not form cycles."""

from __future__ import annotations

from pac.diagnostics import Diagnostic
from pac.documents.files import Role
from pac.documents.model import Bundle, Component, CycleError
from pac.documents.repository import Loaded, Repository
from pac.documents.suggestions import did_you_mean
from pac.validation.checks import Findings


def check_bundle(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    bundle = loaded.model
    assert isinstance(bundle, Bundle)
    findings = Findings(loaded, owner=bundle.owner.describe())
    ids, duplicated = _component_ids(bundle, findings)
    for component in bundle.components:
        _check_item(repo, component, findings)
        _check_dependencies(bundle, component, ids, duplicated, findings)
    if duplicated:
        return findings.items  # which of the two a dependency means is unclear until renamed
    _check_cycle(bundle, findings)
    return findings.items


def _component_ids(bundle: Bundle, findings: Findings) -> tuple[set[str], set[str]]:
    """The component ids, and those used twice (a finding each)."""
    ids: set[str] = set()
    duplicated: set[str] = set()
    for component in bundle.components:
        if component.id in ids:
            duplicated.add(component.id)
            findings.add(
                (*component.path, "id"),
                "bundle-duplicate-component",
                f"the component id {component.id} is used twice",
                "Give each component a different id; dependsOn refers to them.",
            )
        ids.add(component.id)
    return ids, duplicated


def _check_item(repo: Repository, component: Component, findings: Findings) -> None:
    """The component's catalog item exists and can be used."""
    if component.catalog_item not in repo.index(Role.ITEM):
        _unknown_item(repo, component.catalog_item, (*component.path, "catalogItem"), findings)
        return
    target = repo.item_file(component.catalog_item)
    if target is not None and not target.ok and target.document is not None:
        findings.add(
            (*component.path, "catalogItem"),
            "bundle-unknown-item",
            f"the catalog item {component.catalog_item} has errors and cannot be used",
            f"Fix {target.display} first (see its findings).",
            owner=repo.owner_hint(target),
        )


def _check_dependencies(
    bundle: Bundle, component: Component, ids: set[str], duplicated: set[str], findings: Findings
) -> None:
    for index, dependency in enumerate(component.depends_on):
        if dependency == component.id and component.id not in duplicated:
            findings.add(
                (*component.path, "dependsOn", index),
                "bundle-cycle",
                f"component {component.id} depends on itself",
                "Remove it from its own dependsOn.",
            )
        elif dependency not in ids:
            suggestion = did_you_mean(dependency, sorted(ids))
            findings.add(
                (*component.path, "dependsOn", index),
                "bundle-unknown-dependency",
                f"component {component.id} depends on {dependency}, which is not a "
                "component of this bundle",
                f"Did you mean '{suggestion}'?"
                if suggestion
                else "Name one of: "
                + ", ".join(dict.fromkeys(c.id for c in bundle.components))
                + ".",
            )


def _check_cycle(bundle: Bundle, findings: Findings) -> None:
    try:
        bundle.ordered_components()
    except CycleError as exc:
        if len(exc.cycle) > 2:  # a self-dependency is reported above
            first = bundle.component(exc.cycle[0])
            findings.add(
                (*(first.path if first else ("components",)), "dependsOn"),
                "bundle-cycle",
                "components depend on each other in a cycle: " + " -> ".join(exc.cycle),
                "Remove one dependency of the cycle; components run in dependency order.",
            )


def _unknown_item(
    repo: Repository, item_id: str, path: tuple[str | int, ...], findings: Findings
) -> None:
    if item_id in repo.index(Role.BUNDLE):
        hint = f"{item_id} is a bundle; bundles cannot contain bundles. Name a catalog item."
    else:
        suggestion = did_you_mean(item_id, repo.index(Role.ITEM))
        hint = (
            f"Did you mean '{suggestion}'?"
            if suggestion
            else "`pac catalog list --kind CatalogItem` shows the catalog items."
        )
    findings.add(
        path,
        "bundle-unknown-item",
        f"the catalog item {item_id} does not exist",
        hint,
    )
