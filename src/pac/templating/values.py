"""Values a template is handed that are not plain data: secrets, encoded JSON, stand-ins.

Secret values (`secretRef`, password fields) show as `***` unless the caller renders for
sending (`reveal=True`), and then only in the places that are sent (a REST call), never in
what is shown or stored.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from pac.templating.errors import TemplateError

MASK = "***"
SECRET_PREFIX = "PAC_SECRET_"
# Set by the renderer for the one rendering that is sent; every other one masks.
REVEAL: contextvars.ContextVar[bool] = contextvars.ContextVar("pac_reveal", default=False)


class SecretMissing(TemplateError):
    pass


class Secret:
    """A value from a `secretRef`: `***` whenever it is shown, the real value only when sent.

    The value is looked up (from `PAC_SECRET_<NAME>`) the moment it is first needed for
    sending, so previews never need the secret to exist.
    """

    __slots__ = ("_lookup", "name")

    def __init__(self, name: str, lookup: Callable[[str], str | None] | None = None) -> None:
        self.name = name
        self._lookup = lookup

    def reveal(self) -> str:
        value = self._lookup(self.name) if self._lookup else None
        if value is None:
            raise SecretMissing(
                f"the secret {self.name} is not set",
                f"Add it as the CI secret {SECRET_PREFIX}{self.name} (or export it in your "
                "shell); pac reads secrets only from the environment.",
            )
        return value

    def __str__(self) -> str:
        return self.reveal() if REVEAL.get() else MASK

    def __repr__(self) -> str:
        return f"Secret({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("secret", self.name))


class RawJson(str):
    """Already-encoded JSON (from the `tojson` filter): inserted as it is in JSON bodies."""


class Placeholder(str):
    """A stand-in for a value that exists only at apply time (an earlier action's output),
    shown as it is in previews rather than encoded."""


def shown_as_is(value: object) -> bool:
    """Stand-ins and masked secrets read as they are in previews, not encoded."""
    return isinstance(value, Placeholder) or (isinstance(value, Secret) and not REVEAL.get())
