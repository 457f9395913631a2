"""The category registry and pac.yaml: the documents that govern all the others."""

from __future__ import annotations

from pac.diagnostics import Diagnostic
from pac.documents.config import PacConfig
from pac.documents.layout import BUNDLES, CATEGORIES_FILE
from pac.documents.model import Category
from pac.documents.repository import Loaded, Repository
from pac.validation.checks import Findings
from pac.validation.codeowners import catalog_folders


def check_categories(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    categories = loaded.model
    assert isinstance(categories, list)
    findings = Findings(loaded, owner=repo.owner_hint(loaded))
    seen_ids: dict[str, Category] = {}
    seen_prefixes: dict[str, Category] = {}
    for category in categories:
        if category.id in seen_ids:
            findings.add(
                (*category.path, "id"),
                "categories-duplicate",
                f"the category {category.id} is registered twice",
                "Keep one entry per folder under catalog/.",
            )
        seen_ids.setdefault(category.id, category)
        if category.id == BUNDLES:
            continue
        if category.id_prefix in seen_prefixes:
            other = seen_prefixes[category.id_prefix]
            findings.add(
                (*category.path, "idPrefix"),
                "categories-duplicate",
                f"the id prefix {category.id_prefix} is already used by category {other.id}",
                "Each category needs its own prefix so an item's id tells its category.",
            )
        seen_prefixes.setdefault(category.id_prefix, category)
    bundles = seen_ids.get(BUNDLES)
    if bundles is None:
        findings.add(
            ("categories",),
            "categories-bundles",
            "the registry has no entry for bundles",
            "Add `- {id: bundles, idPrefix: bundle, team: ..., codeowners: [...], "
            "description: ...}` for catalog/bundles/.",
        )
    elif bundles.id_prefix != "bundle":
        findings.add(
            (*bundles.path, "idPrefix"),
            "categories-bundles",
            f"the bundles entry has idPrefix {bundles.id_prefix}; bundle ids start with bundle-",
            "Set `idPrefix: bundle`.",
        )
    for folder in catalog_folders(repo):
        name = folder.split("/")[1]
        if name not in seen_ids:
            findings.add(
                ("categories",),
                "category-unknown",
                f"the folder {folder} is not a registered category",
                f"Add an entry `id: {name}` to {CATEGORIES_FILE} (architecture review), or "
                "move its documents into a registered category.",
            )
    return findings.items


def check_config(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    config = loaded.model
    assert isinstance(config, PacConfig)
    findings = Findings(loaded, owner=repo.owner_hint(loaded))
    registered = {c.id for c in repo.categories.categories}
    if not _known_timezone(config.timezone):
        findings.add(
            ("changeCalendar", "timezone"),
            "config-invalid",
            f"the change calendar's time zone {config.timezone!r} is unknown, so freeze windows "
            "would start and end on UTC days instead",
            "Write a time zone name from the tz database, such as UTC, Europe/Berlin or "
            "America/New_York (spelled with its capitals).",
        )
    for index, window in enumerate(config.freezes):
        path = ("changeCalendar", "freezes", index)
        problem = window.validate()
        if problem:
            findings.add(
                path,
                "config-invalid",
                f"the freeze window {window.name!r} cannot be used: {problem}",
                "Write start and end as YYYY-MM-DD, or MM-DD for a window that recurs yearly.",
            )
        for cindex, category in enumerate(window.categories or ()):
            if registered and category not in registered:
                findings.add(
                    (*path, "scope", "categories", cindex),
                    "config-invalid",
                    f"the freeze window {window.name!r} names the unknown category {category}",
                    "Use ids from catalog/categories.yaml: " + ", ".join(sorted(registered)) + ".",
                )
    if not config.architecture_team:
        findings.add(
            (),
            "config-invalid",
            "pac.yaml names no architecture team, so CODEOWNERS cannot be generated",
            "Add `governance: {architectureTeam: ['@org/architecture']}`.",
        )
    # Imported here: only pac.yaml's own check needs the notification rules.
    from pac.validation.checks.notifications import check_notifications

    check_notifications(config.notifications, findings)
    return findings.items


def _known_timezone(name: str) -> bool:
    if name == "UTC":
        return True
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
