"""Benchmark `pac export` on the synthetic catalog of benchmarks/validate.py, at two sizes.

Prints the export time for each size and the time per offering, which should stay flat
(linear growth), without and with `--backstage` (a Software Template per offering, a
Resource per request): the plain export must not pay for Backstage.

Usage: python benchmarks/export.py [--sizes 1000 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--requests", type=int, default=None, help="requests (default: one per item)"
    )
    args = parser.parse_args()
    from pac.authoring.backstage import publishing

    pub = publishing("https://github.com/acme/catalog", "main", {}, "https://acme.github.io/c")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch) / "repo"
            requests = size if args.requests is None else args.requests
            build(root, items=size, bundles=size // 10, requests=requests)
            for label, backstage in (("site", None), ("site + backstage", pub)):
                best, files, shown = _best(root, Path(scratch), args.repeat, backstage)
                print(
                    f"{size:>5} items + {size // 10:>4} bundles + {requests:>5} requests, {label}: "
                    f"{best:6.2f} s, {files} files, {best / shown * 1e3:.2f} ms per offering"
                )


def _best(root: Path, scratch: Path, repeat: int, backstage: Any) -> tuple[float, int, int]:
    from pac.authoring.export import export
    from pac.documents.repository import Repository

    runs = []
    for attempt in range(repeat):
        out = scratch / f"site-{attempt}-{backstage is not None}"
        started = time.perf_counter()
        result = export(Repository(root), out, backstage=backstage)
        runs.append(time.perf_counter() - started)
    return min(runs), result.files, result.offerings


if __name__ == "__main__":
    main()
