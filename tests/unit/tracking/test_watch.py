"""`--watch`'s rounds against real git repositories: the upstream read after a fetch, each
change told once, the last known state kept when the remote goes away, the fallback to
the working tree, and when watching stops."""

from __future__ import annotations

import shutil
from pathlib import Path

import git
import pytest

from pac.errors import GitError
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.records.store import StatusStore
from pac.tracking.statusview import RequestView, build_views
from pac.tracking.upstream import fetch, find_upstream, statuses_at
from pac.tracking.watch import FIRST_APPLY, Tick, Watcher, facts, follow

AUTHOR = git.Actor("Dana Dev", "dana.dev@company.com")


def _build(statuses: list[RequestStatus]):  # type: ignore[no-untyped-def]
    return build_views(statuses, None)


def _clones(tmp_path: Path, folder: str = "") -> tuple[Path, Path, Path]:
    """A bare remote and two clones; the catalog in `folder` of the git repository."""
    bare = tmp_path / "remote.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    seed = tmp_path / "seed"
    (seed / folder / "catalog").mkdir(parents=True)
    (seed / folder / "catalog" / "README.md").write_text("catalog\n")
    repo = git.Repo.init(seed, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("seed", author=AUTHOR, committer=AUTHOR)
    repo.create_remote("origin", str(bare)).push("main:main")
    laptop, ci = tmp_path / "laptop", tmp_path / "ci"
    git.Repo.clone_from(str(bare), str(laptop))
    git.Repo.clone_from(str(bare), str(ci))
    return bare, laptop / folder, ci / folder


def _push(ci: Path, *statuses: RequestStatus) -> None:
    for status in statuses:
        StatusStore(ci).save(status)
    repo = git.Repo(ci, search_parent_directories=True)
    repo.git.add(A=True)
    repo.index.commit("status", author=AUTHOR, committer=AUTHOR)
    repo.remote("origin").push("main:main")


def _task(state: TaskState, **more: object) -> TaskStatus:
    return TaskStatus(
        "r/db/manual/0", "db", "database-x", "create", "manual", 0, state=state, **more
    )  # type: ignore[arg-type]


def test_the_upstream_is_read_from_the_fetched_commit_in_a_catalog_subfolder(
    tmp_path: Path,
) -> None:
    _bare, laptop, ci = _clones(tmp_path, folder="platform")
    upstream, why = find_upstream(laptop)
    assert upstream is not None and why == ""
    assert (upstream.shown, upstream.folder) == ("origin/main", "platform")
    assert statuses_at(upstream, fetch(upstream), None) == []
    _push(ci, RequestStatus("r", RequestState.WAITING), RequestStatus("s", RequestState.FAILED))
    commit = fetch(upstream)
    assert [s.request for s in statuses_at(upstream, commit, None)] == ["r", "s"]
    assert [s.state for s in statuses_at(upstream, commit, "s")] == [RequestState.FAILED]
    assert not (laptop / "requests").exists()  # nothing checked out


def test_no_upstream_says_why(tmp_path: Path) -> None:
    assert find_upstream(tmp_path)[1].endswith("is not a git repository")
    repo = git.Repo.init(tmp_path, initial_branch="main")
    (tmp_path / "f").write_text("x")
    repo.git.add(A=True)
    repo.index.commit("one", author=AUTHOR, committer=AUTHOR)
    assert find_upstream(tmp_path) == (
        None,
        "the branch main has no upstream (no remote to follow)",
    )
    repo.git.checkout(repo.head.commit.hexsha)
    assert find_upstream(tmp_path)[1] == "HEAD is detached, so no branch has an upstream"


def test_each_change_is_told_once_and_the_last_state_kept_when_the_remote_goes(
    tmp_path: Path,
) -> None:
    bare, laptop, ci = _clones(tmp_path)
    watcher = Watcher(laptop, "r")
    first = watcher.round(_build)
    assert first.notes == [FIRST_APPLY] and first.lines == [] and not first.done
    assert watcher.round(_build).notes == []  # said once

    status = RequestStatus("r", RequestState.WAITING, tasks=[_task(TaskState.WAITING)])
    _push(ci, status)
    told = watcher.round(_build)
    assert [line.split(" — ")[0] for line in told.lines] == ["r: waiting", "r: db waiting"]
    assert watcher.round(_build).lines == []

    moved = tmp_path / "elsewhere.git"
    shutil.move(bare, moved)
    gone = watcher.round(_build)
    assert gone.lines == [] and len(gone.notes) == 1
    assert "could not fetch origin/main" in gone.notes[0] and "last known state" in gone.notes[0]
    assert [v.status.state for v in gone.views] == [RequestState.WAITING]
    assert watcher.round(_build).notes == []  # the same failure is said once

    shutil.move(moved, bare)
    status.state = RequestState.COMPLETED
    status.tasks = [_task(TaskState.COMPLETED, outputs={"endpoint": "db:5432"})]
    _push(ci, status)
    done = watcher.round(_build)
    assert done.done
    assert done.lines[0].startswith("r: completed — ready: completed")
    assert done.lines[1:] == ["r: db completed", "r: output endpoint = db:5432"]


def test_a_remote_that_never_answered_is_an_error(tmp_path: Path) -> None:
    bare, laptop, _ci = _clones(tmp_path)
    shutil.rmtree(bare)
    with pytest.raises(GitError, match="could not fetch origin/main"):
        Watcher(laptop, "r").round(_build)


def test_without_an_upstream_the_working_tree_is_followed(tmp_path: Path) -> None:
    watcher = Watcher(tmp_path, None)
    StatusStore(tmp_path).save(RequestStatus("r", RequestState.PROCESSING))
    tick = watcher.round(_build)
    assert tick.notes[0].endswith("following the working tree's status files")
    assert tick.lines[0].startswith("r: processing — being fulfilled by pac apply")


def test_follow_stops_when_done_or_at_the_timeout() -> None:
    class _Rounds:
        def __init__(self, done_at: int) -> None:
            self.count, self.done_at = 0, done_at

        def round(self, build: object) -> Tick:
            self.count += 1
            return Tick(done=self.count >= self.done_at)

    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    ticks = list(follow(_Rounds(3), _build, 5, 60, clock=lambda: now[0], sleep=sleep))  # type: ignore[arg-type]
    assert [t.done for t in ticks] == [False, False, True] and slept == [5, 5]
    now[0], slept[:] = 0.0, []
    ticks = list(follow(_Rounds(99), _build, 5, 12, clock=lambda: now[0], sleep=sleep))  # type: ignore[arg-type]
    assert not ticks[-1].done and slept == [5, 5, 2]


def test_facts_tell_the_words_with_the_state_but_compare_the_state_alone() -> None:
    status = RequestStatus(
        "r", RequestState.WAITING, tasks=[_task(TaskState.WAITING, ticket_key="DBA-1")]
    )
    [view] = build_views([status], None)[0]
    told = facts(RequestView(view.status, view.tasks, "waiting on x: 3 hours", []))
    assert told[0] == ("r", "0/waiting", "r: waiting — waiting on x: 3 hours")
    assert told[2] == (
        "r/db/manual/0#ticket",
        "DBA-1 (not read live here)",
        "r: db ticket DBA-1 (not read live here)",
    )
