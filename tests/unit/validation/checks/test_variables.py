"""Whether a template's variables exist where it runs: one rule per namespace."""

from __future__ import annotations

import pytest

from pac.documents.model import CatalogItem
from pac.documents.repository import Repository
from pac.templating.analysis import analyse
from pac.validation.checks.variables import ItemScope, UseScope, check_use
from tests.sample import sample_source


def _item() -> tuple[Repository, CatalogItem]:
    repo = Repository(sample_source())
    item = repo.item("database-aurora-postgresql-standard")
    assert item is not None
    return repo, item


def _codes(source: str, action_type: str = "jira-ticket", in_outputs: bool = False) -> list[str]:
    repo, item = _item()
    scope = UseScope(action_type, item.form, ItemScope(repo, item), {"earlier": "action 1"})
    codes: list[str] = []
    for use in analyse(source).uses:
        check_use(lambda code, message, hint: codes.append(code), use, scope, in_outputs)
    return codes


@pytest.mark.parametrize(
    ("source", "codes"),
    [
        ("{{ .current.name }} {{ .output.earlier }} {{ .system.requestId }}", []),
        ("{{ .current.nosuchgroup }}", ["template-current"]),
        ("{{ .curent.name }}", ["template-namespace"]),
        ("{{ .output.later }}", ["template-output"]),
        ("{{ .output.later | default('') }}", []),
        ("{{ .system.nosuch }}", ["template-system"]),
        ("{{ .system.platform.apiKey.x }}", ["template-unsafe"]),
        ("{{ .metadata.database-aurora-postgresql-standard.nokey }}", ["template-metadata"]),
        ("{{ .metadata.no-such-item.key | default('') }}", ["template-metadata"]),
        ("{{ .response.key }}", ["template-namespace"]),
        # A companion's metadata, guarded by `is defined` as `.output` is (docs/templates.md).
        ("{{ .metadata.messaging-kafka-topic.clusterName }}", ["template-metadata"]),
        (
            "{% if .metadata.messaging-kafka-topic.clusterName is defined %}"
            "{{ .metadata.messaging-kafka-topic.clusterName }}{% endif %}",
            [],
        ),
        (
            "{% if .metadata.messaging-kafka-topic.clusterName is not defined %}{% else %}"
            "{{ .metadata.messaging-kafka-topic.clusterName }}{% endif %}",
            [],
        ),
        (
            "{% if .metadata.messaging-kafka-topic.clusterName is defined %}{% endif %}"
            "{{ .metadata.messaging-kafka-topic.clusterName }}",
            ["template-metadata"],
        ),
        (  # the guard hides no typo
            "{% if .metadata.messaging-kafka-topic.nokey is defined %}"
            "{{ .metadata.messaging-kafka-topic.nokey }}{% endif %}",
            ["template-metadata", "template-metadata"],
        ),
    ],
)
def test_each_namespace_has_its_rule(source: str, codes: list[str]) -> None:
    assert _codes(source) == codes


def test_a_response_is_read_in_outputs_by_what_the_action_returns() -> None:
    assert _codes("{{ .response.key }}", in_outputs=True) == []
    assert _codes("{{ .response.status }}", in_outputs=True) == ["template-namespace"]
    assert _codes("{{ .response.status }}", "rest-api", in_outputs=True) == []


def _day_two_codes(source: str, day_two: bool) -> list[str]:
    repo, item = _item()
    scope = UseScope("jira-ticket", item.form, ItemScope(repo, item), {}, day_two)
    codes: list[str] = []
    for use in analyse(source).uses:
        check_use(lambda code, message, hint: codes.append(code), use, scope, False)
    return codes


@pytest.mark.parametrize(
    ("source", "create", "day_two"),
    [
        ("{{ .previous.database.instanceClass }}", ["template-previous"], []),
        ("{{ .previous.name }} -> {{ .current.name }}", ["template-previous"], []),
        ("{{ .previous.database.nosuch }}", ["template-previous"], ["template-current"]),
        ("{{ .previous.credentials.adminPassword.x }}", ["template-unsafe"], ["template-unsafe"]),
        ("{{ .system.operation }} {{ .system.revision }} {{ .system.changedFields }}", [], []),
        ("{{ .system.reason }}", [], []),
    ],
)
def test_previous_is_read_only_by_day_two_actions_and_only_from_the_form(
    source: str, create: list[str], day_two: list[str]
) -> None:
    assert _day_two_codes(source, day_two=False) == create
    assert _day_two_codes(source, day_two=True) == day_two


def test_a_previous_path_outside_the_form_names_the_fields_it_has() -> None:
    repo, item = _item()
    scope = UseScope("jira-ticket", item.form, ItemScope(repo, item), {}, True)
    hints: list[str] = []
    for use in analyse("{{ .previous.database.instanceClas }}").uses:
        check_use(lambda code, message, hint: hints.append(hint), use, scope, False)
    assert len(hints) == 1
    assert hints[0].startswith("Did you mean .previous.database.instanceClass?")
