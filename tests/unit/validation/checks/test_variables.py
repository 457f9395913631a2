"""Whether a template's variables exist where it runs: one rule per namespace."""

from __future__ import annotations

import pytest

from pac.documents.model import CatalogItem
from pac.documents.repository import Repository
from pac.templating.analysis import analyse
from pac.validation.checks.variables import ItemScope, UseScope, check_use
from tests.conftest import PROJECT


def _item() -> tuple[Repository, CatalogItem]:
    repo = Repository(PROJECT)
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
    ],
)
def test_each_namespace_has_its_rule(source: str, codes: list[str]) -> None:
    assert _codes(source) == codes


def test_a_response_is_read_in_outputs_by_what_the_action_returns() -> None:
    assert _codes("{{ .response.key }}", in_outputs=True) == []
    assert _codes("{{ .response.status }}", in_outputs=True) == ["template-namespace"]
    assert _codes("{{ .response.status }}", "rest-api", in_outputs=True) == []
