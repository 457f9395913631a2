"""Day 2 end to end (SPEC §6.6): create → change → upgrade → decommission of real request
files, merged into a real git repository with a bare remote, applied by real `pac apply`
processes against the fake JIRA and a real local REST server — and again offline with
the outbox. Runs killed in the middle of an update or a decommission are redone from a
fresh clone: every update and decommission call or ticket is made exactly once, and a
decommission resumes in reverse dependency order.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import git
import pytest

from pac.records.store import StatusStore
from tests.acceptance.test_apply_live import TOKEN, environment, manual_only
from tests.acceptance.test_apply_upstream import (
    AUTHOR,
    Watched,
    assert_clean,
    clone,
    each_call_once,
    each_ticket_once,
    finish,
    server_drops_its_locks,
    start,
)
from tests.conftest import copy_sample, pac_in, pac_settings, point_rest_at
from tests.day2 import DATABASE, add_day_two, bump_version, set_input, set_top
from tests.fakes.jira import FakeJira
from tests.fakes.rest import FakeRestTarget

WEBAPP, EVENTS = "payments-webapp", "payments-events"
WEBAPP_FILE = "requests/payments/payments-webapp.yaml"
EVENTS_FILE = "requests/payments/payments-events.yaml"
CLUSTER = "/api/v1/clusters/arn%3Aaws%3Ards%3Aeu-west-1%3A123456789012%3Acluster%3Apayments-api"
DELETES = [
    ("DELETE", "/api/v1/namespaces/payments-api-prod"),
    ("DELETE", "/api/v2/namespaces/prod/payments-api"),
    ("DELETE", CLUSTER),
]

pytestmark = pytest.mark.slow


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(credentials=("bot", TOKEN)) as fake:
        yield fake  # type: ignore[misc]


def seed(tmp_path: Path, platform: FakeRestTarget, *, manual: bool = False) -> Path:
    """A bare remote holding the sample catalog with day-2 actions (calls to `platform`)."""
    bare = tmp_path / "remote.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    root = copy_sample(tmp_path / "seed")
    add_day_two(root)
    point_rest_at(root, platform.url)
    # The fake JIRA's search has no lag: a run taking a killed run's lease over need not
    # wait the default minute for the index.
    pac_settings(root, search_lag=0.2)
    if manual:
        manual_only(root)
    repo = git.Repo.init(root, initial_branch="main")
    repo.git.add(A=True)
    repo.index.commit("catalog", author=AUTHOR, committer=AUTHOR)
    repo.create_remote("origin", str(bare)).push("main:main")
    shutil.rmtree(root)
    return bare


class Author:
    """A developer's checkout: edits request files and merges them to main."""

    def __init__(self, remote: Path, root: Path) -> None:
        self.root = clone(remote, root)
        self.repo = git.Repo(self.root)

    def merge(self, message: str) -> None:
        self.repo.git.stash("--include-untracked")
        self.repo.git.pull("--rebase", "--quiet")
        self.repo.git.stash("pop")
        self.repo.git.add(A=True)
        self.repo.index.commit(message, author=AUTHOR, committer=AUTHOR)
        self.repo.git.push("--quiet", "origin", "main")


class Runs:
    """`pac apply --commit` and `pac plan` in fresh clones of the remote, as CI does."""

    def __init__(self, remote: Path, tmp_path: Path, jira: FakeJira) -> None:
        self.remote, self.tmp_path, self.jira, self.n = remote, tmp_path, jira, 0

    def fresh(self) -> Path:
        self.n += 1
        return clone(self.remote, self.tmp_path / f"ci-{self.n}")

    def apply(self) -> str:
        root = self.fresh()
        out = finish(start(root, self.jira, "--wait", "60"))
        assert_clean(root)
        return out

    def plan(self, *args: str) -> str:
        root = self.fresh()
        done = subprocess.run(
            [sys.executable, "-m", "pac", "plan", *args],
            cwd=root,
            env=environment(self.jira),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def settle(self) -> str:
        """The teams resolve every open ticket, and the next run carries their requests on
        (a ticket is a hand-off, SPEC §6.7)."""
        self.jira.resolve_all()
        return self.apply()

    def status(self, request: str) -> StatusStore:
        root = self.fresh()
        store = StatusStore(root)
        assert store.load(request) is not None
        return store


def _calls(platform: FakeRestTarget, since: int) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in platform.effects[since:]]


def test_create_change_upgrade_decommission_against_jira_and_a_rest_api(
    tmp_path: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    remote = seed(tmp_path, platform)
    author, runs = Author(remote, tmp_path / "author"), Runs(remote, tmp_path, jira)
    runs.apply()
    assert len(platform.effects) == 4 and list(jira.issues) == ["MSG-1"]
    runs.settle()

    # Change: one field of the stack, one of the topic.
    set_input(author.root, WEBAPP_FILE, "app", "replicas", 5)
    set_input(author.root, EVENTS_FILE, "topic", "partitions", 24)
    author.merge("bigger")
    markdown = runs.plan("--format", "markdown")
    assert markdown.splitlines()[0] == (
        "## Change of payments-events (revision 1): 1 field; "
        "Change of payments-webapp (revision 1): 1 field"
    )
    assert "| `app.replicas` | 3 | 5 |" in markdown
    before = len(platform.effects)
    out = runs.apply()
    assert "payments-webapp: revision 1 started: update" in out
    # Only the touched component of the bundle acts, on what its create made.
    assert _calls(platform, before) == [
        ("PATCH", "/api/v1/namespaces/payments-api-prod/apps/payments-api")
    ]
    assert platform.effects[-1].json() == {
        "image": "registry.company.com/payments/api:1.4.2",
        "replicas": 5,
    }
    change = jira.issues["MSG-2"]["fields"]
    assert change["summary"] == "Change Kafka topic payments-events (revision 1)"
    assert "Partitions: 12 -> 24" in change["description"]
    runs.settle()

    # Upgrade: the database item ships a new version; the request is marked for it.
    bump_version(author.root, DATABASE, "99.1.0")
    set_top(author.root, WEBAPP_FILE, "operations", {"upgrade": "99.1.0"})
    author.merge("database 99.1.0")
    assert (
        "Upgrade of payments-webapp (revision 2): database-aurora-postgresql-standard"
        in (runs.plan("--format", "markdown").splitlines()[0])
    )
    before = len(platform.effects)
    runs.apply()
    assert _calls(platform, before) == [("PATCH", CLUSTER)]
    assert platform.effects[-1].json()["operation"] == "upgrade"
    status = runs.status(WEBAPP).load(WEBAPP)
    assert status is not None
    assert status.item_versions["database-aurora-postgresql-standard"] == "99.1.0"

    # Decommission: the app before the secrets before the database.
    set_top(author.root, WEBAPP_FILE, "decommission", {"reason": "service retired"})
    set_top(author.root, EVENTS_FILE, "decommission", {"reason": "service retired"})
    author.merge("retire")
    before = len(platform.effects)
    runs.apply()
    assert _calls(platform, before) == DELETES
    assert jira.issues["MSG-3"]["fields"]["summary"] == (
        "Remove Kafka topic payments-events: service retired"
    )
    runs.settle()
    store = runs.status(WEBAPP)
    for request, revisions in ((WEBAPP, 3), (EVENTS, 2)):
        status = store.load(request)
        assert status is not None
        assert (status.state, status.revision, len(status.revisions)) == (
            "decommissioned",
            revisions,
            revisions,
        )
    assert "0 request(s) acted on" in runs.apply()
    assert each_call_once(platform) == 4 + 1 + 1 + 3
    assert each_ticket_once(jira) == 3


def test_a_manual_stack_decommissions_with_tickets_linked_in_reverse(
    tmp_path: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    remote = seed(tmp_path, platform, manual=True)
    author, runs = Author(remote, tmp_path / "author"), Runs(remote, tmp_path, jira)
    runs.apply()
    assert jira.blocked_by("PLATFORM-1") == {"DBA-1", "SEC-1"}
    runs.settle()
    set_top(author.root, WEBAPP_FILE, "decommission", {"reason": "service retired"})
    author.merge("retire")
    runs.apply()
    runs.settle()
    summaries = {k: i["fields"]["summary"] for k, i in jira.issues.items() if k.endswith("-2")}
    assert summaries == {
        "PLATFORM-2": "Remove deployment payments-api: service retired",
        "SEC-2": "Remove secrets namespace payments-api: service retired",
        "DBA-2": "Remove database payments-api: service retired",
    }
    # A dependency's ticket is blocked by its dependents' (SPEC §6.6).
    assert jira.blocked_by("PLATFORM-2") == set()
    assert jira.blocked_by("SEC-2") == {"PLATFORM-2"}
    assert jira.blocked_by("DBA-2") == {"PLATFORM-2", "SEC-2"}
    assert runs.status(WEBAPP).load(WEBAPP).state == "decommissioned"  # type: ignore[union-attr]
    assert each_ticket_once(jira) == 7


def _offline(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAC_")}
    env |= {"PAC_TODAY": "2026-06-01", "NO_COLOR": "1"}
    env.pop("CI", None)
    done = pac_in(root, env, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _commit(root: Path, message: str) -> None:
    repo = git.Repo(root)
    repo.git.add(A=True)
    repo.index.commit(message, author=AUTHOR, committer=AUTHOR)


def test_the_same_flow_offline_with_the_outbox(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "laptop")
    add_day_two(root)
    manual_only(root)
    git.Repo.init(root, initial_branch="main")
    _commit(root, "catalog")
    _offline(root, "apply", EVENTS)
    _offline(root, "outbox", "resolve", "MSG-1")
    assert "payments-events: completed: 1 task done" in _offline(root, "apply", EVENTS)
    set_input(root, EVENTS_FILE, "topic", "partitions", 24)
    _commit(root, "bigger")
    assert "  ~ topic.partitions: 12 -> 24" in _offline(root, "plan", EVENTS)
    assert "created MSG-2 (Change Kafka topic payments-events (revision 1))" in _offline(
        root, "apply", EVENTS
    )
    _offline(root, "outbox", "resolve", "MSG-2")
    _offline(root, "apply", EVENTS)
    set_top(root, EVENTS_FILE, "decommission", {"reason": "retired"})
    _commit(root, "retire")
    assert "waiting on platform-messaging-team: MSG-3" in _offline(root, "apply", EVENTS)
    _offline(root, "outbox", "resolve", "MSG-3")
    assert "decommissioned: 1 task done" in _offline(root, "apply", EVENTS)
    tickets = [json.loads(p.read_text()) for p in sorted((root / ".pac/outbox").glob("*.json"))]
    assert [t["summary"] for t in tickets] == [
        "Kafka topic prod.payments-events on kafka-shared-01",
        "Change Kafka topic payments-events (revision 1)",
        "Remove Kafka topic payments-events: retired",
    ]
    assert "0 request(s) acted on" in _offline(root, "apply", EVENTS)


# --- killed in the middle of a revision ---------------------------------------------------


def _kill_randomly(runs: Runs, rng: random.Random, times: int) -> int:
    """Start runs in fresh clones and SIGKILL each at a random instant; how many were hit
    while they worked."""
    hit = 0
    for _ in range(times):
        root = runs.fresh()
        run = Watched(start(root, runs.jira, "--wait", "60"))
        if not run.reached("pac apply:", timeout=60):
            run.finish()
            continue
        time.sleep(rng.uniform(0.0, 0.6))
        if run.kill():
            hit += 1
        server_drops_its_locks(runs.remote)
    return hit


@pytest.mark.parametrize("manual", [False, True], ids=["calls", "tickets"])
def test_runs_killed_during_an_update_and_a_decommission_do_each_once(
    tmp_path: Path, jira: FakeJira, platform: FakeRestTarget, manual: bool
) -> None:
    rng = random.Random(20261130 + manual)
    remote = seed(tmp_path, platform, manual=manual)
    author, runs = Author(remote, tmp_path / "author"), Runs(remote, tmp_path, jira)
    runs.apply()
    runs.settle()
    set_input(author.root, WEBAPP_FILE, "app", "replicas", 5)
    set_input(author.root, WEBAPP_FILE, "database", "instanceClass", "db.r6g.xlarge")
    author.merge("bigger")
    hits = _kill_randomly(runs, rng, 6)
    runs.apply()
    runs.settle()
    set_top(author.root, WEBAPP_FILE, "decommission", {"reason": "service retired"})
    author.merge("retire")
    hits += _kill_randomly(runs, rng, 6)
    runs.apply()
    runs.settle()
    assert hits >= 3, f"only {hits} kills hit a working run"
    status = runs.status(WEBAPP).load(WEBAPP)
    assert status is not None and status.state == "decommissioned"
    if manual:
        # Creates (and the topic's), the database's change ticket, the decommissions.
        assert each_ticket_once(jira) == 4 + 1 + 3
    else:
        assert each_call_once(platform) == 4 + 2 + 3
        assert [(r.method, r.path) for r in platform.effects if r.method == "DELETE"] == DELETES


def test_a_decommission_killed_half_way_resumes_in_reverse_order(
    tmp_path: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    remote = seed(tmp_path, platform)
    author, runs = Author(remote, tmp_path / "author"), Runs(remote, tmp_path, jira)
    runs.apply()
    set_top(author.root, WEBAPP_FILE, "decommission", {"reason": "service retired"})
    author.merge("retire")
    killed = Watched(start(runs.fresh(), jira, "--wait", "60"))
    assert killed.reached(": DELETE ")  # the app is gone; secrets and database are not
    assert killed.kill()
    server_drops_its_locks(remote)
    runs.apply()
    deletes = [(r.method, r.path) for r in platform.effects if r.method == "DELETE"]
    assert deletes == DELETES
    assert each_call_once(platform) == 4 + 3


def test_a_status_left_at_an_older_revision_merges_onto_the_newer_one(
    tmp_path: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    # A laptop applied the update without committing; CI then did the update and the
    # decommission. The laptop's next `--commit` merges its revision-1 status with the
    # upstream's revision 2: the later revision stays, and nothing is done again.
    remote = seed(tmp_path, platform)
    author, runs = Author(remote, tmp_path / "author"), Runs(remote, tmp_path, jira)
    runs.apply()
    set_input(author.root, WEBAPP_FILE, "app", "replicas", 5)
    set_input(author.root, WEBAPP_FILE, "database", "instanceClass", "db.r6g.xlarge")
    author.merge("bigger")
    laptop = runs.fresh()
    finish(start(laptop, jira, commit=False))
    runs.apply()
    set_top(author.root, WEBAPP_FILE, "decommission", {"reason": "service retired"})
    author.merge("retire")
    runs.apply()
    out = finish(start(laptop, jira, "--wait", "60"))
    assert_clean(laptop)
    assert "done twice" not in out
    status = runs.status(WEBAPP).load(WEBAPP)
    assert status is not None and status.state == "decommissioned"
    assert [(r.number, r.operation.value) for r in status.revisions] == [
        (0, "create"),
        (1, "update"),
    ]
    assert all(t.key.startswith(f"{WEBAPP}/r2/") for t in status.tasks)
    assert each_call_once(platform) == 4 + 2 + 3
