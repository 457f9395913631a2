"""What day 2 looks like from the command line: `pac status` with revisions, and the live
requests per item version in `pac catalog show` and `pac report` (SPEC §6.6, §6.7)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from pac.documents.lifecycle import Operation
from pac.records.states import RequestState, TaskState
from pac.records.status import TaskStatus
from pac.records.store import StatusStore
from tests.conftest import DAY_TWO_SAMPLE, copy_sample, invoke

KAFKA = "messaging-kafka-topic"


def _changed_then_decommissioned(root: Path, decommission: bool) -> None:
    """The shipped sample status of payments-refunds, taken through what apply records for
    its change (revision 1) and, optionally, its decommission (revision 2)."""
    store = StatusStore(root)
    status = store.load(DAY_TWO_SAMPLE)
    assert status is not None
    changed = {**status.input, "topic": {**status.input["topic"], "partitions": 12}}
    status.start_revision(
        Operation.UPDATE,
        changed,
        "sha256:1",
        dict(status.item_versions),
        "abc",
        ["topic.partitions"],
    )
    status.tasks = [
        TaskStatus(
            f"{DAY_TWO_SAMPLE}/r1/{KAFKA}/manual/update/0",
            KAFKA,
            KAFKA,
            "jira-ticket",
            "manual",
            0,
            label="Topic change for the messaging team",
            owner_team="platform-messaging-team",
            state=TaskState.COMPLETED,
            ticket_key="MSG-1290",
        )
    ]
    status.become(RequestState.COMPLETED)
    if decommission:
        status.start_revision(
            Operation.DECOMMISSION,
            changed,
            "sha256:1",
            dict(status.item_versions),
            "abc",
            reason="refunds move to the ledger service",
        )
        status.become(RequestState.DECOMMISSIONED)
    store.save(status)


def test_the_shipped_sample_status_reads_and_shows_as_a_create(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "repo", day_two=True)
    code, out = invoke(root, "status", DAY_TWO_SAMPLE)
    assert code == 0, out
    assert "revision" not in out  # a create alone looks as it always did
    assert "MSG-1187" in out
    assert invoke(root, "validate")[0] == 0


def test_status_shows_each_revision_then_the_current_ones_tasks(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "repo", day_two=True)
    _changed_then_decommissioned(root, decommission=False)
    code, out = invoke(root, "status", DAY_TWO_SAMPLE)
    assert code == 0, out
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if "revision 0 (create): completed" in line)
    assert f"served by {KAFKA} 1.2.0; 1 task(s) (MSG-1187)" in lines[first]
    assert "revision 1 (update): completed" in lines[first + 1]
    assert "changed topic.partitions" in lines[first + 1]
    assert "Topic change for the messaging team" in lines[first + 2]
    code, out = invoke(root, "status")
    assert code == 0 and "(revision 1)" in out


def test_decommissioned_in_plain_words_and_in_json_and_yaml(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "repo", day_two=True)
    _changed_then_decommissioned(root, decommission=True)
    code, out = invoke(root, "status", DAY_TWO_SAMPLE)
    assert code == 0, out
    assert "decommissioned (refunds move to the ledger service): its resources were removed" in out
    assert "revision 2 (decommission): decommissioned" in out
    code, out = invoke(root, "status", DAY_TWO_SAMPLE, "--output", "json")
    (view,) = json.loads(out)
    assert view["state"] == "decommissioned"
    assert view["revision"]["number"] == 2 and view["revision"]["operation"] == "decommission"
    assert [r["operation"] for r in view["revisions"]] == ["create", "update"]
    assert view["revisions"][1]["changedFields"] == ["topic.partitions"]
    assert view["revisions"][0]["itemVersions"] == {KAFKA: "1.2.0"}
    (same,) = yaml.safe_load(invoke(root, "status", DAY_TWO_SAMPLE, "-o", "yaml")[1])
    assert same["revisions"] == view["revisions"]


def test_catalog_show_and_report_count_live_requests_per_version(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "repo", day_two=True)
    code, out = invoke(root, "catalog", "show", KAFKA)
    assert code == 0, out
    assert "Live requests: 1 (catalog version 1.2.0)" in out
    assert "1.2.0: 1 (payments-refunds)" in out
    data = json.loads(invoke(root, "catalog", "show", KAFKA, "-o", "json")[1])
    assert data["liveRequests"]["versions"] == [
        {"version": "1.2.0", "live": 1, "requests": [DAY_TWO_SAMPLE]}
    ]
    _changed_then_decommissioned(root, decommission=True)
    code, out = invoke(root, "catalog", "show", KAFKA)
    assert code == 0 and "Live requests: none" in out
    report = json.loads(invoke(root, "report", "-o", "json")[1])
    assert report["liveRequestsPerVersion"] == []


def test_an_unreadable_status_leaves_the_counts_out_with_a_warning(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "repo", day_two=True)
    StatusStore(root).path("payments-events").write_text("request: [unclosed\n")
    code, out = invoke(root, "catalog", "show", KAFKA)
    assert code == 0
    assert "warning: live requests not counted" in out and "Live requests: none" in out
