"""The OpenAPI 3.1 document of `pac export`'s static JSON API: its paths, and the catalog's
own JSON Schemas as its components, so every exported file can be checked against it."""

from __future__ import annotations

import copy
from typing import Any

from pac import __version__
from pac.documents.repository import Repository
from pac.documents.schemas import COMMON_FILE, SCHEMA_FILES

API = "api/v1"
_KINDS = ("CatalogItem", "CatalogBundle")
_DROPPED = ("$schema", "$id", "definitions")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _convert(node: Any) -> Any:
    """A draft-07 schema as an OpenAPI component: `#/definitions/` references point into
    the components, and the keywords of a standalone document are dropped."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in _DROPPED:
                continue
            if key == "$ref" and isinstance(value, str):
                _, _, pointer = value.partition("#/definitions/")
                out[key] = f"#/components/schemas/{pointer}" if pointer else value
                continue
            out[key] = _convert(value)
        return out
    if isinstance(node, list):
        return [_convert(v) for v in node]
    return node


def _catalog_schemas(repo: Repository) -> dict[str, Any]:
    schema_set = repo.registry.get(repo.registry.stable)
    assert schema_set is not None
    documents = schema_set.documents
    schemas: dict[str, Any] = {
        name: _convert(copy.deepcopy(definition))
        for name, definition in documents[COMMON_FILE]["definitions"].items()
    }
    for kind in _KINDS:
        schemas[kind] = _convert(copy.deepcopy(documents[SCHEMA_FILES[kind]]))
    schemas["CatalogDocument"] = {"oneOf": [_ref(kind) for kind in _KINDS]}
    return schemas


def _object(properties: dict[str, Any], required: list[str], **more: Any) -> dict[str, Any]:
    return {"type": "object", **more, "properties": properties, "required": required}


_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
_COUNT = {"type": "integer", "minimum": 0}
_OWNER = _object({"team": _STRING, "contact": _STRING}, ["team", "contact"])


def _summary_schema() -> dict[str, Any]:
    properties = {
        "id": _ref("kebabCaseId"),
        "kind": {"enum": list(_KINDS)},
        "name": _STRING,
        "category": _STRING,
        "owner": _OWNER,
        "version": _STRING,
        "fulfilment": {"enum": ["manual", "automatic", "bundle"]},
        "description": _STRING,
        "tags": _STRINGS,
        "deprecated": {"type": "string", "description": "the reason, or empty"},
    }
    required = ["id", "kind", "name", "category", "owner", "version", "fulfilment"]
    return {**_object(properties, required), "additionalProperties": False}


def _category_schema() -> dict[str, Any]:
    properties = {
        "id": _STRING,
        "name": _STRING,
        "idPrefix": _STRING,
        "description": _STRING,
        "owner": _OWNER,
        "codeowners": _STRINGS,
        "items": _COUNT,
        "bundles": _COUNT,
        "isBundles": {"type": "boolean"},
    }
    required = ["id", "name", "idPrefix", "owner", "codeowners", "items", "bundles"]
    return {**_object(properties, required), "additionalProperties": False}


def _form_document_schema() -> dict[str, Any]:
    offering = _object(
        {"id": _STRING, "kind": {"enum": list(_KINDS)}, "name": _STRING}, ["id", "kind", "name"]
    )
    properties = {
        "offering": offering,
        "schema": {"type": "object", "required": ["type", "properties"]},
        "uiSchema": {"type": "object"},
        "messages": {
            "type": "object",
            "description": "Per field (dotted path) and failed check: the message pac gives, "
            "{code, message, how}, with `{value}` where the value goes.",
        },
    }
    description = (
        "The JSON Schema (draft-07) of a request's `input`, exactly as pac "
        "validates it, a react-jsonschema-form UI schema, and pac's messages."
    )
    return {
        **_object(properties, ["offering", "schema", "uiSchema"], description=description),
        "additionalProperties": False,
    }


def _components(repo: Repository) -> dict[str, Any]:
    """The catalog JSON Schemas as OpenAPI 3.1 components (JSON Schema 2020-12)."""
    return {
        **_catalog_schemas(repo),
        "CatalogSummary": _summary_schema(),
        "Category": _category_schema(),
        "FormDocument": _form_document_schema(),
    }


_IDENTIFIER = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "An item or bundle id, e.g. bundle-webapp-standard",
    "schema": _ref("kebabCaseId"),
}

# path: (operationId, summary, takes the id, response description, response schema)
_PATHS: dict[str, tuple[str, str, bool, str, dict[str, Any]]] = {
    f"/{API}/catalog.json": (
        "listCatalog",
        "Every item and bundle, summarised",
        False,
        "Summaries, by id",
        {"type": "array", "items": _ref("CatalogSummary")},
    ),
    f"/{API}/catalog/{{id}}.json": (
        "getCatalogDocument",
        "One item or bundle document, as in the repository",
        True,
        "The document",
        _ref("CatalogDocument"),
    ),
    f"/{API}/catalog/{{id}}/form.json": (
        "getForm",
        "The request form: JSON Schema of `input` and UI schema",
        True,
        "The form",
        _ref("FormDocument"),
    ),
    f"/{API}/categories.json": (
        "listCategories",
        "Categories with their owners and counts",
        False,
        "Categories, by id",
        {"type": "array", "items": _ref("Category")},
    ),
}


def _get(
    operation: str, summary: str, by_id: bool, description: str, schema: dict[str, Any]
) -> dict[str, Any]:
    get: dict[str, Any] = {"operationId": operation, "summary": summary}
    if by_id:
        get["parameters"] = [copy.deepcopy(_IDENTIFIER)]
    content = {"application/json": {"schema": copy.deepcopy(schema)}}
    get["responses"] = {"200": {"description": description, "content": content}}
    return {"get": get}


def openapi(repo: Repository) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Platform Automation Catalog",
            "version": __version__,
            "description": "A static, read-only API of the catalog, exported by `pac export`. "
            "Serve the folder from any static host; paths are files.",
        },
        "servers": [{"url": "."}],
        "paths": {path: _get(*spec) for path, spec in _PATHS.items()},
        "components": {"schemas": _components(repo)},
    }
