"""Committing and pushing status to a real (bare) remote, when the branch moved meanwhile."""

from __future__ import annotations

import shutil
from pathlib import Path

import git
import pytest

from pac.errors import GitError
from pac.gitops import commit_and_push
from pac.status import COMPLETED, FAILED, RequestStatus, StatusStore, TaskStatus
from tests.conftest import copy_sample

BOT = ("pac-bot", "pac-bot@company.com")


def _clone(remote: Path, target: Path) -> git.Repo:
    repo = git.Repo.clone_from(str(remote), str(target))
    with repo.config_writer() as config:
        config.set_value("user", "name", "Someone")
        config.set_value("user", "email", "someone@company.com")
    return repo


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare remote holding the sample catalog on main."""
    bare = tmp_path / "remote.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    seed = tmp_path / "seed"
    copy_sample(seed)
    repo = git.Repo.init(seed, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("catalog", author=git.Actor(*BOT), committer=git.Actor(*BOT))
    repo.create_remote("origin", str(bare)).push("main:main")
    shutil.rmtree(seed)
    return bare


def _status(request: str, state: str, done: bool) -> RequestStatus:
    status = RequestStatus(request=request, state=state, target_id="messaging-kafka-topic")
    status.tasks = [
        TaskStatus(
            f"{request}/t/manual/0",
            "t",
            "messaging-kafka-topic",
            "jira-ticket",
            "manual",
            0,
            state=COMPLETED if done else FAILED,
            ticket_key="MSG-1" if done else "",
        )
    ]
    return status


def _files_on_remote(remote: Path, tmp_path: Path, name: str) -> Path:
    check = _clone(remote, tmp_path / name)
    return Path(check.working_tree_dir or ".")


def test_status_is_committed_as_the_bot_and_pushed(remote: Path, tmp_path: Path) -> None:
    repo = _clone(remote, tmp_path / "a")
    root = Path(repo.working_tree_dir or ".")
    path = StatusStore(root).save(_status("payments-events", COMPLETED, True))
    result = commit_and_push(root, [path], "pac apply: status [skip ci]", BOT)
    assert (result.committed, result.pushed, result.attempts) == (True, True, 1)
    head = repo.head.commit
    assert (head.author.name, head.committer.email) == BOT
    seen = _files_on_remote(remote, tmp_path, "check")
    assert (seen / "requests/.status/payments-events.yaml").exists()
    # Nothing new: nothing committed.
    assert commit_and_push(root, [path], "again", BOT).committed is False


def test_a_moved_branch_is_rebased_onto(remote: Path, tmp_path: Path) -> None:
    a = _clone(remote, tmp_path / "a")
    b = _clone(remote, tmp_path / "b")
    root_a, root_b = Path(a.working_tree_dir or "."), Path(b.working_tree_dir or ".")
    # Someone merges a new request to main while pac is working.
    (root_b / "requests/checkout").mkdir()
    (root_b / "requests/checkout/new.yaml").write_text("kind: Request\n")
    b.git.add(A=True)
    b.index.commit("a new request")
    b.remote().push("main:main")

    path = StatusStore(root_a).save(_status("payments-events", COMPLETED, True))
    result = commit_and_push(root_a, [path], "pac apply: status", BOT)
    assert result.pushed and result.attempts == 2
    seen = _files_on_remote(remote, tmp_path, "check")
    assert (seen / "requests/checkout/new.yaml").exists()
    assert (seen / "requests/.status/payments-events.yaml").exists()


def test_a_conflicting_status_is_merged_not_dropped(remote: Path, tmp_path: Path) -> None:
    a = _clone(remote, tmp_path / "a")
    b = _clone(remote, tmp_path / "b")
    root_a, root_b = Path(a.working_tree_dir or "."), Path(b.working_tree_dir or ".")
    # Another run recorded the task as done; this run only knows it failed before.
    theirs = _status("payments-events", COMPLETED, True)
    theirs.note("the other run")
    StatusStore(root_b).save(theirs)
    b.git.add(A=True)
    b.index.commit("pac apply: status from another run")
    b.remote().push("main:main")

    ours = _status("payments-events", FAILED, False)
    ours.tasks.append(
        TaskStatus(
            "payments-events/u/manual/0",
            "u",
            "x",
            "jira-ticket",
            "manual",
            0,
            state=COMPLETED,
            ticket_key="MSG-2",
        )
    )
    ours.note("this run")
    path = StatusStore(root_a).save(ours)
    result = commit_and_push(root_a, [path], "pac apply: status", BOT)
    assert result.pushed
    assert result.merged == ["requests/.status/payments-events.yaml"]
    merged = StatusStore(_files_on_remote(remote, tmp_path, "check")).load("payments-events")
    assert merged is not None
    assert [(t.key, t.state, t.ticket_key) for t in merged.tasks] == [
        ("payments-events/t/manual/0", COMPLETED, "MSG-1"),
        ("payments-events/u/manual/0", COMPLETED, "MSG-2"),
    ]
    assert {h["event"] for h in merged.history} >= {"the other run", "this run"}
    assert merged.state == COMPLETED  # every task is done, whichever run wrote last


def test_only_the_status_is_committed_and_local_changes_do_not_stop_the_push(
    remote: Path, tmp_path: Path
) -> None:
    a = _clone(remote, tmp_path / "a")
    b = _clone(remote, tmp_path / "b")
    root_a, root_b = Path(a.working_tree_dir or "."), Path(b.working_tree_dir or ".")
    with a.config_writer() as config:
        config.set_value("commit", "gpgsign", "true")  # a person's setting, not the bot's
    # Someone's work in the same checkout: one change staged, one not.
    (root_a / "requests/payments/draft.yaml").write_text("kind: Request\n")
    a.git.add("requests/payments/draft.yaml")
    pac_yaml = root_a / "pac.yaml"
    pac_yaml.write_text(pac_yaml.read_text() + "# a local note\n")
    # ...and main moves meanwhile.
    (root_b / "README.md").write_text("moved\n")
    b.git.add(A=True)
    b.index.commit("main moved")
    b.remote().push("main:main")

    path = StatusStore(root_a).save(_status("payments-events", COMPLETED, True))
    result = commit_and_push(root_a, [path], "pac apply: status", BOT)
    assert result.pushed and result.attempts == 2
    assert set(a.head.commit.stats.files) == {"requests/.status/payments-events.yaml"}
    assert (a.head.commit.author.name, a.head.commit.committer.name) == (BOT[0], BOT[0])
    # The person's work is where it was: staged, and unstaged.
    assert [d.a_path for d in a.index.diff("HEAD")] == ["requests/payments/draft.yaml"]
    assert pac_yaml.read_text().endswith("# a local note\n")
    seen = _files_on_remote(remote, tmp_path, "check")
    assert not (seen / "requests/payments/draft.yaml").exists()
    assert (seen / "README.md").read_text() == "moved\n"


def test_no_upstream_is_a_clear_error(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "lonely")
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("x", author=git.Actor(*BOT), committer=git.Actor(*BOT))
    path = StatusStore(root).save(_status("r-1", COMPLETED, True))
    with pytest.raises(GitError, match="has no upstream"):
        commit_and_push(root, [path], "status", BOT)


def test_apply_commit_leaves_a_hand_edited_status_uncommitted(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from pac.cli.app import app

    repo = _clone(remote, tmp_path / "a")
    root = Path(repo.working_tree_dir or ".")
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    monkeypatch.delenv("CI", raising=False)
    for name in ("PAC_JIRA_URL", "PAC_JIRA_USER", "PAC_JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    def apply() -> int:
        args = ["--repo", str(root), "apply", "payments-events", "--commit"]
        return CliRunner().invoke(app, args).exit_code

    assert apply() == 0
    pushed = repo.head.commit
    assert pushed.author.name == BOT[0]
    status = root / "requests/.status/payments-events.yaml"
    status.write_text(status.read_text().replace("state: completed", "state: [completed", 1))
    assert apply() == 1
    assert repo.head.commit == pushed  # the edited file was not committed as the bot's
    assert [d.a_path for d in repo.index.diff(None)] == ["requests/.status/payments-events.yaml"]
