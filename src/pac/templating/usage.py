"""What reading a template finds: the variables it uses, and what is wrong with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


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
