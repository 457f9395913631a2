"""Versions mean something: `pac validate --changed BASE` on real git history (SPEC §7)."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from pac.diagnostics import Diagnostic
from pac.documents.repository import Repository
from pac.validation.checks.versions import Version, form_changes
from pac.validation.run import validate
from tests.conftest import git_commit_all

ITEM = "catalog/databases/database-aurora-postgresql-standard.yaml"
BUNDLE = "catalog/bundles/bundle-webapp-standard.yaml"

NOTES = """          - id: notes
            name: Notes for the DBA Team
            type: textarea
            validation: {maxLength: 1000}
"""

# Each breaking kind: the edit, and the words the finding must list.
BREAKING = {
    "field removed": ([(NOTES, "")], "database.notes: field removed (or renamed)"),
    "field renamed": ([("- id: notes", "- id: remarks")], "database.notes: field removed"),
    "made required": (
        [("type: textarea\n", "type: textarea\n            required: true\n")],
        "database.notes: made required",
    ),
    "made immutable": (
        [("type: textarea\n", "type: textarea\n            immutable: true\n")],
        "database.notes: made immutable",
    ),
    "type changed": (
        [("type: textarea\n", "type: string\n")],
        "database.notes: type changed from textarea to string",
    ),
    "enum member removed": (
        [("[db.t3.medium, db.r6g.large, db.r6g.xlarge]", "[db.t3.medium, db.r6g.large]")],
        "database.instanceClass: enum member removed: db.r6g.xlarge",
    ),
    "max narrowed": (
        [("max: 2000", "max: 1000")],
        "database.storageGb: max narrowed from 2000 to 1000",
    ),
    "min narrowed": (
        [("{min: 20, max: 2000", "{min: 30, max: 2000"), ("default: 20\n", "default: 30\n")],
        "database.storageGb: min narrowed from 20 to 30",
    ),
    "maxLength narrowed": (
        [("{maxLength: 1000}", "{maxLength: 500}")],
        "database.notes: maxLength narrowed from 1000 to 500",
    ),
    "minLength added": (
        [("{maxLength: 1000}", "{minLength: 10, maxLength: 1000}")],
        "database.notes: minLength 10 added",
    ),
    "pattern changed": (
        [('"^CC-[0-9]{4}$"', '"^CC-[0-9]{4,6}$"')],
        "environment.costCenter: pattern changed from '^CC-[0-9]{4}$' to '^CC-[0-9]{4,6}$'",
    ),
    "group removed": (
        [("- id: credentials", "- id: secrets")],
        "credentials: group removed (or renamed)",
    ),
    "new required field": (
        [
            (
                NOTES,
                NOTES + "          - id: owner\n            name: Owner\n"
                "            type: email\n            required: true\n",
            )
        ],
        "database.owner: new required field without a default",
    ),
}


def edit(root: Path, relative: str, replacements: list[tuple[str, str]]) -> None:
    path = root / relative
    text = path.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)


def version_findings(root: Path, base: str = "main") -> list[Diagnostic]:
    result = validate(Repository(root), changed_since=base)
    return [d for d in result.diagnostics if d.code.startswith("version-")]


@pytest.mark.parametrize("kind", sorted(BREAKING))
def test_a_breaking_change_without_a_major_version_is_an_error(sample_git: Path, kind: str) -> None:
    replacements, listed = BREAKING[kind]
    edit(sample_git, ITEM, [*replacements, ("version: 2.0.0", "version: 2.1.0")])
    git_commit_all(sample_git, kind)
    (found,) = version_findings(sample_git, "HEAD~1")
    assert (found.path, found.code, found.severity.value) == (
        ITEM,
        "version-breaking-change",
        "error",
    )
    assert listed in found.message
    assert "went from 2.0.0 to 2.1.0" in found.message
    assert "Raise metadata.version to 3.0.0" in found.hint


@pytest.mark.parametrize("kind", sorted(BREAKING))
def test_a_breaking_change_with_a_major_version_passes(sample_git: Path, kind: str) -> None:
    replacements, _ = BREAKING[kind]
    edit(sample_git, ITEM, [*replacements, ("version: 2.0.0", "version: 3.0.0")])
    assert version_findings(sample_git) == []


def test_every_breaking_change_is_listed_in_one_finding(sample_git: Path) -> None:
    edit(
        sample_git,
        ITEM,
        [r for kind in ("field removed", "enum member removed") for r in BREAKING[kind][0]],
    )
    (found,) = version_findings(sample_git)
    assert "database.notes: field removed" in found.message
    assert "database.instanceClass: enum member removed" in found.message
    assert "stayed 2.0.0" in found.message


def test_commits_on_a_branch_are_compared_with_the_merge_base(sample_git: Path) -> None:
    repo = git.Repo(sample_git)
    repo.git.checkout("-b", "feature")
    edit(sample_git, ITEM, BREAKING["enum member removed"][0])
    git_commit_all(sample_git, "drop a size")
    edit(sample_git, ITEM, [("version: 2.0.0", "version: 2.0.1")])
    git_commit_all(sample_git, "bump")
    (found,) = version_findings(sample_git)
    assert found.code == "version-breaking-change"
    assert "went from 2.0.0 to 2.0.1" in found.message


def test_an_addition_without_a_minor_version_is_a_warning(sample_git: Path) -> None:
    edit(sample_git, ITEM, [('enum: ["15.4", "16.2"]', 'enum: ["15.4", "16.2", "17.0"]')])
    edit(sample_git, ITEM, [("maxLength: 1000}", "maxLength: 2000}")])
    (found,) = version_findings(sample_git)
    assert (found.code, found.severity.value) == ("version-bump-minor", "warning")
    assert "database.engineVersion: enum member added: 17.0" in found.message
    assert "database.notes: maxLength widened from 1000 to 2000" in found.message
    assert "Raise metadata.version to 2.1.0" in found.hint


def test_an_optional_field_added_with_a_minor_version_passes(sample_git: Path) -> None:
    added = (
        NOTES
        + "          - id: ticketWatchers\n            name: Watchers\n            type: string\n"
    )
    edit(sample_git, ITEM, [(NOTES, added), ("version: 2.0.0", "version: 2.1.0")])
    assert version_findings(sample_git) == []


def test_a_change_without_any_version_change_is_a_warning(sample_git: Path) -> None:
    edit(sample_git, ITEM, [("components: [Aurora]", "components: [Aurora, PostgreSQL]")])
    (found,) = version_findings(sample_git)
    assert (found.code, found.severity.value) == ("version-unchanged", "warning")
    assert "Raise it to 2.0.1" in found.hint


def test_a_patch_change_with_a_patch_version_passes(sample_git: Path) -> None:
    edit(
        sample_git,
        ITEM,
        [
            ("components: [Aurora]", "components: [Aurora, PostgreSQL]"),
            ("version: 2.0.0", "version: 2.0.1"),
        ],
    )
    assert version_findings(sample_git) == []


def test_comments_and_layout_need_no_new_version(sample_git: Path) -> None:
    edit(sample_git, ITEM, [("input:\n", "# the request form\ninput:\n")])
    assert version_findings(sample_git) == []


def test_a_version_that_went_down_is_an_error(sample_git: Path) -> None:
    edit(sample_git, ITEM, [("version: 2.0.0", "version: 1.9.0")])
    (found,) = version_findings(sample_git)
    assert (found.code, found.severity.value) == ("version-lowered", "error")
    assert "went down from 2.0.0 (at main) to 1.9.0" in found.message


def test_a_bundle_form_is_judged_too(sample_git: Path) -> None:
    edit(sample_git, BUNDLE, [("id: stage", "id: stageName")])
    found = version_findings(sample_git)
    assert [(d.path, d.code) for d in found] == [(BUNDLE, "version-breaking-change")]
    assert "environment.stage: field removed (or renamed)" in found[0].message


def test_a_new_document_has_nothing_to_compare_with(sample_git: Path) -> None:
    source = (sample_git / ITEM).read_text()
    copy = source.replace("database-aurora-postgresql-standard", "database-aurora-postgresql-large")
    (sample_git / ITEM.replace("standard", "large")).write_text(copy)
    assert version_findings(sample_git) == []


def test_a_document_with_errors_is_not_judged_yet(sample_git: Path) -> None:
    edit(sample_git, ITEM, [(NOTES, ""), ("version: 2.0.0", "version: one")])
    result = validate(Repository(sample_git), changed_since="main")
    assert "schema-pattern" in {d.code for d in result.diagnostics} or result.errors
    assert not [d for d in result.diagnostics if d.code.startswith("version-")]


def test_made_immutable_is_breaking_once_documents_carry_the_key() -> None:
    old = {"groups": [{"id": "g", "fields": [{"id": "f", "type": "string"}]}]}
    new = {"groups": [{"id": "g", "fields": [{"id": "f", "type": "string", "immutable": True}]}]}
    (change,) = form_changes(old, new)
    assert (change.text(), change.breaking) == ("g.f: made immutable", True)
    assert form_changes(new, old) == []


def test_a_required_field_with_a_default_breaks_nothing() -> None:
    old = {"groups": [{"id": "g", "fields": [{"id": "f", "type": "number", "default": 1}]}]}
    field = {"id": "f", "type": "number", "default": 1, "required": True}
    assert form_changes(old, {"groups": [{"id": "g", "fields": [field]}]}) == []


@pytest.mark.parametrize(
    ("old", "new", "bump"),
    [
        ("1.2.0", "2.0.0", "major"),
        ("1.2.0", "1.3.0", "minor"),
        ("1.2.0", "1.2.1", "patch"),
        ("1.2.0", "1.2.0", "none"),
        ("1.2.0", "1.1.9", "lower"),
        ("2.0.0-rc1", "2.0.0", "major"),
        ("2.0.0", "2.0.0-rc1", "lower"),
    ],
)
def test_version_bumps(old: str, new: str, bump: str) -> None:
    before, after = Version.parse(old), Version.parse(new)
    assert before is not None and after is not None
    assert before.bump(after) == bump


def test_a_document_moved_to_another_folder_is_compared_with_its_old_file(
    sample_git: Path,
) -> None:
    edit(sample_git, ITEM, BREAKING["enum member removed"][0])
    moved = sample_git / "catalog/compute/database-aurora-postgresql-standard.yaml"
    (sample_git / ITEM).rename(moved)
    found = version_findings(sample_git)
    assert [(d.path, d.code) for d in found] == [
        ("catalog/compute/database-aurora-postgresql-standard.yaml", "version-breaking-change")
    ]


def test_restricting_file_types_where_any_was_allowed_is_breaking() -> None:
    def form(validation: dict[str, object]) -> dict[str, object]:
        field = {"id": "f", "type": "file", "validation": validation}
        return {"groups": [{"id": "g", "fields": [field]}]}

    (change,) = form_changes(form({}), form({"types": [".avsc"]}))
    assert (change.text(), change.breaking) == ("g.f: types restricted to .avsc", True)
    (change,) = form_changes(form({"types": [".avsc", ".json"]}), form({"types": [".avsc"]}))
    assert (change.text(), change.breaking) == ("g.f: types entry removed: .json", True)
    (change,) = form_changes(form({"types": [".avsc"]}), form({}))
    assert change.breaking is False
