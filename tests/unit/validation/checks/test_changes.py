"""A request file judged against its status: every refusal of SPEC §6.6, at the changed line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.diagnostics import Diagnostic
from pac.documents.repository import Repository
from pac.records.states import RequestState
from pac.records.store import StatusStore
from pac.rules import RULES
from pac.validation.run import check_file, validate
from tests.day_two import (
    BUNDLE_REQUEST,
    MEMCACHE,
    REDIS,
    REQUEST,
    day_two_catalog,
    edit,
    write_item,
    write_status,
)

# The refusals of a change, and the reading of a status: other findings (a warning that an
# item lacks day-2 lists) are other tests' business.
CODES = frozenset(
    code
    for code in RULES
    if code.startswith(("change-", "decommission-", "upgrade-", "request-id", "status-"))
)


@pytest.fixture
def root(sample_root: Path) -> Path:
    return day_two_catalog(sample_root)


def findings(root: Path, relative: str = REQUEST) -> list[Diagnostic]:
    found = validate(Repository(root), [root / relative]).diagnostics
    return [d for d in found if d.code in CODES]


def spots(root: Path, relative: str = REQUEST) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in findings(root, relative)]


def decommission(root: Path, relative: str = REQUEST) -> None:
    path = root / relative
    path.write_text(path.read_text() + "decommission: {reason: shop closed}\n")


def test_a_request_without_status_or_unchanged_since_is_not_judged(root: Path) -> None:
    assert findings(root) == []
    write_status(root)
    write_status(root, "shop-caches")
    assert findings(root) == []
    assert findings(root, BUNDLE_REQUEST) == []


def test_a_default_written_out_is_no_change(root: Path) -> None:
    edit(root, REQUEST, "  cache:\n    engine: redis\n", "  cache:\n")
    write_status(root)
    edit(root, REQUEST, "  cache:\n", "  cache:\n    engine: redis\n")
    assert findings(root) == []


def test_changing_the_name_is_refused_at_its_value(root: Path) -> None:
    write_item(root, update=True)
    write_status(root)
    edit(root, REQUEST, "  name: shop-cache", "  name: shop-cache-eu")
    [found] = findings(root)
    assert (found.code, found.line, found.column) == ("change-immutable", 8, 9)
    assert found.message.startswith("the name cannot change once the request is fulfilled")
    assert "'shop-cache'" in found.message
    assert "decommission and request anew" in found.hint
    assert found.hint.endswith("Ask: platform-databases-team (dba@company.com).")


def test_an_immutable_field_is_refused_and_not_also_for_want_of_update(root: Path) -> None:
    write_status(root)  # the item has no update actions either
    edit(root, REQUEST, "engine: redis", "engine: valkey")
    assert spots(root) == [("change-immutable", 10, 13)]
    assert "Engine (cache.engine)" in findings(root)[0].message


def test_in_a_bundle_a_component_item_marking_a_field_immutable_counts(root: Path) -> None:
    # The bundle's own form does not mark cache.engine; its components' items do.
    write_item(root, REDIS, update=True)
    write_item(root, MEMCACHE, update=True)
    write_status(root, "shop-caches")
    edit(root, BUNDLE_REQUEST, "engine: redis", "engine: valkey")
    assert spots(root, BUNDLE_REQUEST) == [("change-immutable", 10, 13)]


def test_a_change_to_an_item_without_update_actions_is_refused(root: Path) -> None:
    write_status(root)
    edit(root, REQUEST, "nodeType: small", "nodeType: large")
    [found] = findings(root)
    assert (found.code, found.line, found.column) == ("change-no-update", 11, 15)
    assert "database-redis-cache has no update actions" in found.message
    assert "changed: cache.nodeType" in found.message
    write_item(root, update=True)
    assert findings(root) == []


def test_in_a_bundle_a_changed_path_needs_a_reader_with_update_actions(root: Path) -> None:
    write_item(root, REDIS, update=True)
    write_status(root, "shop-caches")
    edit(root, BUNDLE_REQUEST, "nodeType: small", "nodeType: large")
    assert findings(root, BUNDLE_REQUEST) == []  # read by redis, which updates
    edit(root, BUNDLE_REQUEST, "memory: small", "memory: large")
    [found] = findings(root, BUNDLE_REQUEST)
    assert (found.code, found.line, found.column) == ("change-no-update", 12, 13)
    assert "cache.memory is read by memcache (database-memcache-standard), which has no" in (
        found.message
    )
    write_item(root, MEMCACHE, update=True)
    assert findings(root, BUNDLE_REQUEST) == []


def test_a_change_while_a_revision_runs_or_failed_is_refused(root: Path) -> None:
    write_item(root, update=True)
    write_status(root, state=RequestState.PROCESSING)
    edit(root, REQUEST, "nodeType: small", "nodeType: large")
    [running] = findings(root)
    assert (running.code, running.line, running.column) == ("change-unfinished", 11, 15)
    assert "is processing" in running.message
    assert "Let it complete" in running.hint
    write_status(root, state=RequestState.FAILED)  # failed with `large`
    edit(root, REQUEST, "nodeType: large", "nodeType: small")
    [failed] = findings(root)
    assert "is failed" in failed.message
    assert "operations.retry" in failed.hint


def test_a_decommission_with_an_input_change_is_refused(root: Path) -> None:
    write_item(root, update=True, decommission=True)
    write_status(root)
    edit(root, REQUEST, "nodeType: small", "nodeType: large")
    decommission(root)
    [found] = findings(root)
    assert (found.code, found.line, found.column) == ("change-with-decommission", 12, 1)
    assert "changed: cache.nodeType" in found.message


def test_decommissioning_needs_decommission_actions_once_anything_ran(root: Path) -> None:
    write_status(root)
    decommission(root)
    assert spots(root) == [("decommission-no-actions", 12, 1)]
    write_status(root, state=RequestState.SUBMITTED, begun=False)
    assert findings(root) == []  # nothing was made: it is simply aborted
    write_status(root)
    write_item(root, decommission=True)
    assert findings(root) == []


def test_a_bundle_decommission_names_each_component_without_actions(root: Path) -> None:
    write_item(root, REDIS, decommission=True)
    write_status(root, "shop-caches")
    decommission(root, BUNDLE_REQUEST)
    [found] = findings(root, BUNDLE_REQUEST)
    assert found.code == "decommission-no-actions"
    assert found.message.startswith("database-memcache-standard has no decommission actions")


def test_the_id_of_a_decommissioned_request_is_not_reused(root: Path) -> None:
    write_status(root, state=RequestState.DECOMMISSIONED)
    [found] = findings(root)
    assert (found.code, found.line, found.column) == ("request-id-reused", 4, 7)
    assert "shop-cache-2" in found.hint
    decommission(root)
    assert findings(root) == []  # the retired request's own file, kept


@pytest.mark.parametrize(
    ("version", "codes"),
    [("9.9.9", ["upgrade-unknown-version"]), ("1.1.0", ["change-no-update"])],
)
def test_an_upgrade_names_a_version_of_the_catalog(
    root: Path, version: str, codes: list[str]
) -> None:
    status = write_status(root)
    status.item_versions = {"database-redis-cache": "1.0.0"}
    status.target_version = "1.0.0"
    StatusStore(root).save(status)
    edit(root, REQUEST, "catalogItemId:", f"operations: {{upgrade: {version}}}\ncatalogItemId:")
    assert spots(root) == [(code, 6, 23) for code in codes]
    write_item(root, update=True)
    assert [d.code for d in findings(root)] == [c for c in codes if c.startswith("upgrade")]


def test_an_upgrade_already_served_stays_quiet_when_the_catalog_moves_on(root: Path) -> None:
    write_status(root)  # served by 1.1.0
    edit(root, REQUEST, "catalogItemId:", "operations: {upgrade: 1.1.0}\ncatalogItemId:")
    edit(root, REDIS, "version: 1.1.0", "version: 1.2.0")
    assert findings(root) == []


def test_moving_a_fulfilled_request_to_another_item_is_refused(root: Path) -> None:
    write_status(root)
    edit(root, REQUEST, "database-redis-cache", "database-memcache-standard")
    [found] = findings(root)
    assert (found.code, found.line, found.column) == ("change-immutable", 6, 16)
    assert "fulfilled by database-redis-cache" in found.message


def test_a_status_without_input_compares_the_digest(root: Path) -> None:
    write_status(root, legacy=True)
    assert findings(root) == []
    edit(root, REQUEST, "engine: redis", "engine: valkey")
    # Which field changed is unknown: no immutable check, but the rest still holds.
    [found] = findings(root)
    assert (found.code, found.line, found.column) == ("change-no-update", 8, 3)
    assert "its input changed" in found.message


def test_an_unreadable_status_is_a_finding_not_a_crash(root: Path) -> None:
    write_status(root)
    (root / "requests/.status/shop-cache.yaml").write_text("request: [unclosed\n")
    [found] = findings(root)
    assert (found.code, found.line, found.column) == ("status-unreadable", 4, 7)
    assert "cannot be read" in found.message
    assert "git checkout" in found.hint


def test_plan_and_apply_judge_a_change_themselves(root: Path) -> None:
    """`check_file`, which plan and apply ask whether a request can be used at all, leaves
    the status alone: they hold a refused change in their own words (SPEC §6.6)."""
    write_status(root)
    edit(root, REQUEST, "nodeType: small", "nodeType: large")
    repo = Repository(root)
    assert not [d for d in check_file(repo, root / REQUEST) if d.code in CODES]
    assert [d.code for d in findings(root)] == ["change-no-update"]
