"""Committing and pushing status to a real (bare) remote, when the branch moved meanwhile."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import git
import pytest

from pac.errors import GitError
from pac.fulfilment.commit import commit_and_push
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.records.store import StatusStore
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


def _status(request: str, state: RequestState, done: bool) -> RequestStatus:
    status = RequestStatus(request=request, state=state, target_id="messaging-kafka-topic")
    status.tasks = [
        TaskStatus(
            f"{request}/t/manual/0",
            "t",
            "messaging-kafka-topic",
            "jira-ticket",
            "manual",
            0,
            state=TaskState.COMPLETED if done else TaskState.FAILED,
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
    path = StatusStore(root).save(_status("payments-events", RequestState.COMPLETED, True))
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

    path = StatusStore(root_a).save(_status("payments-events", RequestState.COMPLETED, True))
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
    theirs = _status("payments-events", RequestState.COMPLETED, True)
    theirs.note("the other run")
    StatusStore(root_b).save(theirs)
    b.git.add(A=True)
    b.index.commit("pac apply: status from another run")
    b.remote().push("main:main")

    ours = _status("payments-events", RequestState.FAILED, False)
    ours.tasks.append(
        TaskStatus(
            "payments-events/u/manual/0",
            "u",
            "x",
            "jira-ticket",
            "manual",
            0,
            state=TaskState.COMPLETED,
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
        ("payments-events/t/manual/0", TaskState.COMPLETED, "MSG-1"),
        ("payments-events/u/manual/0", TaskState.COMPLETED, "MSG-2"),
    ]
    assert {h["event"] for h in merged.history} >= {"the other run", "this run"}
    assert merged.state == RequestState.COMPLETED  # every task is done, whichever run wrote last


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

    path = StatusStore(root_a).save(_status("payments-events", RequestState.COMPLETED, True))
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
    path = StatusStore(root).save(_status("r-1", RequestState.COMPLETED, True))
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
    status.write_text(status.read_text().replace("state: waiting", "state: [waiting", 1))
    assert apply() == 1
    assert repo.head.commit == pushed  # the edited file was not committed as the bot's
    assert [d.a_path for d in repo.index.diff(None)] == ["requests/.status/payments-events.yaml"]


# --- pac apply --commit: preflight, every pending status, the upstream's statuses -------


def _apply(root: Path, *args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from pac.cli.app import app

    result = CliRunner().invoke(app, ["--repo", str(root), "apply", *args])
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tickets to the outbox, on a fixed day, not in CI."""
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    monkeypatch.delenv("CI", raising=False)
    for name in ("PAC_JIRA_URL", "PAC_JIRA_USER", "PAC_JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def _nothing_done(root: Path) -> None:
    assert not (root / "requests/.status").exists()
    assert not list((root / ".pac").glob("outbox/*"))


@pytest.mark.usefixtures("offline")
def test_commit_without_an_upstream_is_refused_before_any_work(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "lonely")
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("x", author=git.Actor(*BOT), committer=git.Actor(*BOT))
    code, output = _apply(root, "payments-events", "--commit")
    assert code == 2
    assert "the branch main has no upstream to push to; nothing was done" in output
    assert "git branch --set-upstream-to origin/main" in output
    _nothing_done(root)


@pytest.mark.usefixtures("offline")
def test_commit_outside_git_is_refused_before_any_work(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "plain")
    code, output = _apply(root, "payments-events", "--commit")
    assert code == 2 and "not a git repository with commits" in output
    assert "nothing was done" in output and "Run without --commit" in output
    _nothing_done(root)


@pytest.mark.usefixtures("offline")
def test_a_stale_index_lock_is_refused_before_any_work(remote: Path, tmp_path: Path) -> None:
    import os

    repo = _clone(remote, tmp_path / "a")
    root = Path(repo.working_tree_dir or ".")
    lock = Path(repo.git_dir) / "index.lock"
    lock.write_text("")
    os.utime(lock, (1_000_000, 1_000_000))  # left long ago by a killed git
    code, output = _apply(root, "payments-events", "--commit")
    assert code == 2
    assert "another git process is running in this checkout, or it is a stale lock" in output
    assert f"Remove {lock} if no git is running" in output
    _nothing_done(root)
    lock.unlink()
    assert _apply(root, "payments-events", "--commit")[0] == 0


@pytest.mark.usefixtures("offline")
def test_a_lock_appearing_after_the_work_leaves_the_status_for_the_next_run(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pac.fulfilment import apply as applying

    repo = _clone(remote, tmp_path / "a")
    root = Path(repo.working_tree_dir or ".")
    lock = Path(repo.git_dir) / "index.lock"
    work = applying.run

    def then_a_git_starts(*args: Any, **kwargs: Any) -> Any:
        done = work(*args, **kwargs)
        lock.write_text("")
        return done

    monkeypatch.setattr(applying, "run", then_a_git_starts)
    code, output = _apply(root, "payments-events", "--commit")
    assert code == 2
    assert "the status files could not be committed" in output
    assert "stale lock: remove it if no git is running" in output
    assert "the next `pac apply --commit` commits and pushes them" in output
    assert (root / "requests/.status/payments-events.yaml").exists()
    monkeypatch.setattr(applying, "run", work)
    lock.unlink()
    code, output = _apply(root, "payments-events", "--commit")
    assert code == 0 and "status committed and pushed" in output
    seen = _files_on_remote(remote, tmp_path, "check")
    assert (seen / "requests/.status/payments-events.yaml").exists()


@pytest.mark.usefixtures("offline")
def test_statuses_of_an_interrupted_run_are_committed_by_the_next(
    remote: Path, tmp_path: Path
) -> None:
    repo = _clone(remote, tmp_path / "a")
    root = Path(repo.working_tree_dir or ".")
    # A run that ended before its commit (killed, or run without --commit)...
    assert _apply(root, "payments-events", "--no-commit")[0] == 0
    # ...and one whose push was killed: committed, never pushed.
    path = StatusStore(root).save(_status("someone-else", RequestState.COMPLETED, True))
    assert commit_and_push(root, [path], "pac apply: status [skip ci]", BOT, push=False).committed
    broken = root / "requests/.status/broken.yaml"
    broken.write_text("request: [broken\n")  # pac refuses it: not the bot's to commit
    code, output = _apply(root, "payments-webapp", "--commit", "--outbox")
    assert code == 1 and "status committed and pushed" in output  # it lacks its secret
    seen = _files_on_remote(remote, tmp_path, "check")
    for request in ("payments-events", "payments-webapp", "someone-else"):
        assert (seen / f"requests/.status/{request}.yaml").exists(), request
    assert not (seen / "requests/.status/broken.yaml").exists()
    assert repo.git.status("--porcelain", "requests") == "?? requests/.status/broken.yaml"


@pytest.mark.usefixtures("offline")
def test_an_unpushed_status_commit_is_pushed_when_nothing_else_changed(
    remote: Path, tmp_path: Path
) -> None:
    repo = _clone(remote, tmp_path / "a")
    root = Path(repo.working_tree_dir or ".")
    path = StatusStore(root).save(_status("payments-events", RequestState.COMPLETED, True))
    commit_and_push(root, [path], "pac apply: status [skip ci]", BOT, push=False)
    result = commit_and_push(root, [], "nothing new", BOT)
    assert (result.committed, result.pushed) == (False, True)
    assert (_files_on_remote(remote, tmp_path, "check") / path.relative_to(root)).exists()


@pytest.mark.usefixtures("offline")
def test_the_upstreams_statuses_are_brought_in_before_deciding(
    remote: Path, tmp_path: Path
) -> None:
    a = _clone(remote, tmp_path / "a")
    b = _clone(remote, tmp_path / "b")
    root_a, root_b = Path(a.working_tree_dir or "."), Path(b.working_tree_dir or ".")
    assert _apply(root_a, "payments-events", "--commit")[0] == 0
    # b's branch lags behind; it must still see that the request was done.
    code, output = _apply(root_b, "payments-events")
    assert code == 0
    assert "brought in 1 newer status file(s) from origin/main" in output
    assert "0 request(s) acted on" in output
    assert not list((root_b / ".pac").glob("outbox/*.json"))


@pytest.mark.usefixtures("offline")
def test_a_task_done_twice_is_kept_and_said_loudly(remote: Path, tmp_path: Path) -> None:
    a = _clone(remote, tmp_path / "a")
    root = Path(a.working_tree_dir or ".")
    b = _clone(remote, tmp_path / "b")
    root_b = Path(b.working_tree_dir or ".")
    StatusStore(root_b).save(_status("payments-events", RequestState.COMPLETED, True))  # MSG-1
    commit_and_push(root_b, list((root_b / "requests/.status").glob("*.yaml")), "s", BOT)
    ours = _status("payments-events", RequestState.COMPLETED, True)
    ours.tasks[0].ticket_key = "MSG-7"  # an earlier run here made a second ticket
    StatusStore(root).save(ours)
    code, output = _apply(root, "payments-events", "--commit")
    assert code == 1
    assert (
        "warning: payments-events: the task payments-events/t/manual/0 was done twice: "
        "kept MSG-7, also MSG-1; close the ticket or undo the effect not kept"
    ) in output
    merged = StatusStore(_files_on_remote(remote, tmp_path, "check")).load("payments-events")
    assert merged is not None
    assert merged.duplicates == [
        {"task": "payments-events/t/manual/0", "kept": "MSG-7", "other": "MSG-1"}
    ]
    assert _apply(root, "payments-events", "--commit")[0] == 0  # said once, kept on record


@pytest.mark.usefixtures("offline")
def test_system_values_are_the_same_when_the_work_is_redone_elsewhere(
    remote: Path, tmp_path: Path
) -> None:
    a = _clone(remote, tmp_path / "a")
    root_a = Path(a.working_tree_dir or ".")
    assert _apply(root_a, "payments-events", "--commit")[0] == 0
    first = StatusStore(root_a).load("payments-events")
    # A fresh checkout without that status (the first run was killed before its push),
    # after other runs pushed statuses: the same values, so the same calls.
    c = _clone(remote, tmp_path / "c")
    root_c = Path(c.working_tree_dir or ".")
    (root_c / "requests/.status/payments-events.yaml").unlink()
    c.git.commit("-qam", "x", env={"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@y"})
    assert _apply(root_c, "payments-events", "--no-commit")[0] == 0
    again = StatusStore(root_c).load("payments-events")
    assert first is not None and again is not None
    assert again.system == first.system
    assert again.catalog_revision == first.catalog_revision
    assert first.system["correlationId"].startswith("pac-payments-events-")


def test_stale_temp_files_are_removed_by_the_next_run(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from pac.documents.repository import Repository
    from pac.fulfilment import apply as applying
    from pac.fulfilment.backends import ticket_backend

    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    folder = sample_root / "requests/.status"
    folder.mkdir(parents=True)
    outbox = sample_root / ".pac/outbox"
    outbox.mkdir(parents=True)
    team = sample_root / "requests/payments"  # a killed `pac upgrade`'s
    strays = [
        folder / ".payments-events.yaml.k1ll3d_0.tmp",
        outbox / ".MSG-1.json.k1ll3d_0.tmp",
        team / ".payments-events.yaml.k1ll3d_0.tmp",
    ]
    for stray in [*strays, team / "notes.tmp"]:
        stray.write_text("half a stat")
        os.utime(stray, (1_000_000, 1_000_000))
    repo = Repository(sample_root)
    requests = applying.select_requests(repo, ["payments-events"]).requests
    applying.run(repo, requests, ticket_backend(repo, outbox=True, env={})[1])
    assert [p.name for p in folder.iterdir()] == ["payments-events.yaml"]
    assert not any(p.name.endswith(".tmp") for p in outbox.iterdir())
    assert not any(stray.exists() for stray in strays)
    assert (team / "notes.tmp").exists()  # not a name pac writes: not pac's to delete


@pytest.mark.usefixtures("offline")
def test_plan_shows_the_correlation_id_apply_will_send(sample_git: Path) -> None:
    from typer.testing import CliRunner

    from pac.cli.app import app

    args = ["--repo", str(sample_git), "plan", "payments-webapp", "--format", "json"]
    planned = [CliRunner().invoke(app, args).output for _ in range(2)]
    assert planned[0] == planned[1]  # not drawn anew at every look
    _apply(sample_git, "payments-webapp", "--outbox")  # fails without its secrets, records
    status = StatusStore(sample_git).load("payments-webapp")
    assert status is not None
    assert f'"X-Correlation-Id": "{status.system["correlationId"]}"' in planned[0]


@pytest.mark.usefixtures("offline")
def test_an_unreachable_upstream_is_a_warning_without_commit_and_an_error_with_it(
    remote: Path, tmp_path: Path
) -> None:
    """The README's offline quick start runs in a clone whose upstream cannot be reached."""
    repo = _clone(remote, tmp_path / "laptop")
    root = Path(repo.working_tree_dir or ".")
    repo.git.remote("set-url", "origin", str(tmp_path / "gone.git"))
    code, output = _apply(root, "payments-events", "--commit")
    assert code == 2 and "cannot be reached for the apply lease: fatal:" in output
    assert "does not appear to be a git repository" in output
    _nothing_done(root)
    code, output = _apply(root, "payments-events")
    assert code == 0, output
    assert "warning: working without the apply lease" in output
    assert (root / "requests/.status/payments-events.yaml").is_file()


@pytest.mark.usefixtures("offline")
def test_a_run_filing_jira_tickets_needs_the_lease_even_without_commit(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A laptop run into JIRA and a CI run at once could both file one task's ticket: JIRA's
    search lags, so neither would see the other's. Without the lease it does not start."""
    repo = _clone(remote, tmp_path / "laptop")
    root = Path(repo.working_tree_dir or ".")
    repo.git.remote("set-url", "origin", str(tmp_path / "gone.git"))
    # Never contacted: the run stops at the lease, before any ticket.
    monkeypatch.setenv("PAC_JIRA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PAC_JIRA_USER", "dev")
    monkeypatch.setenv("PAC_JIRA_TOKEN", "token")
    code, output = _apply(root, "payments-events")
    assert code == 2 and "cannot be reached for the apply lease" in output
    _nothing_done(root)


def test_a_push_that_fails_after_the_work_is_a_clear_error_and_the_commit_stays(
    remote: Path, tmp_path: Path
) -> None:
    """A network cut or an expired token at the end of a CI run: nothing is lost."""
    from pac.errors import GitError

    repo = _clone(remote, tmp_path / "a")
    root = Path(repo.working_tree_dir or ".")
    path = StatusStore(root).save(_status("payments-events", RequestState.COMPLETED, True))
    repo.git.remote("set-url", "origin", str(tmp_path / "gone.git"))
    with pytest.raises(GitError) as caught:
        commit_and_push(root, [path], "pac apply: status [skip ci]", BOT)
    assert "could not be pushed to origin/main: fatal:" in caught.value.message
    assert "the next `pac apply --commit` pushes them" in caught.value.hint
    assert repo.head.commit.message.startswith("pac apply: status")  # committed locally
    repo.git.remote("set-url", "origin", str(remote))
    assert commit_and_push(root, [], "pac apply: status [skip ci]", BOT).pushed


def test_a_hostile_upstream_status_in_a_conflict_aborts_the_rebase(
    remote: Path, tmp_path: Path
) -> None:
    from pac.errors import GitError

    a = _clone(remote, tmp_path / "a")
    b = _clone(remote, tmp_path / "b")
    root_a, root_b = Path(a.working_tree_dir or "."), Path(b.working_tree_dir or ".")
    planted = root_b / "requests/.status/payments-events.yaml"
    planted.parent.mkdir(parents=True)
    planted.write_text("request: payments-events\ndeep: " + "[" * 5000 + "]" * 5000 + "\n")
    b.git.add(A=True)
    b.index.commit("a hostile status")
    b.remote().push("main:main")

    path = StatusStore(root_a).save(_status("payments-events", RequestState.COMPLETED, True))
    with pytest.raises(GitError) as caught:
        commit_and_push(root_a, [path], "pac apply: status", BOT)
    assert "on the upstream cannot be read" in caught.value.message
    assert "git checkout --" in caught.value.hint
    assert not (Path(a.git_dir) / "rebase-merge").exists()  # not left half-way
    assert not (Path(a.git_dir) / "rebase-apply").exists()
    assert str(a.head.commit.message).strip() == "pac apply: status"


@pytest.mark.usefixtures("offline")
def test_a_rebase_left_half_way_is_named_before_any_work(remote: Path, tmp_path: Path) -> None:
    """A run killed while rebasing its status commit leaves the checkout mid-rebase."""
    a = _clone(remote, tmp_path / "a")
    b = _clone(remote, tmp_path / "b")
    root_a, root_b = Path(a.working_tree_dir or "."), Path(b.working_tree_dir or ".")
    for repo, root, text in ((b, root_b, "theirs\n"), (a, root_a, "ours\n")):
        (root / "NOTES.md").write_text(text)
        repo.git.add(A=True)
        repo.index.commit(text.strip())
    b.remote().push("main:main")
    a.remote().fetch()
    with pytest.raises(git.GitCommandError):
        a.git.rebase("origin/main")  # conflicts: stops half-way
    code, output = _apply(root_a, "payments-events", "--commit")
    assert code == 2, output
    assert "a rebase is in progress in this checkout" in output
    assert "git rebase --abort" in output and "nothing was done" in output
    _nothing_done(root_a)
