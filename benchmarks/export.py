"""Benchmark `pac export` on the synthetic catalog of benchmarks/validate.py, at two sizes.

Prints the export time for each size and the time per offering, which should stay flat
(linear growth).

With --requests N the catalog also has N requests, so the request and team pages (and
the taken ids every form reads) are measured too.

Usage: python benchmarks/export.py [--sizes 1000 2000] [--requests 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--requests", type=int, default=0)
    args = parser.parse_args()
    from pac.authoring.export import export
    from pac.documents.repository import Repository

    for size in args.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch) / "repo"
            build(root, items=size, bundles=size // 10, requests=args.requests)
            runs = []
            for attempt in range(args.repeat):
                started = time.perf_counter()
                result = export(Repository(root), Path(scratch) / f"site{attempt}")
                runs.append(time.perf_counter() - started)
            best = min(runs)
            print(
                f"{size:>5} items + {size // 10:>4} bundles: {best:6.2f} s, "
                f"{result.files} files, {best / result.offerings * 1e3:.2f} ms per offering"
            )


if __name__ == "__main__":
    main()
