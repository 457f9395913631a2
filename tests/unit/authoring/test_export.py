"""`pac export`: a deterministic static site whose JSON matches its own OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pac.authoring.export import export
from pac.documents.repository import Repository
from pac.errors import UsageError
from tests.conftest import invoke


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_export_writes_the_api_and_the_pages(sample_repo: Repository, tmp_path: Path) -> None:
    result = export(sample_repo, tmp_path / "site")
    files = _files(tmp_path / "site")
    assert result.offerings == 7 and result.files == len(files)
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
    assert (messaging["items"], messaging["owner"]["team"]) == (2, "platform-messaging-team")
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
    assert result.offerings == 6
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


def test_export_command(sample_root: Path, tmp_path: Path) -> None:
    code, out = invoke(sample_root, "export", "--out", str(tmp_path / "site"))
    assert code == 0
    assert "exported 7 offerings" in out
