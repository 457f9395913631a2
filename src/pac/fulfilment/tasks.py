"""What a request turns into: ordered tasks, and each task's action rendered.

Used alike by `pac render` (a preview), `pac plan` (for review) and `pac apply` (for real),
so what reviewers approve is exactly what is sent.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlsplit

from pac.documents.layout import JIRA_TEMPLATES, jira_template
from pac.documents.loader import Document, JsonPath, path_text
from pac.documents.model import Action, Bundle, CatalogItem, Offering
from pac.documents.repository import Repository
from pac.errors import PacError
from pac.templating.encoders import LINE_BREAKS, SUMMARY_LIMIT, Target
from pac.templating.engine import render
from pac.templating.errors import TemplateError
from pac.templating.namespaces import (
    SecretLookup,
    SystemValues,
    current_values,
    environment_secrets,
    metadata_scope,
)
from pac.templating.values import MASK, Placeholder, Secret

PRIORITIES = ("Critical", "High", "Medium", "Low")
DEFAULT_PRIORITY = "Medium"
DEFAULT_TIMEOUT = 30.0


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
            "manual actions to jira-ticket; ask them, then retry the request."
        )
    if spec.item.manual and all(a.implemented for a in spec.item.manual):
        return (
            f"Ask the owning team, {owner}, to use jira-ticket or rest-api actions, or "
            "escalate the request to the item's manual tickets (operations.escalate: true)."
        )
    return (
        f"Ask the owning team, {owner}, to use jira-ticket or rest-api actions; then retry "
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


# --- rendered actions --------------------------------------------------------------------


@dataclass
class RenderedTicket:
    project: str
    issue_type: str
    summary: str
    description: str = ""
    priority: str = DEFAULT_PRIORITY
    labels: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    epic_key: str = ""
    assignee: str = ""
    custom_fields: dict[str, str] = field(default_factory=dict)
    # The same values unescaped: what a typed JIRA field (number, option, user, date) takes,
    # since wiki-markup escaping is only right for text fields.
    custom_values: dict[str, str] = field(default_factory=dict)

    kind = "jira-ticket"

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "issueType": self.issue_type,
            "summary": self.summary,
            "description": self.description,
            "priority": self.priority,
            "labels": list(self.labels),
            "components": list(self.components),
            "epicKey": self.epic_key,
            "assignee": self.assignee,
            "customFields": dict(self.custom_fields),
        }


@dataclass
class RenderedCall:
    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    body_type: str
    timeout: float
    retry_attempts: int
    backoff: str
    retry_delay: float
    authentication: str  # "" or bearer/basic/api-key

    kind = "rest-api"

    def as_dict(self) -> dict[str, Any]:
        body: Any = self.body
        if self.body is not None and self.body_type == "json":
            body = json.loads(self.body)
        return {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "bodyType": self.body_type,
            "body": body,
            "timeout": self.timeout,
            "retry": {
                "attempts": self.retry_attempts,
                "backoff": self.backoff,
                "delaySeconds": self.retry_delay,
            },
            "authentication": self.authentication,
        }


Rendered = RenderedTicket | RenderedCall


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

    def namespaces(
        self, outputs: Mapping[str, Any], response: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        spaces: dict[str, Any] = {
            "current": self.current,
            "output": outputs,
            "metadata": self.metadata,
            "system": self.system,
        }
        if response is not None:
            spaces["response"] = response
        return spaces

    def _render(
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
        spaces = self.namespaces(outputs)
        if spec.action.type == "jira-ticket":
            return self._ticket(spec, spaces)
        if spec.action.type == "rest-api":
            return self._call(spec, spaces)
        raise RenderError(
            f"{spec.where}: {spec.action.type} actions are not yet supported",
            unsupported_hint(spec),
            spec.item.doc.display,
        )

    def _ticket(self, spec: TaskSpec, spaces: Mapping[str, Any]) -> RenderedTicket:
        ticket: Mapping[str, Any] = spec.action.config["ticket"]
        base: JsonPath = (*spec.action.path, "config", "ticket")

        def text(key: str, target: Target = Target.TEXT) -> str:
            return self._render(spec, (*base, key), ticket.get(key), target, spaces, reveal=False)

        summary = text("summaryTemplate", Target.SUMMARY).strip()
        if LINE_BREAKS.search(summary):
            self._fail(
                spec,
                (*base, "summaryTemplate"),
                "the summary template renders more than one line",
                "A summary is one line: write the template on one line (a YAML `>-` "
                "block folds lines into one), and put the rest in the description.",
            )
        if not summary:
            self._fail(
                spec,
                (*base, "summaryTemplate"),
                "the ticket summary is empty",
                "Make the summary template produce text even when optional fields are empty.",
            )
        if len(summary) > SUMMARY_LIMIT:
            self._fail(
                spec,
                (*base, "summaryTemplate"),
                f"the ticket summary is {len(summary)} characters; JIRA allows {SUMMARY_LIMIT}",
                "Shorten the summary template, or move long values into the description; "
                "pac never cuts a summary silently.",
            )
        description = text("descriptionTemplate", Target.JIRA)
        file_name = ticket.get("descriptionTemplateFile")
        if isinstance(file_name, str):
            description = self._description_file(spec, base, file_name, spaces)
        priority = text("priority").strip() or DEFAULT_PRIORITY
        if priority not in PRIORITIES:
            self._fail(
                spec,
                (*base, "priority"),
                f"the priority rendered as {priority!r}",
                f"Priorities are {', '.join(PRIORITIES)}.",
            )
        labels: list[str] = []
        for i, raw in enumerate(ticket.get("labels") or []):
            label = self._render(
                spec, (*base, "labels", i), raw, Target.LABEL, spaces, reveal=False
            )
            if len(label) > SUMMARY_LIMIT:
                self._fail(
                    spec,
                    (*base, "labels", i),
                    f"a label rendered as {len(label)} characters; JIRA allows {SUMMARY_LIMIT}",
                    "Labels are short tags: make one from a short field, and put long text "
                    "in the description.",
                )
            if label:
                labels.append(label)
        components = [
            self._render(
                spec, (*base, "components", i), raw, Target.JIRA_NAME, spaces, reveal=False
            )
            for i, raw in enumerate(ticket.get("components") or [])
        ]
        custom = {
            key: self._render(
                spec, (*base, "customFields", key), raw, Target.JIRA_FIELD, spaces, reveal=False
            )
            for key, raw in (ticket.get("customFields") or {}).items()
        }
        values = {
            key: self._render(
                spec, (*base, "customFields", key), raw, Target.TEXT, spaces, reveal=False
            )
            for key, raw in (ticket.get("customFields") or {}).items()
        }
        return RenderedTicket(
            project=str(ticket["project"]),
            issue_type=str(ticket["issueType"]),
            summary=summary,
            description=description,
            priority=priority,
            labels=labels,
            components=[c for c in components if c],
            epic_key=text("epicKey"),  # a constant issue key (the schema says so)
            assignee=text("assignee", Target.JIRA_ID),
            custom_fields=custom,
            custom_values=values,
        )

    def _description_file(
        self, spec: TaskSpec, base: JsonPath, name: str, spaces: Mapping[str, Any]
    ) -> str:
        display = f"{JIRA_TEMPLATES}/{name}"
        if jira_template(self.repo.root, name) is None:
            self._fail(
                spec,
                (*base, "descriptionTemplateFile"),
                f"the description template {name} is outside {JIRA_TEMPLATES}/",
                f"Name a file inside {JIRA_TEMPLATES}/; pac reads no other files into tickets.",
            )
        source = self.repo.memo(("jira-template", name), lambda: _read(self.repo, display))
        if source is None:
            self._fail(
                spec,
                (*base, "descriptionTemplateFile"),
                f"the description template {display} does not exist",
                "Create it or correct descriptionTemplateFile.",
            )
        return self._render(
            spec,
            (*base, "descriptionTemplateFile"),
            source,
            Target.JIRA,
            spaces,
            reveal=False,
            display=display,
        )

    def _call(self, spec: TaskSpec, spaces: Mapping[str, Any]) -> RenderedCall:
        config: Mapping[str, Any] = spec.action.config
        base: JsonPath = (*spec.action.path, "config")
        endpoint = config["endpoint"]
        url = self._render(spec, (*base, "endpoint", "url"), endpoint["url"], Target.URL, spaces)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self._fail(
                spec,
                (*base, "endpoint", "url"),
                f"the URL rendered as {url!r}, which is not an absolute http(s) URL",
                "Write the scheme and host in the template itself (https://host/path/"
                "{{ … }}): every value inserted into a URL is percent-encoded, so a value "
                "cannot supply the scheme, the host or slashes.",
            )
        headers = {
            name: self._render(spec, (*base, "headers", name), value, Target.HEADER, spaces)
            for name, value in (config.get("headers") or {}).items()
        }
        body: str | None = None
        body_config = config.get("body")
        body_type = ""
        if body_config:
            body_type = body_config["type"]
            target = {"json": Target.JSON, "form": Target.FORM}.get(body_type, Target.TEXT)
            body_path = (*base, "body", "contentTemplate")
            body = self._render(spec, body_path, body_config["contentTemplate"], target, spaces)
            if body_type == "json":
                try:
                    json.loads(body, parse_constant=_not_json)
                except ValueError as exc:
                    self._fail(
                        spec,
                        body_path,
                        f"the body is not valid JSON after rendering ({exc})",
                        "Check the template's own JSON: commas, braces and quotes. Values are "
                        "encoded by pac; do not add quotes around numbers, lists or booleans.",
                    )
            headers.setdefault(
                "Content-Type",
                {
                    "json": "application/json",
                    "form": "application/x-www-form-urlencoded",
                }.get(body_type, "text/plain; charset=utf-8"),
            )
        auth = config.get("authentication") or {}
        if auth:
            headers.update(self._auth_headers(spec, auth))
        retry = config.get("retry") or {}
        return RenderedCall(
            method=str(endpoint["method"]),
            url=url,
            headers=headers,
            body=body,
            body_type=body_type,
            timeout=float(config.get("timeout", DEFAULT_TIMEOUT)),
            retry_attempts=int(retry.get("attempts", 0)),
            backoff=str(retry.get("backoff", "exponential")),
            retry_delay=float(retry.get("delaySeconds", 1.0)),
            authentication=str(auth.get("type", "")),
        )

    def _auth_headers(self, spec: TaskSpec, auth: Mapping[str, Any]) -> dict[str, str]:
        def secret(key: str) -> str:
            ref = auth[key]["secretRef"]
            if not self.reveal:
                return MASK
            try:
                return Secret(ref, self.lookup).reveal()
            except TemplateError as exc:
                self._fail(
                    spec,
                    (*spec.action.path, "config", "authentication", key),
                    exc.message,
                    exc.hint,
                )

        kind = auth["type"]
        if kind == "bearer":
            return {"Authorization": f"Bearer {secret('token')}"}
        if kind == "basic":
            password = secret("password")
            if not self.reveal:
                return {"Authorization": f"Basic {MASK}"}
            pair = f"{auth['username']}:{password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        return {str(auth["header"]): secret("key")}

    def _fail(self, spec: TaskSpec, path: JsonPath, message: str, hint: str) -> NoReturn:
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
    ) -> dict[str, str]:
        """Evaluate an action's `outputs` over its `.response` (never revealing secrets)."""
        spaces = self.namespaces(outputs, response)
        return {
            key: self._render(
                spec,
                (*spec.action.path, "outputs", key),
                source,
                Target.TEXT,
                spaces,
                reveal=False,
            )
            for key, source in spec.action.outputs.items()
        }


def _not_json(name: str) -> Any:
    # Python's reader accepts NaN and Infinity; JSON, and so the receiving API, does not.
    raise ValueError(f"{name} is not a JSON value")


def _read(repo: Repository, display: str) -> str | None:
    path = repo.root / display
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


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
) -> Renderer:
    """A renderer with the namespaces of one request for `offering`."""
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
    )


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
) -> list[PreviewTask]:
    """Every task rendered in execution order, with stand-ins for outputs."""
    renderer = renderer_for(repo, offering, values, system)
    specs = expand(repo, offering, modes)
    tickets_of: dict[str, list[str]] = {}
    outputs: dict[str, Any] = {}
    tasks = []
    if isinstance(offering, Bundle) and offering.link_type:
        link_type = offering.link_type
    for spec in specs:
        key = spec.key(system.request_id)
        rendered = renderer.render_action(spec, outputs)
        blocked_by: list[str] = []
        if isinstance(rendered, RenderedTicket):
            for dependency in spec.depends_on:
                blocked_by.extend(tickets_of.get(dependency, []))
            tickets_of.setdefault(spec.component, []).append(key)
        tasks.append(PreviewTask(key, spec, rendered, blocked_by, link_type))
        outputs.update(preview_outputs(spec))
    return tasks
