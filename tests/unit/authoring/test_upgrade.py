"""`pac upgrade`'s library: which requests it marks, which it leaves, and why."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from pac.authoring.upgrade import summary_lines, upgrade, upgrade_target
from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.records.states import RequestState
from pac.records.status import RequestStatus
from pac.records.store import StatusStore
from tests.conftest import invoke

KAFKA = "messaging-kafka-topic"
AURORA = "database-aurora-postgresql-standard"


def bump(root: Path, item_file: str, old: str, new: str) -> None:
    path = root / "catalog" / item_file
    path.write_text(path.read_text().replace(f"version: {old}\n", f"version: {new}\n", 1))


def recorded(
    root: Path,
    request: str,
    versions: dict[str, str],
    state: RequestState = RequestState.COMPLETED,
) -> None:
    StatusStore(root).save(RequestStatus(request, state, item_versions=versions))


def _kafka_version(root: Path) -> str:
    repo = Repository(root)
    item = repo.item(KAFKA)
    assert item is not None
    return item.version


def test_a_live_request_on_an_older_version_is_marked(sample_root: Path) -> None:
    current = _kafka_version(sample_root)
    recorded(sample_root, "payments-events", {KAFKA: "1.0.0"})
    path = sample_root / "requests/payments/payments-events.yaml"
    before = path.read_text()
    result = upgrade(Repository(sample_root), KAFKA)
    assert [m.as_dict() for m in result.marked] == [
        {
            "request": "payments-events",
            "file": "requests/payments/payments-events.yaml",
            "from": "1.0.0",
            "to": current,
        }
    ]
    assert path.read_text() == before + f"operations: {{upgrade: {current}}}\n"
    again = upgrade(Repository(sample_root), KAFKA)
    assert again.marked == [] and again.pending == ["payments-events"]
    assert path.read_text() == before + f"operations: {{upgrade: {current}}}\n"


def test_dry_run_writes_nothing(sample_root: Path) -> None:
    recorded(sample_root, "payments-events", {KAFKA: "1.0.0"})
    path = sample_root / "requests/payments/payments-events.yaml"
    before = path.read_bytes()
    result = upgrade(Repository(sample_root), KAFKA, dry_run=True)
    assert len(result.marked) == 1 and path.read_bytes() == before
    assert "would mark payments-events" in "\n".join(summary_lines(result))


def test_current_and_decommissioned_requests_are_left_alone(sample_root: Path) -> None:
    recorded(sample_root, "payments-events", {KAFKA: _kafka_version(sample_root)})
    recorded(sample_root, "payments-webapp", {AURORA: "1.0.0"}, RequestState.DECOMMISSIONED)
    result = upgrade(Repository(sample_root), KAFKA)
    assert result.current == ["payments-events"] and not result.marked
    assert upgrade(Repository(sample_root), AURORA).as_dict()["marked"] == []


def test_a_component_item_of_a_bundle_request_is_upgraded(sample_root: Path) -> None:
    item = Repository(sample_root).item(AURORA)
    assert item is not None
    bump(sample_root, "databases/database-aurora-postgresql-standard.yaml", item.version, "9.0.0")
    recorded(sample_root, "payments-webapp", {AURORA: item.version, KAFKA: "1.0.0"})
    result = upgrade(Repository(sample_root), AURORA)
    assert [(m.request, m.version, m.to) for m in result.marked] == [
        ("payments-webapp", item.version, "9.0.0")
    ]


@pytest.mark.parametrize(
    ("state", "words"),
    [
        (RequestState.FAILED, "retry, abort or escalate it first"),
        (RequestState.ABORTED, "nothing to upgrade"),
        (RequestState.PROCESSING, "upgrade it once it completed"),
        (RequestState.DEFERRED, "change freeze"),
    ],
)
def test_a_revision_that_did_not_complete_is_skipped_with_why(
    sample_root: Path, state: RequestState, words: str
) -> None:
    recorded(sample_root, "payments-events", {KAFKA: "1.0.0"}, state)
    result = upgrade(Repository(sample_root), KAFKA)
    assert not result.marked
    (skipped,) = result.skipped
    assert skipped.request == "payments-events" and words in skipped.reason
    assert f"  skipped payments-events (on 1.0.0): {skipped.reason}" in summary_lines(result)


def test_a_request_being_decommissioned_or_without_a_file_is_skipped(sample_root: Path) -> None:
    recorded(sample_root, "payments-events", {KAFKA: "1.0.0"})
    recorded(sample_root, "gone-request", {KAFKA: "1.0.0"})
    path = sample_root / "requests/payments/payments-events.yaml"
    path.write_text(path.read_text() + "decommission: {reason: retired}\n")
    reasons = {s.request: s.reason for s in upgrade(Repository(sample_root), KAFKA).skipped}
    assert reasons["payments-events"] == "its request file decommissions it"
    assert "no request file" in reasons["gone-request"]


def test_team_filter(sample_root: Path) -> None:
    recorded(sample_root, "payments-events", {KAFKA: "1.0.0"})
    assert upgrade(Repository(sample_root), KAFKA, team="search").marked == []
    assert len(upgrade(Repository(sample_root), KAFKA, team="payments").marked) == 1


def test_a_file_that_cannot_be_edited_is_named_not_written(sample_root: Path) -> None:
    recorded(sample_root, "payments-events", {KAFKA: "1.0.0"})
    path = sample_root / "requests/payments/payments-events.yaml"
    path.write_text(path.read_text() + "...\n")
    before = path.read_bytes()
    result = upgrade(Repository(sample_root), KAFKA)
    (refused,) = result.refused
    assert "document marker" in refused.reason and path.read_bytes() == before


def test_an_unreadable_status_is_skipped_not_fatal(sample_root: Path) -> None:
    recorded(sample_root, "payments-events", {KAFKA: "1.0.0"})
    broken = StatusStore(sample_root).path("payments-webapp")
    broken.write_text("request: [unclosed\n")
    result = upgrade(Repository(sample_root), KAFKA)
    assert len(result.marked) == 1
    assert result.skipped[0].request == "payments-webapp"


def test_the_target_must_be_an_item_and_the_catalogs_version(sample_repo: Repository) -> None:
    with pytest.raises(UsageError, match="not in the catalog") as unknown:
        upgrade_target(sample_repo, "messaging-kafka-topik", None)
    assert unknown.value.hint == "Did you mean messaging-kafka-topic?"
    with pytest.raises(UsageError, match="is a bundle"):
        upgrade_target(sample_repo, "bundle-webapp-standard", None)
    with pytest.raises(UsageError, match=r"has no version 9\.9\.9") as wrong:
        upgrade_target(sample_repo, KAFKA, "9.9.9")
    assert _kafka_version(sample_repo.root) in wrong.value.message


def _temp(folder: Path, name: str, text: str, age: float) -> Path:
    """A temp file named as `write_atomic` names them, last written `age` seconds ago."""
    handle, made = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.write(handle, text.encode())
    os.close(handle)
    when = time.time() - age
    os.utime(made, (when, when))
    return Path(made)


def test_what_a_killed_upgrade_left_is_removed_and_never_read_as_a_request(
    sample_root: Path,
) -> None:
    recorded(sample_root, "payments-events", {KAFKA: "1.0.0"})
    folder = sample_root / "requests/payments"
    half = "apiVersion: pac/v1\nkind: Request\nmetadata: {id: payments-events\n"
    stale = _temp(folder, "payments-events.yaml", half, age=3600)
    live = _temp(folder, "payments-webapp.yaml", half, age=0)  # another upgrade, writing now
    theirs = folder / "notes.tmp"  # not pac's: left alone whatever its age
    theirs.write_text("mine")
    os.utime(theirs, (1_000_000, 1_000_000))
    code, out = invoke(sample_root, "validate")
    assert ".tmp" not in out and code == 0, out
    assert "payments-events" in [m.request for m in upgrade(Repository(sample_root), KAFKA).marked]
    assert not stale.exists() and live.exists() and theirs.exists()
    assert upgrade(Repository(sample_root), KAFKA, dry_run=True).marked == []  # writes nothing
    assert live.exists()
