"""Benchmark `pac upgrade`: a repository of 2,000 Kafka topic requests with their statuses,
half fulfilled with an older item version, a quarter current, a quarter failed.

Prints the wall time of a dry run, of the run that marks the old ones (one line written
into each request file), and of a second run that finds nothing to do; and checks the
counts each reports.

Usage: python benchmarks/upgrade.py [--requests 2000]
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
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "src"))

from pac.records.states import RequestState  # noqa: E402
from pac.records.status import RequestStatus  # noqa: E402
from pac.records.store import StatusStore  # noqa: E402
from synthetic import copy_sample_catalog  # noqa: E402

ITEM = "messaging-kafka-topic"


def build(root: Path, count: int) -> str:
    """The sample catalog and `count` requests of the Kafka topic; returns its version."""
    copy_sample_catalog(root)
    sample = (PROJECT / "requests/payments/payments-events.yaml").read_text()
    folder = root / "requests/payments"
    folder.mkdir(parents=True)
    shutil.copy2(PROJECT / "requests/payments/payments-events.avsc", folder)
    text = (root / "catalog/messaging/messaging-kafka-topic.yaml").read_text()
    version = text.split("\n  version: ", 1)[1].split("\n", 1)[0]
    store = StatusStore(root)
    for index in range(count):
        request = f"topic-{index:05d}"
        (folder / f"{request}.yaml").write_text(sample.replace("payments-events", request))
        state = RequestState.FAILED if index % 4 == 3 else RequestState.COMPLETED
        used = version if index % 4 == 2 else "0.9.0"
        store.save(RequestStatus(request, state, item_versions={ITEM: used}))
    return version


def timed(root: Path, *args: str) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "src"), "NO_COLOR": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pac", "upgrade", ITEM, "-o", "json", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    count = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        version = build(root, count)
        dry, planned = timed(root, "--dry-run")
        marked_at, marked = timed(root)
        again_at, again = timed(root)
    print(f"pac upgrade {ITEM} to {version}: {count} requests with statuses")
    print(
        f"  dry run:        {dry:6.2f} s  ({len(planned['marked'])} would be marked)"  # type: ignore[arg-type]
    )
    print(
        f"  marking run:    {marked_at:6.2f} s  ({len(marked['marked'])} marked, "  # type: ignore[arg-type]
        f"{len(marked['current'])} current, {len(marked['skipped'])} skipped)"  # type: ignore[arg-type]
    )
    print(
        f"  second run:     {again_at:6.2f} s  ({len(again['marked'])} marked, "  # type: ignore[arg-type]
        f"{len(again['alreadyMarked'])} already marked)"  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()
