"""A change under `schema/` judged by the documents it governs (SPEC §7).

With `--changed BASE`, every document of a kind whose schema changed is checked (scope
selects them); a document the new schemas reject and the schemas at BASE accepted gets one
more finding, at its first schema error, naming the schema change and whom to ask. That is
how the architects review a schema change: by what it breaks, in the same pull request.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pac.diagnostics import Diagnostic, Severity
from pac.documents.repository import Loaded, Repository, diagnostic
from pac.documents.schema_errors import SchemaFinding
from pac.documents.schemas import (
    COMMON_FILE,
    SCHEMA_FILES,
    SchemaSet,
    governed_kinds,
    parse_schema,
    repository_schema_dir,
)
from pac.errors import RepositoryError
from pac.rules import RULES
from pac.validation.scope import changed_schema_file

CODE = "schema-change-breaks"


def check_schema_changes(
    repo: Repository, changes: list[tuple[str, bool]], base: str, selected: Iterable[Path]
) -> list[Diagnostic]:
    """A finding for each selected document the changed schemas break."""
    changed = sorted({name for relative, _ in changes if (name := changed_schema_file(relative))})
    if not changed or repository_schema_dir(repo.root) is None:
        return []
    kinds = {kind for name in changed for kind in governed_kinds(name)}
    found: list[Diagnostic] = []
    before: dict[str, SchemaSet | None] = {}
    for path in selected:
        loaded = repo.load(path)
        data = loaded.document.data if loaded.document is not None else None
        if not isinstance(data, dict) or data.get("kind") not in kinds:
            continue
        version = data.get("schemaVersion")
        now = repo.registry.get(version) if isinstance(version, str) else None
        if now is None:
            continue
        assert isinstance(version, str)
        if version not in before:
            before[version] = _schemas_at(repo, base, now)
        finding = _breaks(repo, loaded, now, before[version], changed)
        if finding is not None:
            found.append(finding)
    return found


def _breaks(
    repo: Repository,
    loaded: Loaded,
    now: SchemaSet,
    before: SchemaSet | None,
    changed: list[str],
) -> Diagnostic | None:
    assert loaded.document is not None
    data = loaded.document.data
    kind = str(data["kind"])
    if before is None or kind not in now.kinds() or kind not in before.kinds():
        return None  # a kind gone (or new) is its documents' own schema-kind finding
    errors = _errors(now, kind, data)
    if not errors or _errors(before, kind, data):
        return None  # fine now, or already broken before the change: its own findings say so
    names = ", ".join(f"schema/{name}" for name in changed)
    owner = repo.architecture_owner() or (
        "the architecture team (their handles are `governance.architectureTeam` in pac.yaml)"
    )
    plural = "s" if len(errors) > 1 else ""
    return diagnostic(
        loaded.document,
        loaded.display,
        errors[0].path,
        CODE,
        f"the change to {names} makes this {kind} invalid: it passed the schemas at the base "
        f"revision ({len(errors)} schema finding{plural} here)",
        f"Update this document in the same pull request as its schema findings say, or make "
        f"the schema change compatible (an optional key, a default, a wider pattern). "
        f"Ask {owner}, who own schema/.",
        at_key=errors[0].at_key,
    )


def _errors(schemas: SchemaSet, kind: str, data: Any) -> list[SchemaFinding]:
    return [f for f in schemas.check(kind, data) if RULES[f.code].severity is Severity.ERROR]


def _schemas_at(repo: Repository, base: str, now: SchemaSet) -> SchemaSet | None:
    """The schemas as they were at `base`: the repository's own folder then, or — when it
    had none — the ones pac ships with, which its documents were checked against."""
    from pac.documents.schemas import default_registry
    from pac.git import files_at_base

    names = [COMMON_FILE, *SCHEMA_FILES.values()]
    contents = files_at_base(repo.root, base, [f"schema/{name}" for name in names])
    if not contents:
        return default_registry().get(now.version.name)
    try:
        documents = {
            relative.partition("/")[2]: parse_schema(content, Path(relative))
            for relative, content in contents.items()
        }
    except RepositoryError:
        return None  # broken at the base: there is no "before" to compare with
    return SchemaSet(now.version, documents)
