"""Where templates are in an action, as the template checks read them."""

from __future__ import annotations

from pathlib import Path

from pac.documents.model import Action
from pac.documents.repository import Repository
from pac.validation.checks.templates import template_fields
from tests.conftest import PROJECT


def _jira(**ticket: object) -> Action:
    return Action("jira-ticket", "", {"ticket": ticket}, {"key": "{{ .response.key }}"}, ("a",))


def test_every_templated_field_of_a_jira_action_then_its_outputs() -> None:
    action = _jira(
        summaryTemplate="s",
        descriptionTemplate="d",
        labels=["l1", "l2"],
        components=["c"],
        customFields={"customfield_1": 5},
        project="OPS",  # not a template
    )
    fields = list(template_fields(Repository(PROJECT), action))
    assert [(f.path[-1], f.source, f.outputs) for f in fields] == [
        ("summaryTemplate", "s", False),
        ("descriptionTemplate", "d", False),
        (0, "l1", False),
        (1, "l2", False),
        (0, "c", False),
        ("customfield_1", "5", False),
        ("key", "{{ .response.key }}", True),
    ]


def test_a_rest_action_has_its_url_headers_and_body() -> None:
    config = {
        "endpoint": {"url": "https://h/{{ .current.name }}", "method": "POST"},
        "headers": {"X-Id": "{{ .system.requestId }}"},
        "body": {"contentTemplate": "{}"},
    }
    action = Action("rest-api", "", config, {}, ("a",))
    paths = [f.path for f in template_fields(Repository(PROJECT), action)]
    assert paths == [
        ("a", "config", "endpoint", "url"),
        ("a", "config", "headers", "X-Id"),
        ("a", "config", "body", "contentTemplate"),
    ]


def test_a_description_file_is_read_only_inside_templates_jira(tmp_path: Path) -> None:
    (tmp_path / "templates" / "jira").mkdir(parents=True)
    (tmp_path / "templates" / "jira" / "d.j2").write_text("{{ .current.name }}", encoding="utf-8")
    (tmp_path / "outside.j2").write_text("{{ .secret }}", encoding="utf-8")
    repo = Repository(tmp_path)
    for name, found in (
        ("d.j2", True),
        ("../../outside.j2", False),
        (str(tmp_path / "outside.j2"), False),
    ):
        fields = list(template_fields(repo, _jira(descriptionTemplateFile=name)))
        assert [f.file for f in fields if f.file] == ([name] if found else [])
