"""Benchmark `pac status`: every shown ticket read live, one read per backend.

Writes N waiting requests of the sample bundle (three JIRA tickets each) and M requests
whose ticket is in the outbox, creates their tickets in a fake JIRA on 127.0.0.1 (each
call answered after a latency) and in the outbox, then runs the real `pac status` and
prints:
- JIRA calls by kind (target: one field list + one search per 50 tickets, none per ticket);
- wall time of `pac status` over all requests.

Usage: python benchmarks/status.py [--requests 200] [--outbox 50] [--latency 0.02]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from tests.fakes.jira import FakeJira  # noqa: E402

from pac.fulfilment.backends import RenderedTicket, task_label  # noqa: E402
from pac.fulfilment.backends.jira_api import JiraTickets  # noqa: E402
from pac.fulfilment.backends.outbox import Outbox  # noqa: E402
from pac.records.states import RequestState, TaskState  # noqa: E402
from pac.records.status import RequestStatus, TaskStatus  # noqa: E402
from pac.records.store import StatusStore  # noqa: E402
from synthetic import copy_sample_catalog  # noqa: E402

COMPONENTS = (("database", "DBA"), ("secrets", "SEC"), ("app", "PLATFORM"))


def build(root: Path, jira: FakeJira, count: int, outbox: int) -> None:
    copy_sample_catalog(root)
    store = StatusStore(root)
    client = JiraTickets(jira.url, "bot", "t")
    for n in range(count):
        request = f"webapp-{n:04d}"
        tasks = []
        for index, (component, project) in enumerate(COMPONENTS):
            key = f"{request}/{component}/manual/0"
            ticket = client.create(RenderedTicket(project, "Task", key), [task_label(key)])
            tasks.append(_task(key, component, index, ticket.key, "jira", ticket.url))
        store.save(_status(request, "bundle-webapp-standard", tasks))
    client.close()
    box = Outbox(root)
    for n in range(outbox):
        request = f"events-{n:04d}"
        key = f"{request}/topic/manual/0"
        ticket = box.create(RenderedTicket("MSG", "Task", key), [task_label(key)])
        task = _task(key, "topic", 0, ticket.key, "outbox", ticket.url)
        store.save(_status(request, "messaging-kafka-topic", [task]))


def _task(key: str, component: str, index: int, ticket: str, backend: str, url: str) -> TaskStatus:
    return TaskStatus(
        key,
        component,
        "",
        "create",
        "manual",
        index,
        state=TaskState.WAITING,
        owner_team=f"platform-{component}-team",
        ticket_key=ticket,
        ticket_url=url,
        ticket_backend=backend,
    )


def _status(request: str, target: str, tasks: list[TaskStatus]) -> RequestStatus:
    return RequestStatus(
        request,
        RequestState.WAITING,
        target_id=target,
        requested_at="2026-06-01T08:00:00Z",
        tasks=tasks,
    )


def timed(root: Path, env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pac", "status", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--outbox", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.02)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, FakeJira() as jira:
        root = Path(folder) / "repo"
        build(root, jira, options.requests, options.outbox)
        jira.latency = options.latency
        jira.log.clear()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAC_")}
        env |= {
            "PYTHONPATH": str(PROJECT / "src"),
            "NO_COLOR": "1",
            "PAC_JIRA_URL": jira.url,
            "PAC_JIRA_USER": "bot",
            "PAC_JIRA_TOKEN": "t",
        }
        env.pop("CI", None)
        every = timed(root, env)
        tickets = options.requests * len(COMPONENTS)
        print(
            f"pac status, {options.requests} requests ({tickets} JIRA tickets) + "
            f"{options.outbox} outbox tickets: {every:.2f} s"
        )
        for kind, calls in sorted(jira.stats()["requests"].items()):
            print(f"  JIRA {kind:28} {calls:4d}")
        print(
            f"  JIRA calls in all: {len(jira.log)} (one search per 50 tickets: {-(-tickets // 50)})"
        )


if __name__ == "__main__":
    main()
