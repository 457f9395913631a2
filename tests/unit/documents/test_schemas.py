"""The JSON Schemas: versions, transitions, and the two validators agreeing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pac import resources
from pac.documents.loader import parse_bytes
from pac.documents.repository import Repository
from pac.documents.schemas import (
    SCHEMA_FILES,
    SchemaRegistry,
    SchemaVersion,
    default_registry,
)
from pac.validation.run import validate
from tests.conftest import FIXTURES, PROJECT, project_files
from tests.sample import sample_source


def test_schemas_are_draft_07_documents_with_relative_ids() -> None:
    for path in sorted((PROJECT / "schema").glob("*.json")):
        schema = json.loads(path.read_text())
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#", path.name
        assert schema["$id"] == path.name


def test_schemas_are_valid_against_the_draft_07_metaschema() -> None:
    from jsonschema import Draft7Validator

    for path in sorted((PROJECT / "schema").glob("*.json")):
        Draft7Validator.check_schema(json.loads(path.read_text()))


def test_the_packaged_schemas_are_the_repository_schemas() -> None:
    for name in SCHEMA_FILES.values():
        assert (resources.schema_dir() / name).read_bytes() == (
            PROJECT / "schema" / name
        ).read_bytes()


def test_a_standard_validator_accepts_the_sample_catalog_on_its_own() -> None:
    """The schemas work without pac: plain jsonschema with a file-based registry."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    schemas = {p.name: json.loads(p.read_text()) for p in (PROJECT / "schema").glob("*.json")}
    registry = Registry().with_resources(
        (name, Resource.from_contents(doc)) for name, doc in schemas.items()
    )
    kinds = {"CatalogItem": "catalog-item.json", "CatalogBundle": "catalog-bundle.json"}
    kinds |= {"Request": "request.json", "CategoryRegistry": "categories.json"}
    kinds |= {"PacConfig": "pac-config.json"}
    documents = [
        *project_files("catalog"),
        *project_files("requests"),
        sample_source() / "pac.yaml",
    ]
    for path in documents:
        import yaml

        data = yaml.safe_load(path.read_text())
        validator = Draft7Validator(schemas[kinds[data["kind"]]], registry=registry)
        assert list(validator.iter_errors(data)) == [], path


def test_relative_refs_resolve_against_the_schema_files_location() -> None:
    """How editors and check-jsonschema use the schemas: load one file by its URI and let
    every `$ref` to a sibling file be fetched relative to it, with no registry prepared."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    fetched: list[str] = []

    def retrieve(uri: str) -> Resource[Any]:
        if not uri.startswith("file://"):
            raise NoSuchResource(ref=uri)
        fetched.append(uri.rsplit("/", 1)[-1])
        return Resource.from_contents(json.loads(Path(uri[len("file://") :]).read_text()))

    base = (PROJECT / "schema" / "catalog-item.json").as_uri()
    validator = Draft7Validator({"$ref": base}, registry=Registry(retrieve=retrieve))
    import yaml

    item = sample_source() / "catalog/databases/database-aurora-postgresql-standard.yaml"
    data = yaml.safe_load(item.read_text())
    assert list(validator.iter_errors(data)) == []
    assert "common-types.json" in fetched
    data["metadata"]["owner"]["contact"] = "not-an-email"
    assert [e.validator for e in validator.iter_errors(data)] == ["pattern"]


def _corpus() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(FIXTURES.rglob("*.yaml")) + project_files("catalog"):
        result = parse_bytes(path.read_bytes(), path, path.name)
        data = result.document.data if result.document else None
        if isinstance(data, dict) and data.get("kind") in SCHEMA_FILES:
            docs.append((path.name, data))
    return docs


@pytest.mark.parametrize(("name", "data"), _corpus(), ids=lambda v: v if isinstance(v, str) else "")
def test_compiled_and_reference_validators_agree(name: str, data: dict[str, Any]) -> None:
    schema_set = default_registry().get("catalog/v1")
    assert schema_set is not None
    kind = data["kind"]
    fast = schema_set._compile(kind)
    try:
        fast(data)
        fast_ok = True
    except Exception:
        fast_ok = False
    reference_ok = not list(schema_set.reference_validator(kind).iter_errors(data))
    if name == "schema-invalid.yaml":
        # The one known dialect difference: `$` before a trailing newline. The compiled
        # validator is right (ECMA semantics); pac reports it through the fallback.
        assert not fast_ok and reference_ok
    else:
        assert fast_ok == reference_ok


def _make_v2(tmp_path: Path) -> Path:
    """A pre-release catalog/v2pre1: metadata gains a required `lifecycle` key."""
    target = tmp_path / "schema-v2"
    shutil.copytree(PROJECT / "schema", target)
    common = json.loads((target / "common-types.json").read_text())
    common["definitions"]["schemaVersion"]["const"] = "catalog/v2pre1"
    meta = common["definitions"]["offeringMetadata"]
    meta["properties"]["lifecycle"] = {"enum": ["experimental", "supported", "retiring"]}
    meta["required"].append("lifecycle")
    (target / "common-types.json").write_text(json.dumps(common))
    return target


def _registry(tmp_path: Path) -> SchemaRegistry:
    registry = SchemaRegistry()
    registry.add(SchemaVersion("catalog/v1", "stable", PROJECT / "schema"))
    registry.add(SchemaVersion("catalog/v2pre1", "prerelease", _make_v2(tmp_path)))
    return registry


def test_two_versions_are_accepted_during_a_transition(sample_root: Path, tmp_path: Path) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    text = item.read_text()
    upgraded = text.replace("schemaVersion: catalog/v1", "schemaVersion: catalog/v2pre1")
    upgraded = upgraded.replace("  slaDays: 2\n", "  slaDays: 2\n  lifecycle: supported\n")
    item.write_text(upgraded)
    repo = Repository(sample_root, registry=_registry(tmp_path))
    result = validate(repo)
    assert result.diagnostics == []  # v1 documents and the v2pre1 item side by side


def test_the_new_version_applies_its_own_rules(sample_root: Path, tmp_path: Path) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(
        item.read_text().replace("schemaVersion: catalog/v1", "schemaVersion: catalog/v2pre1")
    )
    repo = Repository(sample_root, registry=_registry(tmp_path))
    found = [(d.path, d.code, d.message) for d in validate(repo).diagnostics]
    assert found == [
        (
            "catalog/messaging/messaging-kafka-topic.yaml",
            "schema-required",
            "missing required key 'lifecycle' in metadata",
        ),
        # The request for it cannot be checked until the item is fixed, and says so.
        ("requests/payments/payments-events.yaml", "request-target-invalid", found[1][2]),
    ]


def test_an_unknown_version_lists_the_supported_ones(sample_root: Path, tmp_path: Path) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(
        item.read_text().replace("schemaVersion: catalog/v1", "schemaVersion: catalog/v3")
    )
    repo = Repository(sample_root, registry=_registry(tmp_path))
    finding = validate(repo).diagnostics[0]
    assert finding.path == "catalog/messaging/messaging-kafka-topic.yaml"
    assert finding.code == "schema-version"
    assert finding.hint == (
        "Supported versions: catalog/v1 (stable), catalog/v2pre1 (prerelease). "
        "Owner: platform-messaging-team (messaging@company.com)."
    )


def test_compiled_validators_are_cached_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    schema_set = default_registry().get("catalog/v1")
    assert schema_set is not None
    schema_set._compile("Request")
    cached = list((tmp_path / "pac" / "schemas").glob("*.marshal"))
    assert len(cached) == 1
    fresh = default_registry().get("catalog/v1")
    assert fresh is not None
    assert fresh.check("Request", {"kind": "Request"})  # loaded from the cache, still checks


@pytest.mark.parametrize(
    ("title", "value", "expected"),
    [
        ("camelCase id", "Cost_center", "costCenter"),
        ("camelCase id", "EngineType", "engineType"),
        ("camelCase id", "env-config", "envConfig"),
        ("camelCase id", "1env", ""),  # no valid spelling to offer
        ("kebab-case id", "Database_Aurora", "database-aurora"),
        ("kebab-case id", "redisCache", "redis-cache"),
    ],
)
def test_naming_findings_offer_the_valid_spelling(title: str, value: str, expected: str) -> None:
    from pac.documents.schema_errors import _respelled

    common = json.loads((PROJECT / "schema" / "common-types.json").read_text())
    definition = "camelCaseId" if title.startswith("camel") else "kebabCaseId"
    assert _respelled(value, title, common["definitions"][definition]["pattern"]) == expected


def test_a_repository_with_its_own_schema_folder_is_checked_with_it(
    sample_root: Path,
) -> None:
    # The architects change schema/ in a pull request: a copy of the repository is checked
    # with ITS schemas, not the ones pac was installed with.
    assert Repository(sample_root).registry.versions["catalog/v1"].directory == (
        resources.schema_dir()
    )
    shutil.copytree(PROJECT / "schema", sample_root / "schema")
    path = sample_root / "schema/catalog-item.json"
    schema = json.loads(path.read_text())
    schema["properties"]["costModel"] = {"type": "string"}
    schema["required"].append("costModel")
    path.write_text(json.dumps(schema))
    repo = Repository(sample_root)
    assert repo.registry.versions["catalog/v1"].directory == sample_root / "schema"
    found = validate(repo).diagnostics
    assert {(d.code, d.message) for d in found if d.path.startswith("catalog/messaging/")} == {
        ("schema-required", "missing required key 'costModel' in the document")
    }


def test_a_required_key_the_schema_does_not_define_is_still_checked(sample_root: Path) -> None:
    # fastjsonschema refuses to compile this (additionalProperties: false); the reference
    # validator judges it as written instead of the run failing.
    shutil.copytree(PROJECT / "schema", sample_root / "schema")
    path = sample_root / "schema/catalog-item.json"
    schema = json.loads(path.read_text())
    schema["required"].append("costModel")
    path.write_text(json.dumps(schema))
    found = [
        d
        for d in validate(Repository(sample_root)).diagnostics
        if d.path.startswith("catalog/") and not d.path.startswith("catalog/bundles/")
    ]
    assert {d.code for d in found} == {"schema-required"}
    assert len(found) == len(list((sample_root / "catalog").glob("[!b]*/*.yaml")))


def test_a_schema_file_that_is_not_json_names_its_place(sample_root: Path) -> None:
    from pac.errors import RepositoryError

    shutil.copytree(PROJECT / "schema", sample_root / "schema")
    (sample_root / "schema/request.json").write_text('{\n  "type": "object",\n}\n')
    with pytest.raises(RepositoryError) as caught:
        validate(Repository(sample_root))
    assert "schema/request.json:3:1: the schema is not valid JSON" in caught.value.message
