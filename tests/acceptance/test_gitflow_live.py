"""Kill tests for git-commit and github-workflow: a real `pac apply` process is killed at
the worst instants and run again, against a real bare repository and the fake GitHub.

Killed after the push, before the pull request: one commit, one pull request. Killed after
the dispatch, before the run was recorded: one workflow run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pac.records.store import StatusStore
from tests.fakes.bare import count, make_remote
from tests.fakes.github import TOKEN, FakeGitHub, Workflow

pytestmark = pytest.mark.slow

CACHE = """schemaVersion: catalog/v1
kind: Request
metadata:
  id: orders-cache
  requester: {email: dana.dev@company.com, name: Dana Dev, team: payments}
catalogItemId: database-redis-gitops
input:
  name: orders-cache
  environment: {stage: prod, costCenter: CC-4521}
  cache: {nodeType: cache.r7g.large, replicas: 2, purpose: sessions}
"""
QUEUE = """schemaVersion: catalog/v1
kind: Request
metadata:
  id: orders-queue
  requester: {email: dana.dev@company.com, name: Dana Dev, team: payments}
catalogItemId: messaging-sqs-standard
input:
  name: orders-queue
  queue: {stage: prod}
"""
BRANCH = "pac/orders-cache/database-redis-gitops/automatic/0"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    yield fake
    fake.stop()


def environment(github: FakeGitHub, bare: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAC_")}
    env.pop("CI", None)
    env |= {
        "PAC_GITHUB_URL": github.url,
        "PAC_GITHUB_TOKEN": TOKEN,
        "PAC_GIT_URL_ACME_INFRA_DATABASES": str(bare),
        "PAC_TODAY": "2026-06-01",
        "NO_COLOR": "1",
    }
    return env


def apply(root: Path, env: dict[str, str], request: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pac", "apply", "--outbox", request],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_at(process: subprocess.Popen[str], gate: object, *, release: bool = True) -> None:
    assert gate.reached.wait(60), "pac apply never got there"  # type: ignore[attr-defined]
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    if release:
        gate.release()  # type: ignore[attr-defined]


def finish(root: Path, env: dict[str, str], request: str) -> str:
    process = apply(root, env, request)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, out + err
    assert "Traceback" not in err and TOKEN not in out + err
    return out


def test_killed_after_the_push_before_the_pull_request(
    sample_root: Path, tmp_path: Path, github: FakeGitHub
) -> None:
    bare = make_remote(tmp_path, name="infra-databases")
    github.add_repo("acme/infra-databases", git_dir=bare)
    (sample_root / "requests/payments/orders-cache.yaml").write_text(CACHE)
    env = environment(github, bare)
    gate = github.pause_on("POST", r"/pulls$")
    kill_at(apply(sample_root, env, "orders-cache"), gate, release=False)
    assert count(bare, BRANCH) == 2 and github.pulls == []  # pushed, no pull request yet
    # The server goes on with the request it held, as a real one would after the client
    # died: the next run finds that pull request, or creates it and GitHub's 422 for the
    # other is taken as found. Either way, one.
    gate.release()
    finish(sample_root, env, "orders-cache")
    assert count(bare, BRANCH) == 2, "a second commit"
    assert len(github.pulls) == 1, "a second pull request"
    status = StatusStore(sample_root).load("orders-cache")
    assert status is not None and status.state == "completed"


def test_killed_after_the_dispatch_before_the_run_was_recorded(
    sample_root: Path, tmp_path: Path, github: FakeGitHub
) -> None:
    inputs = {"queue": True, "retention_days": False, "max_receives": False}
    workflow = Workflow(inputs | {"pac_dispatch_id": False}, "${{ inputs.pac_dispatch_id }}")
    github.add_repo("acme/messaging-infra", workflows={"provision-queue.yaml": workflow})
    (sample_root / "requests/payments/orders-queue.yaml").write_text(QUEUE)
    env = environment(github, tmp_path / "unused.git")
    gate = github.pause_on("POST", r"/dispatches$", after_effect=True)
    kill_at(apply(sample_root, env, "orders-queue"), gate)
    assert len(github.runs) == 1
    out = finish(sample_root, env, "orders-queue")
    assert "waiting" in out
    assert len(github.runs) == 1, "dispatched twice"
    status = StatusStore(sample_root).load("orders-queue")
    assert status is not None and status.state == "waiting"
    assert status.tasks[0].refs["runId"] == str(github.runs[0]["id"])
    github.finish(github.runs[0]["id"])
    finish(sample_root, env, "orders-queue")
    status = StatusStore(sample_root).load("orders-queue")
    assert status is not None and status.state == "completed"
    assert json.dumps(status.as_dict()).count("actions/runs/") >= 1 and len(github.runs) == 1
