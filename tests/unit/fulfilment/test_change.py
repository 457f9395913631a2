"""What a request file asks of a request already fulfilled (SPEC §6.6): which operation,
which components act — only those whose templates read a changed path — and why pac
refuses what it must not do."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pac.documents.lifecycle import Operation
from pac.documents.model import Operations, Request
from pac.documents.repository import Repository
from pac.fulfilment.change import Change, assess_change, revision_components, revision_tasks
from pac.fulfilment.revision import begin_revision, new_status
from pac.records.states import RequestState
from pac.records.status import RequestStatus
from tests.day2 import DATABASE, KAFKA, add_day_two, bump_version
from tests.unit.fulfilment.test_apply import EVENTS, WEBAPP


@pytest.fixture
def day2(sample_root: Path) -> Path:
    add_day_two(sample_root)
    return sample_root


def _fulfilled(repo: Repository, request_id: str) -> tuple[Request, RequestStatus]:
    request = repo.request(request_id)
    offering = repo.offering(request.target_id) if request else None
    assert request is not None and offering is not None
    status = new_status(repo, request, offering)
    status.state = RequestState.COMPLETED
    return request, status


def _edit(request: Request, group: str, key: str, value: object) -> Request:
    values = {**request.input, group: {**request.input.get(group, {}), key: value}}
    return replace(request, input=values)


def _assess(repo: Repository, request: Request, status: RequestStatus) -> Change:
    offering = repo.offering(request.target_id)
    assert offering is not None
    return assess_change(repo, offering, status, request)


@pytest.mark.parametrize(
    ("group", "key", "value", "acting"),
    [
        ("app", "replicas", 5, ("app",)),
        ("database", "instanceClass", "db.r6g.xlarge", ("database",)),
        ("secrets", "rotationDays", 30, ("secrets",)),
        # Read by no update template: a revision with nothing to run.
        ("environment", "costCenter", "CC-9999", ()),
    ],
)
def test_only_components_whose_update_templates_read_a_changed_path_act(
    day2: Path, group: str, key: str, value: object, acting: tuple[str, ...]
) -> None:
    repo = Repository(day2)
    request, status = _fulfilled(repo, WEBAPP)
    changed = _edit(request, group, key, value)
    change = _assess(repo, changed, status)
    assert (change.operation, change.changed, change.held) == (
        Operation.UPDATE,
        (f"{group}.{key}",),
        "",
    )
    begin_revision(
        repo, changed, status, Operation.UPDATE, change.effective, change.changed, change.versions
    )
    offering = repo.offering(request.target_id)
    assert offering is not None
    assert revision_components(repo, offering, status) == acting
    keys = [s.key(WEBAPP) for s in revision_tasks(repo, offering, status)]
    assert keys == [f"{WEBAPP}/r1/{c}/automatic/update/0" for c in acting]


def test_an_unchanged_request_asks_nothing_and_defaults_written_out_change_nothing(
    day2: Path,
) -> None:
    repo = Repository(day2)
    request, status = _fulfilled(repo, WEBAPP)
    assert _assess(repo, request, status).operation is None
    # `storageGb: 20`... the bundle's default for a field the request left out.
    spelled = _edit(request, "secrets", "rotationDays", 90)
    assert _assess(repo, spelled, status).operation is None


def test_an_immutable_field_or_the_name_is_held_with_the_team_to_ask(day2: Path) -> None:
    bundle = day2 / "catalog/bundles/bundle-webapp-standard.yaml"
    text = bundle.read_text()
    bundle.write_text(
        text.replace(
            '            default: "16.2"\n',
            '            default: "16.2"\n            immutable: true\n',
            1,
        )
    )
    repo = Repository(day2)
    request, status = _fulfilled(repo, WEBAPP)
    held = _assess(repo, _edit(request, "database", "engineVersion", "15.4"), status).held
    assert "database.engineVersion cannot change once the request is fulfilled" in held
    assert "developer-experience-team (devex@company.com" in held
    renamed = replace(request, input={**request.input, "name": "payments-api2"})
    assert "name cannot change" in _assess(repo, renamed, status).held


def test_an_item_without_update_or_decommission_actions_is_held(sample_root: Path) -> None:
    add_day_two(sample_root, skip=(KAFKA,))
    repo = Repository(sample_root)
    request, status = _fulfilled(repo, EVENTS)
    held = _assess(repo, _edit(request, "topic", "partitions", 24), status).held
    assert "messaging-kafka-topic has no `update` actions" in held
    assert "platform-messaging-team (messaging@company.com)" in held
    retired = replace(request, decommission="retired")
    assert "has no `decommission` actions" in _assess(repo, retired, status).held


def test_a_decommission_with_an_input_change_is_held(day2: Path) -> None:
    repo = Repository(day2)
    request, status = _fulfilled(repo, EVENTS)
    both = replace(_edit(request, "topic", "partitions", 24), decommission="retired")
    change = _assess(repo, both, status)
    assert change.operation is Operation.DECOMMISSION
    assert "decommission the request and changes its input (topic.partitions)" in change.held
    alone = _assess(repo, replace(request, decommission="retired"), status)
    assert (alone.operation, alone.reason, alone.held) == (Operation.DECOMMISSION, "retired", "")


def test_an_upgrade_moves_the_items_whose_catalog_version_it_names(day2: Path) -> None:
    repo = Repository(day2)
    request, status = _fulfilled(repo, WEBAPP)
    new = "99.1.0"
    old = bump_version(day2, DATABASE, new)
    repo = Repository(day2)
    upgrade = replace(request, operations=Operations(upgrade=new))
    change = _assess(repo, upgrade, status)
    assert (change.operation, change.held) == (Operation.UPGRADE, "")
    assert change.versions["database-aurora-postgresql-standard"] == new
    begin_revision(repo, upgrade, status, Operation.UPGRADE, change.effective, (), change.versions)
    offering = repo.offering(request.target_id)
    assert offering is not None
    assert revision_components(repo, offering, status) == ("database",)
    # Not a version the catalog has: held, naming what it has and whom to ask.
    missing = replace(request, operations=Operations(upgrade="9.0.0"))
    _, fresh = _fulfilled(Repository(day2), WEBAPP)
    fresh.item_versions["database-aurora-postgresql-standard"] = old
    held = _assess(repo, missing, fresh).held
    assert "asks for version 9.0.0, which the catalog does not have" in held
    assert f"database-aurora-postgresql-standard {new}" in held and "dba@company.com" in held
    # Already on it: nothing to do.
    _, current = _fulfilled(repo, WEBAPP)
    assert _assess(repo, upgrade, current).operation is None


def test_a_status_from_before_inputs_were_recorded_counts_every_field_as_changed(
    day2: Path,
) -> None:
    repo = Repository(day2)
    request, status = _fulfilled(repo, EVENTS)
    status.input = {}
    assert _assess(repo, request, status).operation is None  # the digest still matches
    change = _assess(repo, _edit(request, "topic", "partitions", 24), status)
    assert change.operation is Operation.UPDATE and "topic.partitions" in change.changed
    assert len(change.changed) > 5
