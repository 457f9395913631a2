"""File names, folders, ids and categories: is each document where its id says it is?"""

from __future__ import annotations

from pac.diagnostics import Diagnostic, Severity
from pac.documents.files import Role
from pac.documents.layout import BUNDLES, REQUESTS, YAML_SUFFIXES
from pac.documents.model import Bundle, CatalogItem, Category, Offering, Request
from pac.documents.repository import Loaded, Repository
from pac.validation.checks import Findings


def check_file_name(loaded: Loaded, doc_id: str, findings: Findings) -> None:
    name = loaded.path.name
    if name.endswith(".yml"):
        findings.add(
            ("metadata", "id"),
            "file-name",
            f"the file is named {name}; catalog files end in .yaml",
            f"Rename it to {doc_id}.yaml.",
        )
        return
    expected = f"{doc_id}.yaml"
    if name != expected:
        findings.add(
            ("metadata", "id"),
            "file-name",
            f"the file is named {name} but its id is {doc_id}",
            f"Rename the file to {expected}, or change metadata.id to "
            f"{_stem(name)} (ids and file names must match so documents can be found).",
        )


def _stem(name: str) -> str:
    for suffix in YAML_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def check_duplicate_id(repo: Repository, loaded: Loaded, doc_id: str, findings: Findings) -> None:
    roles = (Role.ITEM, Role.BUNDLE) if loaded.role in (Role.ITEM, Role.BUNDLE) else (Role.REQUEST,)
    others = [p for role in roles for p in repo.index(role).get(doc_id, []) if p != loaded.path]
    if others:
        where = ", ".join(repo.display(p) for p in others)
        findings.add(
            ("metadata", "id"),
            "duplicate-id",
            f"the id {doc_id} is also used by {where}",
            "Ids are unique across the catalog (items and bundles) and across requests/; "
            "choose another id.",
        )


def check_offering_placement(
    repo: Repository, loaded: Loaded, offering: Offering, findings: Findings
) -> None:
    if loaded.role not in (Role.ITEM, Role.BUNDLE):
        return  # a document outside catalog/ (a template, a draft) has no place to check
    check_file_name(loaded, offering.id, findings)
    check_duplicate_id(repo, loaded, offering.id, findings)
    category = repo.categories.get(offering.category)
    if _category_mismatch(repo, loaded, offering, findings) and category is not None:
        # Which of the two is meant decides the owner and id prefix; judging them
        # against either one now would only repeat this finding in other words.
        return
    if category is None:
        _unregistered(repo, offering, findings)
        return
    _check_owner_team(offering, category, findings)
    _check_id_prefix(offering, category, findings)


def _category_mismatch(
    repo: Repository, loaded: Loaded, offering: Offering, findings: Findings
) -> bool:
    """True when an item is in another category's folder than its own, and both exist."""
    registry = repo.categories
    folder = loaded.path.parent.name
    if not isinstance(offering, CatalogItem) or folder == offering.category:
        return False
    findings.add(
        ("metadata", "category"),
        "category-mismatch",
        f"metadata.category is {offering.category} but the file is in catalog/{folder}/",
        f"Set `category: {folder}`, or move the file to catalog/{offering.category}/.",
        owner=registry.describe_owner(folder),
    )
    return registry.get(folder) is not None


def _unregistered(repo: Repository, offering: Offering, findings: Findings) -> None:
    # Without a registry, or with one that has errors of its own, every item would be
    # "unregistered"; the registry's findings say what to fix instead.
    registry = repo.categories
    if registry.loaded is None or not registry.loaded.ok:
        return
    known = ", ".join(sorted({c.id for c in registry.categories} - {BUNDLES}))
    architects = ", ".join(repo.config.architecture_team)
    findings.add(
        ("metadata", "category"),
        "category-unknown",
        f"the category {offering.category} is not registered in catalog/categories.yaml",
        f"Use one of: {known}. A new category needs architecture review"
        + (f" ({architects})." if architects else "."),
        owner="",
    )


def _check_owner_team(offering: Offering, category: Category, findings: Findings) -> None:
    if offering.owner.team == category.team:
        return
    findings.add(
        ("metadata", "owner", "team"),
        "owner-mismatch",
        f"owner team {offering.owner.team} does not own the {category.id} category "
        f"(its team is {category.team})",
        f"Set `team: {category.team}`; documents in catalog/{category.id}/ belong to it.",
        owner=category.describe_owner(),
    )


def _check_id_prefix(offering: Offering, category: Category, findings: Findings) -> None:
    if isinstance(offering, Bundle):
        prefix, shape = "bundle", "bundle-<name>-<variant>"
    else:
        prefix, shape = category.id_prefix, f"{category.id_prefix}-<service>-<variant>"
    rest = offering.id[len(prefix) + 1 :] if offering.id.startswith(prefix + "-") else ""
    if rest and "-" in rest:
        return
    findings.add(
        ("metadata", "id"),
        "naming-id-prefix",
        f"the id {offering.id} does not follow {shape}",
        f"Ids in {category.id} are {shape}, e.g. "
        f"{prefix}-{'webapp' if prefix == 'bundle' else 'service'}-standard.",
        owner=category.describe_owner(),
    )


def check_request_placement(repo: Repository, loaded: Loaded, request: Request) -> list[Diagnostic]:
    findings = Findings(loaded)
    if loaded.role is not Role.REQUEST:
        return findings.items
    check_file_name(loaded, request.id, findings)
    check_duplicate_id(repo, loaded, request.id, findings)
    relative = loaded.path.relative_to(repo.root / REQUESTS).parts
    if len(relative) == 1:
        findings.add(
            ("metadata", "id"),
            "file-location",
            "requests live in a folder per team; this one is directly in requests/",
            f"Move it to requests/{request.requester.team}/{loaded.path.name}.",
        )
    elif relative[0] != request.requester.team:
        findings.add(
            ("metadata", "requester", "team"),
            "file-location",
            f"the request is in requests/{relative[0]}/ but the requester's team is "
            f"{request.requester.team}",
            f"Move it to requests/{request.requester.team}/, or correct the team.",
            severity=Severity.WARNING,
        )
    return findings.items
