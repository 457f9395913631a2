"""Starter documents: nothing of the template's TODO placeholders may reach the catalog.

`pac new` writes a structurally valid document whose description says "TODO describe the
offering" and whose comments say what to fill in. Such a document passes every other rule,
so without this check a starter full of TODOs would be merged as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pac.diagnostics import Diagnostic
from pac.documents.loader import JsonPath
from pac.documents.model import Offering
from pac.documents.repository import Loaded, Repository
from pac.documents.starters import STARTERS, template_path
from pac.rules import RULES
from pac.validation.checks import Findings

_TODO = re.compile(r"\bTODO\b")
_COMMENT = re.compile(r"(?:^|\s)(#.*)$")


def check_placeholders(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    doc = loaded.document
    if doc is None or "TODO" not in doc.text:  # the common case, decided in C
        return []
    owner = (
        loaded.model.owner.describe()
        if isinstance(loaded.model, Offering)
        else repo.owner_hint(loaded)
    )
    findings = Findings(loaded, owner=owner)
    for path, value in _todo_values(doc.data, ()):
        line = value.splitlines()[0] if value.strip() else value
        findings.add(
            path,
            "starter-placeholder",
            f"{'.'.join(map(str, path))} still holds a TODO placeholder {_cut(line.strip())!r}",
            "Write the real text in its place: `pac new` leaves each TODO for you to fill "
            "in (docs/platform-teams.md, step 4).",
        )
    findings.items.extend(_comment_findings(repo, loaded, doc.text, owner))
    return findings.items


def _comment_findings(repo: Repository, loaded: Loaded, text: str, owner: str) -> list[Diagnostic]:
    """The starter template's own `# TODO` comments, wherever they were left."""
    template_todos = _template_todos(repo)
    hint = "Do what it asks, then delete the comment."
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        comment = _COMMENT.search(line) if "TODO" in line else None
        if comment and comment.group(1).strip() in template_todos:
            found.append(
                Diagnostic(
                    loaded.display,
                    number,
                    comment.start(1) + 1,
                    RULES["starter-placeholder"].severity,
                    "starter-placeholder",
                    f"the starter template's to-do is still here: "
                    f"{_cut(comment.group(1).strip())!r}",
                    f"{hint} Owner: {owner}." if owner else hint,
                )
            )
    return found


def _todo_values(data: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(data, str):
        if _TODO.search(data):
            yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _todo_values(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _todo_values(value, (*path, index))


def _template_todos(repo: Repository) -> frozenset[str]:
    """The TODO comments of the starter templates (the repository's own, or pac's)."""

    def read() -> frozenset[str]:
        found: set[str] = set()
        for name in STARTERS:
            try:
                text = template_path(repo.root, name).read_text(encoding="utf-8")
            except OSError:
                continue
            for line in text.splitlines():
                comment = _COMMENT.search(line)
                if comment and _TODO.search(comment.group(1)):
                    found.add(comment.group(1).strip())
        return frozenset(found)

    return repo.memo(("starter", "todos"), read)


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
