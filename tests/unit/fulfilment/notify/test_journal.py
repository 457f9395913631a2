from __future__ import annotations

from pathlib import Path

import git

from pac.fulfilment.commit import preflight
from pac.fulfilment.notify.journal import JOURNAL_REF, Journal
from tests.fakes.bare import make_remote

AUTHOR = ("pac-bot", "pac-bot@company.com")


def _journal(remote: Path, target: Path) -> Journal:
    git.Repo.clone_from(str(remote), str(target))
    upstream = preflight(target, commit=True)
    assert upstream is not None
    return Journal(upstream, AUTHOR)


def test_marks_pushed_by_one_clone_are_read_by_another_until_cleared(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    killed = _journal(remote, tmp_path / "killed")
    assert killed.read() == {}
    killed.add("payments-db/r0/completed/1", "dba-slack", "2026-11-30T10:00:00Z")
    killed.add("payments-db/r0/completed/1", "requesters", "2026-11-30T10:00:01Z")
    fresh = _journal(remote, tmp_path / "fresh")
    assert fresh.read() == {
        ("payments-db/r0/completed/1", "dba-slack"): "2026-11-30T10:00:00Z",
        ("payments-db/r0/completed/1", "requesters"): "2026-11-30T10:00:01Z",
    }
    fresh.clear()
    assert JOURNAL_REF not in git.Repo(remote).git.show_ref()
    assert _journal(remote, tmp_path / "later").read() == {}
    # main is untouched: the journal is a ref of its own.
    assert git.Repo(remote).git.rev_list("--count", "main") == "1"
