"""The table of action types: what each is, how a step is titled and put in words, where
its templates are, what its response holds — and that it covers every type the schema names."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pac import resources
from pac.authoring.discovery import step_in_words
from pac.documents.action_types import (
    ACTION_TYPES,
    GIT_COMMIT,
    GITHUB_WORKFLOW,
    JIRA_TICKET,
    REST_API,
    Makes,
    action_kind,
    either,
    runnable,
    runnable_names,
    ticket_names,
)
from pac.documents.model import Action

TICKET = {
    "ticket": {
        "project": "DBA",
        "issueType": "Task",
        "summaryTemplate": "S {{ .current.name }}",
        "priority": "High",
        "labels": ["a", "b"],
        "customFields": {"customfield_1": "{{ .current.x }}"},
        "descriptionTemplateFile": "db/request.j2",
    }
}
CALL = {
    "endpoint": {"method": "POST", "url": "https://api/x"},
    "headers": {"X-Key": "k"},
    "body": {"type": "json", "contentTemplate": "{}"},
    "retry": {"attempts": 3},
}


def _action(kind: str, config: dict[str, Any], name: str = "") -> Action:
    return Action(kind, name, config, {}, ("fulfillment", "manual", "actions", 0))


def test_the_table_covers_exactly_the_types_the_schema_accepts() -> None:
    common = json.loads((resources.schema_dir() / "common-types.json").read_text())
    accepted = common["definitions"]["action"]["properties"]["type"]["enum"]
    # A type pac does not run yet would still have its row, marked `runnable=False`.
    assert sorted(accepted) == sorted(ACTION_TYPES)


def test_what_each_type_makes_and_reads() -> None:
    assert action_kind("jira-ticket") is JIRA_TICKET and JIRA_TICKET.makes is Makes.TICKET
    assert action_kind("rest-api") is REST_API and REST_API.makes is Makes.CALL
    assert JIRA_TICKET.response == ("key", "id", "url", "fields")  # fields: at resolution
    assert REST_API.response == ("status", "headers", "body")
    assert JIRA_TICKET.priorities == ("Critical", "High", "Medium", "Low")
    assert REST_API.priorities == ()
    assert action_kind("git-commit") is GIT_COMMIT and GIT_COMMIT.makes is Makes.COMMIT
    assert action_kind("github-workflow") is GITHUB_WORKFLOW
    assert GITHUB_WORKFLOW.makes is Makes.RUN
    assert GIT_COMMIT.response == ("commit", "branch", "pullRequest")
    assert GITHUB_WORKFLOW.response == ("runId", "url", "conclusion")
    assert action_kind("svn-commit") is None
    assert [runnable(n) for n in ("jira-ticket", "rest-api", "git-commit", "x")] == [1, 1, 1, 0]


def test_names_in_hints() -> None:
    assert runnable_names() == ("jira-ticket", "rest-api", "git-commit", "github-workflow")
    assert ticket_names() == ("jira-ticket",)
    assert either(("a",)) == "a"
    assert either(("a", "b")) == "a or b"
    assert either(("a", "b", "c")) == "a, b or c"


@pytest.mark.parametrize(
    ("kind", "config", "name", "label"),
    [
        ("jira-ticket", TICKET, "", "JIRA DBA Task"),
        ("jira-ticket", {"ticket": {}}, "", "JIRA ? ticket"),
        ("rest-api", CALL, "", "POST https://api/x"),
        ("rest-api", {}, "", "? ?"),
        ("git-commit", {}, "", "commit to ?@? (0 files)"),
        (
            "git-commit",
            {"repository": "a/b", "branch": "main", "files": [{}], "createPullRequest": True},
            "",
            "pull request to a/b@main (1 file)",
        ),
        (
            "github-workflow",
            {"repository": "a/b", "workflowFile": "x.yaml"},
            "",
            "workflow x.yaml in a/b",
        ),
        ("rest-api", CALL, "Create it", "Create it"),
    ],
)
def test_the_label_of_a_step(kind: str, config: dict[str, Any], name: str, label: str) -> None:
    assert _action(kind, config, name).label() == label


@pytest.mark.parametrize(
    ("kind", "config", "name", "words"),
    [
        (
            "jira-ticket",
            TICKET,
            "",
            "Opens a JIRA Task in project DBA for the team to fulfil by hand",
        ),
        (
            "jira-ticket",
            {"ticket": {}},
            "Ask the DBAs",
            "Opens a JIRA ticket in project ? for the team to fulfil by hand (Ask the DBAs)",
        ),
        ("rest-api", CALL, "", "Calls an API: POST https://api/x, retried up to 3 times"),
        ("rest-api", {"endpoint": {}}, "Create it", "Create it: ? ?"),
        (
            "github-workflow",
            {"repository": "a/b", "workflowFile": "x.yaml", "ref": "main"},
            "",
            "Runs a workflow: starts x.yaml in a/b at main",
        ),
        (
            "git-commit",
            {"repository": "a/b", "branch": "main", "createPullRequest": True},
            "Add it",
            "Add it: one commit to a/b on main, through a pull request",
        ),
    ],
)
def test_a_step_in_words(kind: str, config: dict[str, Any], name: str, words: str) -> None:
    assert step_in_words(_action(kind, config, name)) == words


def test_where_the_templates_of_each_type_are() -> None:
    assert [(p, v) for _, p, v in JIRA_TICKET.template_sources(TICKET)] == [
        (("ticket", "summaryTemplate"), "S {{ .current.name }}"),
        (("ticket", "priority"), "High"),
        (("ticket", "labels", 0), "a"),
        (("ticket", "labels", 1), "b"),
        (("ticket", "customFields", "customfield_1"), "{{ .current.x }}"),
        (("ticket", "descriptionTemplateFile"), "db/request.j2"),
    ]
    assert [(p, v) for _, p, v in REST_API.template_sources(CALL)] == [
        (("endpoint", "url"), "https://api/x"),
        (("headers", "X-Key"), "k"),
        (("body", "contentTemplate"), "{}"),
    ]
    assert list(REST_API.template_sources({})) == []
    one_line = [w.path for w in (*JIRA_TICKET.templates, *REST_API.templates) if w.one_line]
    assert one_line == [("ticket", "summaryTemplate")]


def test_the_templates_of_a_commit_are_each_files_path_and_content() -> None:
    config = {
        "branch": "main",
        "commitMessage": "add {{ .current.name }}",
        "files": [
            {"path": "a/{{ .current.name }}.yaml", "operation": "create", "contentTemplate": "x"},
            {"path": "b.txt", "operation": "delete"},
        ],
        "reviewers": ["acme/dba"],
    }
    assert [(p, v) for _, p, v in GIT_COMMIT.template_sources(config)] == [
        (("branch",), "main"),
        (("commitMessage",), "add {{ .current.name }}"),
        (("files", 0, "path"), "a/{{ .current.name }}.yaml"),
        (("files", 0, "contentTemplate"), "x"),
        (("files", 1, "path"), "b.txt"),
        (("reviewers", 0), "acme/dba"),
    ]
    workflow = {"ref": "main", "inputs": {"queue": "{{ .current.name }}"}}
    assert [(p, v) for _, p, v in GITHUB_WORKFLOW.template_sources(workflow)] == [
        (("ref",), "main"),
        (("inputs", "queue"), "{{ .current.name }}"),
    ]
