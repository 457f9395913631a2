"""An offering as a Backstage Software Template (`scaffolder.backstage.io/v1beta3`): its
form as parameter pages, and steps that write the request file and open a pull request.

The parameters are `form_schema` — the schema `pac validate` checks request input with —
cut into pages (the request's own details, then one page per group) with the `ui:` hints
of `ui_schema` folded in, as Backstage reads them. Catalog text appears only in schema
titles and descriptions, which Backstage never templates; the nunjucks the scaffolder does
run (step inputs, the request file) holds ids and `values` passed through `dump`, so a
value is JSON — YAML data — whatever it holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pac.documents.layout import REQUESTS
from pac.documents.model import Offering
from pac.forms.schema import EMAIL_PATTERN, form_schema, ui_schema

if TYPE_CHECKING:
    from pac.authoring.backstage import Publishing

API_VERSION = "scaffolder.backstage.io/v1beta3"
CONTENT = "request"  # the fetch:template folder beside template.yaml
KEBAB = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
# The request's own details are parameters too. Their keys hold "_", which no group id
# (camelCase) and not `name` can: they never collide with the form's.
REQUEST_ID, EMAIL, REQUESTER, TEAM = "pac_id", "pac_email", "pac_requester", "pac_team"
# Characters JSON leaves as they are but a YAML 1.1 reader (libyaml, as pac reads) takes
# for line breaks or refuses: escaped after `dump`, so the value arrives unchanged.
_UNSAFE_FOR_YAML = ["\x7f", *map(chr, range(0x80, 0xA0)), "\u2028", "\u2029", "\ufeff"]


@dataclass(frozen=True)
class TemplateFiles:
    entity: dict[str, Any]
    content: dict[str, str]  # the fetch:template folder's files, by path beside template.yaml


def _with_ui(schema: dict[str, Any], ui: dict[str, Any]) -> dict[str, Any]:
    """`schema` with the `ui:` keys of `ui` inside it, where Backstage looks for them."""
    merged = dict(schema)
    properties = dict(merged.get("properties", {}))
    for key, value in ui.items():
        if key.startswith("ui:"):
            merged[key] = value
        elif key in properties and isinstance(value, dict):
            properties[key] = _with_ui(properties[key], value)
    if properties:
        merged["properties"] = properties
    if merged.get("ui:help") == merged.get("description"):
        merged.pop("ui:help", None)  # said once, under the title
    if merged.get("ui:options", {}).get("pacFieldType") == "file":
        # A path in the repository, not an upload: rjsf's file widget sends the content.
        merged["ui:widget"] = "text"
    return merged


def _request_page(name_schema: dict[str, Any]) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1, "maxLength": 200}
    return {
        "title": "Request",
        "description": "Who asks, and the id of the request file (requests/<team>/<id>.yaml).",
        "required": [REQUEST_ID, EMAIL, REQUESTER, TEAM, "name"],
        "properties": {
            REQUEST_ID: {
                "type": "string",
                "title": "Request id",
                "pattern": KEBAB,
                "maxLength": 63,
                "ui:help": "Lower-case words joined by hyphens, unique: payments-db.",
            },
            EMAIL: {"type": "string", "title": "Your email", "pattern": EMAIL_PATTERN},
            REQUESTER: {**text, "title": "Your name"},
            TEAM: {
                "type": "string",
                "title": "Your team",
                "pattern": KEBAB,
                "maxLength": 63,
                "ui:help": "The team id that owns the request, e.g. payments.",
            },
            "name": name_schema,
        },
        "ui:order": [REQUEST_ID, "name", EMAIL, REQUESTER, TEAM],
    }


def parameters(offering: Offering) -> list[dict[str, Any]]:
    """The template's parameter pages: the request's details and `name`, then a page per group."""
    schema = form_schema(offering.form)
    ui = ui_schema(offering.form)
    properties = schema["properties"]
    pages = [_request_page(_with_ui(properties["name"], ui.get("name", {})))]
    for group in offering.form.groups:
        group_schema = _with_ui(properties[group.id], ui.get(group.id, {}))
        page: dict[str, Any] = {"title": group.name, "properties": {group.id: group_schema}}
        if group.description:
            page["description"] = group.description
        if group.id in schema["required"]:
            page["required"] = [group.id]
        pages.append(page)
    return pages


# A macro, defined once per file, printing a value as JSON safe for any YAML reader.
_MACRO = (
    "{% macro yaml(value) %}${{ value | dump"
    + "".join(f' | replace("{c}", "\\\\u{ord(c):04x}")' for c in _UNSAFE_FOR_YAML)
    + " }}{% endmacro %}"
)


def _safe_dump(expression: str) -> str:
    return "${{ yaml(" + expression + ") }}"


def request_file(offering: Offering) -> str:
    """The request file as the scaffolder renders it from the step's `values`."""
    target = "bundleId" if offering.kind == "CatalogBundle" else "catalogItemId"
    lines = [
        "# Filed from Backstage with the pac Software Template "
        + json.dumps(offering.id)
        + ". Checked by pac validate on the pull request."
        + _MACRO,
        "schemaVersion: catalog/v1",
        "kind: Request",
        "metadata:",
        f"  id: {_safe_dump('values.id')}",
        "  requester:",
        f"    email: {_safe_dump('values.email')}",
        f"    name: {_safe_dump('values.requester')}",
        f"    team: {_safe_dump('values.team')}",
        f"{target}: {json.dumps(offering.id)}",
        "input:",
        f"  name: {_safe_dump('values.input.name')}",
    ]
    text = "\n".join(lines)
    for group in offering.form.groups:
        key = json.dumps(group.id)
        # A page left empty sends nothing; the file then leaves the group out, as pac
        # request new does, and pac fills in its defaults.
        text += (
            f"{{% if values.input[{key}] is defined %}}\n"
            f"  {group.id}: {_safe_dump(f'values.input[{key}]')}{{% endif %}}"
        )
    return text + "\n"


def _steps(offering: Offering, pub: Publishing, owners: list[str]) -> list[dict[str, Any]]:
    request_id = "${{ parameters." + REQUEST_ID + " }}"
    values: dict[str, Any] = {
        "id": request_id,
        "email": "${{ parameters." + EMAIL + " }}",
        "requester": "${{ parameters." + REQUESTER + " }}",
        "team": "${{ parameters." + TEAM + " }}",
        "input": {"name": "${{ parameters.name }}"}
        | {g.id: f"${{{{ parameters.{g.id} }}}}" for g in offering.form.groups},
    }
    publish: dict[str, Any] = {
        "repoUrl": pub.repo_url,
        "branchName": f"pac/request-{request_id}",
        "title": f"Request {request_id}: {offering.id}",
        "description": (
            f"Request {request_id} for {offering.id}, filed from Backstage. "
            "pac validate checks it on this pull request; the owning teams review it."
        ),
        "commitMessage": f"Request {request_id} for {offering.id}",
        "update": True,
    }
    if pub.branch:
        publish["targetBranchName"] = pub.branch
    teams = [h.split("/", 1)[1] for h in owners if "/" in h]
    people = [h.lstrip("@") for h in owners if "/" not in h]
    if teams:
        publish["teamReviewers"] = teams
    if people:
        publish["reviewers"] = people
    return [
        {
            "id": "request",
            "name": "Write the request file",
            "action": "fetch:template",
            "input": {"url": f"./{CONTENT}", "values": values},
        },
        {
            "id": "publish",
            "name": "Open the pull request",
            "action": "publish:github:pull-request",
            "input": publish,
        },
    ]


def _links(pub: Publishing) -> list[dict[str, str]]:
    links = [{"title": "Pull request", "url": "${{ steps['publish'].output.remoteUrl }}"}]
    if pub.site_url:
        page = pub.site_url + "/requests/${{ parameters." + REQUEST_ID + " }}.html"
        links.append({"title": "Request page", "url": page})
    return links


def template_files(
    offering: Offering, name: str, pub: Publishing, owners: list[str], tags: list[str]
) -> TemplateFiles:
    """The Template entity of `offering` and the files of its fetch:template folder."""
    description = " ".join(offering.description.split())
    metadata: dict[str, Any] = {
        "name": name,
        "title": offering.name,
        "description": description or offering.name,
        "tags": tags,
        "annotations": {"pac.catalog/offering-id": offering.id},
    }
    if pub.site_url:
        metadata["links"] = [
            {"url": pub.site_page(f"items/{offering.id}.html"), "title": "In the catalog"}
        ]
    entity = {
        "apiVersion": API_VERSION,
        "kind": "Template",
        "metadata": metadata,
        "spec": {
            "owner": f"group:{offering.owner.team}",
            "type": "pac-bundle" if offering.kind == "CatalogBundle" else "pac-catalog-item",
            "parameters": parameters(offering),
            "steps": _steps(offering, pub, owners),
            "output": {"links": _links(pub)},
        },
    }
    path = f"{CONTENT}/{REQUESTS}/${{{{values.team}}}}/${{{{values.id}}}}.yaml"
    return TemplateFiles(entity, {path: request_file(offering)})
