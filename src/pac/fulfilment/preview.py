"""Every task of a request rendered in order and sent nowhere: what `pac render` and
`pac plan` show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pac.documents.model import Bundle, Offering
from pac.documents.repository import Repository
from pac.fulfilment.actions import action_for
from pac.fulfilment.actions.base import Rendered, as_compares
from pac.fulfilment.rendering import preview_outputs, renderer_for
from pac.fulfilment.tasks import TaskSpec, expand
from pac.templating.namespaces import SystemValues


@dataclass
class PreviewTask:
    """A task as `pac render` and `pac plan` show it: nothing is sent."""

    key: str
    spec: TaskSpec
    rendered: Rendered
    blocked_by: list[str]
    link_type: str
    # The components whose tickets an automated step waits for (SPEC §4.4): its own
    # component's earlier ticket and those of every component it depends on.
    waits_for: list[str] = field(default_factory=list)

    @property
    def waiting_words(self) -> str:
        """`the database's ticket to be resolved`, or "" when it waits for nothing."""
        if not self.waits_for:
            return ""
        owners = [f"the {c}'s" for c in self.waits_for]
        joined = owners[0] if len(owners) == 1 else ", ".join(owners[:-1]) + " and " + owners[-1]
        return f"{joined} ticket{'s' if len(owners) > 1 else ''} to be resolved"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "component": self.spec.component,
            "catalogItem": self.spec.item.id,
            "strategy": self.spec.mode,
            "actionIndex": self.spec.index,
            "action": self.spec.action.type,
            "label": self.spec.action.label(),
            "owner": {
                "team": self.spec.item.owner.team,
                "contact": self.spec.item.owner.contact,
            },
            "blockedBy": list(self.blocked_by),
            "linkType": self.link_type if self.blocked_by else "",
            "waitsFor": [f"{c} ticket" for c in self.waits_for],
            self.rendered.kind: self.rendered.as_dict(),
            "outputs": dict(self.spec.action.outputs),
        }


def preview(
    repo: Repository,
    offering: Offering,
    values: Mapping[str, Any],
    system: SystemValues,
    link_type: str,
    modes: Mapping[str, str] | None = None,
    *,
    specs: list[TaskSpec] | None = None,
    previous: Mapping[str, Any] | None = None,
    recorded: Mapping[str, Any] | None = None,
) -> list[PreviewTask]:
    """Every task rendered in execution order, with stand-ins for outputs.

    A later revision passes its own `specs`, `.previous`, and the outputs earlier
    revisions `recorded` (which `.output` starts from)."""
    renderer = renderer_for(repo, offering, values, system, previous=previous)
    specs = expand(repo, offering, modes) if specs is None else specs
    tickets_of: dict[str, list[str]] = {}
    outputs: dict[str, Any] = dict(recorded or {})
    tasks = []
    if isinstance(offering, Bundle) and offering.link_type:
        link_type = offering.link_type
    for spec in specs:
        key = spec.key(system.request_id)
        rendered = renderer.render_action(spec, outputs)
        blocked_by: list[str] = []
        action = action_for(spec.action.type)
        compares = as_compares(action)
        if compares is not None:
            author = (repo.config.commit_name, repo.config.commit_email)
            compares.compare(rendered, repo.root, author)
        waits: list[str] = []
        if action is not None and action.linked:
            for dependency in spec.depends_on:
                blocked_by.extend(tickets_of.get(dependency, []))
            tickets_of.setdefault(spec.component, []).append(key)
        else:
            waits = _ticket_components(spec, tickets_of, specs)
        tasks.append(PreviewTask(key, spec, rendered, blocked_by, link_type, waits))
        outputs.update(preview_outputs(spec))
    return tasks


def _ticket_components(
    spec: TaskSpec, tickets_of: Mapping[str, list[str]], specs: list[TaskSpec]
) -> list[str]:
    """The components with a ticket before `spec` that it depends on, itself included,
    transitively: an automated step waits for those tickets to be resolved."""
    depends = {s.component: s.depends_on for s in specs}
    seen: list[str] = []
    todo = [spec.component]
    while todo:
        component = todo.pop(0)
        if component not in seen:
            seen.append(component)
            todo += depends.get(component, ())
    return [c for c in seen if tickets_of.get(c)]
