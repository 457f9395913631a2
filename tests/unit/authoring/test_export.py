"""`pac export`: a deterministic static site whose JSON matches its own OpenAPI document."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from pac.authoring.export import export
from pac.documents.repository import Repository
from pac.errors import UsageError
from tests.acceptance.test_cli import invoke


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_export_writes_the_api_and_the_pages(sample_repo: Repository, tmp_path: Path) -> None:
    result = export(sample_repo, tmp_path / "site")
    files = _files(tmp_path / "site")
    assert result.offerings == 5 and result.files == len(files)
    assert {
        "index.html",
        "assets/pac.css",
        "assets/pac.js",
        "api/v1/catalog.json",
        "api/v1/categories.json",
        "api/v1/openapi.json",
        "api/v1/catalog/messaging-kafka-topic.json",
        "api/v1/catalog/messaging-kafka-topic/form.json",
        "items/messaging-kafka-topic.html",
    } <= set(files)
    categories = json.loads(files["api/v1/categories.json"])
    messaging = next(c for c in categories if c["id"] == "messaging")
    assert (messaging["items"], messaging["owner"]["team"]) == (1, "platform-messaging-team")
    document = json.loads(files["api/v1/catalog/bundle-webapp-standard.json"])
    assert document["components"][0]["catalogItem"] == "database-aurora-postgresql-standard"


def test_export_is_deterministic_byte_for_byte(sample_repo: Repository, tmp_path: Path) -> None:
    export(sample_repo, tmp_path / "a")
    export(Repository(sample_repo.root), tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_export_refuses_to_overwrite_a_folder_it_did_not_write(
    sample_repo: Repository, tmp_path: Path
) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/notes.txt").write_text("keep me")
    with pytest.raises(UsageError, match="is not a pac export"):
        export(sample_repo, tmp_path / "mine")
    assert (tmp_path / "mine/notes.txt").read_text() == "keep me"


def test_exporting_again_keeps_what_the_user_added(
    sample_repo: Repository, sample_root: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    export(sample_repo, site)
    (site / "CNAME").write_text("catalog.company.com\n")
    (site / ".git").mkdir()
    (site / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    (sample_root / "catalog/messaging/messaging-kafka-topic.yaml").unlink()
    result = export(Repository(sample_root), site)
    assert result.offerings == 4
    assert (site / "CNAME").read_text() == "catalog.company.com\n"
    assert (site / ".git/HEAD").exists()
    # What the earlier export wrote for the removed item is gone with it.
    assert not (site / "items/messaging-kafka-topic.html").exists()
    assert not (site / "api/v1/catalog/messaging-kafka-topic").exists()
    assert result.files == len(_files(site)) - 2  # not the CNAME nor .git/HEAD


def test_a_hand_edited_manifest_cannot_delete_outside_the_site(
    sample_repo: Repository, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    export(sample_repo, site)
    (tmp_path / "precious.txt").write_text("keep me")
    with (site / ".pac-export").open("a") as manifest:
        manifest.write("../precious.txt\n")
    export(sample_repo, site)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_export_into_a_folder_with_only_hidden_files(
    sample_repo: Repository, tmp_path: Path
) -> None:
    (tmp_path / "site/.git").mkdir(parents=True)
    export(sample_repo, tmp_path / "site")
    assert (tmp_path / "site/index.html").exists() and (tmp_path / "site/.git").is_dir()


def test_export_to_a_file_or_below_one_is_a_usage_error(sample_root: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    code, out = invoke(sample_root, "export", "--out", str(tmp_path / "notes.txt"))
    assert code == 2
    assert "is a file, not a folder" in out and "Traceback" not in out
    code, out = invoke(sample_root, "export", "--out", str(tmp_path / "notes.txt/site"))
    assert code == 2
    assert "cannot write the site to" in out and "Not a directory" in out
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_pages_work_offline(sample_repo: Repository, tmp_path: Path) -> None:
    export(sample_repo, tmp_path / "site")
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text()
        # No CDN, no absolute URLs for assets: the site works from file:// and any host.
        assert not re.search(r"""(src|href)=["']https?://""", text), page
        assert "fetch(" not in text


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
    assert checked == 2 + 2 * 5


def _pointer(route: str) -> str:
    escaped = route.replace("~", "~0").replace("/", "~1")
    return f"/paths/{escaped}/get/responses/200/content/application~1json/schema"


def test_export_command(sample_root: Path, tmp_path: Path) -> None:
    code, out = invoke(sample_root, "export", "--out", str(tmp_path / "site"))
    assert code == 0
    assert "exported 5 offerings" in out


def test_embedded_page_data_holds_no_markup(sample_root: Path, tmp_path: Path) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    hostile = "<!--<script></script>&amp;"
    item.write_text(item.read_text().replace("    you need.", f"    you need. {hostile}", 1))
    export(Repository(sample_root), tmp_path / "site")
    page = (tmp_path / "site/items/messaging-kafka-topic.html").read_text()
    embedded = page.split('<script type="application/json" id="pac-form">')[1].split("</script>")[0]
    assert not set("<>&") & set(embedded)
    assert json.loads(embedded)["schema"]["description"].count(hostile) == 1
    assert html.escape(hostile) in page  # shown as text in the description


def test_item_pages_show_tags_and_custom_metadata(sample_repo: Repository, tmp_path: Path) -> None:
    export(sample_repo, tmp_path / "site")
    page = (tmp_path / "site/items/messaging-kafka-topic.html").read_text()
    assert "<tr><th>clusterName</th><td>kafka-shared-01</td></tr>" in page
    assert "<tr><th>Tags</th><td>kafka, events, streaming</td></tr>" in page
