"""What a request turns into: its tasks, one per action of each component, in order.

A task's key is stable across runs; that is what makes `pac apply` exactly-once (SPEC §6.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pac.documents.action_types import either, runnable_names, ticket_names
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
    depends_on: tuple[str, ...] = ()

    def key(self, request_id: str) -> str:
        """Stable across runs: what makes `pac apply` exactly-once (SPEC §6.4)."""
        return f"{request_id}/{self.component}/{self.mode}/{self.index}"

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
    repo: Repository, offering: Offering, modes: Mapping[str, str] | None = None
) -> list[TaskSpec]:
    """The tasks of an item or a bundle, components in dependency order.

    `modes` overrides the strategy per component (escalation uses the manual actions).
    """
    modes = modes or {}
    if isinstance(offering, CatalogItem):
        mode = modes.get(offering.id, offering.mode)
        return [
            TaskSpec(offering.id, offering, mode, i, action)
            for i, action in enumerate(offering.actions(mode))
        ]
    assert isinstance(offering, Bundle)
    specs: list[TaskSpec] = []
    for component in offering.ordered_components():
        item = repo.item(component.catalog_item)
        if item is None:
            raise ExpandError(
                f"bundle {offering.id}: component {component.id} names "
                f"{component.catalog_item}, which is missing or has errors",
                f"Run `pac validate {offering.doc.display}`.",
            )
        mode = modes.get(component.id, item.mode)
        specs.extend(
            TaskSpec(component.id, item, mode, i, action, component.depends_on)
            for i, action in enumerate(item.actions(mode))
        )
    return specs
