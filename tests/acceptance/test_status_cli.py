"""`pac status` as a developer uses it: plain words after a real `pac apply`, tickets read
live from the backend that made them (the outbox, or the fake JIRA on 127.0.0.1), and
`--watch` following a real bare remote while another clone pushes statuses."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import git
import pytest

from pac.fulfilment.backends import RenderedTicket
from pac.fulfilment.backends.jira_api import JiraTickets
from pac.fulfilment.backends.outbox import Outbox
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.records.store import StatusStore
from tests.acceptance.test_apply_live import TOKEN, environment
from tests.conftest import copy_sample, invoke, pac_in
from tests.fakes.jira import FakeJira

EVENTS = "payments-events"
AUTHOR = git.Actor("Dana Dev", "dana.dev@company.com")


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAC_")}
    env.pop("CI", None)
    return env | {"NO_COLOR": "1", "PAC_TODAY": "2026-06-01", "PYTHONUNBUFFERED": "1"}


def status_cli(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return pac_cli(root, env, "status", *args)


def pac_cli(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return pac_in(root, env, *args)


# --- the default view after a real apply --------------------------------------------------


def test_the_table_after_apply_says_where_it_stands_and_the_resolved_outbox_ticket(
    sample_root: Path,
) -> None:
    env = offline_env()
    applied = pac_cli(sample_root, env, "apply", EVENTS)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    shown = status_cli(sample_root, env).stdout
    assert EVENTS in shown
    assert "MSG-1 Open (outbox)" in shown and "JIRA" not in shown

    Outbox(sample_root).resolve("MSG-1", fields={"Endpoint": "kafka.internal:9092"})
    detailed = status_cli(sample_root, env, EVENTS).stdout
    assert "MSG-1 (outbox: Done)" in detailed
    words = detailed.splitlines()[1].strip()
    assert words.startswith(("ready: completed in", "waiting on platform-messaging-team"))
    assert "the promised 2 days" in words or "(promised 2 days)" in words


def test_a_jira_ticket_shows_its_live_state_and_assignee_in_one_search(
    sample_root: Path,
) -> None:
    with FakeJira(credentials=("bot", TOKEN)) as jira:
        env = environment(jira)
        applied = pac_cli(sample_root, env, "apply", EVENTS)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        jira.set_status("MSG-1", "In Progress")
        jira.issues["MSG-1"]["fields"]["assignee"] = {"name": "kim", "displayName": "Kim"}
        before = jira.count("GET", "/search$")
        shown = status_cli(sample_root, env).stdout
        assert "MSG-1 In Progress, assigned to Kim" in shown
        assert jira.count("GET", "/search$") - before == 1  # one search for every ticket
        detailed = status_cli(sample_root, env, EVENTS).stdout
        assert "MSG-1 (JIRA: In Progress, assigned to Kim)" in detailed

        # Without JIRA configured here: the state the last apply recorded, said to be so.
        offline = status_cli(sample_root, offline_env(), EVENTS)
        assert "JIRA tickets are not live: JIRA is not configured here" in offline.stderr
        assert "MSG-1 (JIRA: " in offline.stdout


def test_an_outbox_ticket_stays_in_the_outbox_after_the_move_to_jira(sample_root: Path) -> None:
    assert invoke(sample_root, "apply", EVENTS)[0] == 0  # MSG-1 in the outbox
    with FakeJira(credentials=("bot", TOKEN)) as jira:
        # JIRA has a MSG-1 of its own, which is done: it must not be shown for ours.
        other = JiraTickets(jira.url, "bot", TOKEN)
        other.create(RenderedTicket("MSG", "Task", "someone else's topic"), ["not-pac"])
        other.close()
        jira.set_status("MSG-1", "Done", "done")
        searches = jira.count("GET", "/search$")
        shown = status_cli(sample_root, environment(jira), EVENTS)
        assert shown.returncode == 0, shown.stderr
        assert "MSG-1 (outbox: Open)" in shown.stdout
        assert "JIRA: " not in shown.stdout and "Done" not in shown.stdout
        assert jira.count("GET", "/search$") == searches  # JIRA was not asked


# --- --watch against a real bare remote -----------------------------------------------------


def _remote_and_clones(tmp_path: Path) -> tuple[Path, Path, Path]:
    bare = tmp_path / "remote.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    seed = copy_sample(tmp_path / "seed")
    repo = git.Repo.init(seed, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("catalog", author=AUTHOR, committer=AUTHOR)
    repo.create_remote("origin", str(bare)).push("main:main")
    laptop = tmp_path / "laptop"
    ci = tmp_path / "ci"
    git.Repo.clone_from(str(bare), str(laptop))
    git.Repo.clone_from(str(bare), str(ci))
    return bare, laptop, ci


def _push_status(ci: Path, status: RequestStatus, message: str) -> None:
    StatusStore(ci).save(status)
    repo = git.Repo(ci)
    repo.git.add(A=True)
    repo.index.commit(message, author=AUTHOR, committer=AUTHOR)
    repo.remote("origin").push("main:main")


def _task(state: TaskState, **more: object) -> TaskStatus:
    return TaskStatus(  # type: ignore[arg-type]
        f"{EVENTS}/topic/manual/0",
        "topic",
        "messaging-kafka-topic",
        "create",
        "manual",
        0,
        state=state,
        owner_team="platform-messaging-team",
        ticket_key="MSG-1",
        ticket_url="https://jira.company.com/browse/MSG-1",
        ticket_backend="jira",
        **more,
    )


class _Reader:
    """The watch's output as it comes."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        self.threads = [
            threading.Thread(target=self._read, args=(s, into), daemon=True)
            for s, into in ((process.stdout, self.out), (process.stderr, self.err))
        ]
        for thread in self.threads:
            thread.start()

    def _read(self, stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)

    def until(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in "".join(self.out + self.err):
            assert time.monotonic() < deadline, f"never printed {text!r}: {self.out}{self.err}"
            time.sleep(0.05)


def test_watch_waits_for_the_first_apply_then_follows_the_upstream_without_touching_the_clone(
    tmp_path: Path,
) -> None:
    _bare, laptop, ci = _remote_and_clones(tmp_path)
    head = git.Repo(laptop).head.commit.hexsha
    watch = subprocess.Popen(
        [sys.executable, "-m", "pac", "status", EVENTS, "--watch", "--interval", "0.5"],
        cwd=laptop,
        env=offline_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = _Reader(watch)
        seen.until("waiting for the first pac apply")
        waiting = RequestStatus(
            EVENTS,
            RequestState.WAITING,
            target_kind="CatalogItem",
            target_id="messaging-kafka-topic",
            requested_at="2026-06-01T08:00:00Z",
            tasks=[_task(TaskState.WAITING, ticket_status="To Do")],
        )
        _push_status(ci, waiting, "pac: payments-events waiting")
        seen.until(f"{EVENTS}: waiting")
        time.sleep(1.5)  # rounds with nothing new print nothing
        waiting.tasks = [_task(TaskState.WAITING, ticket_status="In Progress")]
        waiting.tasks[0].ticket_assignee = "Kim"
        _push_status(ci, waiting, "pac: MSG-1 in progress")
        seen.until("MSG-1 In Progress as last recorded, assigned to Kim")
        done = waiting
        done.state = RequestState.COMPLETED
        done.tasks = [
            _task(
                TaskState.COMPLETED,
                ticket_status="Done",
                resolution="Done",
                finished_at="2026-06-01T10:00:00Z",
                outputs={"bootstrap": "kafka.internal:9092"},
            )
        ]
        _push_status(ci, done, "pac: payments-events completed")
        assert watch.wait(60) == 0
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait(10)
    for thread in seen.threads:
        thread.join(10)
    out, err = "".join(seen.out), "".join(seen.err)
    assert err.count("waiting for the first pac apply") == 1
    assert err.count("JIRA tickets are not live: JIRA is not configured here") == 1
    assert out.count(f"{EVENTS}: waiting — waiting on platform-messaging-team: MSG-1 To Do") == 1
    assert out.count(f"{EVENTS}: topic waiting") == 1
    assert out.count("MSG-1 In Progress as last recorded, assigned to Kim") == 1
    assert out.count(f"{EVENTS}: completed — ready: completed in 2 hours") == 1
    assert out.count(f"{EVENTS}: output bootstrap = kafka.internal:9092") == 1
    assert "Traceback" not in err
    # The watching clone only fetched: working tree, index and HEAD as they were.
    clone = git.Repo(laptop)
    assert clone.git.status("--porcelain") == "" and clone.head.commit.hexsha == head
    assert not StatusStore(laptop).path(EVENTS).exists()
    assert clone.commit("origin/main").hexsha == git.Repo(ci).head.commit.hexsha


def test_watch_without_an_upstream_follows_the_working_tree_and_says_so(sample_git: Path) -> None:
    StatusStore(sample_git).save(RequestStatus(EVENTS, RequestState.PROCESSING))
    watched = status_cli(sample_git, offline_env(), EVENTS, "--watch", "--timeout", "0")
    assert watched.returncode == 1
    assert watched.stderr.count("has no upstream (no remote to follow)") == 1
    assert "following the working tree's status files" in watched.stderr
    assert f"not settled yet: {EVENTS} (processing)" in watched.stderr
    assert f"{EVENTS}: processing — being fulfilled by pac apply" in watched.stdout


def test_an_unreachable_remote_is_a_clear_message_and_exit_2(tmp_path: Path) -> None:
    bare, laptop, _ci = _remote_and_clones(tmp_path)
    bare.rename(tmp_path / "moved.git")
    watched = status_cli(laptop, offline_env(), EVENTS, "--watch", "--timeout", "5")
    assert watched.returncode == 2
    assert "could not fetch origin/main" in watched.stderr
    assert "git fetch" in watched.stderr


def test_a_hostile_status_on_the_upstream_is_a_clear_error(tmp_path: Path) -> None:
    _bare, laptop, ci = _remote_and_clones(tmp_path)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    path = StatusStore(ci).path(EVENTS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"request: {EVENTS}\n" + bomb)
    repo = git.Repo(ci)
    repo.git.add(A=True)
    repo.index.commit("hostile", author=AUTHOR, committer=AUTHOR)
    repo.remote("origin").push("main:main")
    watched = status_cli(laptop, offline_env(), EVENTS, "--watch", "--timeout", "5")
    assert watched.returncode == 2, watched.stdout + watched.stderr
    assert f"requests/.status/{EVENTS}.yaml at origin/main" in watched.stderr


@pytest.mark.parametrize("request_id", ["no-such-request"])
def test_an_unknown_request_is_a_usage_error_not_a_traceback(
    sample_root: Path, request_id: str
) -> None:
    done = status_cli(sample_root, offline_env(), request_id, "--watch")
    assert done.returncode == 2 and request_id in done.stderr
