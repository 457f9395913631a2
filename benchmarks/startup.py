"""Start-up cost of the commands run most often: `pac --help` and `pac validate FILE`.

`pac validate` on one file runs on every commit (pre-commit), so its start-up is what a
platform engineer feels. For each command and each source tree it prints the median and
minimum wall time of N runs, the minimum CPU time (user + system of the child, which
other load on the machine inflates least), and how many modules the interpreter imported,
all of them and pac's own (counts, which load does not change at all).

Trees are compared on one machine by interleaving their runs in a random order, round
after round, so a burst of load falls on all of them alike; each reads the same input
file from the same folder (`--repo`), with bytecode cached as when pac is installed.

Usage: python benchmarks/startup.py [--runs N] [--source SRC_DIR ...] [--repo DIR]
  --source: a checkout's `src` (repeat it to compare revisions; default: this checkout's).
  --repo: the catalog repository to run in (default: this checkout); give an older
          revision's when comparing with it, so every tree reads a file it understands.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_FILE = "catalog/databases/database-aurora-postgresql-standard.yaml"
COMMANDS = (("pac --help", ("--help",)), ("pac validate FILE", ("validate", SAMPLE_FILE)))


@dataclass
class Case:
    label: str
    args: tuple[str, ...]
    env: dict[str, str]
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)


def run(case: Case, cwd: Path) -> tuple[float, float]:
    """Wall and CPU time of one run (the child's user + system time)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "pac", *case.args],
        cwd=cwd,
        env=case.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{case.label}: pac exited {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime


def modules_imported(case: Case, cwd: Path) -> tuple[int, int]:
    """How many modules one run imports: all, and pac's own."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pac", *case.args],
        cwd=cwd,
        env=case.env,
        capture_output=True,
        text=True,
        check=False,
    )
    names = [
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "self [us]" not in line
    ]
    return len(names), sum(1 for name in names if name == "pac" or name.startswith("pac."))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--source", type=Path, action="append")
    parser.add_argument("--repo", type=Path, default=PROJECT)
    options = parser.parse_args()
    sources = [path.resolve() for path in options.source or [PROJECT / "src"]]
    base = {**os.environ, "NO_COLOR": "1"}
    base.pop("PAC_REPO", None)
    # As installed for people: bytecode is cached after the first run. (Some sandboxes set
    # PYTHONDONTWRITEBYTECODE, which would measure compiling pac's source on every start.)
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    cases = [
        Case(f"{label} [{source}]", args, {**base, "PYTHONPATH": str(source)})
        for label, args in COMMANDS
        for source in sources
    ]
    for case in cases:  # warm the file system cache, the bytecode and the schema cache
        run(case, options.repo)
        run(case, options.repo)
    for _ in range(options.runs):
        random.shuffle(cases)
        for case in cases:
            wall, cpu = run(case, options.repo)
            case.walls.append(wall)
            case.cpus.append(cpu)
    for case in sorted(cases, key=lambda c: c.label):
        everything, own = modules_imported(case, options.repo)
        print(
            f"{case.label}\n    wall median {statistics.median(case.walls) * 1000:4.0f} ms "
            f"(min {min(case.walls) * 1000:.0f}), CPU min {min(case.cpus) * 1000:.0f} ms, "
            f"{options.runs} runs; {everything} modules imported, {own} of them pac's"
        )


if __name__ == "__main__":
    main()
