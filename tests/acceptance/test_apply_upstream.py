"""`pac apply --commit` in clones of one bare remote: CI and laptops against one upstream.

Real `pac apply` processes, a fake JIRA and a fake platform API on 127.0.0.1, and git
clones in tmp dirs with a bare repository as their remote. Two runs at once must not do
anything twice (the lease), and runs killed at random instants must leave nothing that a
fresh clone of the remote would do again, nor anything that never reaches the remote.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import git
import pytest

from pac.records.store import StatusStore
from tests.acceptance.test_apply_live import TOKEN, environment, manual_only
from tests.conftest import copy_sample, pac_settings, point_rest_at
from tests.fakes.jira import FakeJira
from tests.fakes.rest import FakeRestTarget

BOT = ("pac-bot", "pac-bot@users.noreply.github.com")
AUTHOR = git.Actor("Dana Dev", "dana.dev@company.com")
LAG = 1.0  # JIRA's search lag where a test has one: the fake's, and jira.searchLag


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(credentials=("bot", TOKEN)) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def lagging() -> Iterator[FakeJira]:
    """A JIRA whose search finds a new issue only LAG seconds after its create."""
    with FakeJira(credentials=("bot", TOKEN), search_lag=LAG) as fake:
        yield fake  # type: ignore[misc]


def seed_remote(
    tmp_path: Path, platform: FakeRestTarget, *, manual: bool, copies: int, lag: float = 0.0
) -> Path:
    """A bare remote with the sample catalog (calls to `platform`) and `copies` more stacks;
    `lag` is its jira.searchLag."""
    bare = tmp_path / "remote.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    seed = copy_sample(tmp_path / "seed")
    point_rest_at(seed, platform.url)
    if lag:
        pac_settings(seed, search_lag=lag)
    if manual:
        manual_only(seed)
    for n in range(2, copies + 2):
        add_request(seed, n)
    repo = git.Repo.init(seed, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("catalog", author=AUTHOR, committer=AUTHOR)
    repo.create_remote("origin", str(bare)).push("main:main")
    shutil.rmtree(seed)
    return bare


def add_request(root: Path, n: int) -> str:
    """Another copy of the web application stack, as a new request file."""
    source = (root / "requests/payments/payments-webapp.yaml").read_text()
    request = f"payments-webapp-{n}"
    text = source.replace("id: payments-webapp", f"id: {request}")
    (root / f"requests/payments/{request}.yaml").write_text(
        text.replace("name: payments-api", f"name: payments-api{n}")
    )
    return request


def clone(remote: Path, target: Path) -> Path:
    git.Repo.clone_from(str(remote), str(target))
    return target


def start(root: Path, jira: FakeJira, *args: str, commit: bool = True) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pac", "apply", *(["--commit"] if commit else []), *args],
        cwd=root,
        env={**environment(jira), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a kill takes its git children too
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, out + err
    assert "Traceback" not in err and "internal error" not in err
    return out + err


def remote_statuses(remote: Path, tmp_path: Path, name: str) -> dict[str, str]:
    """request id -> state, as a fresh clone of the remote sees them."""
    root = clone(remote, tmp_path / name)
    return {s.request: s.state for s in StatusStore(root).all()}


def requests_in(remote: Path, tmp_path: Path, name: str) -> list[str]:
    root = clone(remote, tmp_path / name)
    return sorted(
        p.stem for p in (root / "requests").glob("*/*.yaml") if p.parent.name != ".status"
    )


def follow_the_hints(root: Path) -> None:
    """What a person does in a checkout whose run was killed inside git, as pac's preflight
    tells them (tests/test_gitops.py proves those messages): remove the stale index.lock,
    abort the half-done rebase. A CI runner's checkout is thrown away instead."""
    git_dir = root / ".git"
    (git_dir / "index.lock").unlink(missing_ok=True)
    if (git_dir / "rebase-merge").is_dir() or (git_dir / "rebase-apply").is_dir():
        git.Repo(root).git.rebase("--abort")


def gone(group: int) -> None:
    """Wait until no process of the killed group is left: pac's git children die a moment
    after pac itself, and one still inside `open()` may yet create a lock file."""
    for _ in range(1000):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)


def server_drops_its_locks(remote: Path) -> None:
    """A real server's receive-pack outlives a killed client and drops its ref locks when
    the connection ends. Here the remote is local: its receive-pack is a child of pac's
    git and dies in the same process-group kill, leaving `refs/heads/main.lock`, or
    `HEAD.lock` while it wrote HEAD's reflog, behind for the next push. Do what the server
    would have done: every lock file of the bare repository goes."""
    for lock in remote.rglob("*.lock"):
        lock.unlink(missing_ok=True)


def assert_clean(root: Path) -> None:
    """Every status committed and pushed; no stray temp file."""
    repo = git.Repo(root)
    assert repo.git.status("--porcelain", "--", "requests/.status") == ""
    assert repo.git.rev_list("--count", "origin/main..HEAD") == "0"
    assert list((root / "requests/.status").glob(".*")) == []


def each_call_once(platform: FakeRestTarget) -> int:
    """Every Idempotency-Key did one effect, and every attempt sent the same bytes."""
    sent: dict[str, set[tuple[bytes, tuple[tuple[str, str], ...]]]] = defaultdict(set)
    for request in platform.requests:
        key = request.headers["Idempotency-Key"]
        sent[key].add((request.body, tuple(sorted(request.headers.items()))))
    effects: dict[str, int] = defaultdict(int)
    for effect in platform.effects:
        effects[effect.headers["Idempotency-Key"]] += 1
    assert {k: n for k, n in effects.items() if n != 1} == {}
    differing = {k: v for k, v in sent.items() if len(v) != 1}
    assert {k: len(v) for k, v in differing.items()} == {}, _variants(differing)
    return len(effects)


def _variants(differing: dict[str, set[tuple[bytes, tuple[tuple[str, str], ...]]]]) -> str:
    """What differed between the sends of one key, for the failure message (no token)."""
    lines = []
    for key, variants in differing.items():
        lines.append(f"{key} was sent {len(variants)} different ways:")
        for body, headers in sorted(variants):
            shown = [f"{k}: {v}" for k, v in headers if k.lower() != "authorization"]
            lines.append(f"  body {body!r}\n  headers {shown}")
    return "\n".join(lines)


def each_ticket_once(jira: FakeJira) -> int:
    labels = [label for i in jira.issues.values() for label in i["fields"]["labels"]]
    pac_labels = [label for label in labels if label.startswith("pac-")]
    assert len(pac_labels) == len(set(pac_labels)), "a task has two tickets"
    links = [
        (link["type"]["name"], link["inwardIssue"]["key"], issue_key)
        for issue_key, issue in jira.issues.items()
        for link in issue["fields"]["issuelinks"]
        if "inwardIssue" in link
    ]
    assert len(links) == len(set(links)), "a link was made twice"
    return len(pac_labels)


class Watched:
    """A running `pac apply` whose output is read as it comes, to kill it at a chosen point."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.out: list[str] = []
        self.err: list[str] = []
        self.seen: dict[str, float] = {}  # first words of a line -> when it came
        self.readers = [
            threading.Thread(target=self._read, args=(stream, into), daemon=True)
            for stream, into in ((process.stdout, self.out), (process.stderr, self.err))
        ]
        for reader in self.readers:
            reader.start()

    def _read(self, stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            for marker in ("pac apply:", "acted on"):
                if marker in line:
                    self.seen.setdefault(marker, time.monotonic())
            into.append(line)

    def reached(self, text: str, *, timeout: float = 60.0) -> bool:
        """Wait until `text` was printed; False when the run ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in "".join(self.out + self.err):
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.01)
        return False

    def kill(self) -> bool:
        """SIGKILL the whole process group (pac and its git); False if it had finished."""
        finished = self.process.poll() is not None
        if not finished:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        gone(self.process.pid)
        for reader in self.readers:
            reader.join(30)
        return not finished

    def finish(self) -> str:
        self.process.wait(120)
        for reader in self.readers:
            reader.join(30)
        text = "".join(self.out + self.err)
        assert self.process.returncode == 0, text
        assert "Traceback" not in text and "internal error" not in text
        return text


def killed_during(run: Watched, root: Path) -> str:
    """Which part of the run a kill interrupted, from what it printed and left behind."""
    if git.Repo(root).git.rev_list("--count", "origin/main..HEAD") != "0":
        return "push"
    if "acted on" in "".join(run.out):
        return "commit"
    if "pac apply:" in "".join(run.err):
        return "work"
    return "start"


def kill_somewhere(run: Watched, rng: random.Random, spans: dict[str, float]) -> bool:
    """Kill at a random instant of the start, the work, or the commit and push."""
    where = rng.random()
    if where < 0.1:
        time.sleep(rng.uniform(0.0, spans["start"]))
    elif where < 0.7:
        if not run.reached("pac apply:"):
            return run.kill()
        time.sleep(rng.uniform(0.0, spans["work"]))
    elif run.reached("acted on"):
        time.sleep(rng.uniform(0.0, spans["end"]))
    return run.kill()


def learn(spans: dict[str, float], run: Watched, ended: float) -> None:
    """The longest each part of a finished run took: the window to kill it in next time
    (a run with little left to do must not shrink it for one with new requests)."""
    working, acted = run.seen.get("pac apply:"), run.seen.get("acted on")
    if working is not None and acted is not None:
        spans["work"] = max(spans["work"], acted - working)
        spans["end"] = max(spans["end"], ended - acted)


# --- two checkouts at once ---------------------------------------------------------------


@pytest.mark.slow
def test_two_clones_at_once_do_nothing_twice(
    tmp_path: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    remote = seed_remote(tmp_path, platform, manual=False, copies=2)
    laptop, ci = clone(remote, tmp_path / "laptop"), clone(remote, tmp_path / "ci")
    runs = [start(laptop, jira, "--wait", "60"), start(ci, jira, "--wait", "60")]
    outputs = [finish(run) for run in runs]
    assert each_call_once(platform) == 3 * 4
    assert len(platform.requests) == 3 * 4  # the second run did not even ask again
    assert sum("waiting for the apply lease held by" in out for out in outputs) <= 1
    states = remote_statuses(remote, tmp_path, "check")
    # The topic is a ticket: it waits for the messaging team (SPEC §6.7).
    assert states == {
        "payments-events": "waiting",
        **dict.fromkeys(["payments-webapp", "payments-webapp-2", "payments-webapp-3"], "completed"),
    }
    for root in (laptop, ci):
        finish(start(root, jira))  # bring the other run's statuses in, commit nothing new
        assert_clean(root)
    assert len(platform.requests) == 3 * 4 and len(jira.issues) == 1
    assert "refs/pac/apply-lease" not in git.Repo(remote).git.show_ref()


@pytest.mark.slow
def test_two_clones_at_once_make_each_ticket_once_while_search_lags(
    tmp_path: Path, lagging: FakeJira, platform: FakeRestTarget
) -> None:
    remote = seed_remote(tmp_path, platform, manual=True, copies=2, lag=LAG)
    laptop, ci = clone(remote, tmp_path / "laptop"), clone(remote, tmp_path / "ci")
    runs = [start(laptop, lagging, "--wait", "60"), start(ci, lagging, "--wait", "60")]
    for run in runs:
        finish(run)
    assert each_ticket_once(lagging) == 3 * 3 + 1
    states = remote_statuses(remote, tmp_path, "check")
    assert set(states.values()) == {"waiting"} and len(states) == 4  # tickets with their teams
    assert "refs/pac/apply-lease" not in git.Repo(remote).git.show_ref()


@pytest.mark.slow
def test_a_laptop_run_without_commit_then_ci_makes_no_ticket_twice(
    tmp_path: Path, lagging: FakeJira, platform: FakeRestTarget
) -> None:
    """The laptop's statuses never reach the upstream, and JIRA's search does not show
    its tickets yet: the CI run waits for the lease the laptop keeps until it does."""
    remote = seed_remote(tmp_path, platform, manual=True, copies=0, lag=LAG)
    laptop, ci = clone(remote, tmp_path / "laptop"), clone(remote, tmp_path / "ci")
    out = finish(start(laptop, lagging, commit=False))
    assert "4 ticket(s) created" in out
    lease = str(git.Repo(remote).git.show_ref())
    assert "refs/pac/apply-lease" in lease  # kept, released, while the index catches up
    out = finish(start(ci, lagging, "--wait", "60"))
    assert "released, JIRA's search index catching up with its new tickets" in out
    assert "4 found from an earlier run" in out
    assert each_ticket_once(lagging) == 4 and len(lagging.issues) == 4
    assert "refs/pac/apply-lease" not in git.Repo(remote).git.show_ref()  # pushed: gone
    # Nothing created: a run without --commit lets go at once, as before.
    finish(start(laptop, lagging, commit=False))
    assert "refs/pac/apply-lease" not in git.Repo(remote).git.show_ref()


@pytest.mark.slow
def test_a_run_killed_after_a_create_then_a_fresh_clone_makes_no_ticket_twice(
    tmp_path: Path, platform: FakeRestTarget
) -> None:
    """The killed run's record of its ticket dies with its checkout; the next run, which
    takes its lease over at once, waits for JIRA's search to show that ticket."""
    lag = 3.0
    with FakeJira(credentials=("bot", TOKEN), search_lag=lag) as jira:
        remote = seed_remote(tmp_path, platform, manual=True, copies=0, lag=lag)
        killed = Watched(start(clone(remote, tmp_path / "laptop"), jira))
        assert killed.reached(": created ")
        assert killed.kill()
        out = finish(start(clone(remote, tmp_path / "ci"), jira))
        assert each_ticket_once(jira) == 4 and len(jira.issues) == 4
        assert "took over the lapsed apply lease" in out
        assert "waiting 3 s for JIRA's search index to show any ticket" in out


# --- killed at random instants -----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("manual", [False, True], ids=["calls", "tickets-and-links"])
def test_random_kills_then_a_fresh_clone_does_each_task_once(
    tmp_path: Path, lagging: FakeJira, platform: FakeRestTarget, manual: bool
) -> None:
    """At least 16 SIGKILLs of the whole process group per flavour, at random instants of
    the start, the work (creates, links, calls, status writes), the commit and the push,
    until work and commit were hit (and push, within 40 kills). JIRA's search lags. Checkouts are
    sometimes reused (a laptop), sometimes fresh (a CI runner, which has no record of what
    a killed run created); new requests reach the remote meanwhile."""
    jira = lagging
    rng = random.Random(20261130 + manual)
    remote = seed_remote(tmp_path, platform, manual=manual, copies=1, lag=LAG)
    author = clone(remote, tmp_path / "author")
    checkout = clone(remote, tmp_path / "run-0")
    kills = runs = 0
    spans = {"start": 0.5, "work": 0.5, "end": 0.2}  # learnt from the runs that finish
    phases: Counter[str] = Counter()
    # The push is a short moment: it is hunted for up to 40 kills, and killed for certain
    # by test_killed_while_pushing_then_redone_elsewhere_and_pushed_later.
    while (
        kills < 16 or not {"work", "commit"} <= set(phases) or ("push" not in phases and kills < 40)
    ):
        assert kills < 40, f"the kills never hit work and commit: {dict(phases)}"
        runs += 1
        if runs % 4 == 0:  # someone merges a new request
            request = add_request(author, 10 + runs)
            repo = git.Repo(author)
            repo.git.pull("--rebase", "--quiet")
            repo.git.add(A=True)
            repo.index.commit(f"request {request}", author=AUTHOR, committer=AUTHOR)
            repo.git.push("--quiet", "origin", "main")
        if rng.random() < 0.5:
            checkout = clone(remote, tmp_path / f"run-{runs}")
        run = Watched(start(checkout, jira, "--wait", "60"))
        if rng.random() < 0.75:
            if kill_somewhere(run, rng, spans):
                kills += 1
                phases[killed_during(run, checkout)] += 1
                follow_the_hints(checkout)
                server_drops_its_locks(remote)
            else:
                run.finish()  # it ended before the chosen instant
        else:
            run.finish()
            learn(spans, run, time.monotonic())
    # A fresh CI checkout finishes the work, and the reused checkout catches up.
    final = clone(remote, tmp_path / "final")
    finish(start(final, jira))
    finish(start(checkout, jira))
    for root in (final, checkout):
        assert_clean(root)
    wanted = requests_in(remote, tmp_path, "requests")
    states = remote_statuses(remote, tmp_path, "check")
    # Tickets wait for their teams (the topic always, the stacks when manual).
    assert states == {
        r: "waiting" if manual or r == "payments-events" else "completed" for r in wanted
    }, states
    if manual:
        assert each_ticket_once(jira) == 3 * (len(wanted) - 1) + 1
    else:
        assert each_call_once(platform) == 4 * (len(wanted) - 1)
        assert len(jira.issues) == 1
    print(f"{kills} kills in {runs} runs ({dict(phases)}), {len(wanted)} requests, no duplicates")


@pytest.mark.slow
def test_killed_while_pushing_then_redone_elsewhere_and_pushed_later(
    tmp_path: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    """The whole process group dies in `git push` (a cancelled job): the commit is made,
    never pushed. A fresh checkout redoes the calls byte for byte, and the first checkout's
    next run pushes its commit, merged with what the other pushed."""
    # JIRA answers at once here: the run taking the killed run's lease over needs not wait.
    remote = seed_remote(tmp_path, platform, manual=False, copies=0, lag=0.1)
    laptop = clone(remote, tmp_path / "laptop")
    hook = laptop / ".git/hooks/pre-push"
    hook.write_text(f"#!/bin/sh\ntouch {tmp_path}/pushing\nsleep 60\n")
    hook.chmod(0o755)
    process = subprocess.Popen(
        [sys.executable, "-m", "pac", "apply", "--commit"],
        cwd=laptop,
        env=environment(jira),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(600):
        if (tmp_path / "pushing").exists() or process.poll() is not None:
            break
        time.sleep(0.1)
    assert (tmp_path / "pushing").exists(), "pac apply never got to its push"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    hook.unlink()
    assert git.Repo(laptop).git.rev_list("--count", "origin/main..HEAD") == "1"
    assert remote_statuses(remote, tmp_path, "before") == {}

    fresh = clone(remote, tmp_path / "ci")
    finish(start(fresh, jira))
    assert each_call_once(platform) == 4
    assert len(platform.requests) == 2 * 4  # sent again, identical, done once

    out = finish(start(laptop, jira))
    assert "status committed and pushed" in out
    assert_clean(laptop)
    assert remote_statuses(remote, tmp_path, "after") == {
        "payments-events": "waiting",
        "payments-webapp": "completed",
    }
    assert len(platform.requests) == 2 * 4 and len(jira.issues) == 1
