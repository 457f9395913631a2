"""The registry of action types: one implementation per type the catalog may use."""

from __future__ import annotations

import pytest

from pac.documents.action_types import (
    ACTION_TYPES,
    JIRA_TICKET,
    hands_off,
    runnable_names,
)
from pac.fulfilment.actions import ACTIONS, action_for, secret_variables
from pac.fulfilment.redaction import Redactor


def test_the_registry_and_the_descriptors_are_in_step() -> None:
    # The documents layer describes the types (it cannot ask fulfilment): every type pac
    # runs has a descriptor marked runnable, and every runnable descriptor an implementation.
    assert set(ACTIONS) == set(runnable_names())
    assert all(ACTION_TYPES[name].runnable for name in ACTIONS)
    assert all(action.name == name for name, action in ACTIONS.items())
    assert all(action_for(name) is ACTIONS[name] for name in ACTIONS)


def test_a_type_pac_does_not_run_has_no_implementation() -> None:
    for name, kind in ACTION_TYPES.items():
        assert (action_for(name) is None) is not kind.runnable  # apply says so


def test_only_a_ticket_is_handed_off_to_a_team() -> None:
    # What waits for its team rather than completing is read from the descriptor, so the
    # task walk and the ticket tracker name no type.
    assert [name for name in ACTION_TYPES if hands_off(name)] == [JIRA_TICKET.name]
    assert not hands_off("no-such-type")


def test_each_type_declares_the_credentials_a_redactor_masks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = secret_variables()
    assert {"PAC_JIRA_TOKEN", "PAC_GITHUB_TOKEN", "PAC_GITHUB_APP_KEY"} <= set(names)
    for index, name in enumerate(names):
        monkeypatch.setenv(name, f"credential-{index}-value")
    redact = Redactor.from_environment(names)
    text = " ".join(f"credential-{index}-value" for index in range(len(names)))
    assert redact(text) == " ".join(["***"] * len(names))
