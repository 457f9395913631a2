"""The rule checks of `pac validate`, one module per kind of document.

Each check takes the repository and a loaded document and returns findings; none of them
prints, exits or changes a file. Document checks run only on documents that passed their
schema, so they can rely on the structure the schema guarantees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from pac.diagnostics import Diagnostic, Severity
from pac.documents.lifecycle import ACTION_LISTS
from pac.documents.loader import JsonPath
from pac.documents.model import Action, CatalogItem
from pac.documents.repository import Loaded, Repository, diagnostic

DocumentCheck = Callable[[Repository, Loaded], list[Diagnostic]]
MODES = ("manual", "automatic")


@dataclass(frozen=True)
class ActionList:
    """One list of one strategy: `actions` (the create), `update` or `decommission`."""

    mode: str
    name: str
    actions: tuple[Action, ...]

    @property
    def day_two(self) -> bool:
        """Serves a later revision of a fulfilled request (SPEC §6.6)."""
        return self.name != "actions"


def action_lists(item: CatalogItem) -> Iterator[ActionList]:
    """Every list of both strategies, as a strategy writes them; empty ones too."""
    for mode in MODES:
        for name in ACTION_LISTS:
            actions = item.actions(mode) if name == "actions" else item.day_two.get((mode, name))
            yield ActionList(mode, name, actions or ())


def every_action(item: CatalogItem) -> Iterator[Action]:
    """Each action of the item, whichever list and strategy it is in: all of them are
    checked, since any may run (a change, a decommission, an escalation's fallback)."""
    for listed in action_lists(item):
        yield from listed.actions


class Findings:
    """Collects findings for one document, adding the owner to hints where it helps."""

    def __init__(self, loaded: Loaded, owner: str = "") -> None:
        self.loaded = loaded
        self.owner = owner
        self.items: list[Diagnostic] = []

    def add(
        self,
        path: JsonPath,
        code: str,
        message: str,
        hint: str,
        *,
        at_key: bool = False,
        severity: Severity | None = None,
        owner: str | None = None,
        within: tuple[int, int] | None = None,
    ) -> None:
        """`within` is a (1-based line, 0-based column) inside the string at `path`, for a
        finding about one character of a value (a pattern's bad syntax)."""
        who = self.owner if owner is None else owner
        if who:
            hint = f"{hint} Owner: {who}."
        found = diagnostic(
            self.loaded.document,
            self.loaded.display,
            path,
            code,
            message,
            hint,
            at_key=at_key,
            severity=severity,
        )
        if within is not None and self.loaded.document is not None:
            position = self.loaded.document.position_in_scalar(path, *within)
            found = replace(found, line=position.line, column=position.column)
        self.items.append(found)
