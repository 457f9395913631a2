"""`github-workflow` through `pac apply`: the sample's SQS item dispatches the messaging team's
workflow on the fake GitHub, identifies its run without guessing, and follows it across
runs (the request `waiting` meanwhile) to its end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.fulfilment import apply
from pac.fulfilment.backends.outbox import Outbox
from pac.fulfilment.executor import Outcome
from pac.fulfilment.policy import Step
from pac.records.states import RequestState, TaskState
from pac.records.store import StatusStore
from tests.fakes.github import TOKEN, FakeGitHub, Workflow

ITEM = "catalog/messaging/messaging-sqs-standard.yaml"
REPO = "acme/messaging-infra"
KEY = "orders-queue/messaging-sqs-standard/automatic/0"
INPUTS = {"queue": True, "retention_days": False, "max_receives": False, "pac_dispatch_id": False}
REQUEST = """schemaVersion: catalog/v1
kind: Request
metadata:
  id: orders-queue
  requester: {email: dana.dev@company.com, name: Dana Dev, team: payments}
catalogItemId: messaging-sqs-standard
input:
  name: orders-queue
  queue: {stage: prod, retentionDays: 7}
"""


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    yield fake
    fake.stop()


@pytest.fixture
def queue(sample_root: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> Path:
    workflow = Workflow(INPUTS, "provision ${{ inputs.queue }} [${{ inputs.pac_dispatch_id }}]",
                        jobs=("plan", "apply"))  # fmt: skip
    github.add_repo(REPO, workflows={"provision-queue.yaml": workflow})
    monkeypatch.setenv("PAC_GITHUB_URL", github.url)
    monkeypatch.setenv("PAC_GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")  # outside the sample's change freezes
    path = sample_root / "requests/payments/orders-queue.yaml"
    path.write_text(REQUEST)
    return path


def run(root: Path) -> Outcome:
    repo = Repository(root)
    selection = apply.select_requests(repo, ["orders-queue"])
    assert not selection.invalid, selection.invalid
    [outcome] = apply.run(repo, selection.requests, lambda: Outbox(root))
    return outcome


def task_of(root: Path):  # type: ignore[no-untyped-def]
    status = StatusStore(root).load("orders-queue")
    assert status is not None
    return status, status.tasks[0]


def test_the_run_is_followed_across_apply_runs_until_it_succeeds(
    sample_root: Path, queue: Path, github: FakeGitHub
) -> None:
    first = run(sample_root)
    assert (first.step, first.state) == (Step.NEW, RequestState.WAITING)
    assert "is in progress" in first.summary and not first.failed
    [started] = github.runs
    assert started["inputs"] == {
        "queue": "prod-orders-queue",
        "retention_days": "7",
        "max_receives": "5",
        "pac_dispatch_id": KEY,
    }
    status, task = task_of(sample_root)
    assert status.state is RequestState.WAITING and task.state is TaskState.WAITING
    assert task.refs["runId"] == str(started["id"]) and task.refs["url"] == started["html_url"]
    # Still running: the next run reads its state and dispatches nothing.
    second = run(sample_root)
    assert (second.step, second.state) == (Step.RESUME, RequestState.WAITING)
    assert len(github.runs) == 1 and github.count("POST") == 1
    github.finish(started["id"])
    third = run(sample_root)
    assert third.state is RequestState.COMPLETED, third.summary
    status, task = task_of(sample_root)
    assert task.state is TaskState.COMPLETED and task.outputs == {"queueRun": started["html_url"]}
    assert len(github.runs) == 1


def test_a_failed_run_fails_the_task_with_its_failed_jobs_and_url(
    sample_root: Path, queue: Path, github: FakeGitHub
) -> None:
    run(sample_root)
    [started] = github.runs
    github.finish(started["id"], "failure", failed=("apply",))
    outcome = run(sample_root)
    assert outcome.state is RequestState.FAILED and outcome.failed
    _, task = task_of(sample_root)
    assert task.error is not None
    job = github.jobs[started["id"]][1]["html_url"]
    assert task.error.message == (
        f"workflow run {started['html_url']} ended failure; failed jobs: apply ({job})"
    )
    assert "operations.retry" in task.error.hint and "messaging" in task.error.contact


def test_a_retry_after_a_failed_run_starts_one_new_run(
    sample_root: Path, queue: Path, github: FakeGitHub
) -> None:
    run(sample_root)
    github.finish(github.runs[0]["id"], "failure", failed=("plan",))
    run(sample_root)
    queue.write_text(REQUEST + "operations: {retry: 1}\n")
    assert run(sample_root).state is RequestState.WAITING
    assert len(github.runs) == 2 and github.runs[1]["inputs"]["pac_dispatch_id"] == KEY + "#retry-1"


@pytest.mark.parametrize("how", ["drop", 502])
def test_a_lost_dispatch_answer_finds_its_run_by_the_dispatch_id(
    sample_root: Path, queue: Path, github: FakeGitHub, how: str | int
) -> None:
    github.fail_next("POST", r"/dispatches$", how, after_effect=True)
    first = run(sample_root)
    assert first.pending, first.summary
    assert len(github.runs) == 1
    second = run(sample_root)
    assert second.state is RequestState.WAITING, second.summary
    assert len(github.runs) == 1 and github.count("POST", r"/dispatches$") == 1
    _, task = task_of(sample_root)
    assert task.refs["runId"] == str(github.runs[0]["id"])


def test_without_a_dispatch_id_a_lost_answer_is_never_dispatched_again(
    sample_root: Path, queue: Path, github: FakeGitHub
) -> None:
    item = sample_root / ITEM
    item.write_text(item.read_text().replace("          dispatchIdInput: pac_dispatch_id\n", "", 1))
    github.fail_next("POST", r"/dispatches$", "drop", after_effect=True)
    run(sample_root)
    second = run(sample_root)
    assert second.state is RequestState.FAILED
    _, task = task_of(sample_root)
    assert task.error is not None and "its answer was lost" in task.error.message
    assert "raise operations.retry to dispatch again" in task.error.hint
    assert len(github.runs) == 1


def test_an_older_github_without_run_details_is_answered_by_the_dispatch_id(
    sample_root: Path, queue: Path, github: FakeGitHub
) -> None:
    github.run_details = False
    assert run(sample_root).state is RequestState.WAITING
    _, task = task_of(sample_root)
    assert len(github.runs) == 1 and task.refs["runId"] == str(github.runs[0]["id"])


def test_an_unknown_workflow_fails_at_once_in_githubs_words(
    sample_root: Path, queue: Path, github: FakeGitHub
) -> None:
    item = sample_root / ITEM
    item.write_text(item.read_text().replace("provision-queue.yaml", "provision.yaml", 1))
    assert run(sample_root).state is RequestState.FAILED
    _, task = task_of(sample_root)
    assert task.error is not None
    assert task.error.message == "GitHub refused starting provision.yaml: 404 Not Found"
    assert "workflow file name" in task.error.hint and github.runs == []


def test_a_run_past_its_timeout_fails_the_task(
    sample_root: Path, queue: Path, github: FakeGitHub
) -> None:
    run(sample_root)
    store = StatusStore(sample_root)
    status, task = task_of(sample_root)
    task.refs["dispatchedAt"] = "2026-01-01T00:00:00Z"
    store.save(status)
    assert run(sample_root).state is RequestState.FAILED
    _, task = task_of(sample_root)
    assert task.error is not None and "did not finish within 3600s" in task.error.message


def test_aborting_a_waiting_request_skips_its_task(
    sample_root: Path, queue: Path, github: FakeGitHub
) -> None:
    run(sample_root)
    queue.write_text(REQUEST + "operations: {abort: true}\n")
    outcome = run(sample_root)
    assert (outcome.step, outcome.state) == (Step.ABORT, RequestState.ABORTED)
    _, task = task_of(sample_root)
    assert task.state is TaskState.SKIPPED


def test_a_github_app_installation_is_credentials_too(
    sample_root: Path, queue: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    github.app = ("4242", 77, public)
    monkeypatch.delenv("PAC_GITHUB_TOKEN")
    monkeypatch.setenv("PAC_GITHUB_APP_ID", "4242")
    monkeypatch.setenv("PAC_GITHUB_APP_KEY", private)
    monkeypatch.setenv("PAC_GITHUB_APP_INSTALLATION", "77")
    assert run(sample_root).state is RequestState.WAITING
    assert len(github.runs) == 1 and github.count("POST", r"/access_tokens$") == 1
    status_text = (sample_root / "requests/.status/orders-queue.yaml").read_text()
    assert "PRIVATE KEY" not in status_text
