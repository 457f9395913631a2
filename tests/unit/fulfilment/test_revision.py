"""What is fixed for one revision of a request (SPEC §6.4): the catalog commit (status
commits skipped), the input digest, the `.system` values, one record per task."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pac.documents.lifecycle import Operation
from pac.documents.model import Priority
from pac.documents.repository import Repository
from pac.fulfilment.revision import (
    begin_revision,
    catalog_revision,
    earlier_outputs,
    input_digest,
    new_status,
    previous_input,
    revision_system,
    sync_tasks,
    system_for,
)
from pac.fulfilment.tasks import expand
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from tests.conftest import git_commit_all
from tests.unit.fulfilment.test_apply import WEBAPP

BUNDLE = "bundle-webapp-standard"


def test_outside_git_the_revision_is_uncommitted(sample_repo: Repository) -> None:
    assert catalog_revision(sample_repo) == "uncommitted"


def test_status_commits_do_not_move_the_catalog_revision(sample_git: Path) -> None:
    first = catalog_revision(Repository(sample_git))
    assert len(first) == 40
    status = sample_git / "requests/.status/payments-webapp.yaml"
    status.parent.mkdir()
    status.write_text("request: payments-webapp\n")
    git_commit_all(sample_git, "pac: status")
    assert catalog_revision(Repository(sample_git)) == first
    (sample_git / "templates/jira/default-description.j2").write_text("changed\n")
    after = git_commit_all(sample_git, "a catalog change")
    assert catalog_revision(Repository(sample_git)) == after != first


def test_the_digest_is_of_what_was_asked_not_who_or_how(sample_repo: Repository) -> None:
    request = sample_repo.request(WEBAPP)
    assert request is not None
    digest = input_digest(request)
    assert digest.startswith("sha256:") and len(digest) == len("sha256:") + 32
    assert input_digest(replace(request, priority=Priority.EMERGENCY, description="x")) == digest
    changed = replace(request, input={**request.input, "name": "other"})
    assert input_digest(changed) != digest
    assert input_digest(replace(request, target_id="elsewhere")) != digest


def test_a_new_status_records_the_versions_of_a_bundle_and_its_items(
    sample_repo: Repository,
) -> None:
    request, bundle = sample_repo.request(WEBAPP), sample_repo.offering(BUNDLE)
    assert request is not None and bundle is not None
    status = new_status(sample_repo, request, bundle)
    assert (status.target_kind, status.target_id) == ("CatalogBundle", BUNDLE)
    assert status.catalog_revision == "uncommitted"
    assert status.input_digest == input_digest(request)
    assert set(status.item_versions) == {
        "database-aurora-postgresql-standard",
        "security-parameterstore-standard",
        "compute-eks-containerapp",
    }
    assert [h["event"] for h in status.history] == ["submitted"]


def test_sync_tasks_adds_only_the_missing_records_in_order(sample_repo: Repository) -> None:
    request, bundle = sample_repo.request(WEBAPP), sample_repo.offering(BUNDLE)
    assert request is not None and bundle is not None
    status = new_status(sample_repo, request, bundle)
    specs = expand(sample_repo, bundle)
    sync_tasks(status, specs[1:])
    first = status.tasks[0]
    sync_tasks(status, specs)
    keys = [t.key for t in status.tasks]
    assert sorted(keys) == sorted(s.key(WEBAPP) for s in specs) and len(set(keys)) == len(keys)
    assert status.tasks[0] is first  # kept, not rebuilt
    assert status.tasks[-1].key == specs[0].key(WEBAPP)  # the missing one appended


def test_the_system_values_are_recorded_once_and_then_reused(sample_git: Path) -> None:
    # In git, so the revision's moment is its commit's, not the clock's.
    sample_repo = Repository(sample_git)
    request, bundle = sample_repo.request(WEBAPP), sample_repo.offering(BUNDLE)
    assert request is not None and bundle is not None
    status = new_status(sample_repo, request, bundle)
    assert system_for(sample_repo, request, status) == system_for(sample_repo, request, None)
    sent = revision_system(sample_repo, request, status)
    assert status.system == sent.to_record()
    status.catalog_revision, status.input_digest = "another", "sha256:another"
    assert revision_system(sample_repo, request, status) == sent  # as recorded
    assert system_for(sample_repo, request, status) == sent


def test_a_later_revision_has_its_own_system_values_and_previous_input(
    sample_repo: Repository,
) -> None:
    request, bundle = sample_repo.request(WEBAPP), sample_repo.offering(BUNDLE)
    assert request is not None and bundle is not None
    status = new_status(sample_repo, request, bundle)
    assert status.input["app"]["containerPort"] == 8080  # the effective input: defaults too
    create = revision_system(sample_repo, request, status)
    status.state = RequestState.COMPLETED
    status.tasks = []
    begin_revision(
        sample_repo, request, status, Operation.DECOMMISSION, status.input, (), {}, "retired"
    )
    assert previous_input(status) == status.revisions[0].input
    retire = system_for(sample_repo, request, status)
    assert (retire.operation, retire.revision, retire.reason) == ("decommission", 1, "retired")
    assert retire.uuid != create.uuid and retire.correlation_id != create.correlation_id
    # Fixed once recorded: every re-run sends the same.
    assert revision_system(sample_repo, request, status) == retire
    assert system_for(sample_repo, request, status) == retire
    assert status.system["operation"] == "decommission"


def test_outputs_of_earlier_revisions_are_where_a_later_one_starts(
    sample_repo: Repository,
) -> None:
    status = RequestStatus(request=WEBAPP, state=RequestState.COMPLETED)
    done = TaskStatus("k", "database", "x", "rest-api", "automatic", 0)
    done.state, done.outputs = TaskState.COMPLETED, {"databaseArn": "arn:1"}
    failed = TaskStatus("k2", "app", "x", "rest-api", "automatic", 0, outputs={"appUrl": "u"})
    status.tasks = [done, failed]
    status.start_revision(Operation.UPDATE, {}, "d", {}, "c")
    assert earlier_outputs(status) == {"databaseArn": "arn:1"}
    assert previous_input(RequestStatus(request=WEBAPP)) == {}


def test_apply_records_when_the_request_was_committed_and_landed(
    sample_git: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from tests.conftest import invoke

    monkeypatch.delenv("CI", raising=False)  # a laptop run: tickets go to the outbox
    code, out = invoke(sample_git, "apply", "payments-events")
    assert code == 0, out
    status = yaml.safe_load((sample_git / "requests/.status/payments-events.yaml").read_text())
    lead = status["lead"]
    # Committed straight onto main with the sample: it landed as it was committed.
    assert lead["requestedAt"] == lead["landedAt"] != ""
    assert lead["requestedAt"].endswith("Z")
