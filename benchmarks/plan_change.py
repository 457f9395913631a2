"""Benchmark `pac plan` for a change of one fulfilled request in a 2,000-request repository.

2,000 requests of the sample bundle (its items given update actions, `tests/day2.py`), each
with a status recording it fulfilled, are committed to a git repository; then one request
changes a field, as a pull request does. Prints the wall time of the `pac plan` command
(a fresh process, as CI runs it) for that change:
- `pac plan --changed HEAD~1 --format markdown` (what the plan workflow runs);
- `pac plan REQUEST` (a developer checking one request);
each the median of three runs.

Usage: python benchmarks/plan_change.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from benchmarks.apply import build  # noqa: E402
from tests.day2 import add_day_two, set_input  # noqa: E402


def fulfilled(root: Path, ids: list[str]) -> None:
    """A status for every request, as `pac apply` leaves a completed one."""
    from pac.documents.repository import Repository
    from pac.fulfilment.revision import new_status, sync_tasks
    from pac.fulfilment.tasks import expand
    from pac.records.states import RequestState, TaskState
    from pac.records.store import StatusStore

    repo, store = Repository(root), StatusStore(root)
    for request_id in ids:
        request = repo.request(request_id)
        offering = repo.offering(request.target_id) if request else None
        assert request is not None and offering is not None
        status = new_status(repo, request, offering)
        sync_tasks(status, expand(repo, offering))
        for n, task in enumerate(status.tasks):
            task.state, task.ticket_key = TaskState.COMPLETED, f"OPS-{n}"
        status.state = RequestState.COMPLETED
        store.save(status)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def timed(root: Path, *args: str) -> tuple[float, str]:
    env = {**os.environ, "PAC_TODAY": "2026-06-01", "NO_COLOR": "1"}
    runs = []
    out = ""
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pac", "plan", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        runs.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
        out = done.stdout
    return statistics.median(runs), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        ids = build(root, args.requests)
        add_day_two(root)
        fulfilled(root, ids)
        git(root, "init", "-q", "-b", "main")
        git(root, "-c", "user.name=b", "-c", "user.email=b@x", "add", "-A")
        git(root, "-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qm", "fulfilled")
        changed = ids[len(ids) // 2]
        relative = f"requests/team{(len(ids) // 2) % 20:02d}/{changed}.yaml"
        set_input(root, relative, "database", "instanceClass", "db.r6g.xlarge")
        git(root, "-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qam", "bigger")
        wall, markdown = timed(root, "--changed", "HEAD~1", "--format", "markdown")
        first = markdown.splitlines()[0]
        one, _ = timed(root, changed)
    print(f"repository: {args.requests} requests, each fulfilled (a status per request)")
    print(f"pac plan --changed HEAD~1 --format markdown: {wall:6.2f} s  ({first})")
    print(f"pac plan {changed}: {one:6.2f} s")


if __name__ == "__main__":
    main()
