"""What is known about each action type from the catalog document alone, in one table.

Validation and authoring sit below fulfilment, so they cannot ask the runtime registry
(`pac.fulfilment.actions`) how a type is labelled, where its templates are or what its
response holds: they look the type up here. A test keeps this table and the registry in
step, so a new type is a row here plus its module and registry line in fulfilment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pac.documents.layout import JIRA_TEMPLATES
from pac.documents.loader import JsonPath


class Makes(Enum):
    """What running an action of a type leaves behind."""

    TICKET = "ticket"  # work a person picks up
    CALL = "call"
    COMMIT = "commit"
    RUN = "run"


class Slot(Enum):
    """How a templated config field holds its template(s)."""

    TEXT = "text"  # the string at the path
    EACH = "each"  # every entry of the list, or every value of the mapping, at the path
    FILE = "file"  # the name of a file under the type's `template_folder`
    ROWS = "rows"  # the fields named in `fields` of every entry of the list at the path


@dataclass(frozen=True)
class TemplatePath:
    path: JsonPath  # below the action's `config`
    slot: Slot = Slot.TEXT
    one_line: bool = False  # renders to one line (a JIRA summary): its own text may not break
    fields: tuple[str, ...] = ()  # for ROWS: the templated fields of each entry


@dataclass(frozen=True)
class ActionKind:
    """One action type as the catalog sees it."""

    name: str
    makes: Makes
    label: Callable[[Mapping[str, Any]], str]  # config -> a step's title when unnamed
    in_words: Callable[[str, Mapping[str, Any]], str]  # (name, config) -> a sentence
    templates: tuple[TemplatePath, ...]  # in the order findings about them are reported
    response: tuple[str, ...]  # the `.response` keys its outputs may read
    priorities: tuple[str, ...] = ()
    template_folder: str = ""  # where a FILE slot's file lives
    runnable: bool = True  # `pac apply` runs it (the fulfilment registry has it)

    def template_sources(
        self, config: Mapping[str, Any]
    ) -> Iterator[tuple[TemplatePath, JsonPath, str]]:
        """(where, path below `config`, template or file name) for each templated field set."""
        for where in self.templates:
            value = _at(config, where.path)
            if where.slot is Slot.ROWS:
                for index, row in enumerate(value if isinstance(value, list) else []):
                    for name in where.fields:
                        if isinstance(row, Mapping) and isinstance(row.get(name), str):
                            yield where, (*where.path, index, name), row[name]
            elif where.slot is Slot.EACH:
                entries = value.items() if isinstance(value, Mapping) else enumerate(value or [])
                for key, entry in entries:
                    yield where, (*where.path, key), str(entry)
            elif isinstance(value, str):
                yield where, where.path, value


def _at(config: Mapping[str, Any], path: JsonPath) -> Any:
    node: Any = config
    for key in path[:-1]:
        node = node.get(key) or {}
        if not isinstance(node, Mapping):
            return None
    return node.get(path[-1])


def _ticket_label(config: Mapping[str, Any]) -> str:
    ticket = config.get("ticket", {})
    return f"JIRA {ticket.get('project', '?')} {ticket.get('issueType', 'ticket')}"


def _ticket_in_words(name: str, config: Mapping[str, Any]) -> str:
    ticket = config.get("ticket") or {}
    return (
        f"Opens a JIRA {ticket.get('issueType', 'ticket')} in project "
        f"{ticket.get('project', '?')} for the team to fulfil by hand"
        + (f" ({name})" if name else "")
    )


def _call_label(config: Mapping[str, Any]) -> str:
    endpoint = config.get("endpoint", {})
    return f"{endpoint.get('method', '?')} {endpoint.get('url', '?')}"


def _call_in_words(name: str, config: Mapping[str, Any]) -> str:
    endpoint = config.get("endpoint") or {}
    attempts = (config.get("retry") or {}).get("attempts", 0)
    tail = f", retried up to {attempts} times" if attempts else ""
    what = name or "Calls an API"
    return f"{what}: {endpoint.get('method', '?')} {endpoint.get('url', '?')}{tail}"


JIRA_TICKET = ActionKind(
    name="jira-ticket",
    makes=Makes.TICKET,
    label=_ticket_label,
    in_words=_ticket_in_words,
    templates=(
        *(
            TemplatePath(("ticket", key), one_line=key == "summaryTemplate")
            for key in ("summaryTemplate", "descriptionTemplate", "priority", "epicKey", "assignee")
        ),
        TemplatePath(("ticket", "labels"), Slot.EACH),
        TemplatePath(("ticket", "components"), Slot.EACH),
        TemplatePath(("ticket", "customFields"), Slot.EACH),
        TemplatePath(("ticket", "descriptionTemplateFile"), Slot.FILE),
    ),
    response=("key", "id", "url", "fields"),  # fields: at resolution (SPEC §6.7)
    priorities=("Critical", "High", "Medium", "Low"),
    template_folder=JIRA_TEMPLATES,
)

REST_API = ActionKind(
    name="rest-api",
    makes=Makes.CALL,
    label=_call_label,
    in_words=_call_in_words,
    templates=(
        TemplatePath(("endpoint", "url")),
        TemplatePath(("headers",), Slot.EACH),
        TemplatePath(("body", "contentTemplate")),
    ),
    response=("status", "headers", "body"),
)


def _commit_label(config: Mapping[str, Any]) -> str:
    files = config.get("files") or []
    how = "pull request to" if config.get("createPullRequest") else "commit to"
    count = f"{len(files)} file{'s' if len(files) != 1 else ''}"
    return f"{how} {config.get('repository', '?')}@{config.get('branch', '?')} ({count})"


def _commit_in_words(name: str, config: Mapping[str, Any]) -> str:
    what = name or "Changes files"
    review = ", through a pull request" if config.get("createPullRequest") else ""
    return (
        f"{what}: one commit to {config.get('repository', '?')} on "
        f"{config.get('branch', '?')}{review}"
    )


def _workflow_label(config: Mapping[str, Any]) -> str:
    return f"workflow {config.get('workflowFile', '?')} in {config.get('repository', '?')}"


def _workflow_in_words(name: str, config: Mapping[str, Any]) -> str:
    what = name or "Runs a workflow"
    wait = ", and follows the run to its end" if config.get("waitForCompletion") else ""
    return (
        f"{what}: starts {config.get('workflowFile', '?')} in {config.get('repository', '?')} "
        f"at {config.get('ref', '?')}{wait}"
    )


GIT_COMMIT = ActionKind(
    name="git-commit",
    makes=Makes.COMMIT,
    label=_commit_label,
    in_words=_commit_in_words,
    templates=(
        TemplatePath(("branch",)),
        TemplatePath(("commitMessage",)),
        TemplatePath(("files",), Slot.ROWS, fields=("path", "contentTemplate")),
        TemplatePath(("pullRequestTitle",), one_line=True),
        TemplatePath(("pullRequestBody",)),
        TemplatePath(("reviewers",), Slot.EACH),
        TemplatePath(("assignees",), Slot.EACH),
    ),
    response=("commit", "branch", "pullRequest"),
)

GITHUB_WORKFLOW = ActionKind(
    name="github-workflow",
    makes=Makes.RUN,
    label=_workflow_label,
    in_words=_workflow_in_words,
    templates=(TemplatePath(("ref",)), TemplatePath(("inputs",), Slot.EACH)),
    response=("runId", "url", "conclusion"),
)

ACTION_TYPES: dict[str, ActionKind] = {
    kind.name: kind for kind in (JIRA_TICKET, REST_API, GIT_COMMIT, GITHUB_WORKFLOW)
}


def action_kind(name: str) -> ActionKind | None:
    """The type called `name`, or None when pac knows nothing about it beyond its name."""
    return ACTION_TYPES.get(name)


def runnable(name: str) -> bool:
    kind = ACTION_TYPES.get(name)
    return kind is not None and kind.runnable


def runnable_names() -> tuple[str, ...]:
    return tuple(name for name, kind in ACTION_TYPES.items() if kind.runnable)


def hands_off(name: str) -> bool:
    """A task of type `name` is handed to a team (a ticket): it waits for them, not a result."""
    kind = ACTION_TYPES.get(name)
    return kind is not None and kind.makes is Makes.TICKET


def ticket_names() -> tuple[str, ...]:
    """The runnable types a person fulfils: what an item's manual strategy should use."""
    return tuple(n for n, k in ACTION_TYPES.items() if k.runnable and k.makes is Makes.TICKET)


def either(names: tuple[str, ...]) -> str:
    """`a`, `a or b`, `a, b or c`: names as a hint offers them."""
    return " or ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} or {names[-1]}"
