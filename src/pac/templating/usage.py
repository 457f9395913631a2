"""What reading a template finds: the variables it uses, and what is wrong with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

# A hint's stand-in for the id of the item whose template it is: `.metadata` is keyed by
# document id, and the checks, which know the item, put its id in its place.
ITEM_ID = "<item id>"


class Use(NamedTuple):
    """A variable a template uses, where, and whether an `is defined`/`default` guards it.

    A named tuple: tens of thousands are made in a full `pac validate`."""

    namespace: str
    path: tuple[str, ...]
    line: int
    column: int
    guarded: bool = False

    def text(self) -> str:
        return "." + ".".join((self.namespace, *self.path))


def guard_key(namespace: str, path: tuple[str, ...]) -> str | None:
    """What an `is defined` test on a reference proves exists inside its `if`: an
    `.output` key, or a `.metadata.<id>.<key>` path (a companion's metadata, SPEC §5);
    None: a test on anything else guards nothing."""
    if namespace == "output" and path:
        return f"output.{path[0]}"
    if namespace == "metadata" and len(path) >= 2:
        return "metadata." + ".".join(path)
    return None


def guarded_by(namespace: str, path: tuple[str, ...], guards: frozenset[str]) -> bool:
    """Whether a reference reads what one of `guards` (`guard_key`s) proved to exist."""
    if not guards or not path:
        return False
    if namespace == "output":
        return f"output.{path[0]}" in guards
    return namespace == "metadata" and any(
        "metadata." + ".".join(path[:end]) in guards for end in range(2, len(path) + 1)
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """A finding about the template alone (its rule code), before any form is consulted."""

    code: str
    message: str
    hint: str
    line: int
    column: int = 0


@dataclass(frozen=True)
class Analysis:
    uses: tuple[Use, ...]
    problems: tuple[Problem, ...]
