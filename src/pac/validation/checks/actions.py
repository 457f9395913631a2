"""Checks of an item's actions: the type is one pac runs, and each type's own settings.

What every type shares is read from `pac.documents.action_types`; what only one type's
config can get wrong (a ticket's description file and priority, a call's credentials over
plain http) is a function in `TYPE_CHECKS`, keyed by the type's name — a new type adds a
row when it has such settings, and no check elsewhere asks which type it is looking at.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pac.documents.action_types import (
    GIT_COMMIT,
    GITHUB_WORKFLOW,
    JIRA_TICKET,
    REST_API,
    Makes,
    action_kind,
    either,
    runnable_names,
    ticket_names,
)
from pac.documents.layout import JIRA_TEMPLATES, jira_template
from pac.documents.loader import JsonPath
from pac.documents.model import Action, CatalogItem, Form
from pac.documents.repository import Repository
from pac.templating.analysis import analyse
from pac.templating.encoders import SUMMARY_LIMIT
from pac.validation.checks import Findings
from pac.validation.checks.gitflow import check_commit, check_workflow

_TAG = re.compile(r"\{\{.*?\}\}|\{#.*?#\}|\{%(?P<stmt>.*?)%\}", re.S)
# Statements that open a block closed by `end<name>`; a `set` without `=` opens one too.
_BLOCKS = frozenset({"if", "for", "macro", "call", "filter", "with", "autoescape", "block", "raw"})
# Header names that carry credentials by convention, whatever their value.
_SECRET_HEADERS = re.compile(r"authorization|api[-_]?key|token|secret|password|cookie", re.I)

ActionCheck = Callable[[Repository, Action, Findings], None]
# Before apply a check also gets the form the action's `.current` reads (its secrets).
BeforeApplyCheck = Callable[[Repository, Action, Form, Findings], None]


@dataclass(frozen=True)
class TypeChecks:
    """One type's own checks: with the item's (`config`) and before apply (`before_apply`,
    which also runs on an item whose form failed its schema)."""

    config: ActionCheck | None = None
    before_apply: BeforeApplyCheck | None = None


def check_action(repo: Repository, item: CatalogItem, action: Action, findings: Findings) -> None:
    """An action pac cannot run is reported once; a runnable one gets its type's checks."""
    kind = action_kind(action.type)
    if kind is None or not kind.runnable:
        _unsupported(item, action, findings)
        return
    if action in item.manual and kind.makes in (Makes.COMMIT, Makes.RUN):
        _automation_in_manual(action, findings)
    checks = TYPE_CHECKS.get(kind.name)
    if checks is not None and checks.config is not None:
        checks.config(repo, action, findings)


def check_action_before_apply(
    repo: Repository, action: Action, form: Form, findings: Findings
) -> None:
    checks = TYPE_CHECKS.get(action.type)
    if checks is not None and checks.before_apply is not None:
        checks.before_apply(repo, action, form, findings)


# What fails at an unsupported action of the active strategy, by the list it is in.
_FAILS = {
    "actions": "requests will fail at this step",
    "update": "changes and upgrades of its requests will fail at this step",
    "decommission": "decommissioning its requests will fail at this step",
}


def _unsupported(item: CatalogItem, action: Action, findings: Findings) -> None:
    mode, listed = str(action.path[1]), str(action.path[2])
    manual = mode == "manual"
    if mode == item.mode:
        consequence = f"; {_FAILS.get(listed, _FAILS['actions'])}"
    elif manual:
        consequence = "; escalating a failed request would fail at this step"
    else:
        consequence = ""
    findings.add(
        (*action.path, "type"),
        "action-unsupported",
        f"pac apply does not run {action.type} actions yet{consequence}",
        # The manual actions are also the fallback of an escalation: never "inactive".
        f"Use {either(ticket_names())} actions in the manual strategy."
        if manual
        else f"Use {either(runnable_names())} for now, or keep this action out of the active "
        "strategy.",
    )


def _automation_in_manual(action: Action, findings: Findings) -> None:
    findings.add(
        (*action.path, "type"),
        "action-unsupported",
        f"a {action.type} action in the manual strategy: escalating a failed request hands "
        "its work to people through these actions, and this one would run automation again",
        f"Use {either(ticket_names())} actions in the manual strategy.",
    )


# --- jira-ticket ------------------------------------------------------------------------


def _jira_templates(repo: Repository) -> frozenset[str]:
    """Files under templates/jira/, relative to it; listed once per run."""

    def scan() -> frozenset[str]:
        base = repo.root / JIRA_TEMPLATES
        if not base.is_dir():
            return frozenset()
        return frozenset(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())

    return repo.memo(("jira-templates", ""), scan)


def _check_ticket(repo: Repository, action: Action, findings: Findings) -> None:
    ticket = action.config["ticket"]
    tpath = (*action.path, "config", "ticket")
    if "descriptionTemplate" in ticket and "descriptionTemplateFile" in ticket:
        findings.add(
            (*tpath, "descriptionTemplateFile"),
            "action-description",
            "a ticket has both descriptionTemplate and descriptionTemplateFile",
            "Keep one: inline text, or a file under templates/jira/.",
            at_key=True,
        )
    file_name = ticket.get("descriptionTemplateFile")
    if isinstance(file_name, str):
        _check_description_file(repo, file_name, (*tpath, "descriptionTemplateFile"), findings)
    priority = ticket.get("priority")
    priorities = JIRA_TICKET.priorities
    if isinstance(priority, str) and "{" not in priority and priority not in priorities:
        findings.add(
            (*tpath, "priority"),
            "action-priority",
            f"priority {priority!r} is not a JIRA priority pac knows",
            f"Use one of: {', '.join(priorities)} (or a template that renders to one).",
        )


def _check_description_file(
    repo: Repository, file_name: str, path: tuple[str | int, ...], findings: Findings
) -> None:
    if jira_template(repo.root, file_name) is None:
        findings.add(
            path,
            "action-description",
            f"descriptionTemplateFile {file_name!r} points outside {JIRA_TEMPLATES}/",
            f"Name a file inside {JIRA_TEMPLATES}/, e.g. databases/database-request.j2.",
        )
    elif file_name not in _jira_templates(repo):
        available = sorted(_jira_templates(repo))
        findings.add(
            path,
            "action-description",
            f"the description template {JIRA_TEMPLATES}/{file_name} does not exist",
            "Create it, or name an existing one"
            + (f": {', '.join(available)}." if available else "."),
        )


def _check_summary(repo: Repository, action: Action, form: Form, findings: Findings) -> None:
    summary = action.config["ticket"].get("summaryTemplate")
    static = _always_written(summary) if isinstance(summary, str) else None
    if static is not None and len(static) > SUMMARY_LIMIT:
        findings.add(
            (*action.path, "config", "ticket", "summaryTemplate"),
            "summary-too-long",
            f"the summary template's own text is {len(static)} characters; JIRA refuses a "
            f"summary over {SUMMARY_LIMIT}, so every ticket from it would fail",
            "Keep the summary to one short line (what and for whom) and move the details "
            "into the description.",
        )


def _always_written(template: str) -> str | None:
    """The text every rendering writes whatever the values: the literal text, with each
    `if` block's shortest branch (nothing without an `else`) and nothing of other blocks
    (a loop may not run). None for unbalanced blocks, which the syntax check reports."""
    stack: list[tuple[str, list[str], bool]] = []  # (block, finished branches, has else)
    current, last = "", 0
    for match in _TAG.finditer(template):
        current += template[last : match.start()]
        last = match.end()
        stmt = match.group("stmt")
        words = stmt.strip("-+ \t\n").split() if stmt is not None else []
        word = words[0] if words else ""
        if word in _BLOCKS or (word == "set" and "=" not in stmt):
            stack.append((word, [current], False))
            current = ""
        elif word in ("elif", "else") and stack:
            block, branches, has_else = stack[-1]
            stack[-1] = (block, [*branches, current], has_else or word == "else")
            current = ""
        elif word.startswith("end"):
            if not stack:
                return None
            block, (outer, *branches), has_else = stack.pop()
            branches.append(current)
            shortest = min(branches, key=len) if block == "if" and has_else else ""
            current = outer + shortest
    if stack:
        return None
    return (current + template[last:]).strip()


# --- rest-api ---------------------------------------------------------------------------


def _check_plain_http(repo: Repository, action: Action, form: Form, findings: Findings) -> None:
    config = action.config
    url = config.get("endpoint", {}).get("url")
    if not isinstance(url, str) or not url.lower().startswith("http://"):
        return
    if _loopback(urlsplit(url.split("{{", 1)[0]).hostname or ""):
        return  # never leaves the machine
    base = url.split("{{", 1)[0]
    sent: dict[JsonPath, str] = {}
    if "authentication" in config:
        sent[("authentication",)] = "authentication"
    for name in config.get("headers") or {}:
        if _SECRET_HEADERS.search(str(name)):
            sent[("headers", name)] = f"headers.{name}"
    for path, secret in _secrets_read(config, form):
        sent.setdefault(path, f"{'.'.join(map(str, path))} (it reads {secret})")
    for path, what in sent.items():
        findings.add(
            (*action.path, "config", *path),
            "rest-credentials-plain-http",
            f"{what} sends credentials to {base}, a plain http:// URL: "
            "anyone on the network path can read them",
            "Use the service's https:// URL.",
            at_key=path[0] != "endpoint" and path[-1] != "contentTemplate",
        )


def _loopback(host: str) -> bool:
    """Only what cannot leave the machine: `localhost` and loopback addresses, not a name
    that merely starts like one (`127.evil.example`)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secrets_read(config: Mapping[str, Any], form: Form) -> Iterator[tuple[JsonPath, str]]:
    """Each templated part of a call (URL, header, body) that reads a secret: a password
    field's secret reference or the platform's API key."""
    secret_fields = {(g.id, f.id) for g, f in form.fields() if f.type == "password"}
    for _, path, source in REST_API.template_sources(config):
        for use in analyse(source).uses:
            if use.namespace in ("current", "previous") and use.path[:2] in secret_fields:
                yield path, use.text()
                break
            if use.namespace == "system" and use.path[:2] == ("platform", "apiKey"):
                yield path, use.text()
                break


TYPE_CHECKS: dict[str, TypeChecks] = {
    JIRA_TICKET.name: TypeChecks(config=_check_ticket, before_apply=_check_summary),
    REST_API.name: TypeChecks(before_apply=_check_plain_http),
    GIT_COMMIT.name: TypeChecks(config=check_commit),
    GITHUB_WORKFLOW.name: TypeChecks(config=check_workflow),
}
