"""The shape gate (`tools/shape.py`) measures every function, closures and nested classes'
methods included: a branchy inner function cannot hide inside a simple outer one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import PROJECT


@pytest.fixture(scope="module")
def shape() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shape", PROJECT / "tools/shape.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["shape"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _branches(count: int, indent: str) -> str:
    return "".join(f"{indent}if x == {n}:\n{indent}    return {n}\n" for n in range(count))


def _source(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pkg.py").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_rank_f_closure_fails_the_gate(shape: ModuleType, tmp_path: Path) -> None:
    text = "def outer(y):\n    def inner(x):\n" + _branches(45, "        ") + "    return inner\n"
    figures = shape.measure(_source(tmp_path, text))
    assert figures.ranks == [("F", 46, "pkg.py:2 outer.inner")]
    found = shape.problems(figures)
    assert any("pkg.py:2 outer.inner is at radon rank F (CC 46)" in p for p in found)


def test_a_method_of_a_class_inside_a_function_is_measured(
    shape: ModuleType, tmp_path: Path
) -> None:
    text = (
        "def make():\n    class Handler:\n        def handle(self, x):\n"
        + _branches(25, "            ")
        + "    return Handler\n"
    )
    figures = shape.measure(_source(tmp_path, text))
    assert figures.ranks == [("D", 26, "pkg.py:3 make.Handler.handle")]
    assert shape.problems(figures) == []  # one at rank D is within the limit


def test_a_long_closure_counts_as_a_long_function(shape: ModuleType, tmp_path: Path) -> None:
    body = "".join(f"        y{n} = {n}\n" for n in range(70))
    text = f"def outer():\n    def inner():\n{body}    return inner\n"
    figures = shape.measure(_source(tmp_path, text))
    assert [where for _, where in figures.long_functions] == [
        "pkg.py:1 outer",
        "pkg.py:2 outer.inner",
    ]
