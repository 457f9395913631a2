"""Rendering a task's action with the request's namespaces (SPEC §5), for show or for real.

`Renderer` holds one request's `.current`, `.metadata` and `.system` values; each action
type (`pac.fulfilment.actions`) renders its own fields through it. Used alike by `pac render`
(a preview), `pac plan` (for review) and `pac apply` (for real), so what reviewers approve is
exactly what is sent.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from pac.documents.loader import Document, JsonPath, path_text
from pac.documents.model import Bundle, Offering
from pac.documents.repository import Repository
from pac.errors import PacError
from pac.fulfilment.actions import action_for
from pac.fulfilment.actions.base import Rendered
from pac.fulfilment.tasks import TaskSpec, unsupported_hint
from pac.templating.encoders import Target
from pac.templating.engine import render
from pac.templating.errors import TemplateError
from pac.templating.namespaces import (
    SecretLookup,
    SystemValues,
    current_values,
    environment_secrets,
    metadata_scope,
)
from pac.templating.values import Placeholder


class RenderError(PacError):
    """A template failed for a request: says which document, field and line, and why."""

    exit_code = 1

    def __init__(
        self, message: str, hint: str, display: str = "", line: int = 0, column: int = 0
    ) -> None:
        super().__init__(message, hint)
        self.display = display
        self.line = line
        self.column = column


@dataclass
class Renderer:
    """Renders the actions of one request, with its namespaces."""

    repo: Repository
    current: Mapping[str, Any]
    metadata: Mapping[str, Any]
    system: Mapping[str, Any]
    reveal: bool = False
    lookup: SecretLookup = environment_secrets
    # `.previous`: the input as the last fulfilled revision had it; empty on create.
    previous: Mapping[str, Any] = field(default_factory=dict)

    def namespaces(
        self, outputs: Mapping[str, Any], response: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        spaces: dict[str, Any] = {
            "current": self.current,
            "output": outputs,
            "metadata": self.metadata,
            "previous": self.previous,
            "system": self.system,
        }
        if response is not None:
            spaces["response"] = response
        return spaces

    def render_text(
        self,
        spec: TaskSpec,
        path: JsonPath,
        source: Any,
        target: Target,
        spaces: Mapping[str, Any],
        *,
        reveal: bool | None = None,
        document: Document | None = None,
        display: str = "",
    ) -> str:
        if not isinstance(source, str):
            return "" if source is None else str(source)
        try:
            return render(source, spaces, target, reveal=self.reveal if reveal is None else reveal)
        except TemplateError as exc:
            doc = document or spec.item.doc
            where = display or doc.display
            if document is None and display:
                line, column = exc.line or 1, exc.column + 1
            elif exc.line:
                position = doc.position_in_scalar(path, exc.line, exc.column)
                line, column = position.line, position.column
            else:
                position = doc.position(path)
                line, column = position.line, position.column
            field_name = display or path_text(path)
            raise RenderError(
                f"{where}:{line}:{column}: {field_name}: {exc.message}",
                f"{exc.hint} Owner of this template: {spec.item.owner.describe()}.".strip(),
                where,
                line,
                column,
            ) from exc

    def render_action(self, spec: TaskSpec, outputs: Mapping[str, Any]) -> Rendered:
        """The task's action, final."""
        action = action_for(spec.action.type)
        if action is not None:
            return action.render(self, spec, self.namespaces(outputs))
        raise RenderError(
            f"{spec.where}: {spec.action.type} actions are not yet supported",
            unsupported_hint(spec),
            spec.item.doc.display,
        )

    def fail(self, spec: TaskSpec, path: JsonPath, message: str, hint: str) -> NoReturn:
        position = spec.item.doc.position(path)
        display = spec.item.doc.display
        raise RenderError(
            f"{display}:{position.line}:{position.column}: {path_text(path)}: {message}",
            f"{hint} Owner of this template: {spec.item.owner.describe()}.",
            display,
            position.line,
            position.column,
        )

    def render_outputs(
        self,
        spec: TaskSpec,
        outputs: Mapping[str, Any],
        response: Mapping[str, Any],
        only: Collection[str] | None = None,
    ) -> dict[str, str]:
        """Evaluate an action's `outputs` over its `.response` (never revealing secrets);
        `only` those named (a ticket's before its team resolved it)."""
        spaces = self.namespaces(outputs, response)
        return {
            key: self.render_text(
                spec,
                (*spec.action.path, "outputs", key),
                source,
                Target.TEXT,
                spaces,
                reveal=False,
            )
            for key, source in spec.action.outputs.items()
            if only is None or key in only
        }


def preview_outputs(spec: TaskSpec) -> dict[str, str]:
    """Stand-ins for outputs nobody has produced yet, shown in previews and plans."""
    return {key: Placeholder(f"<{key} from {spec.component}>") for key in spec.action.outputs}


def renderer_for(
    repo: Repository,
    offering: Offering,
    values: Mapping[str, Any],
    system: SystemValues,
    *,
    reveal: bool = False,
    lookup: SecretLookup = environment_secrets,
    previous: Mapping[str, Any] | None = None,
) -> Renderer:
    """A renderer with the namespaces of one request for `offering`; `previous` is the
    input of the last fulfilled revision, shaped like `.current` (SPEC §5)."""
    items: dict[str, Offering] = {}
    if isinstance(offering, Bundle):
        for component in offering.components:
            item = repo.item(component.catalog_item)
            if item is not None:
                items[item.id] = item
    return Renderer(
        repo=repo,
        current=current_values(offering.form, values, lookup),
        metadata=metadata_scope(offering, items),
        system=system.as_namespace(lookup),
        reveal=reveal,
        lookup=lookup,
        previous=current_values(offering.form, previous, lookup) if previous else {},
    )
