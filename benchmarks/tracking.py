"""Benchmark advancing waiting requests: JIRA calls per `pac apply` for 200 waiting requests.

200 requests of the sample bundle, its three items switched to their manual (JIRA)
strategy, are applied once against the fake JIRA (600 tickets, every request `waiting`).
Then, with the fake's request log cleared before each:
- a run while every ticket is still open (the hourly run on a quiet day);
- a run after the teams resolved half of the tickets (their requests carry on or complete);
- a run after they resolved the rest (every request completes).
Prints the HTTP calls each run sent to JIRA, by kind, against the target of
3 + one per 50 tickets (SPEC §6.7), and the wall time of each run.

Usage: python benchmarks/tracking.py [--requests 200] [--latency 0.0] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from benchmarks.apply import build  # noqa: E402


def apply_once(root: Path, ids: list[str], concurrency: int) -> tuple[float, dict[str, int]]:
    from pac.documents.repository import Repository
    from pac.fulfilment import apply
    from pac.fulfilment.backends import ticket_backend

    repo = Repository(root)
    requests = apply.select_requests(repo, ids).requests
    _, tickets = ticket_backend(repo)
    started = time.perf_counter()
    outcomes = apply.run(repo, requests, tickets, concurrency=concurrency)
    elapsed = time.perf_counter() - started
    states: dict[str, int] = {}
    for outcome in outcomes:
        states[str(outcome.state)] = states.get(str(outcome.state), 0) + 1
    return elapsed, states


def main() -> None:
    from tests.fakes.jira import FakeJira

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, FakeJira(latency=args.latency) as jira:
        root = Path(scratch) / "repo"
        ids = build(root, args.requests)
        os.environ.update(
            {
                "PAC_JIRA_URL": jira.url,
                "PAC_JIRA_USER": "bot",
                "PAC_JIRA_TOKEN": "token",
                "PAC_TODAY": "2026-06-01",
            }
        )
        (root / "pac.yaml").write_text(
            (root / "pac.yaml").read_text().replace("\njira:\n", "\njira:\n  searchLag: 0\n", 1)
        )
        elapsed, states = apply_once(root, ids, args.concurrency)
        tickets = len(jira.issues)
        print(f"filing: {args.requests} requests, {tickets} tickets in {elapsed:.2f} s: {states}")
        target = 3 + -(-tickets // 50)
        keys = sorted(jira.issues, key=lambda k: int(jira.issues[k]["id"]))
        steps = [
            ("every ticket still open", []),
            ("half of the tickets resolved", keys[::2]),
            ("the rest resolved", keys[1::2]),
        ]
        for label, resolved in steps:
            for key in resolved:
                jira.resolve(key, "Done")
            with jira._lock:
                jira.log.clear()
            elapsed, states = apply_once(root, ids, args.concurrency)
            calls = jira.stats()["requests"]
            total = sum(calls.values())
            verdict = "met" if total <= target else "MISSED"
            print(f"{label}: {total} JIRA calls (target <= {target}: {verdict}) in {elapsed:.2f} s")
            print(f"  requests after the run: {states}")
            for kind, count in sorted(calls.items()):
                print(f"    {kind}: {count}")


if __name__ == "__main__":
    main()
