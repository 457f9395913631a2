"""`pac export`: the catalog as a static site — a JSON API, its OpenAPI document, and pages
with a request form — deterministic byte for byte, needing no server and no build step.

Pages carry their data inside them, so they work from `file://` as well as from any
static host; the JSON API is the same data for portals.
"""

from __future__ import annotations

import copy
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pac import __version__
from pac.authoring.discovery import categories, describe, offerings, summarise, users
from pac.documents.model import Bundle, Offering
from pac.documents.repository import Repository
from pac.documents.schemas import COMMON_FILE, SCHEMA_FILES
from pac.forms.schema import form_schema, ui_schema

SITE = Path(__file__).resolve().parent / "site"
API = "api/v1"


@dataclass
class ExportResult:
    out: Path
    files: int
    offerings: int


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _embed(data: Any) -> str:
    """JSON inside a <script> element, with `<`, `>` and `&` as JSON escapes.

    Escaping only `</` is not enough: catalog text holding `<!--<script>` puts the HTML
    parser in a state where the element's own `</script>` no longer ends it.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def form_document(offering: Offering) -> dict[str, Any]:
    """`form.json`: the request input's JSON Schema (what pac validates) and the UI schema."""
    return {
        "offering": {"id": offering.id, "kind": offering.kind, "name": offering.name},
        "schema": form_schema(offering.form, offering.name, " ".join(offering.description.split())),
        "uiSchema": ui_schema(offering.form),
    }


MANIFEST = ".pac-export"


def _previous_export(out: Path) -> set[str] | None:
    """The files an earlier export wrote into `out`, or None if `out` is not one.

    Hidden entries (a `.git` of a gh-pages checkout, `.nojekyll`) never make a folder
    "not empty": the export leaves them alone.
    """
    manifest = out / MANIFEST
    if manifest.is_file():
        return {line for line in manifest.read_text(encoding="utf-8").splitlines() if line}
    if (out / API / "openapi.json").is_file():
        return set()  # an export from before the manifest: overwrite, remove nothing
    if any(not entry.name.startswith(".") for entry in out.iterdir()):
        return None
    return set()


def export(repo: Repository, out: Path) -> ExportResult:
    """Write the site into `out`.

    Re-exporting into an earlier export updates it: files that export wrote and this one
    does not are removed, and nothing else is (a CNAME, a `.git`, notes added by hand).
    """
    from pac.errors import UsageError

    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file, not a folder", "Give --out a new or empty folder.")
    previous: set[str] = set()
    if out.is_dir():
        try:
            found_before = _previous_export(out)
        except OSError as exc:
            raise UsageError(f"cannot read {out}: {exc.strerror}", "Check the folder.") from exc
        if found_before is None:
            raise UsageError(
                f"{out} exists and is not a pac export",
                "Choose an empty or new folder; pac writes over only folders it exported before.",
            )
        previous = found_before
    files: dict[str, str] = {}
    found = offerings(repo)
    summaries = [summarise(o).as_dict() for o in found]
    files[f"{API}/catalog.json"] = _json(summaries)
    files[f"{API}/categories.json"] = _json(categories(repo))
    used_by = users(repo)
    for offering in found:
        files[f"{API}/catalog/{offering.id}.json"] = _json(offering.doc.data)
        files[f"{API}/catalog/{offering.id}/form.json"] = _json(form_document(offering))
        files[f"items/{offering.id}.html"] = item_page(
            repo, offering, assets="../assets/", used_by=used_by
        )
    files[f"{API}/openapi.json"] = _json(openapi(repo))
    files["index.html"] = index_page(summaries, categories(repo))
    files["assets/pac.css"] = (SITE / "pac.css").read_text(encoding="utf-8")
    files["assets/pac.js"] = (SITE / "pac.js").read_text(encoding="utf-8")
    try:
        _write(out, files, previous)
    except OSError as exc:
        where = exc.filename or out
        raise UsageError(
            f"cannot write the site to {out}: {exc.strerror or exc} ({where})",
            "Give --out a folder you can write to, that is not inside a file.",
        ) from exc
    return ExportResult(out, len(files) + 1, len(found))  # + the manifest


def _write(out: Path, files: dict[str, str], previous: set[str]) -> None:
    for relative in sorted(previous - set(files)):
        stale = out / relative
        # Only paths inside `out` that an export wrote: a manifest edited by hand cannot
        # make pac delete anything else.
        if ".." in Path(relative).parts or Path(relative).is_absolute() or not stale.is_file():
            continue
        stale.unlink()
        parent = stale.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    for relative, text in sorted(files.items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    (out / MANIFEST).write_text(
        "".join(f"{relative}\n" for relative in sorted(files)), encoding="utf-8", newline="\n"
    )


# --- pages ----------------------------------------------------------------------------------


def _page(title: str, body: str, assets: str, inline: bool = False) -> str:
    if inline:
        head = f"<style>\n{(SITE / 'pac.css').read_text(encoding='utf-8')}</style>"
        script = f"<script>\n{(SITE / 'pac.js').read_text(encoding='utf-8')}</script>"
    else:
        head = f'<link rel="stylesheet" href="{assets}pac.css">'
        script = f'<script src="{assets}pac.js"></script>'
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n{head}\n</head>\n<body>\n"
        f"{body}\n{script}\n</body>\n</html>\n"
    )


def index_page(summaries: list[dict[str, Any]], registry: list[dict[str, Any]]) -> str:
    used = {s["category"] for s in summaries}
    options = "".join(
        f'<option value="{html.escape(c["id"])}">{html.escape(c["name"])}</option>'
        for c in registry
        if c["id"] in used
    )
    teams = sorted({s["owner"]["team"] for s in summaries})
    owners = "".join(f'<option value="{html.escape(t)}">{html.escape(t)}</option>' for t in teams)
    body = f"""<header><a href="index.html">Platform Automation Catalog</a></header>
<main>
<h1>What can the platform teams do for you?</h1>
<p class="muted">Find an offering, open it, fill in its form, and get the request file for a pull request.</p>
<div class="filters">
  <input id="filter-text" type="search" placeholder="Search: postgres, kafka, secrets…" aria-label="Search">
  <select id="filter-category" aria-label="Category"><option value="">All categories</option>{options}</select>
  <select id="filter-owner" aria-label="Owner"><option value="">All teams</option>{owners}</select>
  <span id="count" class="muted"></span>
</div>
<div id="cards" class="cards"></div>
</main>
<footer>Generated by pac {html.escape(__version__)} · API: <a href="api/v1/catalog.json">api/v1/catalog.json</a>, <a href="api/v1/openapi.json">openapi.json</a></footer>
<script type="application/json" id="pac-catalog">{_embed(summaries)}</script>"""
    return _page("Platform Automation Catalog", body, "assets/")


def _facts(rows: list[tuple[str, str]]) -> str:
    return (
        '<table class="facts">'
        + "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
        + "</table>"
    )


def _link(offering_id: str, text: str, inline: bool) -> str:
    """A link to another offering's page; a standalone page (`pac form --format html`) has
    no neighbours to link to, so there it is plain text."""
    if inline:
        return html.escape(text)
    return f'<a href="{html.escape(offering_id)}.html">{html.escape(text)}</a>'


def item_page(
    repo: Repository,
    offering: Offering,
    assets: str = "assets/",
    inline: bool = False,
    used_by: dict[str, list[str]] | None = None,
) -> str:
    data = describe(repo, offering, used_by)
    owner = offering.owner
    contact = f'<a href="mailto:{html.escape(owner.contact)}">{html.escape(owner.contact)}</a>'
    rows = [
        ("Owner", f"{html.escape(owner.team)} · {contact}"),
        ("Category", html.escape(offering.category)),
        ("Version", html.escape(offering.version)),
        ("Id", f"<code>{html.escape(offering.id)}</code>"),
    ]
    if offering.tags:
        rows.append(("Tags", html.escape(", ".join(offering.tags))))
    for key, value in offering.custom.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        rows.append((key, html.escape(shown)))
    if offering.deprecated is not None:
        replaced = offering.deprecated.replaced_by
        rows.append(
            (
                "Deprecated",
                html.escape(offering.deprecated.reason)
                + (f" Use {_link(replaced, replaced, inline)} instead." if replaced else ""),
            )
        )
    steps = ""
    if isinstance(offering, Bundle):
        parts = []
        for component in data["components"]:
            after = (
                " after " + ", ".join(html.escape(d) for d in component["dependsOn"])
                if component["dependsOn"]
                else ""
            )
            inner = "".join(f"<li>{html.escape(s)}</li>" for s in component["steps"])
            link = _link(component["catalogItem"], component["name"], inline)
            parts.append(
                f"<li><strong>{html.escape(component['id'])}</strong>: {link} "
                f"({html.escape(component['team'])}){after}<ul>{inner}</ul></li>"
            )
        steps = '<h2>What happens</h2><ol class="steps">' + "".join(parts) + "</ol>"
    else:
        strategy = data["steps"]["strategy"]
        chosen = data["steps"][strategy]
        fallback = data["steps"]["manual"] if strategy == "automatic" else []
        steps = (
            '<h2>What happens</h2><ol class="steps">'
            + "".join(f"<li>{html.escape(s)}</li>" for s in chosen)
            + "</ol>"
        )
        if fallback:
            steps += (
                '<p class="muted">If automation fails and the request is escalated: '
                + "; ".join(html.escape(s) for s in fallback)
                + ".</p>"
            )
        if data["usedBy"]:
            steps += (
                "<p>Part of: " + ", ".join(_link(b, b, inline) for b in data["usedBy"]) + "</p>"
            )
    spec = form_document(offering)
    home = (
        "Platform Automation Catalog"
        if inline
        else '<a href="../index.html">Platform Automation Catalog</a>'
    )
    body = f"""<header>{home}</header>
<main>
<h1>{html.escape(offering.name)}</h1>
<p>{html.escape(" ".join(offering.description.split()))}</p>
{_facts(rows)}
{steps}
<h2>Request it</h2>
<p class="muted">Fill in the form; fields marked * are required. You get the request file to commit
under <code>requests/</code> in a pull request. Password fields take the name of a CI secret, never a password.</p>
<form id="request-form" class="request" novalidate></form>
<div id="request-output" hidden>
  <h2>Your request file</h2>
  <p>Save as <code id="request-path"></code>, then open a pull request.</p>
  <div class="actions"><button type="button" id="request-copy" class="secondary">Copy</button>
  <a id="request-download" href="#">Download</a></div>
  <pre id="request-yaml"></pre>
</div>
</main>
<script type="application/json" id="pac-form">{_embed(spec)}</script>"""
    return _page(f"{offering.name} · pac catalog", body, assets, inline)


# --- the OpenAPI document ------------------------------------------------------------------


def _components(repo: Repository) -> dict[str, Any]:
    """The catalog JSON Schemas as OpenAPI 3.1 components (JSON Schema 2020-12)."""
    schema_set = repo.registry.get(repo.registry.stable)
    assert schema_set is not None
    documents = schema_set.documents

    def convert(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key in ("$schema", "$id", "definitions"):
                    continue
                if key == "$ref" and isinstance(value, str):
                    _, _, pointer = value.partition("#/definitions/")
                    out[key] = f"#/components/schemas/{pointer}" if pointer else value
                    continue
                out[key] = convert(value)
            return out
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    schemas: dict[str, Any] = {
        name: convert(copy.deepcopy(definition))
        for name, definition in documents[COMMON_FILE]["definitions"].items()
    }
    for kind in ("CatalogItem", "CatalogBundle"):
        schemas[kind] = convert(copy.deepcopy(documents[SCHEMA_FILES[kind]]))
    schemas["CatalogDocument"] = {
        "oneOf": [
            {"$ref": "#/components/schemas/CatalogItem"},
            {"$ref": "#/components/schemas/CatalogBundle"},
        ]
    }
    owner = {
        "type": "object",
        "properties": {"team": {"type": "string"}, "contact": {"type": "string"}},
        "required": ["team", "contact"],
    }
    schemas["CatalogSummary"] = {
        "type": "object",
        "properties": {
            "id": {"$ref": "#/components/schemas/kebabCaseId"},
            "kind": {"enum": ["CatalogItem", "CatalogBundle"]},
            "name": {"type": "string"},
            "category": {"type": "string"},
            "owner": owner,
            "version": {"type": "string"},
            "fulfilment": {"enum": ["manual", "automatic", "bundle"]},
            "description": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "deprecated": {"type": "string", "description": "the reason, or empty"},
        },
        "required": ["id", "kind", "name", "category", "owner", "version", "fulfilment"],
        "additionalProperties": False,
    }
    schemas["Category"] = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "idPrefix": {"type": "string"},
            "description": {"type": "string"},
            "owner": owner,
            "codeowners": {"type": "array", "items": {"type": "string"}},
            "items": {"type": "integer", "minimum": 0},
            "bundles": {"type": "integer", "minimum": 0},
            "isBundles": {"type": "boolean"},
        },
        "required": ["id", "name", "idPrefix", "owner", "codeowners", "items", "bundles"],
        "additionalProperties": False,
    }
    schemas["FormDocument"] = {
        "type": "object",
        "description": "The JSON Schema (draft-07) of a request's `input`, exactly as pac "
        "validates it, and a react-jsonschema-form UI schema.",
        "properties": {
            "offering": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "kind": {"enum": ["CatalogItem", "CatalogBundle"]},
                    "name": {"type": "string"},
                },
                "required": ["id", "kind", "name"],
            },
            "schema": {"type": "object", "required": ["type", "properties"]},
            "uiSchema": {"type": "object"},
        },
        "required": ["offering", "schema", "uiSchema"],
        "additionalProperties": False,
    }
    return schemas


def openapi(repo: Repository) -> dict[str, Any]:
    def ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "200": {
                "description": description,
                "content": {"application/json": {"schema": schema}},
            }
        }

    identifier = {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "An item or bundle id, e.g. bundle-webapp-standard",
        "schema": {"$ref": "#/components/schemas/kebabCaseId"},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Platform Automation Catalog",
            "version": __version__,
            "description": "A static, read-only API of the catalog, exported by `pac export`. "
            "Serve the folder from any static host; paths are files.",
        },
        "servers": [{"url": "."}],
        "paths": {
            f"/{API}/catalog.json": {
                "get": {
                    "operationId": "listCatalog",
                    "summary": "Every item and bundle, summarised",
                    "responses": ok(
                        "Summaries, by id",
                        {"type": "array", "items": {"$ref": "#/components/schemas/CatalogSummary"}},
                    ),
                }
            },
            f"/{API}/catalog/{{id}}.json": {
                "get": {
                    "operationId": "getCatalogDocument",
                    "summary": "One item or bundle document, as in the repository",
                    "parameters": [identifier],
                    "responses": ok(
                        "The document", {"$ref": "#/components/schemas/CatalogDocument"}
                    ),
                }
            },
            f"/{API}/catalog/{{id}}/form.json": {
                "get": {
                    "operationId": "getForm",
                    "summary": "The request form: JSON Schema of `input` and UI schema",
                    "parameters": [identifier],
                    "responses": ok("The form", {"$ref": "#/components/schemas/FormDocument"}),
                }
            },
            f"/{API}/categories.json": {
                "get": {
                    "operationId": "listCategories",
                    "summary": "Categories with their owners and counts",
                    "responses": ok(
                        "Categories, by id",
                        {"type": "array", "items": {"$ref": "#/components/schemas/Category"}},
                    ),
                }
            },
        },
        "components": {"schemas": _components(repo)},
    }
