"""Running the checks: every finding of a document, including ones no command would see."""

from __future__ import annotations

from pathlib import Path

from pac.documents.repository import Repository
from pac.validation.run import check_file, validate

ITEM = "catalog/databases/database-aurora-postgresql-standard.yaml"


def test_the_sample_catalog_passes(sample_repo: Repository) -> None:
    result = validate(sample_repo)
    assert result.ok
    assert (result.errors, result.warnings) == (0, 0)
    assert ITEM in result.checked
    assert "CODEOWNERS" in result.checked


def test_a_document_outside_the_folders_pac_reads_is_named(sample_root: Path) -> None:
    stray = sample_root / "bundles" / "bundle-old.yaml"
    stray.parent.mkdir()
    stray.write_text("schemaVersion: '1.0'\nkind: CatalogBundle\nmetadata: {id: bundle-old}\n")
    findings = check_file(Repository(sample_root), stray)
    outside = [d for d in findings if d.code == "document-outside-catalog"]
    assert [(d.path, d.line) for d in outside] == [("bundles/bundle-old.yaml", 2)]
    assert "git mv bundles/bundle-old.yaml catalog/bundles/bundle-old.yaml" in outside[0].hint


def test_a_misplaced_document_names_where_it_belongs_and_its_owner(sample_root: Path) -> None:
    nested = sample_root / "catalog/databases/aurora" / Path(ITEM).name
    nested.parent.mkdir()
    nested.write_text((sample_root / ITEM).read_text())
    repo = Repository(sample_root)
    findings = check_file(repo, nested)
    assert [d.code for d in findings] == ["file-location"]
    assert f"catalog/<category>/{Path(ITEM).name}" in findings[0].hint
    assert "Owner:" in findings[0].hint
