"""Every task of a request rendered in order and sent nowhere: what `pac render` and
`pac plan` show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
        if action is not None and action.linked:
            for dependency in spec.depends_on:
                blocked_by.extend(tickets_of.get(dependency, []))
            tickets_of.setdefault(spec.component, []).append(key)
        tasks.append(PreviewTask(key, spec, rendered, blocked_by, link_type))
        outputs.update(preview_outputs(spec))
    return tasks
