"""Benchmark `pac report` on a synthetic history of 2,000 requests (tests/fakes/history.py):
statuses with revisions, events, failures (some retried), deferrals and waiting tickets,
over a catalog of a few dozen items.

Prints the wall time of the JSON and the HTML report, in-process (best of three, the
loading of catalog, request files and statuses included) and as a CLI subprocess (what
a leader waits for, Python's start-up included). Aim: well under 2 s in-process.

Usage: python benchmarks/report.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT / "src"), str(PROJECT)]

from tests.fakes.history import build_history  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from pac.cli.app import app  # noqa: E402


def in_process(root: Path, *args: str) -> str:
    """Best of three runs of the command in this process (a fresh repository each time):
    wall time, and the CPU time it used (what a busy machine does not inflate)."""
    runner = CliRunner()
    best, cpu = float("inf"), float("inf")
    for _ in range(3):
        started, used = time.perf_counter(), time.process_time()
        result = runner.invoke(app, ["--repo", str(root), "report", *args])
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - used)
        assert result.exit_code == 0, result.output
    return f"{best:.2f} s (CPU {cpu:.2f} s)"


def stages(root: Path) -> str:
    """Where the in-process time goes: reading the repository, counting, drawing."""
    from pac.documents.repository import Repository
    from pac.records.store import StatusStore
    from pac.tracking.metrics import report_of
    from pac.tracking.report_html import render_html

    marks = [time.perf_counter()]
    repo = Repository(root)
    statuses = list(StatusStore(root).all())
    marks.append(time.perf_counter())
    report = report_of(repo, statuses)
    report.as_dict()
    marks.append(time.perf_counter())
    render_html(report)
    marks.append(time.perf_counter())
    took = [b - a for a, b in pairwise(marks)]
    return (
        f"read {len(statuses)} statuses {took[0]:.2f} s; read the catalog and unapplied "
        f"request files and count the figures {took[1]:.2f} s; draw the page {took[2]:.2f} s"
    )


def subprocess_run(root: Path, *args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "src"), "NO_COLOR": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pac", "report", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pac-report-bench-") as temp:
        root = Path(temp) / "catalog"
        started = time.perf_counter()
        build_history(root, requests=args.requests)
        items = len(list((root / "catalog").rglob("*.yaml"))) - 1  # categories.yaml
        print(
            f"synthetic history: {args.requests} requests, {items} offerings "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        page = Path(temp) / "report.html"
        for label, extra in (
            ("json", ("--format", "json")),
            ("html", ("--format", "html", "--out", str(page))),
        ):
            print(
                f"pac report --format {label}, in-process (best of 3): {in_process(root, *extra)}"
            )
            print(
                f"pac report --format {label}, CLI subprocess:         "
                f"{subprocess_run(root, *extra):.2f} s"
            )
        print(f"html page: {page.stat().st_size / 1024:.0f} KiB")
        print(f"in-process stages: {stages(root)}")


if __name__ == "__main__":
    main()
