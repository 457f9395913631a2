"""Nothing passes in silence: entries pac cannot read, documents outside the folders it
reads, and starter documents still holding their placeholders are findings (SPEC §7)."""

from __future__ import annotations

import os
from pathlib import Path

from pac.documents.repository import Repository
from pac.validation.run import validate
from tests.conftest import git_commit_all, pac


def _codes(root: Path) -> list[tuple[str, str]]:
    return sorted((d.code, d.path) for d in validate(Repository(root)).diagnostics)


def test_a_fifo_among_the_requests_is_reported_without_being_opened(sample_root: Path) -> None:
    os.mkfifo(sample_root / "requests/payments/payments-cache.yaml")
    # A subprocess, so that a regression (opening the pipe blocks for ever) fails the test
    # through the helper's timeout instead of hanging the suite.
    done = pac("validate", cwd=sample_root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "requests/payments/payments-cache.yaml:1:1: error[entry-unreadable] "
        "requests/payments/payments-cache.yaml is a named pipe (FIFO), not a file pac can read"
    ) in done.stdout


def test_a_fifo_named_explicitly_is_reported(sample_root: Path) -> None:
    os.mkfifo(sample_root / "catalog/databases/database-redis-cache.yaml")
    done = pac("validate", "catalog/databases/database-redis-cache.yaml", cwd=sample_root)
    assert done.returncode == 1
    assert "entry-unreadable" in done.stdout


def test_links_leaving_the_repository_are_not_followed(sample_root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "database-stolen-copy.yaml"
    secret.write_text(
        (sample_root / "catalog/databases/database-aurora-postgresql-standard.yaml").read_text()
    )
    (sample_root / "catalog/databases/database-stolen-copy.yaml").symlink_to(secret)
    (sample_root / "catalog/storage").symlink_to(outside, target_is_directory=True)
    (sample_root / "requests/ops").symlink_to(outside, target_is_directory=True)
    (sample_root / "requests/payments/payments-gone.yaml").symlink_to("payments-nowhere.yaml")
    repo = Repository(sample_root)
    found = [d for d in validate(repo).diagnostics if d.code == "entry-unreadable"]
    assert sorted(d.path for d in found) == [
        "catalog/databases/database-stolen-copy.yaml",
        "catalog/storage",
        "requests/ops",
        "requests/payments/payments-gone.yaml",
    ]
    assert all(
        "outside the repository" in d.message or "does not exist" in d.message for d in found
    )
    assert repo.item("database-stolen-copy") is None  # never read through the link


def test_a_link_inside_the_repository_is_read(sample_root: Path) -> None:
    # A request kept once and linked into its team folder: inside the repository, so fine.
    source = sample_root / "requests/payments/payments-events.yaml"
    source.rename(sample_root / "requests/payments-events.source")
    source.symlink_to("../payments-events.source")
    repo = Repository(sample_root)
    assert _codes(sample_root) == []
    assert repo.request("payments-events") is not None


def test_changed_reports_a_committed_link_out(sample_git: Path) -> None:
    base = git_commit_all(sample_git, "base")
    (sample_git / "requests/payments/payments-cache.yaml").symlink_to("/etc/hostname")
    done = pac("validate", "--changed", base, cwd=sample_git)
    assert done.returncode == 1
    assert (
        "error[entry-unreadable] requests/payments/payments-cache.yaml is a symbolic link"
        in done.stdout
    )


BUNDLE = "catalog/bundles/bundle-webapp-standard.yaml"


def _move_bundle_to_root(root: Path) -> Path:
    (root / "bundles").mkdir()
    target = root / "bundles/webapp.yaml"
    (root / BUNDLE).rename(target)
    return target


def test_a_bundle_in_a_root_bundles_folder_is_reported(sample_root: Path) -> None:
    _move_bundle_to_root(sample_root)
    found = validate(Repository(sample_root)).diagnostics
    outside = [d for d in found if d.code == "document-outside-catalog"]
    assert [(d.path, d.line, d.column) for d in outside] == [("bundles/webapp.yaml", 3, 7)]
    assert (
        "`git mv bundles/webapp.yaml catalog/bundles/bundle-webapp-standard.yaml`"
        in outside[0].hint
    )
    # The request for it says where the bundle is written.
    unknown = next(d for d in found if d.code == "request-unknown-target")
    assert "It is written in bundles/webapp.yaml" in unknown.hint


def test_an_item_and_a_request_outside_name_their_places(sample_root: Path) -> None:
    (sample_root / "items").mkdir()
    (sample_root / "catalog/compute/compute-eks-containerapp.yaml").rename(
        sample_root / "items/eks.yml"
    )
    (sample_root / "requests/payments/payments-events.yaml").rename(
        sample_root / "payments-events.yaml"
    )
    hints = {
        d.path: d.hint
        for d in validate(Repository(sample_root)).diagnostics
        if d.code == "document-outside-catalog"
    }
    assert (
        "`git mv items/eks.yml catalog/compute/compute-eks-containerapp.yaml`"
        in hints["items/eks.yml"]
    )
    assert (
        "`git mv payments-events.yaml requests/payments/payments-events.yaml`"
        in hints["payments-events.yaml"]
    )


def test_changed_reports_a_new_document_outside(sample_git: Path) -> None:
    base = git_commit_all(sample_git, "base")
    _move_bundle_to_root(sample_git)
    done = pac("validate", "--changed", base, cwd=sample_git)
    assert done.returncode == 1
    assert "bundles/webapp.yaml:3:7: error[document-outside-catalog]" in done.stdout
    assert "0 files checked" not in done.stdout


def test_catalog_list_notes_what_it_cannot_show(sample_root: Path) -> None:
    _move_bundle_to_root(sample_root)
    done = pac("catalog", "list", cwd=sample_root)
    assert done.returncode == 0
    assert "bundle-webapp-standard" not in done.stdout
    assert "outside catalog/ are not listed: bundles/webapp.yaml" in done.stderr


def test_other_yaml_and_tool_folders_are_left_alone(sample_root: Path) -> None:
    bundle = (sample_root / BUNDLE).read_text()
    (sample_root / "deploy").mkdir()
    (sample_root / "deploy/app.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    (sample_root / "deploy/notes.yaml").write_text("steps:\n  - kind: CatalogItem\n")
    for folder in ("node_modules/x", "env", ".pac/git/infra"):
        (sample_root / folder).mkdir(parents=True)
        (sample_root / folder / "bundle.yaml").write_text(bundle)
    (sample_root / "env/pyvenv.cfg").write_text("home = /usr/bin\n")
    (sample_root / "templates/jira/bundle.yaml").write_text("steps:\n  kind: CatalogBundle\n")
    (sample_root / "schema").mkdir()
    (sample_root / "schema/shape.yaml").write_text(
        "type: object\nproperties:\n  kind: {const: CatalogBundle}\n"
    )
    (sample_root / "schema/shape-flow.yaml").write_text(
        '{"type": "object", "properties": {"kind": "CatalogBundle"}}\n'
    )
    os.mkfifo(sample_root / "deploy/pipe.yaml")  # never opened
    assert _codes(sample_root) == []


def test_pac_yaml_can_ignore_a_fixtures_folder(sample_root: Path) -> None:
    (sample_root / "examples/old").mkdir(parents=True)
    (sample_root / "examples/old/bundle.yaml").write_text((sample_root / BUNDLE).read_text())
    assert _codes(sample_root) == [("document-outside-catalog", "examples/old/bundle.yaml")]
    config = sample_root / "pac.yaml"
    text = config.read_text().replace(
        "ignore: [tests/fixtures]", "ignore: [tests/fixtures, examples/]"
    )
    config.write_text(text)
    assert _codes(sample_root) == []


def test_pac_yaml_is_a_document_in_its_place_not_one_outside(sample_root: Path) -> None:
    result = validate(Repository(sample_root))
    assert result.checked.count("pac.yaml") == 1
    assert result.diagnostics == []


def test_a_starter_committed_as_written_lists_its_todos(sample_root: Path) -> None:
    from pac.authoring.scaffold import new_item

    made = new_item(Repository(sample_root), "databases", "redis-cache", "standard")
    text = made.path.read_text()
    found = [
        d for d in validate(Repository(sample_root)).diagnostics if d.path.endswith(made.path.name)
    ]
    assert len(found) == text.count("TODO") - 1  # one comment holds two lines, one TODO
    assert {d.code for d in found} == {"starter-placeholder"}
    # Done: the description written, the to-do comments deleted.
    lines = [
        line.split("# TODO")[0].rstrip() if "# TODO" in line else line for line in text.splitlines()
    ]
    done = "\n".join(line for line in lines if line.strip()) + "\n"
    done = done.replace(
        "TODO describe the offering",
        "A managed Redis cache for your service, replicated and encrypted; describe",
    )
    made.path.write_text(done)
    assert validate(Repository(sample_root)).diagnostics == []


def test_a_todo_the_author_wrote_in_a_value_is_reported(sample_root: Path) -> None:
    path = sample_root / "requests/payments/payments-events.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "  name: payments-events", "  name: payments-events\n  # TODO: our own note, left alone"
        )
    )
    assert _codes(sample_root) == []
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(item.read_text().replace("name: Kafka Topic", "name: Kafka Topic TODO"))
    assert ("starter-placeholder", "catalog/messaging/messaging-kafka-topic.yaml") in _codes(
        sample_root
    )


def test_changed_reports_a_committed_dangling_link(sample_git: Path) -> None:
    # `exists()` follows the link: a link to nothing looked deleted and was skipped.
    (sample_git / "catalog/security/x.yaml").symlink_to("../../../outside-missing.yaml")
    (sample_git / "catalog/security/y.yaml").symlink_to("/nonexistent/x.yaml")
    git_commit_all(sample_git, "links to nothing")
    done = pac("validate", "--changed", "HEAD~1", cwd=sample_git)
    assert done.returncode == 1, done.stdout
    assert "catalog/security/x.yaml:1:1: error[entry-unreadable]" in done.stdout
    assert "catalog/security/y.yaml:1:1: error[entry-unreadable]" in done.stdout
    assert "0 files checked" not in done.stdout


def test_a_folder_named_explicitly_reports_its_pipes_and_dangling_links(sample_root: Path) -> None:
    os.mkfifo(sample_root / "catalog/databases/database-pipe.yaml")
    (sample_root / "catalog/databases/database-gone.yaml").symlink_to("/nonexistent/x.yaml")
    os.mkfifo(sample_root / "requests/payments/payments-pipe.yaml")
    done = pac("validate", "catalog/databases", cwd=sample_root)
    assert done.returncode == 1, done.stdout
    assert "catalog/databases/database-pipe.yaml:1:1: error[entry-unreadable]" in done.stdout
    assert "catalog/databases/database-gone.yaml:1:1: error[entry-unreadable]" in done.stdout
    done = pac("validate", "requests/", cwd=sample_root)
    assert done.returncode == 1, done.stdout
    assert "requests/payments/payments-pipe.yaml:1:1: error[entry-unreadable]" in done.stdout


def test_documents_with_a_pac_kind_in_any_spelling_or_folder_are_reported(
    sample_root: Path,
) -> None:
    bundle = (sample_root / BUNDLE).read_text()
    _move_bundle_to_root(sample_root)
    quoted = bundle.replace("kind: CatalogBundle", '"kind": CatalogBundle')
    (sample_root / "bundles/webapp.yaml").write_text(quoted)
    import json

    import yaml

    as_json = json.dumps(yaml.safe_load(bundle), indent=2)
    (sample_root / "bundles/flow.yaml").write_text(as_json)
    for folder in ("schema", "templates/jira", ".github", ".drafts/old"):
        (sample_root / folder).mkdir(parents=True, exist_ok=True)
        (sample_root / folder / "bundle.yaml").write_text(bundle)
    outside = sorted(
        (d.path, d.line)
        for d in validate(Repository(sample_root)).diagnostics
        if d.code == "document-outside-catalog"
    )
    assert outside == [
        (".drafts/old/bundle.yaml", 3),
        (".github/bundle.yaml", 3),
        ("bundles/flow.yaml", 3),
        ("bundles/webapp.yaml", 3),
        ("schema/bundle.yaml", 3),
        ("templates/jira/bundle.yaml", 3),
    ]
    # Named explicitly, each is reported too.
    for name in ("bundles/webapp.yaml", "bundles/flow.yaml", "schema/bundle.yaml"):
        done = pac("validate", name, cwd=sample_root)
        assert done.returncode == 1, done.stdout
        assert f"{name}:" in done.stdout and "error[document-outside-catalog]" in done.stdout


DRAFT = "catalog/.drafts/database-x.yaml"
ITEM = "catalog/databases/database-aurora-postgresql-standard.yaml"


def _draft(root: Path) -> None:
    (root / "catalog/.drafts").mkdir()
    (root / DRAFT).write_text((root / ITEM).read_text())


def test_a_draft_in_a_hidden_catalog_folder_names_its_place(sample_root: Path) -> None:
    _draft(sample_root)
    found = [d for d in validate(Repository(sample_root)).diagnostics if d.path == DRAFT]
    assert [d.code for d in found] == ["file-location"]
    assert "hidden folder .drafts/" in found[0].message
    assert f"`git mv {DRAFT} {ITEM}`" in found[0].hint
    assert "category: .drafts" not in found[0].hint
    done = pac("validate", DRAFT, cwd=sample_root)
    assert done.returncode == 1 and "error[file-location]" in done.stdout, done.stdout


def test_changed_reports_a_draft_in_a_hidden_catalog_folder(sample_git: Path) -> None:
    _draft(sample_git)
    git_commit_all(sample_git, "a draft")
    done = pac("validate", "--changed", "HEAD~1", cwd=sample_git)
    assert done.returncode == 1, done.stdout
    assert f"{DRAFT}:" in done.stdout and "error[file-location]" in done.stdout
    assert "category: .drafts" not in done.stdout


def test_a_decommission_reason_past_its_cap_is_found_before_apply(sample_root: Path) -> None:
    # Caught by validate, not by the ticket at apply; and the value is never echoed.
    path = sample_root / "requests/payments/payments-events.yaml"
    path.write_text(path.read_text() + f"decommission: {{reason: {'x' * 300_000}}}\n")
    done = pac("validate", "requests/payments/payments-events.yaml", cwd=sample_root)
    assert done.returncode == 1
    assert (
        "error[schema-length] decommission.reason is 300000 characters long; "
        "it must be at most 2000" in done.stdout
    )
    assert len(done.stdout) < 2000
