"""Benchmark `pac validate` on a synthetic catalog of 2,000 items, 200 bundles, 2,000 requests.

Prints, from one run:
- the floor: parsing every file with PyYAML's C loader (read + parse, nothing else);
- full `pac validate` of the repository, in-process, and its ratio to the floor
  (target: <= 1.5x);
- the wall time of the `pac validate <file>` command on one changed file, the pre-commit
  case (target: < 0.5 s), with a cold and a warm schema cache.

Usage: python benchmarks/validate.py [--items N] [--bundles N] [--requests N] [--keep DIR]
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

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import build


def parse_floor(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        with path.open("rb") as handle:
            yaml.load(handle, Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def full_validate(root: Path) -> tuple[float, int, int]:
    from pac.documents.repository import Repository
    from pac.validation.run import validate

    started = time.perf_counter()
    result = validate(Repository(root))
    elapsed = time.perf_counter() - started
    return elapsed, len(result.checked), len(result.diagnostics)


def command_wall(root: Path, target: Path, cache: Path) -> float:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pac", "validate", str(target.relative_to(root))],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"pac validate failed:\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--bundles", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch) / "repo"
        written = build(root, args.items, args.bundles, args.requests)
        paths = [root / "catalog/categories.yaml", root / "pac.yaml"]
        paths += written["items"] + written["bundles"] + written["requests"]
        print(
            f"synthetic catalog: {len(written['items'])} items, {len(written['bundles'])} "
            f"bundles, {len(written['requests'])} requests ({len(paths)} YAML files)"
        )

        # Warm the compiled-schema cache and the OS file cache once, then take the best
        # of several runs for both measurements so they are compared like for like.
        full_validate(root)
        floors = [parse_floor(paths) for _ in range(args.repeat)]
        runs = [full_validate(root) for _ in range(args.repeat)]
        floor = min(floors)
        full, checked, findings = min(runs)
        per_file = floor / len(paths) * 1e3
        print(f"parse only (PyYAML CSafeLoader): {floor:8.3f} s  ({per_file:.3f} ms/file)")
        print(
            f"full pac validate:               {full:8.3f} s  ({full / checked * 1e3:.3f} ms/file, "
            f"{checked} files, {findings} findings)"
        )
        print(f"ratio full / floor:              {full / floor:8.2f}x   (target <= 1.5x)")

        target = written["items"][len(written["items"]) // 2]
        target.write_text(target.read_text().replace("version: ", "version: ", 1))
        cold_cache = Path(scratch) / "cold-cache"
        cold = command_wall(root, target, cold_cache)
        warm = [command_wall(root, target, cold_cache) for _ in range(max(args.repeat, 3))]
        print(f"one changed file, cold cache:    {cold:8.3f} s wall")
        print(
            f"one changed file, warm cache:    {statistics.median(warm):8.3f} s wall "
            f"(median of {len(warm)}; target < 0.5 s)"
        )


if __name__ == "__main__":
    main()
