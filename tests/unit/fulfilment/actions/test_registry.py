"""The registry of action types: one implementation per type the catalog may use."""

from __future__ import annotations

from pac.documents.action_types import ACTION_TYPES, NOT_YET_RUN, runnable_names
from pac.fulfilment.actions import ACTIONS, action_for


def test_the_registry_and_the_descriptors_are_in_step() -> None:
    # The documents layer describes the types (it cannot ask fulfilment): every type pac
    # runs has a descriptor marked runnable, and every runnable descriptor an implementation.
    assert set(ACTIONS) == set(runnable_names())
    assert all(ACTION_TYPES[name].runnable for name in ACTIONS)
    assert all(action.name == name for name, action in ACTIONS.items())
    assert all(action_for(name) is ACTIONS[name] for name in ACTIONS)


def test_a_type_pac_does_not_run_has_no_implementation() -> None:
    for name in NOT_YET_RUN:
        assert action_for(name) is None  # apply says so
