"""Whether each variable a template uses exists where the template runs.

`.current` against the form, `.previous` against the form and the action list (only update
and decommission actions have one), `.metadata` against the item (or a bundle and its
components), `.system` against the values pac provides, `.output` against what earlier
actions produce, `.response` against what the action type returns. What a template uses
is read by `pac.templating.analysis`; this module decides what of it is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pac.documents.action_types import action_kind, runnable, runnable_names
from pac.documents.files import Role
from pac.documents.model import CatalogItem, Form
from pac.documents.repository import Repository
from pac.documents.suggestions import did_you_mean
from pac.templating.namespaces import (
    NAMESPACES,
    PLATFORM_KEYS,
    RESPONSE,
    SYSTEM_KEYS,
    USER_KEYS,
)
from pac.templating.usage import Use

# Reports one finding about the use being checked: (rule code, message, hint).
Report = Callable[[str, str, str], None]


@dataclass(frozen=True)
class UseScope:
    """What the templates of one action may read."""

    action_type: str
    form: Form
    metadata: Mapping[str, Any]  # document id -> its metadata
    produced: Mapping[str, str]  # output key -> the action that produced it
    # The action serves a later revision (an `update` or `decommission` list): `.previous`
    # holds the input as last fulfilled. A create has no earlier input to read.
    day_two: bool = False


class ItemScope(dict[str, Any]):
    """An item's own metadata, plus the catalog to look companions up in."""

    def __init__(self, repo: Repository, item: CatalogItem) -> None:
        super().__init__({item.id: item.metadata})
        self.repo = repo


def check_use(report: Report, use: Use, scope: UseScope, in_outputs: bool) -> None:
    """Report what is wrong with one variable of a template (`in_outputs`: the template is
    an `outputs` value, where `.response` is in scope)."""
    if use.namespace == RESPONSE:
        _check_response(report, use, scope.action_type, in_outputs)
    elif use.namespace not in NAMESPACES:
        suggestion = did_you_mean(use.namespace, NAMESPACES)
        report(
            "template-namespace",
            f"{use.text()} uses the unknown namespace .{use.namespace}",
            (f"Did you mean .{suggestion}? " if suggestion else "")
            + "Variables live in .current, .output, .metadata, .previous and .system.",
        )
    elif _inside_secret(scope.form, use.namespace, use.path):
        report(
            "template-unsafe",
            f"{use.text()} reaches inside a secret, which the sandbox forbids",
            f"Use the secret whole, {{{{ .{use.namespace}.{'.'.join(use.path[:2])} }}}}: it "
            "renders as *** everywhere except a REST call being sent.",
        )
    else:
        _BY_NAMESPACE[use.namespace](report, use, scope)


def _check_response(report: Report, use: Use, action_type: str, in_outputs: bool) -> None:
    path = use.path
    if not in_outputs:
        report(
            "template-namespace",
            f"{use.text()} is only available in outputs",
            "`.response` holds the result of the action itself; use it under `outputs:` "
            "and read the kept value later as .output.<key>.",
        )
    elif path and not runnable(action_type):
        report(
            "template-namespace",
            f"{use.text()}: pac apply does not run {action_type} actions yet, so they "
            "have no response to read",
            f"Keep outputs on {_responses()} for now.",
        )
    elif path and path[0] not in _response_keys(action_type):
        keys = ", ".join(_response_keys(action_type))
        report(
            "template-namespace",
            f"{use.text()}: a {action_type} response has no {path[0]!r}",
            f"A {action_type} response has: {keys}.",
        )


def _response_keys(action_type: str) -> tuple[str, ...]:
    kind = action_kind(action_type)
    return kind.response if kind else ()


def _responses() -> str:
    """`jira-ticket actions (.response.key, .id, .url) or rest-api actions (…)`."""
    return " or ".join(
        f"{name} actions (.response.{', .'.join(_response_keys(name))})"
        for name in runnable_names()
    )


def _check_current(report: Report, use: Use, scope: UseScope) -> None:
    if not current_ok(scope.form, use.path):
        report(
            "template-current",
            f"{use.text()} is not a field of this item's form",
            current_hint(scope.form, use.path),
        )


def _check_metadata_use(report: Report, use: Use, scope: UseScope) -> None:
    metadata = scope.metadata
    if not use.guarded:
        _check_metadata(report, use, metadata)
    elif use.path and use.path[0] not in metadata and isinstance(metadata, ItemScope):
        # Guarded (`| default(...)`), an item may read the metadata of a companion in a
        # bundle (SPEC §5: in scope when requested in that bundle, empty alone). It must
        # still name a real document and key, or the guard would hide a typo forever.
        _check_companion(report, use, metadata)


def _check_previous(report: Report, use: Use, scope: UseScope) -> None:
    if not scope.day_two:
        report(
            "template-previous",
            f"{use.text()} is read by a create action, where there is no earlier input",
            ".previous holds the input as it was when the request was last fulfilled, so an "
            "update can show old -> new and a decommission can name what it retires; a "
            "create has none. Use .current here, or move this action into the strategy's "
            "`update` or `decommission` list.",
        )
    elif not current_ok(scope.form, use.path):
        report(
            "template-current",
            f"{use.text()} is not a field of this item's form",
            current_hint(scope.form, use.path, "previous"),
        )


def _check_output(report: Report, use: Use, scope: UseScope) -> None:
    path, produced = use.path, scope.produced
    if path and not use.guarded and path[0] not in produced:
        earlier = ", ".join(sorted(produced)) or "none yet"
        where = (
            "a create action's outputs (kept for later revisions) or an earlier action's of "
            "this list"
            if scope.day_two
            else "an earlier action's outputs"
        )
        report(
            "template-output",
            f"{use.text()} is used before any earlier action produces it",
            f"Outputs available here: {earlier}. Produce it in {where}, "
            f"or guard it: {{{{ {use.text()} | default('') }}}} or "
            f"{{% if {use.text()} is defined %}}.",
        )


def _check_system_use(report: Report, use: Use, scope: UseScope) -> None:
    _check_system(report, use)


_BY_NAMESPACE: dict[str, Callable[[Report, Use, UseScope], None]] = {
    "current": _check_current,
    "previous": _check_previous,
    "metadata": _check_metadata_use,
    "system": _check_system_use,
    "output": _check_output,
}


def _inside_secret(form: Form, namespace: str, path: tuple[str, ...]) -> bool:
    """`.current.credentials.adminPassword.reveal`: a secret has no parts to read."""
    if namespace == "system":
        return len(path) > 2 and path[:2] == ("platform", "apiKey")
    if namespace not in ("current", "previous") or len(path) < 3:
        return False
    group = form.group(path[0])
    field = group.field(path[1]) if group is not None else None
    return field is not None and field.type == "password"


def current_ok(form: Form, path: tuple[str, ...]) -> bool:
    if not path:
        return True
    if path[0] == "name":
        return len(path) == 1
    group = form.group(path[0])
    if group is None:
        return False
    return len(path) == 1 or group.field(path[1]) is not None


def current_hint(form: Form, path: tuple[str, ...], namespace: str = "current") -> str:
    if path and path[0] != "name":
        group = form.group(path[0])
        if group is None:
            options = ["name", *(g.id for g in form.groups)]
            suggestion = did_you_mean(path[0], options)
            return (f"Did you mean .{namespace}.{suggestion}? " if suggestion else "") + (
                "The form has: " + ", ".join(options) + "."
            )
        if len(path) > 1:
            fields = [f.id for f in group.fields]
            suggestion = did_you_mean(path[1], fields)
            return (
                f"Did you mean .{namespace}.{group.id}.{suggestion}? " if suggestion else ""
            ) + (f"Group {group.id} has: " + ", ".join(fields) + ".")
    return f"Use .{namespace}.name or .{namespace}.<group>.<field> from the form."


def _check_companion(report: Report, use: Use, scope: ItemScope) -> None:
    doc_id = use.path[0]
    repo = scope.repo
    known = [*repo.index(Role.ITEM), *repo.index(Role.BUNDLE)]
    if doc_id not in known:
        suggestion = did_you_mean(doc_id, known)
        report(
            "template-metadata",
            f"{use.text()} names {doc_id}, which is no item or bundle of the catalog",
            (f"Did you mean '{suggestion}'? " if suggestion else "")
            + "A guarded .metadata reference may name a companion item of a bundle; "
            "`pac catalog list` shows the ids.",
        )
        return
    companion = repo.offering(doc_id)
    if companion is not None and len(use.path) > 1:
        _check_metadata(report, use, {doc_id: companion.metadata})


def _check_metadata(report: Report, use: Use, scope: Mapping[str, Any]) -> None:
    path = use.path
    if not path:
        return
    if path[0] not in scope:
        suggestion = did_you_mean(path[0], scope)
        report(
            "template-metadata",
            f"{use.text()} names {path[0]}, which is not in scope here",
            (f"Did you mean '{suggestion}'? " if suggestion else "")
            + "In scope: "
            + ", ".join(sorted(scope))
            + " (the item itself, or a bundle and "
            "its components).",
        )
        return
    if len(path) > 1 and path[1] not in scope[path[0]]:
        keys = sorted(scope[path[0]])
        suggestion = did_you_mean(path[1], keys)
        report(
            "template-metadata",
            f"{use.text()}: {path[0]} has no metadata key {path[1]!r}",
            (f"Did you mean '{suggestion}'? " if suggestion else "")
            + "Its metadata keys: "
            + ", ".join(keys)
            + ".",
        )


def _check_system(report: Report, use: Use) -> None:
    path = use.path
    if not path:
        return
    key = path[0]
    allowed: frozenset[str] = SYSTEM_KEYS
    name = key
    if key in ("user", "platform") and len(path) > 1:
        allowed = USER_KEYS if key == "user" else PLATFORM_KEYS
        name = path[1]
    if name not in allowed:
        suggestion = did_you_mean(name, allowed)
        report(
            "template-system",
            f"{use.text()} is not a .system value",
            (f"Did you mean '{suggestion}'? " if suggestion else "")
            + "Available: "
            + ", ".join(sorted(allowed))
            + " (see docs/templates.md).",
        )
