"""Benchmark a change of fulfilled requests (SPEC §6.6): HTTP calls per update ticket.

200 requests of the sample bundle, its items switched to their manual (JIRA) strategy and
given update actions (`tests/day2.py`), are created against the fake JIRA (in its own
process on 127.0.0.1, 20 ms per answer); then every request changes one field each of its
three components read, and `pac apply` runs again. Prints, for the change run alone:
- HTTP calls per update ticket (target <= 3: the request's look-up, the create, a link),
  by kind;
- the wall time of the change run.

Usage: python benchmarks/apply_change.py [--requests 200] [--latency 0.02] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from benchmarks.apply import build, run, start_jira, stats  # noqa: E402
from tests.day2 import add_day_two, set_input  # noqa: E402

CHANGES = (
    ("database", "instanceClass", "db.r6g.xlarge"),
    ("secrets", "rotationDays", 30),
    ("app", "image", "registry.company.com/payments/api:1.5.0"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        ids = build(root, args.requests)
        add_day_two(root)
        process, url = start_jira(args.latency)
        try:
            run(root, ids, url, args.concurrency)
            before = stats(url)
            for n, request_id in enumerate(ids):
                relative = f"requests/team{n % 20:02d}/{request_id}.yaml"
                for group, key, value in CHANGES:
                    set_input(root, relative, group, key, value)
            started = time.perf_counter()
            _, tickets = run(root, ids, url, args.concurrency)
            elapsed = time.perf_counter() - started
            after = stats(url)
        finally:
            process.terminate()
            process.wait(10)
    calls = {kind: after.get(kind, 0) - before.get(kind, 0) for kind in after}
    total = sum(calls.values())
    print(
        f"change: {args.requests} requests, {tickets} update tickets in {elapsed:6.2f} s "
        f"({args.concurrency} workers)"
    )
    print(f"HTTP calls per update ticket: {total / max(tickets, 1):.2f}  ({total} calls)")
    for kind, count in sorted(calls.items()):
        if count:
            print(f"  {kind}: {count}")


if __name__ == "__main__":
    main()
