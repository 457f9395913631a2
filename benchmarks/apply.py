"""Benchmark `pac apply`: 200 requests of the sample bundle against a fake JIRA with latency.

The fake JIRA runs in its own process on 127.0.0.1 and answers every call after 20 ms.
The bundle's three items are switched to their manual (JIRA) strategy, so each request
becomes three tickets and three "is blocked by" links. Prints:
- HTTP calls per ticket (target <= 3: look-up, create, link), by kind;
- wall time one request at a time, and concurrently;
- the speed-up of concurrent over one-at-a-time (target >= 5x).

Usage: python benchmarks/apply.py [--requests 200] [--latency 0.02] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from synthetic import copy_sample_catalog  # noqa: E402


def build(root: Path, count: int) -> list[str]:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    copy_sample_catalog(root)
    for path in (root / "catalog").rglob("*.yaml"):
        path.write_text(path.read_text().replace("{mode: automatic}", "{mode: manual}"))
    template = (PROJECT / "requests/payments/payments-webapp.yaml").read_text()
    ids = []
    for n in range(count):
        request_id = f"webapp-{n:04d}"
        folder = root / "requests" / f"team{n % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = template.replace("id: payments-webapp", f"id: {request_id}")
        text = text.replace("team: payments", f"team: team{n % 20:02d}")
        (folder / f"{request_id}.yaml").write_text(text)
        ids.append(request_id)
    return ids


def start_jira(latency: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.jira", "--latency", str(latency)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready = process.stdout.readline().split()
    if not ready or ready[0] != "READY":
        raise SystemExit("the fake JIRA did not start")
    return process, ready[1]


def run(root: Path, ids: list[str], url: str, concurrency: int) -> tuple[float, int]:
    from pac.documents.repository import Repository
    from pac.fulfilment import apply
    from pac.fulfilment.backends import ticket_backend

    os.environ.update(
        {
            "PAC_JIRA_URL": url,
            "PAC_JIRA_USER": "bot",
            "PAC_JIRA_TOKEN": "token",
            "PAC_TODAY": "2026-06-01",
        }
    )
    repo = Repository(root)
    requests = apply.select_requests(repo, ids).requests
    _, tickets = ticket_backend(repo)
    started = time.perf_counter()
    outcomes = apply.run(repo, requests, tickets, concurrency=concurrency)
    elapsed = time.perf_counter() - started
    # A ticket is a hand-off: a run leaves the requests waiting for their teams.
    failed = [o for o in outcomes if o.state not in ("completed", "waiting")]
    if failed:
        raise SystemExit(f"{len(failed)} requests did not complete: {failed[0].summary}")
    return elapsed, sum(len(o.created) for o in outcomes)


def stats(url: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{url}/_fake/stats", timeout=10) as response:
        data: dict[str, int] = json.load(response)["requests"]
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for label, workers in (("one at a time", 1), ("concurrent", args.concurrency)):
            root = Path(scratch) / label.replace(" ", "-")
            ids = build(root, args.requests)
            process, url = start_jira(args.latency)
            try:
                elapsed, tickets = run(root, ids, url, workers)
                calls = stats(url)
            finally:
                process.terminate()
                process.wait(10)
            results[label] = elapsed
            total = sum(calls.values())
            print(
                f"{label:>14}: {args.requests} requests, {tickets} tickets in {elapsed:6.2f} s "
                f"({workers} worker{'s' if workers > 1 else ''})"
            )
            print(f"{'':>14}  HTTP calls per ticket: {total / tickets:.2f}  ({total} calls)")
            for kind, count in sorted(calls.items()):
                print(f"{'':>16}{kind}: {count}")
    speedup = results["one at a time"] / results["concurrent"]
    print(f"speed-up concurrent / one at a time: {speedup:.1f}x (target >= 5x)")


if __name__ == "__main__":
    main()
