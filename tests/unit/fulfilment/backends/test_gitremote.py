"""Commits to infrastructure repositories: real bare repositories in temp dirs as remotes,
one whose branch moves during the push and one whose pre-receive hook refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.fulfilment.backends import BackendError
from pac.fulfilment.backends.gitremote import (
    TRAILER,
    FileChange,
    GitRemotes,
    env_name,
    reachable,
    remote_url,
)
from tests.fakes.bare import count, git, hook, make_remote, show

REPO = "acme/infra-live"
BOT = ("pac", "pac@company.com")
KEY = "orders/database-redis-gitops/automatic/0"


def remotes(tmp_path: Path, bare: Path) -> GitRemotes:
    return GitRemotes(tmp_path / "catalog", BOT, {env_name(REPO): str(bare)})


def test_where_a_repository_is_reached() -> None:
    assert env_name("acme/infra-live") == "PAC_GIT_URL_ACME_INFRA_LIVE"
    assert remote_url(REPO, {}) == "https://github.com/acme/infra-live.git"
    ghes = {"PAC_GITHUB_URL": "https://git.acme.internal/api/v3"}
    assert remote_url(REPO, ghes) == "https://git.acme.internal/acme/infra-live.git"
    assert remote_url(REPO, {env_name(REPO): "/srv/x.git"}) == "/srv/x.git"
    assert not reachable(REPO, {}) and reachable(REPO, {"PAC_GITHUB_TOKEN": "t"})


def test_one_commit_with_every_file_and_the_task_key_as_trailer(tmp_path: Path) -> None:
    bare = make_remote(tmp_path, {"README.md": "x\n", "old.tfvars": "a = 1\n", "b.txt": "b\n"})
    changes = [
        FileChange("envs/prod/redis.json", "create", '{"a": 1}\n'),
        FileChange("b.txt", "update", "B\n"),
        FileChange("old.tfvars", "delete"),
    ]
    pushed = remotes(tmp_path, bare).commit(REPO, "main", "main", changes, "add redis", KEY)
    assert pushed.made and pushed.branch == "main" and pushed.pushes == 1
    assert count(bare) == 2
    message = git("--git-dir", str(bare), "log", "-1", "--format=%B", cwd=tmp_path)
    assert message.strip().splitlines() == ["add redis", "", f"{TRAILER}: {KEY}"]
    assert show(bare, "envs/prod/redis.json") == '{"a": 1}\n'
    assert show(bare, "b.txt") == "B\n"
    tree = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", "main", cwd=tmp_path)
    assert "old.tfvars" not in tree.split()
    author = git("--git-dir", str(bare), "log", "-1", "--format=%an <%ae>", cwd=tmp_path)
    assert author.strip() == "pac <pac@company.com>"


def test_a_commit_already_on_the_branch_is_found_not_made_again(tmp_path: Path) -> None:
    bare = make_remote(tmp_path)
    changes = [FileChange("a.yaml", "create", "a: 1\n")]
    first = remotes(tmp_path, bare).commit(REPO, "main", "main", changes, "add", KEY)
    # A later commit by someone else, then a re-run (say after a kill before the status).
    work = tmp_path / "other"
    git("clone", "-q", str(bare), str(work), cwd=tmp_path)
    (work / "c.txt").write_text("c\n")
    git("add", "c.txt", cwd=work)
    git("-c", "commit.gpgsign=false", "commit", "-qm", "other", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    again = remotes(tmp_path, bare).commit(REPO, "main", "main", changes, "add", KEY)
    assert (again.commit, again.made) == (first.commit, False)
    assert count(bare) == 3
    # A key that merely starts like this one is another task's.
    longer = remotes(tmp_path, bare).commit(
        REPO, "main", "main", [FileChange("d.txt", "create", "d\n")], "add d", KEY + "0"
    )
    assert longer.made and count(bare) == 4


def test_a_pull_request_branch_starts_from_the_base(tmp_path: Path) -> None:
    bare = make_remote(tmp_path)
    changes = [FileChange("a.yaml", "create", "a: 1\n")]
    pushed = remotes(tmp_path, bare).commit(REPO, "main", "pac/x/0", changes, "add", KEY)
    assert pushed.made and count(bare, "pac/x/0") == 2 and count(bare) == 1
    again = remotes(tmp_path, bare).commit(REPO, "main", "pac/x/0", changes, "add", KEY)
    assert (again.made, again.commit) == (False, pushed.commit)


def test_a_branch_that_moves_during_the_push_is_rebased_and_pushed_again(
    tmp_path: Path,
) -> None:
    bare = make_remote(tmp_path)
    # The first push finds main moved by another writer while it was under way.
    hook(
        bare,
        "pre-receive",
        f"""
[ -f "{bare}/moved" ] && exit 0
touch "{bare}/moved"
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
export GIT_DIR="{bare}"
tree=$(git rev-parse main^{{tree}})
commit=$(echo concurrent | GIT_AUTHOR_NAME=o GIT_AUTHOR_EMAIL=o@x GIT_COMMITTER_NAME=o \\
  GIT_COMMITTER_EMAIL=o@x git commit-tree "$tree" -p main)
git update-ref refs/heads/main "$commit"
""",
    )
    changes = [FileChange("a.yaml", "create", "a: 1\n")]
    pushed = remotes(tmp_path, bare).commit(REPO, "main", "main", changes, "add", KEY)
    assert pushed.made and pushed.pushes == 2
    log = git("--git-dir", str(bare), "log", "--format=%s", "main", cwd=tmp_path).split()
    assert log == ["add", "concurrent", "seed"]
    assert show(bare, "a.yaml") == "a: 1\n"


def test_a_refusing_remote_fails_with_its_own_words(tmp_path: Path) -> None:
    bare = make_remote(tmp_path)
    hook(
        bare,
        "pre-receive",
        'echo "GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1\n',
    )
    changes = [FileChange("a.yaml", "create", "a: 1\n")]
    with pytest.raises(BackendError) as caught:
        remotes(tmp_path, bare).commit(REPO, "main", "main", changes, "add", KEY)
    assert "GH006: Protected branch update failed for refs/heads/main." in caught.value.message
    assert "pre-receive hook declined" in caught.value.message
    assert not caught.value.transient and "createPullRequest" in caught.value.hint
    assert count(bare) == 1


def test_files_that_are_already_as_asked_make_no_commit(tmp_path: Path) -> None:
    bare = make_remote(tmp_path, {"a.yaml": "a: 1\n"})
    changes = [FileChange("a.yaml", "update", "a: 1\n"), FileChange("gone.txt", "delete")]
    pushed = remotes(tmp_path, bare).commit(REPO, "main", "main", changes, "same", KEY)
    assert (pushed.commit, pushed.made) == ("", False) and count(bare) == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (FileChange("a.yaml", "create", "a: 2\n"), "already exists with other content"),
        (FileChange("missing.yaml", "update", "a: 2\n"), "does not exist, so it cannot be updated"),
    ],
)
def test_create_and_update_say_what_stands_in_their_way(
    tmp_path: Path, change: FileChange, words: str
) -> None:
    bare = make_remote(tmp_path, {"a.yaml": "a: 1\n"})
    with pytest.raises(BackendError, match=words):
        remotes(tmp_path, bare).commit(REPO, "main", "main", [change], "x", KEY)


def test_an_unreachable_repository_is_transient_and_a_missing_branch_is_not(
    tmp_path: Path,
) -> None:
    gone = GitRemotes(tmp_path, BOT, {env_name(REPO): str(tmp_path / "nowhere.git")})
    with pytest.raises(BackendError) as caught:
        gone.commit(REPO, "main", "main", [FileChange("a", "create", "a")], "x", KEY)
    assert caught.value.transient and "could not be reached" in caught.value.message
    bare = make_remote(tmp_path)
    with pytest.raises(BackendError) as missing:
        remotes(tmp_path, bare).commit(REPO, "prod", "prod", [], "x", KEY)
    assert missing.value.message == f"{REPO} has no branch prod" and not missing.value.transient


def test_reading_files_for_a_preview(tmp_path: Path) -> None:
    bare = make_remote(tmp_path, {"a.yaml": "a: 1\n"})
    assert remotes(tmp_path, bare).read(REPO, "main", ["a.yaml", "b.yaml"]) == {
        "a.yaml": "a: 1\n",
        "b.yaml": None,
    }
