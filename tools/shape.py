"""The shape gate: pac's code stays easy to enter (issue 12's targets), checked in CI.

Prints the figures (module sizes, long functions, radon ranks) and exits 1 when a limit is
passed, naming what passed it. Limits are counts, not a per-function ban, so one honest
exception (a parser's dispatch) does not need a suppression comment — but the count is small.

    python tools/shape.py [--quiet]
"""

from __future__ import annotations

import ast
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from radon.complexity import cc_rank, cc_visit_ast
from radon.visitors import Class

SOURCE = Path(__file__).resolve().parents[1] / "src" / "pac"
MAX_MODULE_LINES = 500
# One concern, long because YAML is: the loader may pass the size limit (the issue allows it).
MODULE_EXCEPTIONS = frozenset({"documents/loader.py"})
LONG_FUNCTION_LINES = 60
MAX_LONG_FUNCTIONS = 5
MAX_RANK_D = 3
FORBIDDEN_RANKS = frozenset({"E", "F"})


@dataclass(frozen=True)
class Figures:
    sizes: dict[str, int]
    long_functions: list[tuple[int, str]]
    ranks: list[tuple[str, int, str]]


def measure(source: Path = SOURCE) -> Figures:
    sizes: dict[str, int] = {}
    long_functions: list[tuple[int, str]] = []
    ranks: list[tuple[str, int, str]] = []
    for path in sorted(source.rglob("*.py")):
        name = path.relative_to(source).as_posix()
        text = path.read_text(encoding="utf-8")
        sizes[name] = len(text.splitlines())
        tree = ast.parse(text)
        for qualname, node in _functions(tree):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > LONG_FUNCTION_LINES:
                long_functions.append((length, f"{name}:{node.lineno} {qualname}"))
        for lineno, qualname, complexity in _complexities(tree):
            rank = cc_rank(complexity)
            if rank >= "D":
                ranks.append((rank, complexity, f"{name}:{lineno} {qualname}"))
    return Figures(sizes, sorted(long_functions, reverse=True), sorted(ranks, reverse=True))


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, Function]]:
    """Every function, method and closure, at any depth, with its dotted name."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, Function | ast.ClassDef):
            name = f"{prefix}{child.name}"
            if isinstance(child, Function):
                yield name, child
            yield from _functions(child, f"{name}.")
        else:
            yield from _functions(child, prefix)


def _complexities(tree: ast.Module) -> Iterator[tuple[int, str, int]]:
    """(line, name, cyclomatic complexity) of every class radon ranks and of every function
    at any depth. radon's own list leaves closures out (and their branches out of the
    function around them too), so each function is measured alone: a closure as itself."""
    for block in cc_visit_ast(tree):
        if isinstance(block, Class):
            yield block.lineno, block.fullname, block.complexity
    for qualname, node in _functions(tree):
        (block, *_) = cc_visit_ast(ast.Module(body=[node], type_ignores=[]))
        yield node.lineno, qualname, block.complexity


def problems(figures: Figures) -> list[str]:
    found = [
        f"{name} has {lines} lines (limit {MAX_MODULE_LINES}): split it by concern"
        for name, lines in figures.sizes.items()
        if lines > MAX_MODULE_LINES and name not in MODULE_EXCEPTIONS
    ]
    if len(figures.long_functions) > MAX_LONG_FUNCTIONS:
        found.append(
            f"{len(figures.long_functions)} functions over {LONG_FUNCTION_LINES} lines "
            f"(limit {MAX_LONG_FUNCTIONS}): break the newest into small functions"
        )
    rank_d = [r for r in figures.ranks if r[0] == "D"]
    if len(rank_d) > MAX_RANK_D:
        found.append(f"{len(rank_d)} functions at radon rank D (limit {MAX_RANK_D})")
    found += [
        f"{where} is at radon rank {rank} (CC {cc}): none may be E or F; use a table or "
        "small functions"
        for rank, cc, where in figures.ranks
        if rank in FORBIDDEN_RANKS
    ]
    return found


def report(figures: Figures) -> list[str]:
    sizes = sorted(figures.sizes.values())
    largest = max(figures.sizes, key=lambda n: figures.sizes[n])
    return [
        f"modules: {len(sizes)}; median {statistics.median(sizes):.0f} lines; "
        f"largest {largest} ({figures.sizes[largest]})",
        f"functions over {LONG_FUNCTION_LINES} lines: {len(figures.long_functions)}",
        *(f"  {n} lines  {where}" for n, where in figures.long_functions),
        f"functions at radon rank D or worse: {len(figures.ranks)}",
        *(f"  {rank} (CC {cc})  {where}" for rank, cc, where in figures.ranks),
    ]


def main(argv: list[str]) -> int:
    figures = measure()
    if "--quiet" not in argv:
        print("\n".join(report(figures)))
    found = problems(figures)
    for problem in found:
        print(f"shape: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
