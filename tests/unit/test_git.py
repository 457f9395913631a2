"""When a request file was committed and when it landed on main (SPEC §6.7), read from a
real git repository: a branch merged with --no-ff, a squash merge, a shallow clone."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.fulfilment.revision import new_status
from pac.git import added_and_landed

REQUEST = "requests/payments/payments-orders.yaml"
AUTHORED = "2026-03-02T09:00:00Z"
MERGED = "2026-03-04T15:30:00Z"


def git(root: Path, *args: str, at: str = "2026-03-01T08:00:00Z", author_at: str = "") -> str:
    env = os.environ | {
        "GIT_AUTHOR_DATE": author_at or at,
        "GIT_COMMITTER_DATE": at,
        "GIT_AUTHOR_NAME": "Dana Dev",
        "GIT_AUTHOR_EMAIL": "dana@company.com",
        "GIT_COMMITTER_NAME": "Dana Dev",
        "GIT_COMMITTER_EMAIL": "dana@company.com",
    }
    done = subprocess.run(
        ["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def branch_with_request(root: Path) -> None:
    """A developer's branch adding one request file, while main moves on meanwhile."""
    git(root, "checkout", "-q", "-b", "add-orders")
    source = root / "requests/payments/payments-events.yaml"
    (root / REQUEST).write_text(source.read_text().replace("payments-events", "payments-orders"))
    git(root, "add", REQUEST)
    git(root, "commit", "-q", "-m", "request orders", at=AUTHORED)
    git(root, "checkout", "-q", "main")
    (root / "README.md").write_text("main moved on\n")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "meanwhile", at="2026-03-03T10:00:00Z")


def request_times(path: Path) -> tuple[str, str]:
    """(requested, landed) of one file, read as apply reads a folder's: ('', '') when unknown."""
    return added_and_landed(path.parent, path.name).get(path.name, ("", ""))


def seconds(start: str, end: str) -> float:
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def test_a_no_ff_merge_lands_when_main_merged_it(sample_git: Path) -> None:
    branch_with_request(sample_git)
    git(sample_git, "merge", "-q", "--no-ff", "add-orders", "-m", "merge orders", at=MERGED)
    requested, landed = request_times(sample_git / REQUEST)
    assert (requested, landed) == (AUTHORED, MERGED)
    assert seconds(requested, landed) == 2 * 86400 + 6.5 * 3600  # the review


def test_a_squash_merge_keeps_the_authors_time_and_lands_at_its_commit(sample_git: Path) -> None:
    branch_with_request(sample_git)
    git(sample_git, "merge", "-q", "--squash", "add-orders")
    # As a forge's squash button does: the author's time kept, committed at the merge.
    git(sample_git, "commit", "-q", "-m", "orders (#12)", at=MERGED, author_at=AUTHORED)
    assert request_times(sample_git / REQUEST) == (AUTHORED, MERGED)


def test_all_request_files_at_once(sample_git: Path) -> None:
    branch_with_request(sample_git)
    git(sample_git, "merge", "-q", "--no-ff", "add-orders", "-m", "merge orders", at=MERGED)
    times = added_and_landed(sample_git / "requests")
    assert times["payments/payments-orders.yaml"] == (AUTHORED, MERGED)
    # The sample's own requests came with the first commit: no review to speak of.
    requested, landed = times["payments/payments-events.yaml"]
    assert requested == landed != ""


def test_git_cannot_tell_outside_a_full_clone(sample_git: Path, tmp_path: Path) -> None:
    branch_with_request(sample_git)
    git(sample_git, "merge", "-q", "--no-ff", "add-orders", "-m", "merge orders", at=MERGED)
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{sample_git}", str(shallow))
    assert request_times(shallow / REQUEST) == ("", "")
    assert added_and_landed(shallow / "requests") == {}
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "r.yaml").write_text("x: 1\n")
    assert request_times(plain / "r.yaml") == ("", "")
    # Not committed yet: a laptop trying a request out.
    (sample_git / "requests/payments/new.yaml").write_text("x: 1\n")
    assert request_times(sample_git / "requests/payments/new.yaml") == ("", "")


@pytest.mark.parametrize("merged", [True, False])
def test_apply_records_the_times_when_it_first_sees_a_request(
    sample_git: Path, merged: bool
) -> None:
    branch_with_request(sample_git)
    if merged:
        git(sample_git, "merge", "-q", "--no-ff", "add-orders", "-m", "merge orders", at=MERGED)
    else:
        git(sample_git, "checkout", "-q", "add-orders", "--", REQUEST)  # in the tree, uncommitted
    repo = Repository(sample_git)
    request = repo.request("payments-orders")
    assert request is not None
    offering = repo.offering(request.target_id)
    assert offering is not None
    status = new_status(repo, request, offering)
    assert (status.requested_at, status.landed_at) == ((AUTHORED, MERGED) if merged else ("", ""))
    if merged:
        assert status.as_dict()["lead"] == {"requestedAt": AUTHORED, "landedAt": MERGED}
