"""`pac upgrade` through the command line: what it writes, what it says, its exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from pac.documents.repository import Repository
from pac.records.states import RequestState
from pac.records.status import RequestStatus
from pac.records.store import StatusStore
from tests.conftest import invoke

KAFKA = "messaging-kafka-topic"
EVENTS = "requests/payments/payments-events.yaml"


def _on(root: Path, request: str, version: str, state: RequestState) -> None:
    StatusStore(root).save(RequestStatus(request, state, item_versions={KAFKA: version}))


def _version(root: Path) -> str:
    item = Repository(root).item(KAFKA)
    assert item is not None
    return item.version


def test_upgrade_marks_the_file_with_one_line_and_a_second_run_is_a_no_op(
    sample_root: Path,
) -> None:
    version = _version(sample_root)
    _on(sample_root, "payments-events", "0.9.0", RequestState.COMPLETED)
    path = sample_root / EVENTS
    before = path.read_bytes()

    code, out = invoke(sample_root, "upgrade", KAFKA)
    assert code == 0, out
    assert f"marked payments-events ({EVENTS}): 0.9.0 -> {version}" in out
    after = path.read_bytes()
    assert after == before + f"operations: {{upgrade: {version}}}\n".encode()
    assert invoke(sample_root, "validate", str(path))[0] == 0

    code, out = invoke(sample_root, "upgrade", KAFKA, "--to", version)
    assert code == 0, out
    assert "1 already marked" in out and "nothing to write" in out
    assert path.read_bytes() == after


def test_dry_run_json_and_yaml_write_nothing(sample_root: Path) -> None:
    _on(sample_root, "payments-events", "0.9.0", RequestState.COMPLETED)
    path = sample_root / EVENTS
    before = path.read_bytes()
    code, out = invoke(sample_root, "upgrade", KAFKA, "--dry-run", "--output", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["dryRun"] is True
    assert [m["request"] for m in data["marked"]] == ["payments-events"]
    code, out = invoke(sample_root, "upgrade", KAFKA, "--dry-run", "-o", "yaml")
    assert code == 0 and yaml.safe_load(out)["marked"][0]["from"] == "0.9.0"
    assert path.read_bytes() == before


def test_team_filter_and_skipped_requests(sample_root: Path) -> None:
    _on(sample_root, "payments-events", "0.9.0", RequestState.FAILED)
    code, out = invoke(sample_root, "upgrade", KAFKA, "--team", "payments")
    assert code == 0, out
    assert "skipped payments-events (on 0.9.0)" in out
    assert "retry, abort or escalate it first" in out
    code, out = invoke(sample_root, "upgrade", KAFKA, "--team", "search")
    assert code == 0 and f"no live request (team search) uses {KAFKA}" in out


def test_a_version_the_catalog_does_not_have_is_a_usage_error(sample_root: Path) -> None:
    version = _version(sample_root)
    code, out = invoke(sample_root, "upgrade", KAFKA, "--to", "7.0.0")
    assert code == 2
    assert f"{KAFKA} has no version 7.0.0 in the catalog: it has {version}" in out
    assert "Traceback" not in out


def test_an_unknown_item_says_did_you_mean(sample_root: Path) -> None:
    code, out = invoke(sample_root, "upgrade", "messaging-kafka-topics")
    assert code == 2 and "Did you mean messaging-kafka-topic?" in out


def test_a_file_pac_cannot_edit_is_named_and_exits_1(sample_root: Path) -> None:
    _on(sample_root, "payments-events", "0.9.0", RequestState.COMPLETED)
    path = sample_root / EVENTS
    path.write_text(path.read_text() + "...\n")
    before = path.read_bytes()
    code, out = invoke(sample_root, "upgrade", KAFKA)
    assert code == 1
    assert f"not edited payments-events ({EVENTS})" in out and "by hand" in out
    assert path.read_bytes() == before


def test_help_names_the_options(sample_root: Path) -> None:
    code, out = invoke(sample_root, "upgrade", "--help")
    assert code == 0
    for option in ("--to", "--team", "--dry-run", "--output"):
        assert option in out
