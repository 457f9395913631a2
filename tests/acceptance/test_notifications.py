"""Notifications end to end (SPEC §6.7): real `pac apply` runs with a bare git remote, a
webhook server and an SMTP server on loopback. Each recorded event reaches each channel
routed it once; a re-run sends nothing; a channel that fails or hangs never fails the
request and is retried by the next run; the channel URL's token is never written anywhere.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import git
import pytest

from pac.records.store import StatusStore
from tests.acceptance.test_apply_live import SECRETS
from tests.conftest import copy_sample, point_rest_at
from tests.fakes.rest import FakeRestTarget
from tests.fakes.server import FakeServer, Received, Response
from tests.fakes.smtp import FakeSmtp

HOOK_TOKEN = "hook-T0KEN-s3cr3t-4711"
AUTHOR = git.Actor("Test User", "test@company.com")
ALL_EVENTS = "[completed, failed, waiting, deferred, escalated, decommissioned, target-missed]"
NOTIFICATIONS = f"""notifications:
  channels:
    hook: {{url: {{secretRef: NOTIFY_HOOK}}}}
    mail: {{url: {{secretRef: NOTIFY_MAIL}}, to: requester}}
    other-team: {{url: {{secretRef: NOTIFY_OTHER}}}}
  routes:
    - {{events: {ALL_EVENTS}, channels: [hook]}}
    - {{events: [completed, failed, waiting], channels: [mail]}}
    - {{events: {ALL_EVENTS}, teams: [platform-nobody-team], channels: [other-team]}}
"""


class Hook(FakeServer):
    """A webhook receiver: every POST is a message."""

    name = "hook"

    def respond(self, request: Received) -> Response:
        return Response(200, {"ok": True})

    def event_ids(self) -> list[str]:
        return [r.headers.get("X-Pac-Event-Id", "") for r in self.log if r.method == "POST"]


@dataclass
class World:
    """A catalog on a bare remote, its channels, and the environment `pac apply` runs in."""

    tmp: Path
    remote: Path
    hook: Hook
    smtp: FakeSmtp
    env: dict[str, str] = field(default_factory=dict)
    clones: int = 0

    def clone(self) -> Path:
        self.clones += 1
        target = self.tmp / f"clone-{self.clones}"
        git.Repo.clone_from(str(self.remote), str(target))
        return target

    def start(self, root: Path) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "pac", "apply", "--commit", "--outbox"],
            cwd=root, env={**self.env, "PYTHONUNBUFFERED": "1"}, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip

    def apply(self, root: Path | None = None) -> str:
        process = self.start(root or self.clone())
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, out + err
        assert "Traceback" not in err
        return out + err

    def events(self) -> dict[str, tuple[str, ...]]:
        """event id -> channels a fresh clone's statuses say it was sent to."""
        root = self.clone()
        return {e.id: tuple(sorted(e.sent)) for s in StatusStore(root).all() for e in s.events}

    def add_requests(self, first: int, count: int) -> list[str]:
        """`count` more Kafka topic requests, pushed to the remote."""
        root = self.clone()
        source = (root / "requests/payments/payments-events.yaml").read_text()
        made = []
        for n in range(first, first + count):
            request = f"payments-events-{n}"
            text = source.replace("id: payments-events", f"id: {request}")
            text = text.replace("name: payments-events", f"name: payments-events{n}")
            (root / f"requests/payments/{request}.yaml").write_text(text)
            made.append(request)
        repo = git.Repo(root)
        repo.git.add(A=True)
        repo.index.commit(f"{count} requests", author=AUTHOR, committer=AUTHOR)
        repo.remote().push("main:main")
        return made


def seed(tmp: Path, platform: FakeRestTarget, hook_url: str, mail_url: str) -> World:
    bare = tmp / "remote.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    work = copy_sample(tmp / "seed")
    point_rest_at(work, platform.url)
    (work / "pac.yaml").write_text((work / "pac.yaml").read_text() + NOTIFICATIONS)
    repo = git.Repo.init(work, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("catalog", author=AUTHOR, committer=AUTHOR)
    repo.create_remote("origin", str(bare)).push("main:main")
    shutil.rmtree(work)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAC_") and k != "CI"}
    env |= {
        "PAC_TODAY": "2026-06-01",  # outside the sample's freeze
        **SECRETS,
        "PAC_SECRET_PLATFORM_API_KEY": "platform-key-0005",
        "PAC_SECRET_NOTIFY_HOOK": hook_url,
        "PAC_SECRET_NOTIFY_MAIL": mail_url,
        "PAC_SECRET_NOTIFY_OTHER": hook_url.replace(HOOK_TOKEN, "other"),
        "NO_COLOR": "1",
    }
    return World(tmp, bare, Hook(), FakeSmtp(), env)


@pytest.fixture
def world(tmp_path: Path, platform: FakeRestTarget) -> Iterator[World]:
    hook, smtp = Hook().start(), FakeSmtp().start()
    hook_url = f"{hook.url.replace('http://', 'json://')}/{HOOK_TOKEN}?rto=1"
    made = seed(tmp_path, platform, hook_url, smtp.url(to="nobody@company.com"))
    made.hook, made.smtp = hook, smtp
    yield made
    hook.stop()
    smtp.stop()


def expected(world: World) -> dict[str, int]:
    """event id -> channels it must reach: every event to the hook, some to the mail."""
    root = world.clone()
    wanted: dict[str, int] = {}
    for status in StatusStore(root).all():
        for event in status.events:
            wanted[event.id] = 1 + (event.kind.value in ("completed", "failed", "waiting"))
    return wanted


def received(world: World) -> Counter[str]:
    ids = Counter(world.hook.event_ids())
    ids.update(str(m.message["X-Pac-Event-Id"]) for m in world.smtp.mails)
    return ids


def assert_no_secret(world: World, *outputs: str) -> None:
    """The webhook URL's token nowhere: output, statuses, messages, the remote's history."""
    history = git.Repo(world.clone()).git.log("-p", "--all")
    messages = [r.body.decode() + str(r.headers) for r in world.hook.log]
    messages += [raw.decode("utf-8", "replace") for raw in world.smtp.handler.raw]
    statuses = [p.read_text() for p in (world.clone() / "requests/.status").glob("*.yaml")]
    for text in [*outputs, history, *messages, *statuses]:
        for secret in (HOOK_TOKEN, "platform-key-0005", *SECRETS.values()):
            assert secret not in text


@pytest.mark.slow
def test_each_event_reaches_each_routed_channel_once_and_a_rerun_sends_nothing(
    world: World,
) -> None:
    first = world.apply()
    wanted = expected(world)
    assert wanted, "the sample's requests recorded no event"
    got = received(world)
    assert got == Counter(wanted)
    assert "notifications: " in first and " sent, 0 not sent" in first
    # Sent is recorded in the statuses on the remote, so a fresh clone sends nothing again.
    assert all(sent for sent in world.events().values())
    again = world.apply()
    assert received(world) == got
    assert "notifications:" not in again  # nothing sent, nothing failed, nothing to say
    # The route for another team's requests sent nothing; the requester got the mail.
    assert not any("other" in r.path for r in world.hook.log)
    assert {r for m in world.smtp.mails for r in m.recipients} == {"dana.dev@company.com"}
    mail = world.smtp.mails[0]
    assert mail.message["X-Pac-Event-Id"] in mail.text
    assert_no_secret(world, first, again)


@pytest.mark.slow
def test_a_webhook_answering_500_fails_nothing_and_the_next_run_sends_it_once(
    world: World,
) -> None:
    world.hook.fail_next("POST", ".*", 500, times=100)
    first = world.apply()
    assert "not sent to hook: Failed to send JSON POST notification" in first
    assert "the next run tries again" in first
    root = world.clone()
    states = {s.request: s.state.value for s in StatusStore(root).all()}
    assert "failed" not in states.values()
    events = [e for s in StatusStore(root).all() for e in s.events]
    # The first answer of 500 marks the channel down for the rest of the run.
    errors = [e.errors["hook"] for e in events if "hook" in e.errors]
    assert len(errors) == 1 and "error=500" in errors[0]
    assert not any("hook" in e.sent for e in events)
    with world.hook._lock:
        world.hook._faults.clear()
    world.hook.log.clear()
    second = world.apply()
    assert Counter(world.hook.event_ids()) == Counter(dict.fromkeys(expected(world), 1))
    assert all("hook" in sent for sent in world.events().values())
    world.apply()
    assert len(world.hook.event_ids()) == len(expected(world))
    assert_no_secret(world, first, second)


@pytest.mark.slow
def test_a_hanging_webhook_is_given_up_for_the_run_and_sent_by_the_next(world: World) -> None:
    world.hook.fail_next("POST", ".*", "timeout", times=1, hold=5.0)
    first = world.apply()
    assert "timed out" in first and "the next run tries again" in first
    # Only the first message waited: the channel is not tried again in the same run.
    assert len(world.hook.event_ids()) == 1
    world.apply()
    assert set(world.hook.event_ids()) == set(expected(world))
    assert_no_secret(world, first)


@pytest.mark.slow
def test_an_smtp_server_refusing_the_sender_is_one_clear_line(world: World) -> None:
    world.smtp.refuse("pac@company.com")
    first = world.apply()
    line = next(x for x in first.splitlines() if "not sent to mail" in x)
    assert (
        "the SMTP server answered 550 5.7.1 sender refused" in line
        and "the next run tries again" in line
    )
    assert world.smtp.mails == []
    assert set(world.hook.event_ids()) == set(expected(world))  # the other channel went
    world.smtp.handler.refused_senders.clear()
    world.apply()
    mailed = Counter(str(m.message["X-Pac-Event-Id"]) for m in world.smtp.mails)
    assert mailed and all(n == 1 for n in mailed.values())


def test_pac_validate_does_not_import_the_notification_library() -> None:
    from tests.sample import sample_source

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pac", "validate", "catalog"],
        cwd=sample_source(), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert "pac.validation" in done.stderr
    assert "apprise" not in done.stderr


# --- kills while sending -----------------------------------------------------------------


@dataclass
class KillFigures:
    """Messages received per event against events recorded, after runs killed at random."""

    kills: int = 0
    events: int = 0
    missing: int = 0  # recorded, routed, never received: must stay 0
    duplicates: int = 0  # received twice: only a kill between a send and its record
    per_channel: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        return (
            f"{self.kills} kills, {self.events} events x channels recorded, "
            f"{self.events - self.missing} delivered, {self.missing} lost, "
            f"{self.duplicates} repeated (killed between a send and its record)"
        )


def kill_while_sending(world: World, rounds: int, per_round: int, seed: int) -> KillFigures:
    """Each round adds requests, starts `pac apply` in a fresh clone and SIGKILLs it while it
    sends and records (a moment after its first message arrived, or at a random instant
    after that), then lets a run in another fresh clone finish. Returns the figures: every
    routed event must arrive, once but for a kill between a send and its record."""
    rng = random.Random(seed)
    figures = KillFigures()
    world.hook.latency = 0.05  # a send takes a moment, like a real webhook
    for number in range(rounds):
        world.add_requests(1000 + number * per_round, per_round)
        before = len(world.hook.log) + len(world.smtp.mails)
        process = world.start(world.clone())
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if len(world.hook.log) + len(world.smtp.mails) > before:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.1 * per_round))
        if process.poll() is None:
            os.killpg(process.pid, 9)
            figures.kills += 1
        process.communicate(timeout=30)
        for lock in world.remote.rglob("*.lock"):  # what a real server does for a dead client
            lock.unlink(missing_ok=True)
        world.apply()
    wanted, got = expected(world), received(world)
    figures.events = sum(wanted.values())
    figures.missing = sum(max(0, n - got.get(i, 0)) for i, n in wanted.items())
    figures.duplicates = sum(max(0, got.get(i, 0) - n) for i, n in wanted.items())
    return figures


@pytest.mark.slow
def test_runs_killed_while_sending_lose_no_message(world: World) -> None:
    figures = kill_while_sending(world, rounds=4, per_round=3, seed=14)
    print(figures.line())
    assert figures.kills >= 2
    assert figures.missing == 0
    # A repeat needs a kill between a send and its record: at most one message per kill.
    assert figures.duplicates <= figures.kills
