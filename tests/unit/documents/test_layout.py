"""The one path guard: a document's file name never leads pac outside the folder meant for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.documents.layout import JIRA_TEMPLATES, inside, jira_template
from pac.documents.repository import Repository
from pac.validation.run import validate


@pytest.mark.parametrize(
    "name", ["/etc/hostname", "../secrets.j2", "a/../../x.j2", "", "/tmp/x.j2"]
)
def test_names_leading_outside_are_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / JIRA_TEMPLATES).mkdir(parents=True)
    assert jira_template(tmp_path, name) is None


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / JIRA_TEMPLATES).mkdir(parents=True)
    (tmp_path / "outside.j2").write_text("secret")
    (tmp_path / JIRA_TEMPLATES / "link.j2").symlink_to(tmp_path / "outside.j2")
    assert jira_template(tmp_path, "link.j2") is None


def test_names_inside_resolve_to_the_file(tmp_path: Path) -> None:
    folder = tmp_path / JIRA_TEMPLATES / "databases"
    folder.mkdir(parents=True)
    assert jira_template(tmp_path, "databases/db.j2") == (folder / "db.j2").resolve()
    assert inside(tmp_path, "requests", "team/x.yaml") == (tmp_path / "requests/team/x.yaml")


def test_validate_never_reads_a_template_outside_the_repository(
    sample_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Before, `/tmp/x.j2` was read and analysed: findings under `templates/jira//tmp/x.j2`."""
    outside = tmp_path_factory.mktemp("elsewhere") / "x.j2"
    outside.write_text("{{ .nowhere.at_all }} {% if %}")  # template findings, were it read
    item = sample_root / "catalog/compute/compute-eks-containerapp.yaml"
    text = item.read_text()
    assert "descriptionTemplateFile: default-description.j2" in text
    item.write_text(text.replace("default-description.j2", str(outside)))
    result = validate(Repository(sample_root), [item])
    found = {(d.code, d.path) for d in result.diagnostics}
    # Refused (by the schema or the offerings check); nothing was read from it, so no
    # template finding anywhere.
    assert found and {code for code, _ in found} <= {"schema-pattern", "action-description"}
    assert {path for _, path in found} == {"catalog/compute/compute-eks-containerapp.yaml"}
