"""An item's fulfilment: every action of every list is checked, and missing day-2 lists are
a warning for the item's owners (SPEC §6.6)."""

from __future__ import annotations

from pathlib import Path

from pac.diagnostics import Diagnostic, Severity
from pac.documents.repository import Repository
from pac.validation.run import validate
from tests.day_two import REDIS, edit, write_item


def _findings(root: Path, code: str) -> list[Diagnostic]:
    return [d for d in validate(Repository(root), [root / REDIS]).diagnostics if d.code == code]


def test_an_item_without_day_two_lists_warns_its_owners_of_what_is_refused(
    sample_root: Path,
) -> None:
    write_item(sample_root, REDIS)
    decommission, update = _findings(sample_root, "fulfillment-day-two")  # same spot: by text
    assert update.severity is Severity.WARNING
    assert (update.line, update.column) == (33, 3)  # the `manual:` key of the strategy in use
    assert "no `update` actions" in update.message and "refused" in update.message
    assert "no `decommission` actions" in decommission.message
    assert update.hint.endswith("Owner: platform-databases-team (dba@company.com).")
    write_item(sample_root, REDIS, update=True, decommission=True)
    assert _findings(sample_root, "fulfillment-day-two") == []


def test_only_the_strategy_in_use_counts(sample_root: Path) -> None:
    write_item(sample_root, REDIS, update=True, decommission=True)
    edit(sample_root, REDIS, "{mode: manual}", "{mode: automatic}")
    path = sample_root / REDIS
    path.write_text(
        path.read_text()
        + "  automatic:\n    actions:\n"
        + "      - type: rest-api\n        config:\n"
        + "          endpoint: {url: 'https://cache.platform.internal/v1', method: POST}\n"
    )
    found = _findings(sample_root, "fulfillment-day-two")
    assert [d.message.split(",")[0] for d in found] == [
        "the automatic strategy has no `decommission` actions",
        "the automatic strategy has no `update` actions",
    ]
