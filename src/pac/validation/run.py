"""`pac validate`'s run: every check on the documents `scope` picked, the findings returned."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pac.diagnostics import Diagnostic, Severity, sorted_unique
from pac.documents.files import KIND_HOME, Role
from pac.documents.layout import (
    BUNDLES,
    CATALOG,
    CATEGORIES_FILE,
    CODEOWNERS_FILE,
    CONFIG_FILE,
    REQUESTS,
    YAML_SUFFIXES,
)
from pac.documents.repository import Loaded, Repository, diagnostic
from pac.rules import RULES
from pac.validation import codeowners
from pac.validation.checks import DocumentCheck
from pac.validation.checks.beforeapply import check_before_apply
from pac.validation.checks.bundles import check_bundle
from pac.validation.checks.governance import check_categories, check_config
from pac.validation.checks.offerings import check_offering, check_offering_metadata
from pac.validation.checks.placeholders import check_placeholders
from pac.validation.checks.requests import check_request
from pac.validation.checks.templates import check_bundle_templates, check_item_templates
from pac.validation.scope import affected_documents, changes_under, expand

# The checks each kind of document gets once it has passed its schema.
DOCUMENT_CHECKS: dict[str, list[DocumentCheck]] = {
    "CatalogItem": [check_offering, check_item_templates, check_before_apply, check_placeholders],
    "CatalogBundle": [
        check_offering,
        check_bundle,
        check_bundle_templates,
        check_before_apply,
        check_placeholders,
    ],
    "Request": [check_request, check_placeholders],
    "CategoryRegistry": [check_categories],
    "PacConfig": [check_config],
}


# Checks of a document against what `pac apply` recorded (a request file against its
# status, SPEC §6.6): `pac validate` runs them for the pull request. Plan and apply read
# the status themselves and hold such a change in their own words, so `check_file`, which
# they call to know whether a request can be used at all, leaves these out.
def _request_change(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    # Imported here: the records (pac.records) and the day-2 checks are needed only when a
    # request is in scope, and `pac validate FILE` on a catalog item starts without them.
    from pac.validation.checks.changes import check_request_change

    return check_request_change(repo, loaded)


RECORD_CHECKS: dict[str, list[DocumentCheck]] = {"Request": [_request_change]}


@dataclass
class ValidationResult:
    diagnostics: list[Diagnostic]
    checked: list[str] = field(default_factory=list)
    # Paths given explicitly but left alone on purpose, each with the reason.
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        return self.errors == 0


def check_file(repo: Repository, path: Path) -> list[Diagnostic]:
    """Every finding for one document: parsing, schema, and the checks of its kind."""
    loaded = repo.load(path)
    found = list(loaded.diagnostics)
    misplaced = repo.misplaced(path)
    if misplaced:
        found.append(_misplaced_finding(repo, loaded, misplaced))
    elif loaded.role is Role.OTHER:
        kind = repo.outside_kind(path)
        if kind:
            found.append(_outside_finding(repo, loaded, kind))
    if loaded.ok:
        for check in DOCUMENT_CHECKS.get(loaded.kind, []):
            found.extend(check(repo, loaded))
    else:
        found.extend(_partial_checks(repo, loaded))
    return found


def validate_file(repo: Repository, path: Path) -> list[Diagnostic]:
    """`check_file`, and for a document that passed its schema the checks against its
    records: every problem of a request in one run (SPEC §6.1)."""
    found = check_file(repo, path)
    loaded = repo.load(path)
    if loaded.ok:
        for check in RECORD_CHECKS.get(loaded.kind, []):
            found.extend(check(repo, loaded))
    return found


def _partial_checks(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    """What can still be checked safely in a document that failed its schema: a broken
    form must not hide a wrong owner or a broken template until the next round."""
    from pac.validation.partial import partial_checks  # only for a document with errors

    found = check_offering_metadata(repo, loaded)
    if loaded.kind in ("CatalogItem", "CatalogBundle", "Request"):
        found.extend(check_placeholders(repo, loaded))
    found.extend(partial_checks(repo, loaded))
    return found


def _misplaced_finding(repo: Repository, loaded: Loaded, reason: str) -> Diagnostic:
    parts = repo.display(loaded.path).split("/")
    wrong_suffix = not loaded.path.name.endswith(YAML_SUFFIXES)
    data = loaded.document.data if loaded.document is not None else {}
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    name = f"{_text(metadata.get('id'), '<id>')}.yaml"
    kind = data.get("kind")
    hidden = any(part.startswith(".") for part in parts[1:-1])
    if wrong_suffix:
        hint = f"Rename it to {name}; pac reads only .yaml files."
    elif hidden and isinstance(kind, str) and kind in KIND_HOME:
        hint = (
            f"When it is ready, `git mv {loaded.display} {_home(kind, metadata)}`; until "
            "then keep the draft on a branch, where no one mistakes it for part of the "
            "catalog (pac reads no hidden folder)."
        )
    else:
        hint = f"Move it to catalog/<category>/{name} (a bundle to catalog/bundles/{name}); " + (
            "pac reads no hidden folder." if hidden else "folders below a category are not read."
        )
    in_category = parts[0] == CATALOG and len(parts) > 2 and not parts[1].startswith(".")
    owner = repo.categories.describe_owner(parts[1]) if in_category else ""
    if hidden and kind in ("CatalogItem", "CatalogBundle"):
        folder = BUNDLES if kind == "CatalogBundle" else _text(metadata.get("category"), "")
        owner = repo.categories.describe_owner(folder)
    if owner:
        hint += f" Owner: {owner}."
    return diagnostic(
        loaded.document,
        loaded.display,
        ("metadata", "id"),
        "file-name" if wrong_suffix else "file-location",
        reason,
        hint,
    )


def _home(kind: str, metadata: dict[str, object]) -> str:
    """Where a document of `kind` with this metadata belongs."""
    doc_id = _text(metadata.get("id"), "<id>")
    return {
        "CatalogItem": f"{CATALOG}/{_text(metadata.get('category'), '<category>')}/{doc_id}.yaml",
        "CatalogBundle": f"{CATALOG}/{BUNDLES}/{doc_id}.yaml",
        "Request": f"{REQUESTS}/{_requester_team(metadata)}/{doc_id}.yaml",
        "CategoryRegistry": CATEGORIES_FILE,
        "PacConfig": CONFIG_FILE,
    }[kind]


def _outside_finding(repo: Repository, loaded: Loaded, kind: str) -> Diagnostic:
    data = loaded.document.data if loaded.document is not None else {}
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    home = _home(kind, metadata)
    owner = ""
    if kind in ("CatalogItem", "CatalogBundle"):
        folder = BUNDLES if kind == "CatalogBundle" else _text(metadata.get("category"), "")
        owner = repo.categories.describe_owner(folder)
    hint = (
        f"Move it: `git mv {loaded.display} {home}` (pac reads a {kind} only from "
        f"{KIND_HOME[kind]}). If it is not meant to be part of the catalog (a test fixture), "
        "list its folder under `validate.ignore` in pac.yaml."
    )
    return diagnostic(
        loaded.document,
        loaded.display,
        ("kind",),
        "document-outside-catalog",
        f"{loaded.display} is a {kind} outside the folders pac reads: no command sees it",
        f"{hint} Owner: {owner}." if owner else hint,
    )


def _text(value: object, default: str) -> str:
    return value if isinstance(value, str) and value and "/" not in value else default


def _requester_team(metadata: dict[str, object]) -> str:
    requester = metadata.get("requester")
    return _text(requester.get("team") if isinstance(requester, dict) else None, "<team>")


def _registry_findings(repo: Repository) -> list[Diagnostic]:
    if (repo.root / CATEGORIES_FILE).is_file():
        return []
    return [
        Diagnostic(
            CATEGORIES_FILE,
            1,
            1,
            RULES["categories-missing"].severity,
            "categories-missing",
            "the repository has no category registry",
            "Create catalog/categories.yaml listing each category folder, its id prefix, "
            "team and codeowners (see docs/platform-teams.md).",
        )
    ]


def validate(
    repo: Repository,
    paths: Iterable[Path] | None = None,
    changed_since: str | None = None,
) -> ValidationResult:
    """Check the whole repository, the given files and folders, or what changed.

    With `changed_since` (a git revision), the changed documents are checked together
    with every document that refers to them, so a change to an item re-checks the
    bundles and requests that use it and a deleted item that is still used is reported.
    """
    with _collector_paused():
        return _validate(repo, paths, changed_since)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while documents pile up in memory.

    Loaded documents stay cached for cross-references, and every collection would walk
    all of them again: with thousands of documents that triples the run time. On the way
    out the survivors are frozen, or re-enabling the collector would start one full
    collection over all of them at once. Parsed documents hold no reference cycles, so
    reference counting still frees them when the repository goes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def _validate(
    repo: Repository, paths: Iterable[Path] | None, changed_since: str | None
) -> ValidationResult:
    selected: list[Path]
    repo_checks = False
    skipped: list[tuple[str, str]] = []
    found: list[Diagnostic] = []
    if changed_since is not None:
        from pac.git import changed_files
        from pac.validation.checks.deletions import check_deleted_requests
        from pac.validation.checks.schemachange import check_schema_changes

        changes = changed_files(repo.root, changed_since)
        if paths:
            changes = changes_under(repo, changes, paths)
        selected, repo_checks = affected_documents(repo, changes)
        found += _version_findings(repo, changes, changed_since)
        found += check_deleted_requests(repo, changes, changed_since)
        found += check_schema_changes(repo, changes, changed_since, selected)
    elif paths:
        selected, repo_checks, skipped = expand(repo, paths)
    else:
        selected, repo_checks = repo.all_documents(), True

    checked: list[str] = []
    for path in selected:
        if path.name == CODEOWNERS_FILE:
            repo_checks = True
            continue
        if not os.path.lexists(path):  # a dangling link is checked: it is an entry
            continue
        checked.append(repo.display(path))
        found.extend(validate_file(repo, path))
    if repo_checks:
        found.extend(_registry_findings(repo))
        found.extend(codeowners.check(repo))
        checked.append(CODEOWNERS_FILE)
    return ValidationResult(sorted_unique(found), checked, skipped)


def _version_findings(
    repo: Repository, changes: list[tuple[str, bool]], base: str
) -> list[Diagnostic]:
    """Changed items and bundles whose version does not follow their change (SPEC §7)."""
    from pac.git import files_at_base
    from pac.validation.checks.versions import check_version

    changed = [
        relative
        for relative, deleted in changes
        if not deleted and repo.role(repo.root / relative) in (Role.ITEM, Role.BUNDLE)
    ]
    if not changed:
        return []
    found: list[Diagnostic] = []
    for relative, content in files_at_base(repo.root, base, changed).items():
        loaded = repo.load(repo.root / relative)
        if loaded.ok:  # a document with errors is judged again once they are fixed
            found.extend(check_version(loaded, content, base))
    return found
