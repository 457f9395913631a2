"""Start-up cost of the commands run most often: `pac --help` and `pac validate FILE`.

`pac validate` on one file runs on every commit (pre-commit), so its start-up is what a
platform engineer feels. Prints, for each command, the median wall time of N runs and how
many modules the interpreter imported (a count, which load on the machine does not change).

Usage: python benchmarks/startup.py [--runs N] [--source SRC_DIR]
  --source: run another checkout's `src` (to compare two revisions on one machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_FILE = "catalog/databases/database-aurora-postgresql-standard.yaml"


def wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, check=True)
    return time.perf_counter() - started


def modules_imported(args: list[str], env: dict[str, str]) -> int:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pac", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return sum(1 for line in done.stderr.splitlines() if line.startswith("import time:")) - 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--source", type=Path, default=PROJECT / "src")
    options = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(options.source.resolve()), "NO_COLOR": "1"}
    # As installed for people: bytecode is cached after the first run. (Some sandboxes set
    # PYTHONDONTWRITEBYTECODE, which would measure compiling pac's source on every start.)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for label, args in (
        ("pac --help", ["--help"]),
        ("pac validate FILE", ["validate", SAMPLE_FILE]),
    ):
        command = [sys.executable, "-m", "pac", *args]
        wall(command, env)  # warm the file system cache and the schema cache
        times = [wall(command, env) for _ in range(options.runs)]
        print(
            f"{label:20} median {statistics.median(times) * 1000:6.0f} ms "
            f"(min {min(times) * 1000:.0f}, {options.runs} runs), "
            f"{modules_imported(args, env)} modules imported"
        )


if __name__ == "__main__":
    main()
