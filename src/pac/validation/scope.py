"""Which documents a `pac validate` run checks: given files and folders, or what changed.

A changed document is checked together with every document that refers to it, so a change
to an item re-checks the bundles and requests that use it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pac.documents.files import ROLE_KIND, Role
from pac.documents.layout import (
    CATALOG,
    CATEGORIES_FILE,
    CODEOWNERS_FILE,
    CONFIG_FILE,
    GITHUB_CODEOWNERS_FILE,
    JIRA_TEMPLATES,
    REQUESTS,
    SCHEMAS,
    YAML_SUFFIXES,
    in_status_folder,
)
from pac.documents.repository import Repository
from pac.documents.schemas import governed_kinds
from pac.errors import UsageError


def changes_under(
    repo: Repository, changes: list[tuple[str, bool]], paths: Iterable[Path]
) -> list[tuple[str, bool]]:
    """The changes inside the given files and folders, as `git diff BASE -- PATHS` has it.

    Documents that use a change are still checked wherever they are.
    """
    scopes = []
    for given in paths:
        path = _given_path(repo, given)
        _require_inside(repo, given, path)
        scope = "" if path == repo.root else repo.display(path)
        if not path.exists() and not any(
            relative == scope or relative.startswith(scope + "/") for relative, _ in changes
        ):
            raise UsageError(
                f"{given} does not exist and has not changed",
                "Pass files or folders of the catalog repository (a deleted file may be "
                "named too), or only --changed to check every change.",
            )
        scopes.append(scope)
    return [
        (relative, deleted)
        for relative, deleted in changes
        if any(not s or relative == s or relative.startswith(s + "/") for s in scopes)
    ]


def _given_path(repo: Repository, given: Path) -> Path:
    """A path from the command line, relative to here or else to --repo."""
    path = repo.absolute(given)
    if not path.exists() and not given.is_absolute() and (repo.root / given).exists():
        path = repo.absolute(repo.root / given)
    return path


def _require_inside(repo: Repository, given: Path, path: Path) -> None:
    if path != repo.root and not path.is_relative_to(repo.root):
        raise UsageError(
            f"{given} is outside the catalog repository {repo.root}",
            "Pass files or folders inside it, or point --repo at the repository they are in.",
        )


STATUS_SKIPPED = "a status file: pac apply writes it, pac validate does not check it"


def expand(
    repo: Repository, paths: Iterable[Path]
) -> tuple[list[Path], bool, list[tuple[str, str]]]:
    out: list[Path] = []
    repo_checks = False
    skipped: list[tuple[str, str]] = []
    for given in paths:
        path = _given_path(repo, given)
        if not os.path.lexists(path):
            raise UsageError(
                f"{given} does not exist",
                "Pass files or folders of the catalog repository, or nothing to check all.",
            )
        _require_inside(repo, given, path)
        if in_status_folder(repo.display(path)):
            # Status files are pac apply's record, not documents anyone writes.
            skipped.append((repo.display(path), STATUS_SKIPPED))
            continue
        if path.is_dir():
            if path == repo.root:
                out.extend(repo.all_documents())
                repo_checks = True
                continue
            found = [
                candidate
                for candidate in sorted(path.rglob("*"))
                if _not_a_folder(candidate) and _is_checkable(repo, candidate)
            ]
            if not found:
                raise UsageError(
                    f"{given} holds no catalog documents",
                    "Documents live in catalog/ and requests/ (and pac.yaml); pass one of "
                    "those, or nothing to check the whole repository.",
                )
            out.extend(found)
        elif path.name == CODEOWNERS_FILE:
            repo_checks = True
        elif _is_checkable(repo, path) or path.suffix in YAML_SUFFIXES:
            out.append(path)
        elif changed_schema_file(repo.display(path)):
            # A schema is checked by the documents it governs.
            for kind in governed_kinds(changed_schema_file(repo.display(path))):
                out.extend(documents_of_kind(repo, kind))
        elif repo.display(path).startswith((f"{JIRA_TEMPLATES}/", f"{REQUESTS}/")):
            # A description template is checked as part of the items (and bundles) using
            # it; a file a request attaches, as part of the requests naming it.
            users, _ = affected_documents(repo, [(repo.display(path), False)])
            out.extend(users)
        else:
            raise UsageError(
                f"{given} is not a catalog document",
                "pac validate checks catalog/ and requests/ documents, pac.yaml, CODEOWNERS, "
                "the JIRA templates under templates/jira/ and the schemas under schema/.",
            )
    return _dedupe(out), repo_checks, skipped


def _not_a_folder(path: Path) -> bool:
    # By lstat, never opening it: a FIFO or a dangling link is kept, so that loading it
    # reports it (entry-unreadable) instead of the folder passing in silence.
    try:
        return not stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_checkable(repo: Repository, path: Path) -> bool:
    role = repo.role(path)
    return role not in (Role.STATUS, Role.OTHER, Role.CODEOWNERS) or (
        role is Role.OTHER
        and path.suffix.lower() in YAML_SUFFIXES
        and (_under_docs(repo, path) or bool(repo.outside_kind(path)))
    )


def _under_docs(repo: Repository, path: Path) -> bool:
    try:
        first = path.relative_to(repo.root).parts[0]
    except (ValueError, IndexError):
        return False
    return first in (CATALOG, REQUESTS)


def _dedupe(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for path in paths:
        if path not in seen:
            seen.add(path)
            out.append(path)
    return out


# Changes that call for the repository-wide checks (registry, CODEOWNERS).
_REPOSITORY_FILES = (CATEGORIES_FILE, CONFIG_FILE, CODEOWNERS_FILE, GITHUB_CODEOWNERS_FILE)
_DOCUMENT_ROLES = (Role.ITEM, Role.BUNDLE, Role.REQUEST, Role.CONFIG, Role.CATEGORIES)


@dataclass
class _Affected:
    """What a set of changes touches, before following references to it."""

    selected: list[Path] = field(default_factory=list)
    repo_checks: bool = False
    referenced_ids: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    attached: set[Path] = field(default_factory=set)
    # Kinds whose schema changed: each of their documents is checked against the change.
    schema_kinds: set[str] = field(default_factory=set)

    def note(self, repo: Repository, relative: str, deleted: bool) -> None:
        path = repo.root / relative
        role = repo.role(path)
        if relative in _REPOSITORY_FILES:
            self.repo_checks = True
            if relative == CATEGORIES_FILE:
                # Owners and prefixes of every item may have changed.
                self.selected += repo.files(Role.ITEM) + repo.files(Role.BUNDLE)
        schema_file = changed_schema_file(relative)
        if schema_file:
            self.schema_kinds.update(governed_kinds(schema_file))
        if relative.startswith(f"{JIRA_TEMPLATES}/"):
            self.templates.add(relative[len(JIRA_TEMPLATES) + 1 :])
        if role in (Role.ITEM, Role.BUNDLE):
            self.referenced_ids.add(Path(relative).name.rsplit(".", 1)[0])
        document = role in _DOCUMENT_ROLES
        if not deleted and (document or repo.misplaced(path) or repo.outside_kind(path)):
            self.selected.append(path)
        elif role is Role.OTHER and relative.startswith(f"{REQUESTS}/"):
            self.attached.add(Path(relative))


def affected_documents(
    repo: Repository, changes: Iterable[tuple[str, bool]]
) -> tuple[list[Path], bool]:
    """Documents to check for a set of changed paths (relative, with `deleted` flags).

    Returns the documents and whether repository-wide checks (CODEOWNERS) are due.
    """
    affected = _Affected()
    for relative, deleted in changes:
        affected.note(repo, relative, deleted)
    selected = affected.selected
    referenced_ids = affected.referenced_ids
    # A file that a request attaches (a file field names it, relative to the request)
    # re-checks the requests that mention it: its size may have grown, or it may be gone.
    for name in sorted({file.name for file in affected.attached}):
        selected += repo.files_mentioning(Role.REQUEST, name)
    # A description template is part of the items that use it (and so of their bundles).
    for name in sorted(affected.templates):
        for item in repo.files_mentioning(Role.ITEM, name):
            selected.append(item)
            referenced_ids.add(item.name.rsplit(".", 1)[0])
    # An item's change reaches requests through the bundles that contain it, too.
    for doc_id in sorted(referenced_ids):
        for bundle in repo.files_mentioning(Role.BUNDLE, doc_id):
            selected.append(bundle)
            referenced_ids.add(bundle.name.rsplit(".", 1)[0])
    for doc_id in sorted(referenced_ids):
        selected += repo.files_mentioning(Role.REQUEST, doc_id)
    for kind in sorted(affected.schema_kinds):
        selected += documents_of_kind(repo, kind)
    return _dedupe(selected), affected.repo_checks


def changed_schema_file(relative: str) -> str:
    """The name of a schema file pac checks documents with, if `relative` is one ("")."""
    folder, _, name = relative.partition("/")
    return name if folder == SCHEMAS and governed_kinds(name) else ""


def documents_of_kind(repo: Repository, kind: str) -> list[Path]:
    """Every document of `kind` where pac reads it, found by name."""
    role = next(role for role, role_kind in ROLE_KIND.items() if role_kind == kind)
    if role in (Role.ITEM, Role.BUNDLE, Role.REQUEST):
        return repo.files(role)
    path = repo.root / (CATEGORIES_FILE if role is Role.CATEGORIES else CONFIG_FILE)
    return [path] if path.is_file() else []
