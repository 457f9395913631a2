"""The one path guard: a document's file name never leads pac outside the folder meant for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.documents.layout import JIRA_TEMPLATES, inside, jira_template
from pac.documents.repository import Repository, read_template_file
from pac.validation.run import validate
from tests.conftest import invoke


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


SECRET = "TOP-SECRET {{ .nowhere.at_all }}"


def _template_linked_out(root: Path, elsewhere: Path) -> None:
    """The Kafka item's description template, replaced by a symlink to a file outside."""
    outside = elsewhere / "kafka.j2"
    outside.write_text(SECRET)
    template = root / JIRA_TEMPLATES / "messaging/kafka-topic-request.j2"
    template.unlink()
    template.symlink_to(outside)


def test_read_template_file_reads_inside_and_refuses_a_link_out(
    sample_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = Repository(sample_root)
    assert "{{" in (read_template_file(repo, JIRA_TEMPLATES, "default-description.j2") or "")
    assert read_template_file(repo, JIRA_TEMPLATES, "../../pac.yaml") is None
    _template_linked_out(sample_root, tmp_path_factory.mktemp("elsewhere"))
    assert (
        read_template_file(
            Repository(sample_root), JIRA_TEMPLATES, "messaging/kafka-topic-request.j2"
        )
        is None
    )


def test_a_template_linked_out_is_read_by_neither_validate_render_nor_apply(
    sample_root: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _template_linked_out(sample_root, tmp_path_factory.mktemp("elsewhere"))
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    result = validate(Repository(sample_root), [item])
    assert {d.code for d in result.diagnostics} == {"action-description"}
    assert not any("TOP-SECRET" in d.message or "nowhere" in d.message for d in result.diagnostics)

    request = str(sample_root / "requests/payments/payments-events.yaml")
    code, out = invoke(sample_root, "render", "messaging-kafka-topic", "--input", request)
    assert code != 0 and "is outside templates/jira/" in out
    assert "TOP-SECRET" not in out

    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    code, out = invoke(sample_root, "apply", "payments-events")
    assert "is outside templates/jira/" in out and "TOP-SECRET" not in out
    written = [p.read_text() for p in sample_root.rglob("*") if p.is_file() and ".pac" in p.parts]
    written += [p.read_text() for p in (sample_root / "requests/.status").glob("*.yaml")]
    assert written and not any("TOP-SECRET" in text for text in written)


@pytest.mark.parametrize(
    "value",
    ["/tmp/x.avsc", "../../../x.avsc", "a/../../../../x.avsc", "linked/x.avsc"],
)
def test_a_request_file_input_leading_out_of_the_repository_is_refused(
    sample_root: Path, tmp_path_factory: pytest.TempPathFactory, value: str
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "x.avsc").write_text("{}")
    folder = sample_root / "requests/payments"
    (folder / "linked").symlink_to(elsewhere)
    request = folder / "payments-events.yaml"
    request.write_text(
        request.read_text().replace("schemaFile: payments-events.avsc", f"schemaFile: {value}")
    )
    result = validate(Repository(sample_root), [request])
    found = [(d.code, d.message) for d in result.diagnostics]
    assert found == [
        (
            "input-file",
            f"Schema File (topic.schemaFile): {value} must be a path inside the repository, "
            "relative to the request",
        )
    ]


def test_a_request_file_input_may_name_a_file_in_another_folder_of_the_repository(
    sample_root: Path,
) -> None:
    folder = sample_root / "requests/payments"
    (sample_root / "requests/shared").mkdir()
    (folder / "payments-events.avsc").rename(sample_root / "requests/shared/events.avsc")
    request = folder / "payments-events.yaml"
    request.write_text(
        request.read_text().replace("payments-events.avsc", "a/../../shared/events.avsc")
    )
    assert validate(Repository(sample_root), [request]).diagnostics == []
