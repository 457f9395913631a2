"""Where templates are in an action, as the template checks read them."""

from __future__ import annotations

from pathlib import Path

from pac.documents.model import Action
from pac.documents.repository import Repository
from pac.validation.checks.templates import template_fields
from pac.validation.run import validate
from tests.day_two import BUNDLE, MEMCACHE, REDIS, day_two_catalog, edit, write_item
from tests.sample import sample_source


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
    fields = list(template_fields(Repository(sample_source()), action))
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
    paths = [f.path for f in template_fields(Repository(sample_source()), action)]
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


# --- day-2 lists (SPEC §4.1, §5): checked like the create list, with their own scope ------


def _ticket(list_name: str, summary: str, outputs: str = "", priority: str = "Medium") -> str:
    text = (
        f"    {list_name}:\n"
        "      - type: jira-ticket\n"
        "        config:\n"
        "          ticket:\n"
        "            project: DBA\n"
        "            issueType: Task\n"
        f"            priority: {priority}\n"
        f"            summaryTemplate: {summary!r}\n"
    )
    return text + (f"        outputs: {{{outputs}}}\n" if outputs else "")


def _redis_findings(root: Path, *lists: str) -> list[tuple[str, int, int]]:
    """The findings of the test catalog's Redis item with these day-2 lists (its manual
    strategy, in use, ends the file at line 42)."""
    write_item(root, REDIS)
    path = root / REDIS
    path.write_text(path.read_text(encoding="utf-8") + "".join(lists), encoding="utf-8")
    found = validate(Repository(root), [path]).diagnostics
    return [(d.code, d.line, d.column) for d in found if d.code != "fulfillment-day-two"]


def test_day_two_actions_read_previous_and_the_outputs_a_create_kept(sample_root: Path) -> None:
    update = _ticket(
        "update",
        "Cache {{ .current.name }} ({{ .output.cacheTicket }}): "
        "{{ .previous.cache.nodeType }} -> {{ .current.cache.nodeType }}",
        "changeTicket: '{{ .response.key }}'",
    )
    decommission = _ticket(
        "decommission",
        "Delete {{ .previous.name }} ({{ .output.cacheTicket }}): {{ .system.reason }}",
    )
    assert _redis_findings(sample_root, update, decommission) == []


def test_an_output_of_another_day_two_list_or_a_later_action_is_not_there(
    sample_root: Path,
) -> None:
    update = _ticket("update", "{{ .output.later }}") + _ticket(
        "update", "x", "later: '{{ .response.key }}'"
    ).replace("    update:\n", "")
    decommission = _ticket("decommission", "{{ .output.later }}")
    assert _redis_findings(sample_root, update, decommission) == [
        ("template-output", 50, 34),
        ("template-output", 66, 34),
    ]


def test_a_create_action_may_not_read_previous(sample_root: Path) -> None:
    write_item(sample_root, REDIS)
    edit(sample_root, REDIS, "{{ .current.name }} (", "{{ .previous.name }} (")
    found = validate(Repository(sample_root), [sample_root / REDIS]).diagnostics
    [previous] = [d for d in found if d.code == "template-previous"]
    assert (previous.line, previous.column) == (40, 46)
    assert "update" in previous.hint and "decommission" in previous.hint


def test_day_two_action_configs_are_checked_like_create_ones(sample_root: Path) -> None:
    update = _ticket("update", "Change {{ .current.name }}", priority="Urgent")
    assert [code for code, *_ in _redis_findings(sample_root, update)] == ["action-priority"]


def test_a_bundle_form_must_hold_what_day_two_actions_read(sample_root: Path) -> None:
    day_two_catalog(sample_root)
    # The memcache item's update reads a field of its own form the bundle's form lacks.
    edit(
        sample_root,
        MEMCACHE,
        "        fields:\n",
        "        fields:\n"
        "          - {id: zone, name: Zone, type: select, enum: [a, b], default: a}\n",
    )
    path = sample_root / MEMCACHE
    path.write_text(path.read_text() + _ticket("update", "Move {{ .previous.cache.zone }}"))
    found = validate(Repository(sample_root), [sample_root / BUNDLE]).diagnostics
    [missing] = [d for d in found if d.code == "template-current"]
    assert (missing.line, missing.column) == (12, 33)
    assert "uses .previous.cache.zone, which the bundle's form does not have" in missing.message
