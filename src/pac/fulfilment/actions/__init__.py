"""The action types pac runs, by name: one module each, behind `base.ActionType`.

A new type is a module next to these, a line here, and its row in
`pac.documents.action_types` (what validation and authoring know of it).
"""

from __future__ import annotations

from pac.fulfilment.actions import git_commit, github_workflow, jira_ticket, rest_api
from pac.fulfilment.actions.base import ActionType

ACTIONS: dict[str, ActionType] = {
    jira_ticket.ACTION.name: jira_ticket.ACTION,
    rest_api.ACTION.name: rest_api.ACTION,
    git_commit.ACTION.name: git_commit.ACTION,
    github_workflow.ACTION.name: github_workflow.ACTION,
}


def secret_variables() -> tuple[str, ...]:
    """Every type's credential variables: what a redactor masks besides PAC_SECRET_*."""
    return tuple(dict.fromkeys(name for a in ACTIONS.values() for name in a.secret_variables))


def action_for(name: str) -> ActionType | None:
    """The implementation of action type `name`, or None when pac does not run it yet."""
    return ACTIONS.get(name)
