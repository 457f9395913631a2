"""Benchmark the template engine on the synthetic catalog of benchmarks/validate.py.

Prints:
- actions rendered per second: every action (both strategies) of every item, once per
  item, with each item's sample input, as `pac render` and `pac apply` render them;
- the time the static template checks add to a full `pac validate` (target: under 25%
  of the validation time without them).

Usage: python benchmarks/render.py [--items N] [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import PROJECT, build

INPUTS = PROJECT / "tests/fixtures/inputs"
# Synthetic items are copies of the sample items of their category: use those inputs.
INPUT_FOR = {
    "databases": "database-aurora-postgresql-standard",
    "compute": "compute-eks-containerapp",
    "security": "security-parameterstore-standard",
    "messaging": "messaging-kafka-topic",
}


def render_all(root: Path) -> tuple[int, float]:
    from pac.documents.model import CatalogItem
    from pac.documents.repository import Repository
    from pac.fulfilment.rendering import renderer_for
    from pac.fulfilment.tasks import expand
    from pac.templating.namespaces import SystemValues

    repo = Repository(root)
    items = list(repo.items())
    samples = {
        category: yaml.safe_load((INPUTS / f"{offering}.yaml").read_text())
        for category, offering in INPUT_FOR.items()
    }
    started = time.perf_counter()
    rendered = 0
    for item in items:
        assert isinstance(item, CatalogItem)
        system = SystemValues.generate(
            f"req-{item.id}", "dev@company.com", "Dev", "payments", repo.config, "rev"
        )
        renderer = renderer_for(repo, item, samples[item.category], system)
        for mode in ("manual", "automatic") if item.automatic else ("manual",):
            outputs: dict[str, Any] = {}
            for spec in expand(repo, item, {item.id: mode}):
                renderer.render_action(spec, outputs)
                outputs.update({key: f"value-of-{key}" for key in spec.action.outputs})
                rendered += 1
    return rendered, time.perf_counter() - started


def validation_times(root: Path, repeat: int) -> tuple[float, float]:
    from pac.documents.repository import Repository
    from pac.templating import analysis, fastreader, translation
    from pac.validation import run as validation
    from pac.validation.checks.templates import check_bundle_templates, check_item_templates

    # Every run starts cold, as the one-shot `pac validate` of a pre-commit hook or CI job
    # does: nothing learnt from rendering or an earlier run may be reused.
    caches = (
        analysis.analyse,
        fastreader._output_tag,
        fastreader._statement_tag,
        translation.translate,
        translation._rewrite_body,
    )

    def best() -> float:
        runs = []
        for _ in range(repeat):
            for cached in caches:
                cached.cache_clear()
            started = time.perf_counter()
            result = validation.validate(Repository(root))
            runs.append(time.perf_counter() - started)
            assert result.ok, result.diagnostics[:3]
        return min(runs)

    with_checks = best()
    checks = validation.DOCUMENT_CHECKS
    checks["CatalogItem"].remove(check_item_templates)
    checks["CatalogBundle"].remove(check_bundle_templates)
    try:
        without = best()
    finally:
        checks["CatalogItem"].append(check_item_templates)
        checks["CatalogBundle"].append(check_bundle_templates)
    return with_checks, without


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        build(root, args.items, 200, 2000)
        render_all(root)  # compile every template once, as a long-running apply would
        runs = [render_all(root) for _ in range(args.repeat)]
        count, elapsed = min(runs, key=lambda r: r[1])
        print(f"synthetic catalog: {args.items} items")
        print(f"actions rendered:        {count} in {elapsed:.3f} s")
        print(f"actions per second:      {count / elapsed:,.0f}")
        with_checks, without = validation_times(root, args.repeat)
        extra = with_checks - without
        print(f"pac validate, no template checks:   {without:.3f} s")
        print(f"pac validate, with template checks: {with_checks:.3f} s")
        print(
            f"template checks add:     {extra:.3f} s = {extra / without:.1%} of validation "
            "(target < 25%)"
        )


if __name__ == "__main__":
    main()
