"""`jira-ticket` actions rendered: summary, description, labels, custom fields, escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pac.documents.repository import Repository
from pac.fulfilment.backends import RenderedTicket
from pac.fulfilment.preview import preview
from pac.fulfilment.rendering import RenderError
from pac.templating.encoders import LINE_BREAKS
from tests.unit.fulfilment.test_preview import _inputs
from tests.unit.fulfilment.test_tasks import _system


def test_requester_text_is_escaped_in_descriptions(sample_repo: Repository) -> None:
    item = sample_repo.item("database-aurora-postgresql-standard")
    assert item is not None
    [task] = preview(
        sample_repo,
        item,
        _inputs(item.id),
        _system(sample_repo),
        "Blocks",
        {item.id: "manual"},
    )
    assert isinstance(task.rendered, RenderedTicket)
    description = task.rendered.description
    assert "\\*logical replication\\*" in description
    assert "\\[CDC pipeline\\|http&#58;//evil.example\\]" in description
    assert "&#104;1. Not a heading" in description
    assert task.rendered.priority == "Medium"  # staging; prod would be High


def test_a_long_summary_is_an_error_that_points_at_the_template(sample_root: Path) -> None:
    path = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    path.write_text(
        path.read_text().replace(
            'summaryTemplate: "Kafka topic',
            'summaryTemplate: "{{ .current.topic.purpose }} Kafka topic',
        )
    )
    repo = Repository(sample_root)
    item = repo.item("messaging-kafka-topic")
    assert item is not None
    values = _inputs(item.id)
    values["topic"] = {**values["topic"], "purpose": "x" * 300}  # type: ignore[dict-item]
    with pytest.raises(RenderError) as caught:
        preview(repo, item, values, _system(repo), "Blocks")
    error = caught.value
    assert error.display == "catalog/messaging/messaging-kafka-topic.yaml"
    assert "characters; JIRA allows 255" in error.message
    assert "never cuts a summary" in error.hint
    assert "platform-messaging-team" in error.hint


def test_a_summary_template_written_over_two_lines_is_an_error(sample_root: Path) -> None:
    path = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    path.write_text(
        path.read_text().replace('summaryTemplate: "Kafka topic', 'summaryTemplate: "Kafka\\ntopic')
    )
    repo = Repository(sample_root)
    item = repo.item("messaging-kafka-topic")
    assert item is not None
    with pytest.raises(RenderError, match="renders more than one line") as caught:
        preview(repo, item, _inputs(item.id), _system(repo), "Blocks")
    assert "summaryTemplate" in caught.value.message


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    """The Kafka item with the requester's free text in every part of its ticket."""
    from tests.conftest import copy_sample

    root = copy_sample(tmp_path_factory.mktemp("hostile"))
    path = root / "catalog/messaging/messaging-kafka-topic.yaml"
    text = path.read_text().replace(
        'summaryTemplate: "Kafka topic', 'summaryTemplate: "{{ .current.topic.purpose }} Kafka'
    )
    text = text.replace(
        'labels: [pac, kafka, "{{ .current.environment.stage }}"]',
        'labels: [pac, "{{ .current.topic.purpose }}"]',
    )
    text = text.replace(
        "descriptionTemplateFile: messaging/kafka-topic-request.j2",
        'descriptionTemplate: "h2. Topic\\n||Purpose|{{ .current.topic.purpose }}|\\n"',
    )
    path.write_text(text)
    return Repository(root)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_input_keeps_a_tickets_structure(hostile_repo: Repository, purpose: str) -> None:
    item = hostile_repo.item("messaging-kafka-topic")
    assert item is not None
    values = _inputs(item.id)
    values["topic"] = {**values["topic"], "purpose": purpose}  # type: ignore[dict-item]
    try:
        task = preview(hostile_repo, item, values, _system(hostile_repo), "Blocks")[0]
    except RenderError as error:
        # Refused only for what a summary or label cannot hold, and said so.
        if "control character" in error.message:
            assert "label" in error.message
            assert any(c < " " or "\x7f" <= c <= "\x9f" for c in purpose if not c.isspace())
            return
        assert "line break" in error.message or "JIRA allows 255" in error.message
        assert LINE_BREAKS.search(purpose) or len(purpose.strip()) > 200
        return
    ticket = task.rendered
    assert isinstance(ticket, RenderedTicket)
    assert not LINE_BREAKS.search(ticket.summary) and 0 < len(ticket.summary) <= 255
    assert ticket.summary.endswith("Kafka prod.orders-events on kafka-shared-01")
    assert all(label and not any(c.isspace() for c in label) for label in ticket.labels)
    assert ticket.labels[0] == "pac"
    # The template's own table row is intact: the value adds no cells, links or macros.
    first, row = ticket.description.split("\n")[:2]
    assert first == "h2. Topic"
    assert row.startswith("||Purpose|")
    body = row[len("||Purpose|") : -1] if row.endswith("|") else row[len("||Purpose|") :]
    for i, ch in enumerate(body):
        if ch in "[]{}|!":
            assert i > 0 and body[i - 1] == "\\", (purpose, row)


def test_a_label_longer_than_jira_allows_is_an_error(sample_root: Path) -> None:
    path = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    path.write_text(
        path.read_text().replace(
            'labels: [pac, kafka, "{{ .current.environment.stage }}"]',
            'labels: [pac, "", "{{ .current.topic.purpose }}"]',
        )
    )
    repo = Repository(sample_root)
    item = repo.item("messaging-kafka-topic")
    assert item is not None
    values = _inputs(item.id)
    values["topic"] = {**values["topic"], "purpose": "x" * 256}  # type: ignore[dict-item]
    with pytest.raises(RenderError, match="a label rendered as 256 characters") as caught:
        preview(repo, item, values, _system(repo), "Blocks")
    assert "labels[2]" in caught.value.message


def test_a_description_file_outside_the_templates_folder_is_never_read(
    sample_root: Path,
) -> None:
    (sample_root.parent / "outside.j2").write_text("not a catalog template\n")
    path = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    path.write_text(
        path.read_text().replace(
            "descriptionTemplateFile: messaging/kafka-topic-request.j2",
            "descriptionTemplateFile: ../../../outside.j2",
        )
    )
    repo = Repository(sample_root)
    item = repo.item("messaging-kafka-topic")
    assert item is not None
    with pytest.raises(RenderError, match="is outside templates/jira/"):
        preview(repo, item, _inputs(item.id), _system(repo), "Blocks")


def _ticket_repo(root: Path, extra: str) -> Repository:
    """The Kafka item with `extra` (YAML lines) added to its ticket."""
    path = root / "catalog/messaging/messaging-kafka-topic.yaml"
    text = path.read_text()
    anchor = '              customfield_10010: "{{ .current.environment.costCenter }}"\n'
    assert anchor in text
    path.write_text(text.replace(anchor, extra))
    return Repository(root)


def _ticket(repo: Repository, purpose: object) -> RenderedTicket:
    item = repo.item("messaging-kafka-topic")
    assert item is not None
    values = _inputs(item.id)
    values["topic"] = {**values["topic"], "purpose": purpose}  # type: ignore[dict-item]
    ticket = preview(repo, item, values, _system(repo), "Blocks")[0].rendered
    assert isinstance(ticket, RenderedTicket)
    return ticket


@pytest.fixture(scope="module")
def custom_field_repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    from tests.conftest import copy_sample

    return _ticket_repo(
        copy_sample(tmp_path_factory.mktemp("custom")),
        '              customfield_10010: "{{ .current.environment.costCenter }}"\n'
        '              customfield_10011: "Purpose: {{ .current.topic.purpose }}"\n'
        '              customfield_10012: "{{ .current.topic.partitions }}"\n'
        '              customfield_10013: "{{ .current.topic.purpose }}"\n'
        '            components: ["{{ .current.topic.purpose }}"]\n',
    )


def test_custom_fields_are_escaped_like_the_description_but_numbers_and_ids_stay(
    custom_field_repo: Repository,
) -> None:
    ticket = _ticket(custom_field_repo, "[click|http://evil.example] {panel}*x*{panel} -5")
    fields = ticket.custom_fields
    assert fields["customfield_10011"] == (
        "Purpose: \\[click\\|http&#58;//evil.example\\] \\{panel\\}\\*x\\*\\{panel\\} \\-5"
    )
    assert fields["customfield_10010"] == "CC-1234"  # an id keeps its hyphen
    assert fields["customfield_10012"] == "6"  # the default number of partitions
    # Unescaped too, for typed JIRA fields (options, users), which are not markup.
    assert ticket.custom_values["customfield_10011"] == (
        "Purpose: [click|http://evil.example] {panel}*x*{panel} -5"
    )
    # A component is a name JIRA looks up, not markup: kept as written.
    assert ticket.components == ["[click|http://evil.example] {panel}*x*{panel} -5"]
    assert _ticket(custom_field_repo, "-5").custom_fields["customfield_10013"] == "-5"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_no_custom_field_text_forms_markup(custom_field_repo: Repository, purpose: str) -> None:
    try:
        ticket = _ticket(custom_field_repo, purpose)
    except RenderError as error:
        # Only a summary or a component name refuses a line break or control character.
        assert "line break" in error.message or "control character" in error.message
        assert any(not c.isprintable() for c in purpose), purpose
        return
    value = ticket.custom_fields["customfield_10011"]
    body = value[len("Purpose: ") :]
    for i, ch in enumerate(body):
        if ch in "[]{}|!":
            assert i > 0 and body[i - 1] == "\\", (purpose, value)
    assert "\\\\" not in body  # a backslash pair would be a JIRA line break


@pytest.fixture(scope="module")
def identifier_repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    from tests.conftest import copy_sample

    return _ticket_repo(
        copy_sample(tmp_path_factory.mktemp("ids")),
        '              customfield_10010: "{{ .current.environment.costCenter }}"\n'
        '            assignee: "{{ .current.topic.purpose }}"\n'
        "            epicKey: MSG-42\n",
    )


@pytest.mark.parametrize("user", ["ana.silva", "ana@company.com", "557058:f58131cb-b67d", "a_b+c"])
def test_an_assignee_that_is_a_user_name_is_kept(identifier_repo: Repository, user: str) -> None:
    ticket = _ticket(identifier_repo, user)
    assert ticket.assignee == user
    assert ticket.epic_key == "MSG-42"


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_an_assignee_with_other_characters_is_refused_not_altered(
    identifier_repo: Repository, purpose: str
) -> None:
    import re

    try:
        ticket = _ticket(identifier_repo, purpose)
    except RenderError as error:
        assert "assignee" in error.message and "cannot hold" in error.message
        assert "validation.pattern" in error.hint
        assert not re.fullmatch(r"[A-Za-z0-9._@+:-]*", purpose)
        return
    assert ticket.assignee == purpose
