"""The fake GitHub itself, through PyGithub: as strict as GitHub where pac relies on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from github import Auth, Github, GithubException

from tests.fakes.bare import make_remote
from tests.fakes.github import TOKEN, FakeGitHub, Workflow


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    github = FakeGitHub().start()
    yield github
    github.stop()


def client(fake: FakeGitHub, token: str = TOKEN) -> Github:
    return Github(base_url=fake.url, auth=Auth.Token(token), retry=None, lazy=True)


def test_credentials_are_required(fake: FakeGitHub) -> None:
    fake.add_repo("acme/x")
    with pytest.raises(GithubException) as caught:
        list(client(fake, "wrong").get_repo("acme/x").get_pulls(state="all"))
    assert caught.value.status == 401 and caught.value.data["message"] == "Bad credentials"


def test_pull_requests_are_unique_per_head_and_need_real_branches(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    bare = make_remote(tmp_path)
    fake.add_repo("acme/x", git_dir=bare)
    repo = client(fake).get_repo("acme/x")
    with pytest.raises(GithubException) as missing:
        repo.create_pull(base="main", head="nope", title="t", body="")
    assert missing.value.status == 422
    pull = repo.create_pull(base="main", head="main", title="t", body="b")
    assert pull.number == 1
    with pytest.raises(GithubException) as twice:
        repo.create_pull(base="main", head="main", title="t", body="b")
    assert twice.value.status == 422 and "already exists" in str(twice.value.data)
    found = list(repo.get_pulls(state="all", head="acme:main", base="main"))
    assert [p.number for p in found] == [1]
    assert list(repo.get_pulls(state="all", head="acme:other")) == []


def test_a_dispatch_is_checked_like_github_and_says_which_run_it_started(
    fake: FakeGitHub,
) -> None:
    fake.add_repo("acme/x", workflows={"go.yaml": Workflow({"a": True}, "go ${{ inputs.a }}")})
    repo = client(fake).get_repo("acme/x")
    with pytest.raises(GithubException) as unknown:
        repo.get_workflow("other.yaml").create_dispatch("main", {}, throw=True)
    assert unknown.value.status == 404
    with pytest.raises(GithubException) as extra:
        repo.get_workflow("go.yaml").create_dispatch("main", {"a": "1", "b": "2"}, throw=True)
    assert extra.value.status == 422 and "Unexpected inputs" in extra.value.data["message"]
    with pytest.raises(GithubException) as required:
        repo.get_workflow("go.yaml").create_dispatch("main", {}, throw=True)
    assert required.value.status == 422
    run = repo.get_workflow("go.yaml").create_dispatch(
        "main", {"a": "7"}, throw=True, return_run_details=True
    )
    assert run.id == fake.runs[0]["id"]
    listed = list(repo.get_workflow("go.yaml").get_runs(event="workflow_dispatch"))
    assert [r.display_title for r in listed] == ["go 7"]
    fake.finish(run.id, "failure", failed=("build",))
    again = repo.get_workflow_run(run.id)
    assert (again.status, again.conclusion) == ("completed", "failure")
    assert [(j.name, j.conclusion) for j in again.jobs()] == [("build", "failure")]


def test_an_older_github_refuses_run_details(fake: FakeGitHub) -> None:
    fake.run_details = False
    fake.add_repo("acme/x", workflows={"go.yaml": Workflow()})
    flow = client(fake).get_repo("acme/x").get_workflow("go.yaml")
    with pytest.raises(GithubException) as refused:
        flow.create_dispatch("main", {}, throw=True, return_run_details=True)
    assert refused.value.status == 422
    assert flow.create_dispatch("main", {}, throw=True) is True and len(fake.runs) == 1
