"""A request's life after its create (SPEC §6.6): the operation each revision performs and
the strategy's action list that serves it."""

from __future__ import annotations

from enum import StrEnum


class Operation(StrEnum):
    """What a revision of a request does (`.system.operation`, SPEC §5 and §6.6)."""

    CREATE = "create"
    UPDATE = "update"
    UPGRADE = "upgrade"
    DECOMMISSION = "decommission"

    @property
    def action_list(self) -> str:
        """The key of a strategy's action list that serves this operation."""
        return _ACTION_LISTS[self]


_ACTION_LISTS = {
    Operation.CREATE: "actions",
    Operation.UPDATE: "update",
    Operation.UPGRADE: "update",
    Operation.DECOMMISSION: "decommission",
}
# A strategy's action lists, in the order they appear in it.
ACTION_LISTS = ("actions", "update", "decommission")
