"""What `pac validate` still checks in a document that failed its schema.

A team fixes a catalog in one edit round only if one run reports every problem (SPEC
§6.1). So a schema error spoils only the part it is in: an unknown key is left out and the
rest read; a broken form field still names its `.current` path; a broken action leaves
the other actions' templates checkable. What depends on a spoiled part is not guessed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pac.diagnostics import Diagnostic
from pac.documents.lifecycle import ACTION_LISTS
from pac.documents.loader import Document, JsonPath
from pac.documents.model import (
    EMPTY_FORM,
    MISSING,
    NAME_PATTERN,
    Action,
    CatalogItem,
    Field,
    Form,
    Group,
    Offering,
    Operations,
    Priority,
    Request,
    Requester,
    build_bundle,
    build_item,
)
from pac.documents.repository import Loaded, Repository
from pac.documents.seed import SEED_RENAMED
from pac.validation.checks.beforeapply import check_before_apply
from pac.validation.checks.bundles import check_bundle
from pac.validation.checks.offerings import check_item_day_two
from pac.validation.checks.placement import check_request_placement
from pac.validation.checks.requests import check_request_input
from pac.validation.checks.templates import check_bundle_templates, check_item_templates

UNKNOWN_KEY = "schema-unknown-key"
_MODES = ("manual", "automatic")
# Without the form, which `.current` paths exist is unknown.
_FORM_DEPENDENT = frozenset({"template-current"})
# Without every action, which outputs exist is unknown.
_ACTIONS_DEPENDENT = frozenset({"template-output", "template-output-shadow"})
_OFFERING_KINDS = frozenset({"CatalogItem", "CatalogBundle"})
_HEADER = frozenset({"", "kind", "schemaVersion", "metadata"})
_REQUEST_TARGET = frozenset({"", "kind", "schemaVersion", "catalogItemId", "bundleId", "input"})


@dataclass
class _Damage:
    """The schema errors of one document, sorted by the part each spoils."""

    unknown: list[JsonPath] = field(default_factory=list)
    errors: list[JsonPath] = field(default_factory=list)

    def under(self, *prefix: str | int) -> list[JsonPath]:
        return [p for p in self.errors if p[: len(prefix)] == prefix]

    def top(self) -> set[str]:
        return {str(p[0]) if p else "" for p in self.errors}


def _damage(loaded: Loaded) -> _Damage:
    damage = _Damage()
    for path, code in loaded.schema_errors:
        if code != SEED_RENAMED:  # reported on its own and read past (documents/seed)
            (damage.unknown if code == UNKNOWN_KEY and path else damage.errors).append(path)
    return damage


def partial_checks(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    """The checks of a document's parts that passed the schema; [] if none can be read."""
    doc = loaded.document
    if doc is None or not loaded.schema_errors:
        return []
    damage = _damage(loaded)
    data = _without(doc.data, damage.unknown)
    if loaded.kind in ("CatalogItem", "CatalogBundle"):
        if damage.top() & _HEADER:
            return []  # the owner, id and version are what every finding is told by
        return _offering_checks(repo, loaded, replace(doc, data=data), damage)
    if loaded.kind == "Request":
        return _request_checks(repo, loaded, replace(doc, data=data), damage)
    return []


def _without(data: dict[str, Any], unknown: Iterable[JsonPath]) -> dict[str, Any]:
    """A copy of the data without the unknown keys: the schema says nothing reads them."""
    clean = copy.deepcopy(data)
    for path in unknown:
        parent: Any = clean
        for step in path[:-1]:
            parent = _step(parent, step)
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return clean


def _step(node: Any, step: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(step)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return None


# --- items and bundles ----------------------------------------------------------------


def _offering_checks(
    repo: Repository, loaded: Loaded, doc: Document, damage: _Damage
) -> list[Diagnostic]:
    form, broken_fields = _partial_form(doc.data, damage)
    dropped = set() if form is not None else set(_FORM_DEPENDENT)
    data = doc.data
    data["input"] = {"form": {"name": "", "groups": []}}
    checks: list[Callable[[Repository, Loaded], list[Diagnostic]]]
    if loaded.kind == "CatalogItem":
        lost = _prepare_actions(data, damage)
        if lost:
            dropped |= _ACTIONS_DEPENDENT
        model: Any = _drop_actions(build_item(doc, form=form or EMPTY_FORM), lost)
        checks = [check_item_templates, check_before_apply]
        if not damage.under("fulfillment"):
            checks.append(check_item_day_two)
    else:
        checks = [check_before_apply]
        if damage.under("components"):
            data["components"] = []
        else:
            checks = [check_bundle, check_bundle_templates, check_before_apply]
        if damage.under("fulfillment"):
            data["fulfillment"] = {"orchestration": {}}
        model = replace(build_bundle(doc), form=form or EMPTY_FORM)
    partial = replace(loaded, model=model)
    spoiled = [_lines(loaded, path) for path in broken_fields]
    found: list[Diagnostic] = []
    for check in checks:
        found.extend(
            d
            for d in check(repo, partial)
            if d.code not in dropped
            and not (d.path == loaded.display and any(a <= d.line <= b for a, b in spoiled))
        )
    return found


def partial_offering(loaded: Loaded) -> tuple[Offering, frozenset[tuple[str, str]]] | None:
    """An item or bundle with errors as far as its header and form could be read, and the
    (group, field) ids of the fields whose own settings failed (a request's value for them
    is not judged), so the requests for it are checked in the same run; None when the
    header or the form is spoiled (then what a request may hold is not guessed)."""
    doc = loaded.document
    if doc is None or not loaded.schema_errors or loaded.kind not in _OFFERING_KINDS:
        return None
    damage = _damage(loaded)
    if damage.top() & _HEADER:
        return None
    data = _without(doc.data, damage.unknown)
    form, broken_fields = _partial_form(data, damage)
    if form is None:
        return None
    spoiled = {path[:6] for path in (*broken_fields, *damage.unknown) if _in_a_field(path)}
    unjudged = frozenset(
        (group.id, f.id) for group in form.groups for f in group.fields if f.path in spoiled
    )
    data["input"] = {"form": {"name": "", "groups": []}}
    if loaded.kind == "CatalogItem":
        _prepare_actions(data, damage)
        return build_item(replace(doc, data=data), form=form), unjudged
    if damage.under("components"):
        data["components"] = []
    if damage.under("fulfillment"):
        data["fulfillment"] = {"orchestration": {}}
    return replace(build_bundle(replace(doc, data=data)), form=form), unjudged


def _in_a_field(path: JsonPath) -> bool:
    return len(path) >= 6 and path[:3] == ("input", "form", "groups") and path[4] == "fields"


def _lines(loaded: Loaded, path: JsonPath) -> tuple[int, int]:
    """The first and last line (1-based) of the value at `path`."""
    assert loaded.document is not None
    _, node = loaded.document.node_at(path)
    return node.start_mark.line + 1, node.end_mark.line + (1 if node.end_mark.column else 0)


def _partial_form(data: Mapping[str, Any], damage: _Damage) -> tuple[Form | None, list[JsonPath]]:
    """The form as far as its groups and fields name themselves, and the fields whose own
    settings failed the schema (kept for their paths, not checked); None if the form
    itself is broken."""
    broken: set[JsonPath] = set()
    for path in damage.under("input"):
        if len(path) < 6 or path[:3] != ("input", "form", "groups") or path[4] != "fields":
            return None, []
        if len(path) > 6 and path[6] == "id":
            return None, []
        broken.add(path[:6])
    form = _step(data.get("input"), "form")
    if not isinstance(form, dict) or not isinstance(form.get("name"), str):
        return None, []
    groups: list[Group] = []
    for gi, group in enumerate(form.get("groups") or []):
        gpath: JsonPath = ("input", "form", "groups", gi)
        if not isinstance(group, dict) or not isinstance(group.get("id"), str):
            return None, []
        fields = group.get("fields")
        if not isinstance(fields, list):
            return None, []
        built = [_field(f, (*gpath, "fields", fi)) for fi, f in enumerate(fields)]
        if any(f is None for f in built):
            return None, []
        groups.append(
            Group(group["id"], str(group.get("name", "")), "", tuple(filter(None, built)), gpath)
        )
    name = Field("name", form["name"], "string", True, MISSING, None, "", "", {}, ("input", "form"))
    name = replace(name, validation={"pattern": NAME_PATTERN})
    return Form(name, tuple(groups), ("input", "form")), sorted(broken, key=str)


def _field(data: Any, path: JsonPath) -> Field | None:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    enum = data.get("enum")
    validation = data.get("validation")
    return Field(
        id=data["id"],
        name=str(data.get("name", data["id"])),
        type=data["type"] if isinstance(data.get("type"), str) else "",
        required=data.get("required") is True,
        default=data.get("default", MISSING),
        enum=tuple(enum) if isinstance(enum, list) else None,
        description=str(data.get("description", "")),
        placeholder=str(data.get("placeholder", "")),
        validation=validation if isinstance(validation, dict) else {},
        path=path,
        immutable=data.get("immutable") is True,
    )


def _prepare_actions(data: dict[str, Any], damage: _Damage) -> set[JsonPath]:
    """Stands a placeholder in for each action that failed its schema (so the others keep
    their paths) and returns their paths; with the strategy itself broken, every action."""
    fulfillment = data.get("fulfillment")
    lost: set[JsonPath] = set()
    for path in damage.under("fulfillment"):
        if len(path) < 4 or path[1] not in _MODES or path[2] not in ACTION_LISTS:
            lost.add(("fulfillment",))
        else:
            lost.add(path[:4])
    if ("fulfillment",) in lost or not isinstance(fulfillment, dict):
        data["fulfillment"] = {"strategy": {"mode": "manual"}}
        return {("fulfillment",)}
    for _, mode, key, index in lost:
        actions = _step(fulfillment.get(mode), key)
        if not isinstance(actions, list) or not isinstance(index, int):
            data["fulfillment"] = {"strategy": {"mode": "manual"}}
            return {("fulfillment",)}
        actions[index] = {"type": ""}
    return lost


def _drop_actions(item: CatalogItem, lost: set[JsonPath]) -> CatalogItem:
    def kept(actions: tuple[Action, ...]) -> tuple[Action, ...]:
        return tuple(a for a in actions if a.path not in lost)

    return replace(
        item,
        manual=kept(item.manual),
        automatic=kept(item.automatic),
        day_two={k: kept(v) for k, v in item.day_two.items()},
    )


# --- requests ---------------------------------------------------------------------------


def _request_checks(
    repo: Repository, loaded: Loaded, doc: Document, damage: _Damage
) -> list[Diagnostic]:
    """A request whose target and input passed the schema has its input checked whatever
    else is broken: the metadata says who asks, not what for."""
    if damage.top() & _REQUEST_TARGET:
        return []
    data = doc.data
    meta = _mapping(data.get("metadata"))
    requester = _mapping(meta.get("requester"))
    is_item = "catalogItemId" in data
    request = Request(
        doc=doc,
        id=_text(meta.get("id")),
        requester=Requester(
            _text(requester.get("email")),
            _text(requester.get("name")),
            _text(requester.get("team")),
        ),
        target_id=data["catalogItemId"] if is_item else data["bundleId"],
        target_kind="CatalogItem" if is_item else "CatalogBundle",
        input=data["input"],
        priority=Priority.NORMAL,
        description="",
        operations=Operations(),
    )
    found = check_request_input(repo, loaded, request)
    who = {("metadata", "id"), ("metadata", "requester")}
    if not any(path == ("metadata",) or path[:2] in who for path in damage.errors):
        found = check_request_placement(repo, loaded, request) + found
    return found


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
