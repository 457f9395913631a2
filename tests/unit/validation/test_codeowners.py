"""CODEOWNERS generated from the registry and checked against it."""

from __future__ import annotations

import pytest

from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.validation import codeowners
from tests.sample import sample_source


def test_the_repository_codeowners_is_the_generated_one() -> None:
    repo = Repository(sample_source())
    assert (sample_source() / "CODEOWNERS").read_text() == codeowners.generate(repo)
    assert codeowners.check(repo) == []


def test_generated_rules_follow_the_registry(sample_repo: Repository) -> None:
    rules = {r.pattern: r.owners for r in codeowners.parse(codeowners.generate(sample_repo))}
    assert rules["*"] == ("@acme/architecture",)
    assert rules["/catalog/databases/"] == ("@acme/platform-databases",)
    assert rules["/catalog/bundles/"] == ("@acme/developer-experience",)
    assert rules["/schema/"] == ("@acme/architecture",)
    assert rules["/catalog/categories.yaml"] == ("@acme/architecture",)
    assert rules["/requests/"] == ()  # reviewed by the offerings' owners, requested by plan


def test_write_reports_whether_anything_changed(sample_repo: Repository) -> None:
    assert codeowners.write(sample_repo) is False
    registry = sample_repo.root / "catalog/categories.yaml"
    registry.write_text(registry.read_text().replace("@acme/platform-compute", "@acme/compute"))
    changed = Repository(sample_repo.root)
    assert codeowners.write(changed) is True
    assert codeowners.parse((sample_repo.root / "CODEOWNERS").read_text())[1].owners == (
        "@acme/compute",
    )


def test_a_folder_without_an_owner_is_reported(sample_repo: Repository) -> None:
    (sample_repo.root / "catalog/networking").mkdir()
    found = [(d.code, d.message) for d in codeowners.check(sample_repo)]
    assert found == [("codeowners-unowned", "catalog/networking/ has no owning team in CODEOWNERS")]


def test_an_owner_line_without_owners_counts_as_unowned(sample_repo: Repository) -> None:
    path = sample_repo.root / "CODEOWNERS"
    path.write_text(path.read_text() + "/catalog/compute/\n")
    codes = sorted(d.code for d in codeowners.check(sample_repo))
    assert codes == ["codeowners-outdated", "codeowners-unowned"]


def test_generation_needs_the_architecture_team(sample_repo: Repository) -> None:
    config = sample_repo.root / "pac.yaml"
    config.write_text("schemaVersion: catalog/v1\nkind: PacConfig\n")
    with pytest.raises(UsageError, match="names no architecture team"):
        codeowners.generate(Repository(sample_repo.root))


def test_an_alignment_change_is_not_reported_before_the_real_difference(
    sample_repo: Repository,
) -> None:
    registry = sample_repo.root / "catalog/categories.yaml"
    registry.write_text(
        registry.read_text()
        + "  - {id: observability-and-monitoring, idPrefix: observability, team: o11y-team,"
        " codeowners: ['@acme/o11y'], description: Metrics and logs.}\n"
    )
    [finding] = codeowners.check(Repository(sample_repo.root))
    assert finding.code == "codeowners-outdated"
    assert "/catalog/observability-and-monitoring/" in finding.message
