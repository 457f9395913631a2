"""Typed views of documents that passed their schema.

Every object keeps the JSON path it came from, so later checks (and the template engine)
can point at the exact line of the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pac.documents.action_types import action_kind, runnable
from pac.documents.durations import parse_duration
from pac.documents.lifecycle import Operation
from pac.documents.loader import Document, JsonPath

NAME_PATTERN = "^[a-z][a-z0-9-]{2,28}[a-z0-9]$"
RESERVED_METADATA = frozenset(
    {
        *("id", "name", "description", "version", "category", "owner", "tags"),
        *("deprecated", "leadTimeTarget"),
    }
)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True, slots=True)
class Owner:
    team: str
    contact: str
    slack: str = ""

    def describe(self) -> str:
        """`platform-databases-team (dba@company.com)` for hints."""
        extra = f", {self.slack}" if self.slack else ""
        return f"{self.team} ({self.contact}{extra})"


@dataclass(frozen=True, slots=True)
class Field:
    id: str
    name: str
    type: str
    required: bool
    default: Any
    enum: tuple[Any, ...] | None
    description: str
    placeholder: str
    validation: Mapping[str, Any]
    path: JsonPath
    immutable: bool = False  # cannot change once the request is fulfilled (SPEC §6.6)

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str
    description: str
    fields: tuple[Field, ...]
    path: JsonPath

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True, slots=True)
class Form:
    name_field: Field
    groups: tuple[Group, ...]
    path: JsonPath

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def fields(self) -> list[tuple[Group, Field]]:
        return [(g, f) for g in self.groups for f in g.fields]

    def paths(self) -> set[tuple[str, ...]]:
        """Every `.current` path this form supplies: `name`, each group and each field."""
        out: set[tuple[str, ...]] = {("name",)}
        for group in self.groups:
            out.add((group.id,))
            out.update((group.id, f.id) for f in group.fields)
        return out


@dataclass(frozen=True, slots=True)
class Action:
    type: str
    name: str
    config: Mapping[str, Any]
    outputs: Mapping[str, str]
    path: JsonPath

    @property
    def implemented(self) -> bool:
        return runnable(self.type)

    def label(self) -> str:
        if self.name:
            return self.name
        kind = action_kind(self.type)
        return kind.label(self.config) if kind else self.type


@dataclass(frozen=True, slots=True)
class Deprecation:
    reason: str
    replaced_by: str = ""
    since: str = ""


@dataclass(frozen=True)
class Offering:
    """What items and bundles share: metadata, owner and form."""

    doc: Document
    id: str
    name: str
    description: str
    version: str
    category: str
    owner: Owner
    custom: Mapping[str, Any]
    tags: tuple[str, ...]
    deprecated: Deprecation | None
    form: Form

    kind: str = field(default="", init=False)

    @property
    def metadata(self) -> dict[str, Any]:
        """Everything under `metadata`, as `.metadata.<id>` exposes it to templates."""
        data: dict[str, Any] = self.doc.data["metadata"]
        return data

    @property
    def lead_time_target(self) -> float | None:
        """Seconds the owning team promises from pull request to ready (`leadTimeTarget`)."""
        return parse_duration(str(self.metadata.get("leadTimeTarget", "")))


@dataclass(frozen=True)
class CatalogItem(Offering):
    mode: str = "manual"
    manual: tuple[Action, ...] = ()
    automatic: tuple[Action, ...] = ()
    # (mode, "update" | "decommission") -> that strategy's day-2 actions (SPEC §6.6)
    day_two: Mapping[tuple[str, str], tuple[Action, ...]] = field(default_factory=dict)

    kind: str = field(default="CatalogItem", init=False)

    def actions(self, mode: str | None = None) -> tuple[Action, ...]:
        """The create actions of the given strategy (the item's own mode by default)."""
        chosen = mode or self.mode
        return self.automatic if chosen == "automatic" else self.manual

    def actions_for(self, operation: Operation, mode: str | None = None) -> tuple[Action, ...]:
        """The actions that serve `operation` in the given strategy (empty when it has none)."""
        if operation is Operation.CREATE:
            return self.actions(mode)
        return self.day_two.get((mode or self.mode, operation.action_list), ())


@dataclass(frozen=True, slots=True)
class Component:
    id: str
    catalog_item: str
    depends_on: tuple[str, ...]
    path: JsonPath


class CycleError(Exception):
    def __init__(self, cycle: list[str]) -> None:
        super().__init__(" -> ".join(cycle))
        self.cycle = cycle


@dataclass(frozen=True)
class Bundle(Offering):
    components: tuple[Component, ...] = ()
    link_type: str = ""
    parent_ticket: bool = False

    kind: str = field(default="CatalogBundle", init=False)

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)

    def ordered_components(self) -> list[Component]:
        """Dependency order; declaration order breaks ties. Raises `CycleError`."""
        known = {c.id for c in self.components}
        done: set[str] = set()
        order: list[Component] = []
        remaining = list(self.components)
        while remaining:
            ready = next(
                (c for c in remaining if all(d in done or d not in known for d in c.depends_on)),
                None,
            )
            if ready is None:
                raise CycleError(_find_cycle(remaining))
            order.append(ready)
            done.add(ready.id)
            remaining.remove(ready)
        return order


def _find_cycle(components: list[Component]) -> list[str]:
    edges = {c.id: list(c.depends_on) for c in components}
    for start in edges:
        stack = [start]
        seen: set[str] = set()
        while stack:
            node = stack[-1]
            nxt = next((d for d in edges.get(node, []) if d in edges and d not in seen), None)
            if nxt is None:
                seen.add(node)
                stack.pop()
                continue
            if nxt in stack:
                return [*stack[stack.index(nxt) :], nxt]
            stack.append(nxt)
    return [c.id for c in components]


@dataclass(frozen=True, slots=True)
class Requester:
    email: str
    name: str
    team: str


@dataclass(frozen=True, slots=True)
class Operations:
    retry: int = 0
    abort: bool = False
    escalate: bool = False
    upgrade: str = ""  # the item version to move a fulfilled request to (`pac upgrade`)


class Priority(StrEnum):
    """A request's `metadata.priority`: an emergency request goes through change freezes
    (SPEC §7) and is marked so in plans, logs and status."""

    NORMAL = "normal"
    EMERGENCY = "emergency"


@dataclass(frozen=True)
class Request:
    doc: Document
    id: str
    requester: Requester
    target_id: str
    target_kind: str  # "CatalogItem" or "CatalogBundle"
    input: Mapping[str, Any]
    priority: Priority
    description: str
    operations: Operations
    decommission: str | None = None  # the reason, when the request file retires it

    @property
    def target_key(self) -> str:
        return "catalogItemId" if self.target_kind == "CatalogItem" else "bundleId"


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    id_prefix: str
    name: str
    team: str
    contact: str
    codeowners: tuple[str, ...]
    description: str
    path: JsonPath

    def describe_owner(self) -> str:
        return f"{self.team} ({self.contact})" if self.contact else self.team


# --- building models from schema-valid data ---------------------------------------------


def build_owner(data: Mapping[str, Any]) -> Owner:
    return Owner(data["team"], data["contact"], data.get("slack", ""))


def build_field(data: Mapping[str, Any], path: JsonPath) -> Field:
    enum = data.get("enum")
    return Field(
        id=data["id"],
        name=data["name"],
        type=data["type"],
        required=bool(data.get("required", False)),
        default=data.get("default", MISSING),
        enum=tuple(enum) if enum is not None else None,
        description=data.get("description", ""),
        placeholder=data.get("placeholder", ""),
        validation=data.get("validation") or {},
        path=path,
        immutable=bool(data.get("immutable", False)),
    )


def build_form(data: Mapping[str, Any], path: JsonPath) -> Form:
    name_field = Field(
        id="name",
        name=data["name"],
        type="string",
        required=True,
        default=MISSING,
        enum=None,
        description=data.get("description", ""),
        placeholder=data.get("placeholder", ""),
        validation={"pattern": NAME_PATTERN},
        path=path,
    )
    groups = []
    for gi, group in enumerate(data.get("groups") or []):
        gpath = (*path, "groups", gi)
        fields = tuple(
            build_field(f, (*gpath, "fields", fi)) for fi, f in enumerate(group["fields"])
        )
        groups.append(
            Group(group["id"], group["name"], group.get("description", ""), fields, gpath)
        )
    return Form(name_field, tuple(groups), path)


def build_actions(
    data: Mapping[str, Any] | None, path: JsonPath, key: str = "actions"
) -> tuple[Action, ...]:
    """The actions of one list of a strategy: `actions` (create), `update`, `decommission`."""
    if not data:
        return ()
    return tuple(
        Action(
            type=a["type"],
            name=a.get("name", ""),
            config=a.get("config") or {},
            outputs=a.get("outputs") or {},
            path=(*path, key, i),
        )
        for i, a in enumerate(data.get(key) or ())
    )


def build_day_two(fulfillment: Mapping[str, Any]) -> dict[tuple[str, str], tuple[Action, ...]]:
    """Each strategy's `update` and `decommission` lists that are there."""
    lists: dict[tuple[str, str], tuple[Action, ...]] = {}
    for mode in ("manual", "automatic"):
        for key in ("update", "decommission"):
            actions = build_actions(fulfillment.get(mode), ("fulfillment", mode), key)
            if actions:
                lists[(mode, key)] = actions
    return lists


def _offering_fields(doc: Document, form: Form | None = None) -> dict[str, Any]:
    meta = doc.data["metadata"]
    deprecated = meta.get("deprecated")
    return {
        "doc": doc,
        "id": meta["id"],
        "name": meta["name"],
        "description": meta["description"],
        "version": meta["version"],
        "category": meta["category"],
        "owner": build_owner(meta["owner"]),
        "custom": {k: v for k, v in meta.items() if k not in RESERVED_METADATA},
        "tags": tuple(meta.get("tags") or ()),
        "deprecated": Deprecation(
            deprecated["reason"], deprecated.get("replacedBy", ""), deprecated.get("since", "")
        )
        if deprecated
        else None,
        "form": form
        if form is not None
        else build_form(doc.data["input"]["form"], ("input", "form")),
    }


# Stands in for a form that failed its schema: no groups, so nothing is read from it.
EMPTY_FORM = Form(
    Field("name", "", "string", True, MISSING, None, "", "", {}, ("input", "form")),
    (),
    ("input", "form"),
)


def build_metadata_only(doc: Document) -> Offering:
    """An item or bundle from its metadata alone, for documents whose other parts are
    broken: enough to check its name, place and owner, nothing else (no form, no actions)."""
    meta = doc.data["metadata"]
    form = EMPTY_FORM
    cls = CatalogItem if doc.data.get("kind") == "CatalogItem" else Bundle
    return cls(
        doc=doc,
        id=meta["id"],
        name=meta["name"],
        description=meta["description"],
        version=meta["version"],
        category=meta["category"],
        owner=build_owner(meta["owner"]),
        custom={},
        tags=(),
        deprecated=None,
        form=form,
    )


def build_item(doc: Document, form: Form | None = None) -> CatalogItem:
    """The item of a schema-valid document; with `form`, one whose own form is not read."""
    fulfillment = doc.data["fulfillment"]
    return CatalogItem(
        **_offering_fields(doc, form),
        mode=fulfillment["strategy"]["mode"],
        manual=build_actions(fulfillment.get("manual"), ("fulfillment", "manual")),
        automatic=build_actions(fulfillment.get("automatic"), ("fulfillment", "automatic")),
        day_two=build_day_two(fulfillment),
    )


def build_bundle(doc: Document) -> Bundle:
    orchestration = doc.data["fulfillment"]["orchestration"]
    linking = orchestration.get("jiraLinking") or {}
    components = tuple(
        Component(c["id"], c["catalogItem"], tuple(c.get("dependsOn") or ()), ("components", i))
        for i, c in enumerate(doc.data["components"])
    )
    return Bundle(
        **_offering_fields(doc),
        components=components,
        link_type=linking.get("linkType", ""),
        parent_ticket=bool(linking.get("parentTicket", False)),
    )


def build_request(doc: Document) -> Request:
    data = doc.data
    meta = data["metadata"]
    requester = meta["requester"]
    operations = data.get("operations") or {}
    is_item = "catalogItemId" in data
    return Request(
        doc=doc,
        id=meta["id"],
        requester=Requester(requester["email"], requester["name"], requester["team"]),
        target_id=data["catalogItemId"] if is_item else data["bundleId"],
        target_kind="CatalogItem" if is_item else "CatalogBundle",
        input=data["input"],
        priority=Priority(meta.get("priority", Priority.NORMAL)),
        description=meta.get("description", ""),
        operations=Operations(
            retry=int(operations.get("retry", 0)),
            abort=bool(operations.get("abort", False)),
            escalate=bool(operations.get("escalate", False)),
            upgrade=str(operations.get("upgrade", "")),
        ),
        decommission=str((data.get("decommission") or {}).get("reason", "")) or None
        if "decommission" in data
        else None,
    )


def build_categories(data: Mapping[str, Any]) -> list[Category]:
    return [
        Category(
            id=c["id"],
            id_prefix=c["idPrefix"],
            name=c.get("name", c["id"]),
            team=c["team"],
            contact=c.get("contact", ""),
            codeowners=tuple(c["codeowners"]),
            description=c["description"],
            path=("categories", i),
        )
        for i, c in enumerate(data["categories"])
    ]
