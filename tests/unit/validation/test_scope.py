"""Choosing what to validate: paths, folders, and `--changed` on real git repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.errors import GitError, UsageError
from pac.validation.run import validate
from tests.conftest import git_commit_all, invoke

ITEM = "catalog/databases/database-aurora-postgresql-standard.yaml"
BUNDLE = "catalog/bundles/bundle-webapp-standard.yaml"
WEBAPP = "requests/payments/payments-webapp.yaml"
EVENTS = "requests/payments/payments-events.yaml"


def test_explicit_paths_are_checked_alone(sample_repo: Repository) -> None:
    result = validate(sample_repo, paths=[sample_repo.root / ITEM])
    assert result.checked == [ITEM]
    assert result.ok


def test_a_folder_is_expanded_to_its_documents(sample_repo: Repository) -> None:
    result = validate(sample_repo, paths=[sample_repo.root / "requests"])
    assert sorted(result.checked) == [EVENTS, WEBAPP]


def test_a_missing_path_is_a_usage_error(sample_repo: Repository) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        validate(sample_repo, paths=[sample_repo.root / "nope.yaml"])


def test_status_files_are_not_documents(sample_repo: Repository) -> None:
    status = sample_repo.root / "requests/.status/payments-events.yaml"
    status.parent.mkdir(parents=True)
    status.write_text("request: payments-events\nstate: completed\n")
    assert validate(sample_repo).ok


def test_a_status_file_named_explicitly_is_skipped_with_the_reason(
    sample_repo: Repository,
) -> None:
    folder = sample_repo.root / "requests/.status"
    folder.mkdir(parents=True)
    status = folder / "payments-events.yaml"
    status.write_text(
        "request: payments-events\nstate: completed\n"
    )  # not a request document: would be findings
    result = validate(sample_repo, paths=[status, sample_repo.root / EVENTS])
    assert result.ok and result.checked == [EVENTS]
    assert result.skipped == [
        (
            "requests/.status/payments-events.yaml",
            "a status file: pac apply writes it, pac validate does not check it",
        )
    ]
    result = validate(sample_repo, paths=[folder])
    assert result.ok and result.checked == [] and result.skipped[0][0] == "requests/.status"

    code, out = invoke(sample_repo.root, "validate", str(status))
    assert code == 0, out
    assert (
        "requests/.status/payments-events.yaml: skipped, a status file: pac apply writes it" in out
    )


def test_changed_with_nothing_changed_checks_nothing(sample_git: Path) -> None:
    result = validate(Repository(sample_git), changed_since="main")
    assert result.checked == []
    assert result.ok


def test_a_changed_item_rechecks_the_bundles_and_requests_using_it(sample_git: Path) -> None:
    item = sample_git / ITEM
    # Renaming a field breaks the bundle's and requests' use of it.
    item.write_text(item.read_text().replace("  version: 2.0.0", "  version: 2.1.0"))
    result = validate(Repository(sample_git), changed_since="main")
    assert sorted(result.checked) == [BUNDLE, ITEM, WEBAPP]
    assert result.ok


def test_a_changed_request_is_checked_with_its_target(sample_git: Path) -> None:
    request = sample_git / EVENTS
    request.write_text(request.read_text().replace("partitions: 12", "partitions: 480"))
    result = validate(Repository(sample_git), changed_since="main")
    assert result.checked == [EVENTS]
    assert [(d.code, d.path) for d in result.diagnostics] == [("input-range", EVENTS)]


def test_a_deleted_item_still_used_is_an_error(sample_git: Path) -> None:
    (sample_git / ITEM).unlink()
    git_commit_all(sample_git, "retire the database")
    result = validate(Repository(sample_git), changed_since="HEAD~1")
    assert sorted(result.checked) == [BUNDLE, WEBAPP]
    assert [(d.code, d.path) for d in result.diagnostics] == [("bundle-unknown-item", BUNDLE)]
    # The request is for the bundle, which still exists; it is re-checked and passes.


def test_a_deleted_item_that_a_request_names_directly(sample_git: Path) -> None:
    (sample_git / "catalog/messaging/messaging-kafka-topic.yaml").unlink()
    result = validate(Repository(sample_git), changed_since="main")
    assert result.checked == [EVENTS]
    [finding] = result.diagnostics
    assert (finding.code, finding.path) == ("request-unknown-target", EVENTS)


def test_committed_and_untracked_changes_both_count(sample_git: Path) -> None:
    (sample_git / "requests/checkout").mkdir()
    new = sample_git / "requests/checkout/checkout-events.yaml"
    new.write_text((sample_git / EVENTS).read_text().replace("payments-events", "checkout-events"))
    result = validate(Repository(sample_git), changed_since="main")
    assert "requests/checkout/checkout-events.yaml" in result.checked
    git_commit_all(sample_git, "add a request")
    result = validate(Repository(sample_git), changed_since="HEAD~1")
    assert "requests/checkout/checkout-events.yaml" in result.checked


def test_a_registry_change_rechecks_every_offering_and_codeowners(sample_git: Path) -> None:
    registry = sample_git / "catalog/categories.yaml"
    registry.write_text(registry.read_text().replace("@acme/platform-security", "@acme/sec"))
    result = validate(Repository(sample_git), changed_since="main")
    assert "CODEOWNERS" in result.checked
    assert ITEM in result.checked and BUNDLE in result.checked
    assert [d.code for d in result.diagnostics] == ["codeowners-outdated"]


def test_an_unknown_revision_is_a_git_error(sample_git: Path) -> None:
    with pytest.raises(GitError, match="unknown git revision 'origin/nope'"):
        validate(Repository(sample_git), changed_since="origin/nope")


def test_changed_outside_git_is_a_git_error(sample_root: Path) -> None:
    with pytest.raises(GitError, match="not a git repository"):
        validate(Repository(sample_root), changed_since="main")


def test_relative_paths_fall_back_to_the_repository(
    sample_repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # somewhere else, as with `pac --repo X validate catalog/...`
    result = validate(sample_repo, paths=[Path("catalog/messaging")])
    assert result.checked == [
        "catalog/messaging/messaging-kafka-topic.yaml",
        "catalog/messaging/messaging-sqs-standard.yaml",
    ]


def test_paths_outside_the_repository_are_refused(sample_repo: Repository, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("a: 1\n")
    with pytest.raises(UsageError, match="outside the catalog repository"):
        validate(sample_repo, paths=[outside])


def test_a_folder_without_documents_is_refused(sample_repo: Repository) -> None:
    (sample_repo.root / "notes").mkdir()
    (sample_repo.root / "notes/readme.txt").write_text("hi\n")
    with pytest.raises(UsageError, match="holds no catalog documents"):
        validate(sample_repo, paths=[sample_repo.root / "notes"])


def test_a_changed_description_template_rechecks_its_items_and_their_bundles(
    sample_git: Path,
) -> None:
    template = sample_git / "templates/jira/databases/database-request.j2"
    template.write_text(template.read_text() + "|Window|{{ .current.database.window }}|\n")
    result = validate(Repository(sample_git), changed_since="main")
    assert sorted(result.checked) == [BUNDLE, ITEM, WEBAPP]
    found = sorted((d.code, d.path) for d in result.diagnostics)
    assert found == [
        ("template-current", BUNDLE),
        ("template-current", "templates/jira/databases/database-request.j2"),
    ]


def test_a_description_template_path_checks_the_items_using_it(sample_repo: Repository) -> None:
    template = sample_repo.root / "templates/jira/messaging/kafka-topic-request.j2"
    result = validate(sample_repo, paths=[template])
    assert result.checked == [
        "catalog/messaging/messaging-kafka-topic.yaml",
        "requests/payments/payments-events.yaml",
    ]


def test_other_files_are_not_documents(sample_repo: Repository) -> None:
    readme = sample_repo.root / "README.md"
    readme.write_text("# hello\n")
    with pytest.raises(UsageError, match="is not a catalog document"):
        validate(sample_repo, paths=[readme])


def test_a_changed_attached_file_rechecks_the_requests_naming_it(sample_git: Path) -> None:
    attached = sample_git / "requests/payments/payments-events.avsc"
    attached.write_text(attached.read_text() + " ")
    result = validate(Repository(sample_git), changed_since="main")
    assert result.checked == [EVENTS]
    assert result.ok
    attached.unlink()
    result = validate(Repository(sample_git), changed_since="main")
    assert [(d.code, d.path) for d in result.diagnostics] == [("input-file", EVENTS)]


def test_changed_with_paths_checks_only_the_changes_under_them(sample_git: Path) -> None:
    for relative in (EVENTS, "catalog/compute/compute-eks-containerapp.yaml"):
        file = sample_git / relative
        file.write_text(file.read_text() + "# reviewed\n")
    repo = Repository(sample_git)
    assert validate(repo, paths=[sample_git / "requests"], changed_since="main").checked == [EVENTS]
    # The compute item's users are re-checked wherever they are.
    result = validate(
        Repository(sample_git), paths=[sample_git / "catalog/compute"], changed_since="main"
    )
    assert sorted(result.checked) == [
        BUNDLE,
        "catalog/compute/compute-eks-containerapp.yaml",
        WEBAPP,
    ]


def test_changed_with_a_path_that_never_existed_is_a_usage_error(sample_git: Path) -> None:
    with pytest.raises(UsageError, match="does not exist and has not changed"):
        validate(Repository(sample_git), paths=[sample_git / "nope.yaml"], changed_since="main")


def test_changed_with_a_deleted_path_checks_its_users(sample_git: Path) -> None:
    (sample_git / ITEM).unlink()
    result = validate(Repository(sample_git), paths=[sample_git / ITEM], changed_since="main")
    assert [(d.code, d.path) for d in result.diagnostics] == [("bundle-unknown-item", BUNDLE)]


def test_a_document_below_its_category_folder_is_reported(sample_git: Path) -> None:
    nested = sample_git / "catalog/databases/aurora" / Path(ITEM).name
    nested.parent.mkdir()
    nested.write_text((sample_git / ITEM).read_text())
    shown = "catalog/databases/aurora/database-aurora-postgresql-standard.yaml"
    for result in (
        validate(Repository(sample_git)),
        validate(Repository(sample_git), changed_since="main"),
        validate(Repository(sample_git), paths=[nested]),
    ):
        assert [(d.code, d.path) for d in result.diagnostics] == [("file-location", shown)]


def test_a_changed_github_codeowners_runs_the_codeowners_checks(sample_git: Path) -> None:
    shadow = sample_git / ".github/CODEOWNERS"
    shadow.parent.mkdir()
    shadow.write_text("* @someone\n")
    result = validate(Repository(sample_git), changed_since="main")
    assert [(d.code, d.path) for d in result.diagnostics] == [
        ("codeowners-outdated", ".github/CODEOWNERS")
    ]


def test_an_attached_file_path_checks_the_requests_naming_it(sample_repo: Repository) -> None:
    attached = sample_repo.root / "requests/payments/payments-events.avsc"
    result = validate(sample_repo, paths=[attached])
    assert result.checked == [EVENTS]
    assert result.ok
