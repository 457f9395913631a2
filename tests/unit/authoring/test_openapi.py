"""The OpenAPI document of `pac export`: valid, and describing every JSON file exported."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pac.authoring.export import export
from pac.documents.repository import Repository


def test_openapi_document_is_valid(sample_repo: Repository, tmp_path: Path) -> None:
    from openapi_spec_validator import validate

    export(sample_repo, tmp_path / "site")
    spec = json.loads((tmp_path / "site/api/v1/openapi.json").read_text())
    validate(spec)
    assert spec["openapi"] == "3.1.0"


def _response_schema(spec: dict[str, object], path: str) -> object:
    operation = spec["paths"][path]["get"]  # type: ignore[index]
    return operation["responses"]["200"]["content"]["application/json"]["schema"]


def test_every_exported_json_file_matches_its_openapi_response_schema(
    sample_repo: Repository, tmp_path: Path
) -> None:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    export(sample_repo, tmp_path / "site")
    root = tmp_path / "site"
    spec = json.loads((root / "api/v1/openapi.json").read_text())
    registry = Registry().with_resource("urn:openapi", Resource(spec, DRAFT202012))
    checked = 0
    routes = [
        (re.compile(r"api/v1/catalog\.json"), "/api/v1/catalog.json"),
        (re.compile(r"api/v1/categories\.json"), "/api/v1/categories.json"),
        (re.compile(r"api/v1/catalog/[a-z0-9-]+\.json"), "/api/v1/catalog/{id}.json"),
        (re.compile(r"api/v1/catalog/[a-z0-9-]+/form\.json"), "/api/v1/catalog/{id}/form.json"),
    ]
    for path in sorted(root.glob("api/v1/**/*.json")):
        relative = path.relative_to(root).as_posix()
        if relative == "api/v1/openapi.json":
            continue
        route = next(r for pattern, r in routes if pattern.fullmatch(relative))
        schema = {"$ref": "urn:openapi#" + _pointer(route)}
        validator = Draft202012Validator(schema, registry=registry)
        errors = list(validator.iter_errors(json.loads(path.read_text())))
        assert errors == [], f"{relative}: {errors[0].message if errors else ''}"
        checked += 1
    assert checked == 2 + 2 * 7


def _pointer(route: str) -> str:
    escaped = route.replace("~", "~0").replace("/", "~1")
    return f"/paths/{escaped}/get/responses/200/content/application~1json/schema"
