"""The registry of action types: one implementation per type the catalog may use."""

from __future__ import annotations

from pac.documents.model import IMPLEMENTED_ACTIONS
from pac.fulfilment.actions import ACTIONS, action_for


def test_the_registry_runs_every_implemented_action_type() -> None:
    # The documents layer names the types (it cannot ask fulfilment); the two lists agree.
    assert set(ACTIONS) == set(IMPLEMENTED_ACTIONS)
    assert all(action_for(name) is ACTIONS[name] for name in ACTIONS)
    assert action_for("git-commit") is None  # not implemented yet: apply says so
