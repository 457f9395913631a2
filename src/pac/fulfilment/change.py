"""What a request file asks of a request that is already under way (SPEC §6.6): a change of
its input, an upgrade to a newer item version, its decommission — and which components
act on it, or why pac must not.

`assess_change` reads the request file against its status and the catalog; `policy.decide`
turns the answer into a step, `revision.begin_revision` starts it, and the components that
act are derived again from the status alone, so a resumed revision runs what it began.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pac.documents.lifecycle import Operation
from pac.documents.model import Bundle, CatalogItem, Offering, Request
from pac.documents.repository import Repository
from pac.forms.changes import changed_paths, effective_input, immutable_changes
from pac.fulfilment.revision import input_digest
from pac.fulfilment.tasks import TaskSpec, expand
from pac.records.status import RequestStatus
from pac.validation.checks.reads import action_paths, reads


@dataclass(frozen=True)
class Change:
    """What the request file asks beyond what its status records.

    `operation` is None when it asks nothing new. `held` says why apply must not act on
    it (with the owning team and what to do instead); empty when it may.
    """

    operation: Operation | None = None
    effective: dict[str, Any] = field(default_factory=dict)
    changed: tuple[str, ...] = ()
    versions: dict[str, str] = field(default_factory=dict)  # what the revision records
    reason: str = ""
    held: str = ""
    owner: str = ""  # the offering's owning team, for messages

    @property
    def input_changed(self) -> bool:
        return bool(self.changed)


NO_CHANGE = Change()


def _items(repo: Repository, offering: Offering) -> list[tuple[str, CatalogItem]]:
    """(component id, item) of an item or a bundle, in declaration order."""
    if isinstance(offering, CatalogItem):
        return [(offering.id, offering)]
    assert isinstance(offering, Bundle)
    found = [(c.id, repo.item(c.catalog_item)) for c in offering.components]
    return [(cid, item) for cid, item in found if item is not None]


def _touches(read: frozenset[tuple[str, ...]], changed: tuple[str, ...]) -> bool:
    return any(reads(read, path) for path in changed)


@dataclass(frozen=True)
class Acting:
    """The components that act in a revision, and those that should but cannot."""

    components: tuple[str, ...]
    lacking: tuple[CatalogItem, ...]  # items that must act but have no actions for it


def acting(
    repo: Repository,
    offering: Offering,
    operation: Operation,
    changed: tuple[str, ...],
    before: Mapping[str, str],
    after: Mapping[str, str],
) -> Acting:
    """Who acts: in a change, components whose update templates read a changed path; in
    an upgrade, also those whose item version moved; in a decommission, every component
    with decommission actions."""
    components: list[str] = []
    lacking: list[CatalogItem] = []
    for component, item in _items(repo, offering):
        actions = item.actions_for(operation)
        if operation is Operation.DECOMMISSION:
            if actions:
                components.append(component)
            continue
        moved = operation is Operation.UPGRADE and before.get(item.id, item.version) != after.get(
            item.id, item.version
        )
        if actions and (moved or _touches(action_paths(repo, actions), changed)):
            components.append(component)
        elif not actions and (moved or _touches(action_paths(repo, item.actions()), changed)):
            lacking.append(item)
    if operation is Operation.DECOMMISSION and not components:
        lacking = [item for _, item in _items(repo, offering)]
    unique = {item.id: item for item in lacking}
    return Acting(tuple(components), tuple(unique.values()))


def revision_components(
    repo: Repository, offering: Offering, status: RequestStatus
) -> tuple[str, ...]:
    """The components acting in the status's current revision, from what it recorded."""
    before = status.revisions[-1].item_versions if status.revisions else status.item_versions
    found = acting(
        repo, offering, status.operation, tuple(status.changed_fields), before, status.item_versions
    )
    return found.components


def _changed(offering: Offering, status: RequestStatus, request: Request) -> tuple[str, ...]:
    """The changed paths; for a status from before inputs were recorded, every field when
    its digest says the input changed (which fields is not known)."""
    if status.input:
        return tuple(changed_paths(offering.form, status.input, request.input))
    if not status.input_digest or status.input_digest == input_digest(request):
        return ()
    return tuple(f"{g.id}.{f.id}" for g, f in offering.form.fields())


def assess_change(
    repo: Repository, offering: Offering, status: RequestStatus, request: Request
) -> Change:
    """What `request` asks of the request `status` records, and whether pac may do it."""
    owner = offering.owner.describe()
    effective = effective_input(offering.form, request.input)
    changed = _changed(offering, status, request)
    base = Change(effective=effective, changed=changed, owner=owner)
    if request.decommission is not None:
        return _decommission(repo, offering, status, base, request.decommission)
    upgraded, problem = _upgrade(repo, offering, status, request)
    if problem:
        return _replace(base, Operation.UPGRADE, held=problem)
    if not upgraded and not changed:
        return base
    operation = Operation.UPGRADE if upgraded else Operation.UPDATE
    versions = dict(status.item_versions) | upgraded
    return _checked(repo, offering, status, _replace(base, operation, versions=versions))


def _replace(base: Change, operation: Operation, **kw: Any) -> Change:
    values: dict[str, Any] = {
        "operation": operation,
        "effective": base.effective,
        "changed": base.changed,
        "versions": base.versions,
        "reason": base.reason,
        "held": base.held,
        "owner": base.owner,
    }
    return Change(**(values | kw))


def _decommission(
    repo: Repository, offering: Offering, status: RequestStatus, base: Change, reason: str
) -> Change:
    change = _replace(
        base, Operation.DECOMMISSION, reason=reason, versions=dict(status.item_versions)
    )
    if base.changed:
        return _replace(
            change,
            Operation.DECOMMISSION,
            held=f"the request file asks to decommission the request and changes its input "
            f"({', '.join(base.changed)}) at once. Undo the input change and keep only "
            f"`decommission:`; ask {base.owner} if in doubt.",
        )
    found = acting(repo, offering, Operation.DECOMMISSION, (), {}, {})
    if found.lacking:
        return _replace(change, Operation.DECOMMISSION, held=_lacking(found, "decommission"))
    versions = dict(status.item_versions)
    for component, item in _items(repo, offering):
        if component in found.components:
            versions[item.id] = item.version
    return _replace(change, Operation.DECOMMISSION, versions=versions)


def _upgrade(
    repo: Repository, offering: Offering, status: RequestStatus, request: Request
) -> tuple[dict[str, str], str]:
    """The items an `operations.upgrade` moves (id -> catalog version), or why it cannot."""
    wanted = request.operations.upgrade
    if not wanted:
        return {}, ""
    items = [item for _, item in _items(repo, offering)]
    outdated = [i for i in items if status.item_versions.get(i.id, i.version) != i.version]
    moving = {i.id: i.version for i in outdated if i.version == wanted}
    if moving or not outdated or wanted in status.item_versions.values():
        return moving, ""
    have = ", ".join(f"{i.id} {i.version}" for i in outdated)
    owners = ", ".join(dict.fromkeys(i.owner.describe() for i in outdated))
    return {}, (
        f"operations.upgrade asks for version {wanted}, which the catalog does not have "
        f"(it has {have}). Set operations.upgrade to a version the catalog has, or remove it; "
        f"ask {owners} which version to use."
    )


def _checked(repo: Repository, offering: Offering, status: RequestStatus, change: Change) -> Change:
    """A change or upgrade with what refuses it: an immutable field, no update actions."""
    assert change.operation is not None
    fixed = immutable_changes(offering.form, list(change.changed)) if status.input else []
    if fixed:
        names = ", ".join(path for path, _ in fixed)
        return _replace(
            change,
            change.operation,
            held=f"{names} cannot change once the request is fulfilled (immutable). "
            "Decommission this request and request anew, or undo the change; "
            f"ask {change.owner} if you need it changed in place.",
        )
    found = acting(
        repo, offering, change.operation, change.changed, status.item_versions, change.versions
    )
    if found.lacking:
        return _replace(change, change.operation, held=_lacking(found, "update"))
    versions = dict(change.versions)
    for component, item in _items(repo, offering):
        if component in found.components:
            versions[item.id] = item.version
    return _replace(change, change.operation, versions=versions)


def _lacking(found: Acting, listed: str) -> str:
    what = "change" if listed == "update" else "decommission"
    return "; ".join(
        f"{item.id} has no `{listed}` actions, so pac cannot {what} what it made: ask "
        f"{item.owner.describe()} to add them (or to handle it by hand)"
        for item in found.lacking
    ) + (". Until then, undo the change in the request file." if listed == "update" else ".")


def revision_tasks(
    repo: Repository,
    offering: Offering,
    status: RequestStatus,
    modes: Mapping[str, str] | None = None,
) -> list[TaskSpec]:
    """The tasks of the status's current revision: the create's, or those of the
    components acting in a later one, from its action list."""
    if not status.revision:
        return expand(repo, offering, modes)
    return expand(
        repo,
        offering,
        modes,
        operation=status.operation,
        revision=status.revision,
        components=revision_components(repo, offering, status),
    )
