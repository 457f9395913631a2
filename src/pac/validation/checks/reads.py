"""Which input paths an item's templates read: what decides, in a bundle, which components
a change of the request touches (SPEC §6.6: only those whose templates read a changed path).

Read without rendering, from every template of every action list of both strategies, so
validate and apply agree on it whichever list a revision runs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from pac.documents.model import Action, Bundle, CatalogItem, Component
from pac.documents.repository import Repository
from pac.templating.analysis import analyse
from pac.validation.checks import every_action
from pac.validation.checks.templates import template_fields

# Both name request input: `.previous` is the same form as it was last fulfilled.
_INPUT_NAMESPACES = frozenset({"current", "previous"})


def action_paths(repo: Repository, actions: Iterable[Action]) -> frozenset[tuple[str, ...]]:
    """Every `.current`/`.previous` path the templates of `actions` use (`()` for the whole
    input), their template files included."""
    found: set[tuple[str, ...]] = set()
    for action in actions:
        for where in template_fields(repo, action):
            if "{" in where.source:
                uses = analyse(where.source).uses
                found.update(use.path for use in uses if use.namespace in _INPUT_NAMESPACES)
    return frozenset(found)


def paths_read(repo: Repository, item: CatalogItem) -> frozenset[tuple[str, ...]]:
    """Every input path any template of the item uses; worked out once per item and run."""
    return repo.memo(("paths-read", item.id), lambda: action_paths(repo, every_action(item)))


def reads(read: Collection[tuple[str, ...]], changed: str) -> bool:
    """Whether any of `read` covers the changed path (`group.field`, `group` or `name`):
    a template reading `.current.database` reads each of its fields."""
    steps = tuple(changed.split("."))
    return any(path[: len(steps)] == steps or steps[: len(path)] == path for path in read)


def components_reading(repo: Repository, bundle: Bundle, changed: str) -> list[Component]:
    """The bundle's components whose item's templates read the changed path, in order."""
    found = []
    for component in bundle.components:
        item = repo.item(component.catalog_item)
        if item is not None and reads(paths_read(repo, item), changed):
            found.append(component)
    return found
