"""`git-commit` through `pac apply`: the sample's Redis item commits its tfvars file to a real
bare repository and opens the pull request on the fake GitHub, exactly once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.fulfilment import apply
from pac.fulfilment.backends.outbox import Outbox
from pac.fulfilment.executor import Outcome
from pac.records.store import StatusStore
from tests.conftest import invoke
from tests.fakes.bare import branches, count, git, hook, make_remote, show
from tests.fakes.github import TOKEN, FakeGitHub

ITEM = "catalog/databases/database-redis-gitops.yaml"
REPO = "acme/infra-databases"
KEY = "orders-cache/database-redis-gitops/automatic/0"
BRANCH = f"pac/{KEY}"
TFVARS = "envs/prod/redis/orders-cache.auto.tfvars.json"
PURPOSE = 'sessions: "hot" keys\n# not a comment\n- nor an item'
REQUEST = f"""schemaVersion: catalog/v1
kind: Request
metadata:
  id: orders-cache
  requester: {{email: dana.dev@company.com, name: Dana Dev, team: payments}}
catalogItemId: database-redis-gitops
input:
  name: orders-cache
  environment: {{stage: prod, costCenter: CC-4521}}
  cache: {{nodeType: cache.r7g.large, replicas: 2, purpose: {json.dumps(PURPOSE)}}}
"""


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    yield fake
    fake.stop()


@pytest.fixture
def infra(
    sample_root: Path, tmp_path: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The databases team's Terraform repository, and the request for a cache in it."""
    bare = make_remote(tmp_path, {"README.md": "infra\n"}, name="infra-databases")
    github.add_repo(REPO, git_dir=bare)
    monkeypatch.setenv("PAC_GIT_URL_ACME_INFRA_DATABASES", str(bare))
    monkeypatch.setenv("PAC_GITHUB_URL", github.url)
    monkeypatch.setenv("PAC_GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")  # outside the sample's change freezes
    (sample_root / "requests/payments/orders-cache.yaml").write_text(REQUEST)
    return bare


def run(root: Path) -> tuple[list[Outcome], list[str]]:
    repo = Repository(root)
    selection = apply.select_requests(repo, ["orders-cache"])
    assert not selection.invalid, selection.invalid
    lines: list[str] = []
    outcomes = apply.run(repo, selection.requests, lambda: Outbox(root), emit=lines.append)
    return outcomes, lines


def test_one_commit_and_one_pull_request_with_the_text_kept_as_data(
    sample_root: Path, infra: Path, github: FakeGitHub
) -> None:
    [outcome], lines = run(sample_root)
    assert outcome.state == "completed", outcome.summary
    assert branches(infra) == ["main", BRANCH]
    assert count(infra, BRANCH) == 2 and count(infra) == 1
    data = json.loads(show(infra, TFVARS, BRANCH))
    assert data["tags"]["Purpose"] == PURPOSE and data["replicas"] == 2
    [pull] = github.pulls
    assert (pull["head"], pull["base"], pull["title"]) == (
        BRANCH,
        "main",
        "Redis cache orders-cache (prod)",
    )
    assert pull["teams"] == ["platform-databases"]
    assert "Merge with: squash" in pull["body"]
    # The API calls of the task: look up by head, open, ask for review.
    assert len(github.log) == 3
    status = StatusStore(sample_root).load("orders-cache")
    assert status is not None
    [task] = status.tasks
    url = f"{github.url}/{REPO}/pull/1"
    assert task.outputs == {"cachePullRequest": url}
    assert task.refs["branch"] == BRANCH and task.refs["pullRequest"] == url
    assert TOKEN not in (sample_root / "requests/.status/orders-cache.yaml").read_text()
    assert any("pull request" in line for line in lines)
    again, _ = run(sample_root)
    assert again[0].state == "completed" and len(github.log) == 3 and len(github.pulls) == 1


@pytest.mark.parametrize("after_effect", [False, True], ids=["before", "after"])
def test_a_lost_pull_request_answer_is_resolved_without_a_second_commit_or_pull_request(
    sample_root: Path, infra: Path, github: FakeGitHub, after_effect: bool
) -> None:
    github.fail_next("POST", r"/pulls$", "drop", after_effect=after_effect)
    [first], _ = run(sample_root)
    assert first.pending, first.summary
    assert count(infra, BRANCH) == 2  # pushed before the pull request was asked for
    calls = len(github.log)
    [second], _ = run(sample_root)
    assert second.state == "completed", second.summary
    assert count(infra, BRANCH) == 2 and len(github.pulls) == 1
    # The re-run finds the commit by its trailer (git, no API) and the pull request by its
    # head: at most two calls when the work was done, three when it opens it now.
    assert len(github.log) - calls == (1 if after_effect else 3)


def test_a_duplicate_pull_request_answer_is_adopted(
    sample_root: Path, infra: Path, github: FakeGitHub
) -> None:
    # Another writer opens the pull request between pac's look-up and its create.
    gate = github.pause_on("POST", r"/pulls$")
    done: list[Outcome] = []
    worker = threading.Thread(target=lambda: done.extend(run(sample_root)[0]))
    worker.start()
    assert gate.reached.wait(30)
    github.pulls.append(
        {
            "repo": REPO,
            "number": 1,
            "state": "open",
            "title": "t",
            "body": "",
            "head": BRANCH,
            "base": "main",
            "reviewers": [],
            "teams": [],
            "assignees": [],
        }
    )
    gate.release()
    worker.join(30)
    assert done[0].state == "completed", done[0].summary
    assert len(github.pulls) == 1
    status = StatusStore(sample_root).load("orders-cache")
    assert status is not None and status.tasks[0].outputs["cachePullRequest"].endswith("/pull/1")


def test_a_refused_push_fails_the_task_with_the_remotes_words(
    sample_root: Path, infra: Path, github: FakeGitHub
) -> None:
    item = sample_root / ITEM
    item.write_text(
        item.read_text().replace("createPullRequest: true", "createPullRequest: false", 1)
    )
    hook(
        infra,
        "pre-receive",
        'echo "GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1\n',
    )
    [outcome], _ = run(sample_root)
    assert outcome.state == "failed"
    status = StatusStore(sample_root).load("orders-cache")
    assert status is not None and status.tasks[0].error is not None
    assert "GH006: Protected branch update failed" in status.tasks[0].error.message
    assert "platform-databases-team" in status.tasks[0].error.contact
    assert count(infra) == 1 and github.log == []


def test_missing_github_credentials_fail_with_where_to_set_them(
    sample_root: Path, infra: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAC_GITHUB_TOKEN")
    [outcome], _ = run(sample_root)
    status = StatusStore(sample_root).load("orders-cache")
    assert outcome.state == "failed" and status is not None and status.tasks[0].error
    assert "PAC_GITHUB_TOKEN is not set" in status.tasks[0].error.message
    assert "docs/operations.md" in status.tasks[0].error.hint


INPUT = f"""name: orders-cache
environment: {{stage: prod, costCenter: CC-4521}}
cache: {{nodeType: cache.r7g.large, replicas: 3, purpose: {json.dumps(PURPOSE)}}}
"""


def test_render_shows_the_files_as_a_diff_against_the_branch(
    sample_root: Path, infra: Path, tmp_path: Path
) -> None:
    # The file exists already with two replicas: the preview shows what changes.
    seeded = {"replication_group_id": "orders-cache", "replicas": 2}
    work = tmp_path / "change"
    git("clone", "-q", str(infra), str(work), cwd=tmp_path)
    (work / TFVARS).parent.mkdir(parents=True)
    (work / TFVARS).write_text(json.dumps(seeded, indent=2) + "\n")
    git("add", "-A", cwd=work)
    git("-c", "commit.gpgsign=false", "commit", "-qm", "seed", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    (tmp_path / "input.yaml").write_text(INPUT)
    code, out = invoke(
        sample_root, "render", "database-redis-gitops", "--input", str(tmp_path / "input.yaml")
    )
    assert code == 0, out
    assert f"   create {TFVARS} (diff):" in out
    assert f"--- a/{TFVARS}" in out and '-  "replicas": 2' in out
    assert '+  "replicas": 3,' in out and "full files" not in out


def test_render_shows_full_files_where_the_repository_is_not_set_up(
    sample_root: Path, tmp_path: Path
) -> None:
    (tmp_path / "input.yaml").write_text(INPUT)
    code, out = invoke(
        sample_root, "render", "database-redis-gitops", "--input", str(tmp_path / "input.yaml")
    )
    assert code == 0, out
    assert "(full files: acme/infra-databases is not set up on this machine" in out
    assert f"   create {TFVARS}:" in out and '"replicas": 3,' in out


def test_plan_names_the_pull_request_and_carries_the_diff(sample_root: Path, infra: Path) -> None:
    code, out = invoke(sample_root, "plan", "orders-cache")
    assert code == 0, out
    assert f"[database-redis-gitops] pull request into {REPO}@main: 1 file ({TFVARS})" in out
    code, markdown = invoke(sample_root, "plan", "orders-cache", "--format", "markdown")
    assert code == 0 and f"+++ b/{TFVARS}" in markdown and "--- /dev/null" in markdown
