"""What a request turns into: its tasks, one per action of each component, in order.

A task's key is stable across runs; that is what makes `pac apply` exactly-once (SPEC §6.4).
Each revision (SPEC §6.6) has its own tasks: the create's keep the keys they always had,
later revisions' name their revision and action list, so each is done once per revision.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from pac.documents.action_types import either, runnable_names, ticket_names
from pac.documents.lifecycle import Operation
from pac.documents.loader import path_text
from pac.documents.model import Action, Bundle, CatalogItem, Offering
from pac.documents.repository import Repository
from pac.errors import PacError


@dataclass(frozen=True)
class TaskSpec:
    """One action of one component, in execution order."""

    component: str  # the component id in a bundle; the item id for a single item
    item: CatalogItem
    mode: str  # which of the item's strategies the action comes from
    index: int
    action: Action
    # In a decommission these are the components that depend on this one: their tickets
    # come first and block its ticket (SPEC §6.6).
    depends_on: tuple[str, ...] = ()
    revision: int = 0
    operation: Operation = Operation.CREATE

    def key(self, request_id: str) -> str:
        """Stable across runs: what makes `pac apply` exactly-once (SPEC §6.4).

        Revision 0 keeps the keys statuses and ticket labels have always had."""
        if not self.revision:
            return f"{request_id}/{self.component}/{self.mode}/{self.index}"
        listed = self.operation.action_list
        return f"{request_id}/r{self.revision}/{self.component}/{self.mode}/{listed}/{self.index}"

    @property
    def where(self) -> str:
        return f"{self.item.doc.display} {path_text(self.action.path)}"


def unsupported_hint(spec: TaskSpec) -> str:
    """What to do about an action type pac does not run yet, from where it sits."""
    owner = spec.item.owner.describe()
    if spec.mode == "manual":
        # Escalating runs the manual actions again: it would fail at the same step.
        return (
            f"It is one of {spec.item.id}'s manual actions, which an escalation runs too, so "
            f"escalating does not help. The owning team, {owner}, must change the item's "
            f"manual actions to {either(ticket_names())}; ask them, then retry the request."
        )
    if spec.item.manual and all(a.implemented for a in spec.item.manual):
        return (
            f"Ask the owning team, {owner}, to use {either(runnable_names())} actions, or "
            "escalate the request to the item's manual tickets (operations.escalate: true)."
        )
    return (
        f"Ask the owning team, {owner}, to use {either(runnable_names())} actions; then retry "
        "the request."
    )


class ExpandError(PacError):
    exit_code = 1


def expand(
    repo: Repository,
    offering: Offering,
    modes: Mapping[str, str] | None = None,
    *,
    operation: Operation = Operation.CREATE,
    revision: int = 0,
    components: Collection[str] | None = None,
) -> list[TaskSpec]:
    """The tasks of an item or a bundle for one revision, components in dependency order
    (reverse dependency order for a decommission).

    `modes` overrides the strategy per component (escalation uses the manual actions);
    `components` limits a revision to the components that act in it (None: all).
    """
    modes = modes or {}
    specs: list[TaskSpec] = []
    for component_id, item, depends_on in _components(repo, offering, operation):
        if components is not None and component_id not in components:
            continue
        mode = modes.get(component_id, item.mode)
        specs.extend(
            TaskSpec(component_id, item, mode, i, action, depends_on, revision, operation)
            for i, action in enumerate(item.actions_for(operation, mode))
        )
    return specs


def _components(
    repo: Repository, offering: Offering, operation: Operation
) -> list[tuple[str, CatalogItem, tuple[str, ...]]]:
    """(component id, item, what its tickets are blocked by), in the order they run."""
    if isinstance(offering, CatalogItem):
        return [(offering.id, offering, ())]
    assert isinstance(offering, Bundle)
    ordered = offering.ordered_components()
    out: list[tuple[str, CatalogItem, tuple[str, ...]]] = []
    for component in ordered:
        item = repo.item(component.catalog_item)
        if item is None:
            raise ExpandError(
                f"bundle {offering.id}: component {component.id} names "
                f"{component.catalog_item}, which is missing or has errors",
                f"Run `pac validate {offering.doc.display}`.",
            )
        out.append((component.id, item, component.depends_on))
    if operation is not Operation.DECOMMISSION:
        return out
    # The app goes before the database: a dependency's ticket is blocked by its dependents'.
    dependents = {c.id: tuple(d.id for d in ordered if c.id in d.depends_on) for c in ordered}
    return [(cid, item, dependents[cid]) for cid, item, _ in reversed(out)]
