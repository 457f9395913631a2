"""One `pac apply` run: what stops it before any work, the work, and recording statuses."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from pac.documents.repository import Repository
from pac.errors import PacError
from pac.fulfilment import session


def _clone_with_upstream(sample_git: Path, tmp_path: Path) -> Path:
    remote = tmp_path / "remote.git"
    git.Repo(sample_git).clone(str(remote), bare=True)
    return Path(git.Repo.clone_from(str(remote), str(tmp_path / "clone")).working_dir)


def test_the_outbox_has_no_search_lag_and_no_upstream_without_commit(sample_root: Path) -> None:
    run = session.prepare(Repository(sample_root), [], None, outbox=True, commit=False)
    assert run.lag == 0.0 and run.upstream is None
    assert "outbox" in run.backend
    assert run.selection.requests  # the sample requests


def test_an_unknown_request_stops_the_run_before_any_work(sample_root: Path) -> None:
    with pytest.raises(PacError):
        session.prepare(
            Repository(sample_root), ["no-such-request"], None, outbox=True, commit=False
        )
    assert not (sample_root / ".pac/outbox").exists()


def test_work_then_record_commits_and_pushes_every_status(sample_git: Path, tmp_path: Path) -> None:
    root = _clone_with_upstream(sample_git, tmp_path)
    lines: list[str] = []
    run = session.prepare(Repository(root), [], None, outbox=True, commit=True)
    outcomes = session.work(run, None, 1, lines.append)
    session.record(run, None, outcomes, lines.append)
    assert any(line.startswith("status committed and pushed") for line in lines), lines
    repo = git.Repo(root)
    assert repo.git.status("--porcelain", "--", "requests/.status") == ""
    assert repo.git.rev_list("--count", "origin/main..HEAD") == "0"
    assert not run.twice
