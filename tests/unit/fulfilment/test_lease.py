"""The apply lease: a ref on a real bare remote, swapped with `git push --force-with-lease`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import git
import pytest

from pac.fulfilment.lease import LEASE_REF, Holder, Lease, LeaseHeld

BOT = ("pac-bot", "pac-bot@company.com")


@pytest.fixture
def clones(tmp_path: Path) -> tuple[git.Repo, git.Repo]:
    """Two clones of one bare remote (a laptop and a CI runner)."""
    bare = tmp_path / "remote.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    seed = git.Repo.init(tmp_path / "seed", initial_branch="main")
    (tmp_path / "seed/README.md").write_text("catalog\n")
    seed.git.add(A=True)
    seed.index.commit("catalog", author=git.Actor(*BOT), committer=git.Actor(*BOT))
    seed.create_remote("origin", str(bare)).push("main:main")
    a = git.Repo.clone_from(str(bare), str(tmp_path / "a"))
    b = git.Repo.clone_from(str(bare), str(tmp_path / "b"))
    return a, b


def on_remote(repo: git.Repo) -> str:
    return str(repo.git.ls_remote("origin", LEASE_REF)).partition("\t")[0]


def quiet(line: str) -> None:
    return None


def test_a_lease_is_a_ref_naming_its_holder_and_goes_at_the_end(
    clones: tuple[git.Repo, git.Repo],
) -> None:
    a, _ = clones
    lease = Lease(a, "origin", BOT, clock=lambda: 1_000_000.0)
    lease.acquire(0, quiet)
    assert on_remote(a) == lease.sha
    commit = a.commit(lease.sha)
    assert commit.tree.hexsha == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # empty tree
    assert commit.author.name == BOT[0]
    holder = Holder.parse(str(commit.message))
    assert (holder.run_id, holder.expires) == (lease.run_id, 1_000_000.0 + 300)
    assert a.head.commit.message == "catalog"  # the branch and working tree are untouched
    lease.release()
    assert on_remote(a) == ""


def test_a_held_lease_stops_the_other_run_naming_holder_and_expiry(
    clones: tuple[git.Repo, git.Repo],
) -> None:
    a, b = clones
    first = Lease(a, "origin", BOT)
    first.acquire(0, quiet)
    with pytest.raises(LeaseHeld) as caught:
        Lease(b, "origin", BOT).acquire(0, quiet)
    assert f"pac apply run {first.run_id}" in caught.value.message
    assert "until 20" in caught.value.message and "--wait SECONDS" in caught.value.hint
    first.release()
    second = Lease(b, "origin", BOT)
    second.acquire(0, quiet)  # free again
    second.release()


def test_a_second_run_waits_for_the_lease(clones: tuple[git.Repo, git.Repo]) -> None:
    a, b = clones
    first = Lease(a, "origin", BOT)
    first.acquire(0, quiet)
    said: list[str] = []
    letting_go = threading.Timer(1.0, first.release)
    letting_go.start()
    second = Lease(b, "origin", BOT)
    second.acquire(60, said.append)
    assert on_remote(b) == second.sha
    assert len(said) == 1  # told once, not at every poll
    assert said[0].startswith("waiting for the apply lease held by pac apply run")
    second.release()


def test_an_expired_lease_is_taken_over(clones: tuple[git.Repo, git.Repo]) -> None:
    a, b = clones
    Lease(a, "origin", BOT, ttl=60, clock=lambda: 1000.0).acquire(0, quiet)  # never released
    said: list[str] = []
    later = Lease(b, "origin", BOT, clock=lambda: 1061.0)
    later.acquire(0, said.append)
    assert on_remote(b) == later.sha
    assert said and said[0].startswith("took over the lapsed apply lease of pac apply run")


def test_the_lease_of_a_dead_process_on_this_host_is_taken_over_at_once(
    clones: tuple[git.Repo, git.Repo],
) -> None:
    a, b = clones
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    killed = Lease(a, "origin", BOT)
    killed.acquire(0, quiet)
    # As if a killed run of this host had taken it: same host, a process that is gone.
    message = str(a.commit(killed.sha).message)
    message = message.replace(f"pid: {os.getpid()}", f"pid: {gone.stdout.strip()}")
    tree = a.git.mktree()
    sha = a.git.commit_tree(tree, "-m", message, env={
        "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@y", "GIT_COMMITTER_NAME": "x",
        "GIT_COMMITTER_EMAIL": "x@y",
    })  # fmt: skip
    a.git.push("--force", "origin", f"{sha}:{LEASE_REF}")
    taker = Lease(b, "origin", BOT)
    taker.acquire(0, quiet)
    assert on_remote(b) == taker.sha


def test_of_two_runs_racing_for_the_lease_exactly_one_wins(
    clones: tuple[git.Repo, git.Repo],
) -> None:
    a, b = clones
    start = threading.Barrier(2)
    won: list[str] = []
    lost: list[str] = []

    def race(repo: git.Repo) -> None:
        lease = Lease(repo, "origin", BOT)
        start.wait()
        try:
            lease.acquire(0, quiet)
            won.append(lease.sha)
        except LeaseHeld as exc:
            lost.append(exc.message)

    threads = [threading.Thread(target=race, args=(r,)) for r in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(lost) == 1
    assert on_remote(a) == won[0]


def test_renewing_moves_the_expiry_and_notices_a_lost_lease(
    clones: tuple[git.Repo, git.Repo],
) -> None:
    a, b = clones
    now = [1000.0]
    lease = Lease(a, "origin", BOT, ttl=60, clock=lambda: now[0])
    lease.acquire(0, quiet)
    now[0] = 1030.0
    assert lease.renew()
    assert Holder.parse(str(a.commit(lease.sha).message)).expires == 1090.0
    # The run stalls past its expiry, and another run takes over.
    Lease(b, "origin", BOT, clock=lambda: 2000.0).acquire(0, quiet)
    assert not lease.renew()
    assert "another run took the lease over" in lease.lost
    lease.release()  # does not delete the other run's lease
    assert on_remote(a) != ""


def forge(repo: git.Repo, message: str) -> None:
    """Put a lease commit with this message on the remote, as another run would."""
    tree = repo.git.mktree()
    sha = repo.git.commit_tree(tree, "-m", message, env={
        "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@y", "GIT_COMMITTER_NAME": "x",
        "GIT_COMMITTER_EMAIL": "x@y",
    })  # fmt: skip
    repo.git.push("--force", "origin", f"{sha}:{LEASE_REF}")


def gone_pid() -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_run_that_lingers_keeps_the_lease_released_until_the_lag_is_over(
    clones: tuple[git.Repo, git.Repo],
) -> None:
    """A run that created tickets and pushed no statuses: the next run must wait for
    JIRA's search to show them, also when the first run's process is gone at once."""
    a, b = clones
    now = [1_000_000.0]
    first = Lease(a, "origin", BOT, clock=lambda: now[0])
    first.acquire(0, quiet)
    first.linger = 60.0
    first.release()
    holder = Holder.parse(str(a.commit(on_remote(a)).message))
    assert holder.released and holder.expires == 1_000_060.0
    # Its process has ended: still held, not taken over by the dead-process rule.
    message = str(a.commit(on_remote(a)).message).replace(
        f"pid: {os.getpid()}", f"pid: {gone_pid()}"
    )
    forge(a, message)
    with pytest.raises(LeaseHeld) as caught:
        Lease(b, "origin", BOT, clock=lambda: 1_000_030.0).acquire(0, quiet)
    assert "released, JIRA's search index catching up with its new tickets" in caught.value.message
    assert "its statuses did not reach the upstream" in caught.value.hint
    said: list[str] = []
    later = Lease(b, "origin", BOT, clock=lambda: 1_000_060.0)
    later.acquire(0, said.append, settle=60.0)
    assert on_remote(b) == later.sha
    assert len(said) == 1, said  # its expiry already was the lag: no second wait
    later.release()
    assert on_remote(b) == ""  # nothing created: gone at once, as before


def test_taking_over_a_dead_runs_lease_waits_for_the_search_lag(
    clones: tuple[git.Repo, git.Repo],
) -> None:
    a, b = clones
    killed = Lease(a, "origin", BOT)
    killed.acquire(0, quiet)
    message = str(a.commit(killed.sha).message)
    forge(a, message.replace(f"pid: {os.getpid()}", f"pid: {gone_pid()}"))
    said: list[str] = []
    taker = Lease(b, "origin", BOT)
    taker.acquire(0, said.append, settle=0.2)
    assert on_remote(b) == taker.sha
    assert said[0].startswith("took over the lapsed apply lease of pac apply run")
    assert said[1].startswith("waiting 0 s for JIRA's search index to show any ticket")
    taker.release()


def test_a_run_asks_whether_it_still_holds_the_lease_and_learns_who_took_it(
    clones: tuple[git.Repo, git.Repo],
) -> None:
    """A laptop asleep past its lease's expiry: before it acts again it renews, and
    finds the other run's lease instead of its own."""
    a, b = clones
    now = [1000.0]
    asleep = Lease(a, "origin", BOT, ttl=60, clock=lambda: now[0])
    asleep.acquire(0, quiet)
    assert asleep.still_held()  # fresh: no git at all
    taken = asleep.sha
    now[0] = 1031.0  # half its lifetime without a renewal: renewed before acting
    assert asleep.still_held() and on_remote(a) == asleep.sha != taken
    other = Lease(b, "origin", BOT, clock=lambda: 2000.0)
    other.acquire(0, quiet)
    now[0] = 2000.0
    assert not asleep.still_held()
    assert not asleep.still_held()  # stays lost
    assert f"pac apply run {other.run_id}" in asleep.lost
    asleep.release()
    assert on_remote(a) == other.sha


def test_the_checkout_that_released_the_lease_takes_it_again_at_once(
    clones: tuple[git.Repo, git.Repo],
) -> None:
    """Its statuses, with the record of each ticket create, are in that checkout."""
    a, _ = clones
    first = Lease(a, "origin", BOT)
    first.acquire(0, quiet)
    first.linger = 60.0
    first.release()
    said: list[str] = []
    again = Lease(a, "origin", BOT)
    again.acquire(0, said.append, settle=60.0)
    assert on_remote(a) == again.sha and said == []
    again.release()
    assert on_remote(a) == ""
