"""Day 2 under kills, notifications on: `pac apply --commit` SIGKILLed at random instants of
an update and of a decommission, some of them while it sends a notification and pushes the
journal of what it sent; each time a run in a fresh clone takes over. Every call is made
once, every status is pushed, every notification arrives (twice at most once per kill,
when the kill fell between a send and its mark), and no clone keeps a stray file.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import git
import pytest

from pac.records.store import StatusStore
from tests.acceptance.test_apply_live import SECRETS
from tests.acceptance.test_apply_upstream import (
    Watched,
    assert_clean,
    each_call_once,
    server_drops_its_locks,
)
from tests.acceptance.test_notifications import (
    AUTHOR,
    HOOK_TOKEN,
    NOTIFICATIONS,
    Hook,
    World,
    assert_no_secret,
    expected,
    received,
)
from tests.conftest import copy_sample, point_rest_at
from tests.day2 import add_day_two, set_input, set_top
from tests.fakes.rest import FakeRestTarget
from tests.fakes.smtp import FakeSmtp

pytestmark = pytest.mark.slow

WEBAPP = "payments-webapp"
WEBAPP_FILE = f"requests/payments/{WEBAPP}.yaml"
KILLS_PER_REVISION = 3


def seed(tmp: Path, platform: FakeRestTarget) -> World:
    """The web application stack (REST calls only: a fresh clone has no outbox) with day-2
    actions and notifications to a webhook and an SMTP server, on a bare remote."""
    hook, smtp = Hook().start(), FakeSmtp().start()
    bare = tmp / "remote.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    work = copy_sample(tmp / "seed")
    add_day_two(work)
    point_rest_at(work, platform.url)
    (work / "pac.yaml").write_text((work / "pac.yaml").read_text() + NOTIFICATIONS)
    (work / "requests/payments/payments-events.yaml").unlink()  # a ticket: outbox-bound
    repo = git.Repo.init(work, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("catalog", author=AUTHOR, committer=AUTHOR)
    repo.create_remote("origin", str(bare)).push("main:main")
    shutil.rmtree(work)
    world = World(tmp, bare, hook, smtp)
    hook_url = f"{hook.url.replace('http://', 'json://')}/{HOOK_TOKEN}?rto=1"
    world.env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAC_")},
        "PAC_TODAY": "2026-06-01",
        **SECRETS,
        "PAC_SECRET_PLATFORM_API_KEY": "platform-key-0005",
        "PAC_SECRET_NOTIFY_HOOK": hook_url,
        "PAC_SECRET_NOTIFY_MAIL": smtp.url(to="nobody@company.com"),
        "PAC_SECRET_NOTIFY_OTHER": hook_url.replace(HOOK_TOKEN, "other"),
        "NO_COLOR": "1",
    }
    world.env.pop("CI", None)
    world.hook.latency = 0.05  # a send takes a moment, as a real webhook's does
    return world


def change(world: World, edit: str) -> None:
    """A developer's pull request merged to main."""
    root = world.clone()
    if edit == "update":
        set_input(root, WEBAPP_FILE, "app", "replicas", 5)
        set_input(root, WEBAPP_FILE, "database", "instanceClass", "db.r6g.xlarge")
    else:
        set_top(root, WEBAPP_FILE, "decommission", {"reason": "service retired"})
    repo = git.Repo(root)
    repo.git.add(A=True)
    repo.index.commit(edit, author=AUTHOR, committer=AUTHOR)
    repo.remote().push("main:main")


def kill_during(world: World, rng: random.Random) -> tuple[int, int]:
    """Runs in fresh clones, each SIGKILLed at a random instant after it started working,
    or right after a notification of it arrived (while it records and pushes the journal);
    then one finishing run. Returns (kills that hit a working run, of them while sending)."""
    hit = sending = 0
    for _ in range(KILLS_PER_REVISION):
        messages = len(world.hook.log) + len(world.smtp.mails)
        run = Watched(world.start(world.clone()))
        while_sending = rng.random() < 0.5
        if not run.reached("pac apply:", timeout=60):
            run.finish()
            continue
        if while_sending:
            deadline = time.monotonic() + 30
            while run.process.poll() is None and time.monotonic() < deadline:
                if len(world.hook.log) + len(world.smtp.mails) > messages:
                    break
                time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.4))
        if run.kill():
            hit += 1
            sending += while_sending
        server_drops_its_locks(world.remote)
    last = world.clone()
    world.apply(last)
    assert_clean(last)
    return hit, sending


def test_kills_during_an_update_and_a_decommission_lose_and_repeat_nothing(
    tmp_path: Path, platform: FakeRestTarget
) -> None:
    world = seed(tmp_path, platform)
    rng = random.Random(20261130)
    try:
        world.apply()
        change(world, "update")
        hits, sending = kill_during(world, rng)
        change(world, "decommission")
        more, more_sending = kill_during(world, rng)
        hits, sending = hits + more, sending + more_sending
        final = world.clone()
        out = world.apply(final)
        assert "0 request(s) acted on" in out, out
        assert_clean(final)
        status = StatusStore(final).load(WEBAPP)
        assert status is not None and status.state == "decommissioned"
        assert [r.operation.value for r in status.revisions] == ["create", "update"]
        # The create's four calls, the update's two, the decommission's three: each once.
        assert each_call_once(platform) == 4 + 2 + 3
        wanted, got = expected(world), received(world)
        assert {i for i in wanted if wanted[i] > got.get(i, 0)} == set(), "a message was lost"
        repeated = sum(max(0, got.get(i, 0) - n) for i, n in wanted.items())
        assert repeated <= hits  # only a kill between a send and its mark repeats one
        assert sum(wanted.values()) >= 3  # completed (twice) and decommissioned at least
        strays = [*final.rglob("*.tmp"), *(final / ".git").glob("*.lock")]
        assert strays == []
        assert_no_secret(world, out)
        print(
            f"{hits} kills hit a working run ({sending} while sending), "
            f"{sum(wanted.values())} messages routed, {repeated} repeated, 0 lost"
        )
        assert hits >= 2, f"only {hits} kills hit a working run"
    finally:
        world.hook.stop()
        world.smtp.stop()
