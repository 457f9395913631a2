"""Which files are documents and their roles, found by name without reading them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pac.documents.files import KIND_HOME, ROLE_KIND, CatalogFiles, Role


@pytest.mark.parametrize(
    ("relative", "role"),
    [
        ("pac.yaml", Role.CONFIG),
        ("CODEOWNERS", Role.CODEOWNERS),
        (".github/CODEOWNERS", Role.CODEOWNERS),
        ("catalog/categories.yaml", Role.CATEGORIES),
        ("catalog/compute/compute-vm-small.yaml", Role.ITEM),
        ("catalog/bundles/bundle-web-standard.yaml", Role.BUNDLE),
        ("catalog/compute/drafts/x.yaml", Role.OTHER),
        ("requests/team-a/req-1.yaml", Role.REQUEST),
        ("requests/.status/req-1.yaml", Role.STATUS),
        ("templates/catalog-item.yaml", Role.OTHER),
        ("catalog/compute/readme.md", Role.OTHER),
    ],
)
def test_roles_follow_from_the_path(tmp_path: Path, relative: str, role: Role) -> None:
    assert CatalogFiles(tmp_path).role(tmp_path / relative) is role


def test_a_file_outside_the_repository_has_no_role(tmp_path: Path) -> None:
    files = CatalogFiles(tmp_path / "repo")
    assert files.role(tmp_path / "elsewhere.yaml") is Role.OTHER
    assert files.display(tmp_path / "repo" / "catalog" / "x.yaml") == "catalog/x.yaml"


def test_documents_are_indexed_by_file_name(tmp_path: Path) -> None:
    for relative in (
        "catalog/compute/compute-vm-small.yaml",
        "catalog/bundles/bundle-web-standard.yaml",
        "requests/team-a/req-1.yaml",
        "requests/team-a/notes.txt",
    ):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("kind: x\n")
    files = CatalogFiles(tmp_path)
    assert list(files.index(Role.ITEM)) == ["compute-vm-small"]
    assert list(files.index(Role.BUNDLE)) == ["bundle-web-standard"]
    assert list(files.index(Role.REQUEST)) == ["req-1"]


def test_misplaced_and_outside_documents_are_named(tmp_path: Path) -> None:
    (tmp_path / "catalog" / "compute" / "drafts").mkdir(parents=True)
    (tmp_path / "catalog" / "compute" / "drafts" / "x.yaml").write_text("a: 1\n")
    (tmp_path / "catalog" / "compute" / "y.YAML").write_text("a: 1\n")
    (tmp_path / "bundles").mkdir()
    (tmp_path / "bundles" / "old.yaml").write_text("kind: CatalogBundle\n")
    files = CatalogFiles(tmp_path)
    assert "is not read as part of the catalog" in files.misplaced(
        tmp_path / "catalog" / "compute" / "drafts" / "x.yaml"
    )
    assert files.misplaced(tmp_path / "catalog" / "compute" / "y.YAML") == (
        "the file name ends in .YAML; documents end in .yaml"
    )
    assert files.misplaced(tmp_path / "catalog" / "compute" / "z.yaml") == ""
    assert files.outside_documents() == [tmp_path.resolve() / "bundles" / "old.yaml"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_entries_pac_cannot_read_are_named_without_opening_them(tmp_path: Path) -> None:
    files = CatalogFiles(tmp_path)
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "link.yaml").symlink_to("/etc/hostname")
    assert "a named pipe (FIFO)" in files.entry_problem(tmp_path / "pipe.yaml")
    assert "outside the repository" in files.entry_problem(tmp_path / "link.yaml")
    assert files.entry_problem(tmp_path / "missing.yaml") == ""


def test_every_role_with_a_kind_has_a_home() -> None:
    assert set(ROLE_KIND.values()) == set(KIND_HOME)
