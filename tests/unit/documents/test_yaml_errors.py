"""Files that are not documents: hostile aliases and nesting, tabs, syntax errors."""

from __future__ import annotations

import time

import pytest

from pac.documents.yaml_build import MAX_DEPTH, MAX_NODES
from tests.unit.documents.test_loader import codes, load


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * 9) + "]")
    started = time.perf_counter()
    result = load("\n".join(lines) + "\n")
    elapsed = time.perf_counter() - started
    assert result.document is None
    assert [d.code for d in result.diagnostics] == ["yaml-alias-limit"]
    assert f"{MAX_NODES:,}" in result.diagnostics[0].message
    # Reported where the copies first pass the limit: l5 (9**6 values), not inside l0.
    assert (result.diagnostics[0].line, result.diagnostics[0].column) == (6, 5)
    # Not a timing assertion on pac's speed: a guard that the limit stops expansion at all.
    assert elapsed < 5


def test_recursive_alias_is_refused() -> None:
    result = load("a: &x [*x]\n")
    assert [d.code for d in result.diagnostics] == ["yaml-alias-limit"]
    assert "recursive" in result.diagnostics[0].message


def test_deep_nesting_is_refused_as_too_deep_not_as_an_alias() -> None:
    text = "".join(" " * level + "k:\n" for level in range(MAX_DEPTH + 50))
    result = load(text)
    assert [(d.code, d.line) for d in result.diagnostics] == [("yaml-too-large", MAX_DEPTH + 1)]
    assert f"more than {MAX_DEPTH} levels" in result.diagnostics[0].message


def test_deep_nesting_built_from_aliases_is_refused() -> None:
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, MAX_DEPTH + 5)]
    assert [c for c, *_ in codes("\n".join(lines) + "\n")] == ["yaml-too-large"]


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  b: |\n    x\n    \ty\n",  # a tab inside a block scalar is content
        "a: [\n\t1,\n\t2]\n",  # flow collections may use tabs as separators
        "a: 1\nb:\t2\n",  # between a key and its value
    ],
)
def test_tabs_where_yaml_allows_them_are_accepted(text: str) -> None:
    assert codes(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("yaml-empty", 1, 1)),
        ("# only a comment\n", ("yaml-empty", 1, 1)),
        ("- a\n- b\n", ("yaml-not-mapping", 1, 1)),
        ("just text\n", ("yaml-not-mapping", 1, 1)),
        ("a: 1\n---\nb: 2\n", ("yaml-multiple-documents", 2, 1)),
        ("a: [1, 2\nb: 3\n", ("yaml-syntax", 2, 2)),
        ("a: b: c\n", ("yaml-syntax", 1, 5)),
        ("a:\n\tb: 1\n", ("yaml-tab", 2, 1)),
        ("a: 1\n\t# comment\n", ("yaml-tab", 2, 1)),
        ("a:\n  - b\n  \t- c\n", ("yaml-tab", 3, 3)),
        ("a: >\n  x\n\t\n  y\n", ("yaml-tab", 3, 1)),
        ("a: " + "[" * 2000 + "]" * 2000 + "\n", ("yaml-syntax", 1, 1003)),
        ("a: *nowhere\n", ("yaml-syntax", 1, 4)),
        ("? [x]\n: 1\n", ("yaml-key-type", 1, 3)),
    ],
)
def test_broken_files_are_findings_with_positions(
    text: str, expected: tuple[str, int, int]
) -> None:
    assert codes(text) == [expected]
