"""Loading YAML with positions: scalars, strictness, hostile input."""

from __future__ import annotations

import string
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pac.diagnostics import Position
from pac.documents.loader import parse_bytes, path_text
from pac.documents.yaml_build import MAX_DEPTH, MAX_NODES


def load(text: str | bytes):  # type: ignore[no-untyped-def]
    raw = text.encode() if isinstance(text, str) else text
    return parse_bytes(raw, Path("doc.yaml"), "doc.yaml")


def codes(text: str | bytes) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in load(text).diagnostics]


def test_scalars_follow_the_yaml_1_2_core_schema() -> None:
    doc = load(
        "a: 1\nb: -2.5\nc: true\nd: ~\ne: 0x1f\nf: 0o17\ng: .inf\nh: 2024-01-01\n"
        "i: 1.2.0\nj: '3'\nk: null\nl:\nm: 1e3\n"
    ).document
    assert doc is not None
    assert doc.data == {
        "a": 1,
        "b": -2.5,
        "c": True,
        "d": None,
        "e": 31,
        "f": 15,
        "g": float("inf"),
        "h": "2024-01-01",
        "i": "1.2.0",
        "j": "3",
        "k": None,
        "l": None,
        "m": 1000.0,
    }


@pytest.mark.parametrize("text", ["a: .nan\n", "a: -.inf\n", "a: !!float .inf\n", "a: 1e400\n"])
def test_numbers_json_cannot_hold_are_refused(text: str) -> None:
    assert codes(text) == [("schema-type", 1, 4)]


def test_yaml_1_1_booleans_stay_strings_with_a_warning() -> None:
    result = load("enabled: yes\nmode: on\nquoted: 'no'\n")
    assert result.document is not None
    assert result.document.data == {"enabled": "yes", "mode": "on", "quoted": "no"}
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [
        ("yaml-ambiguous-value", "warning"),
        ("yaml-ambiguous-value", "warning"),
    ]


@pytest.mark.parametrize(
    ("value", "data", "yaml11"),
    [
        ("012", 12, "the octal number 10"),
        ("019", 19, "a string"),
        ("1_000", "1_000", "the number 1000"),
        ("12:30", "12:30", "the number 750"),
    ],
)
def test_numbers_yaml_1_1_reads_differently_get_a_warning(
    value: str, data: object, yaml11: str
) -> None:
    result = load(f"a: {value}\n")
    assert result.document is not None
    assert result.document.data == {"a": data}
    [finding] = result.diagnostics
    assert (finding.code, finding.severity.value) == ("yaml-ambiguous-value", "warning")
    assert finding.message.endswith(f"YAML 1.1 tools read it as {yaml11}")


def test_plain_numbers_and_versions_get_no_warning() -> None:
    assert codes("a: 0\nb: 10\nc: 0.5\nd: 1.2.0\ne: 09:30\nf: 0x1F\n") == []


def test_explicit_core_tags_are_honoured_and_checked() -> None:
    result = load("a: !!str 12\nb: !!int '7'\nc: !!int seven\n")
    assert result.document is not None
    assert result.document.data["a"] == "12"
    assert result.document.data["b"] == 7
    assert [(d.code, d.line) for d in result.diagnostics] == [("yaml-tag", 3)]


def test_duplicate_keys_are_reported_at_the_second_key() -> None:
    assert codes("a: 1\nb:\n  c: 1\n  c: 2\n") == [("yaml-duplicate-key", 4, 3)]


def test_merge_keys_fill_but_never_override() -> None:
    doc = load("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n").document
    assert doc is not None
    assert doc.data["child"] == {"x": 1, "y": 3}


def test_aliases_are_deep_copies() -> None:
    doc = load("a: &x {k: [1]}\nb: *x\n").document
    assert doc is not None
    doc.data["a"]["k"].append(2)
    assert doc.data["b"] == {"k": [1]}


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


def test_non_utf8_bytes_point_at_the_byte() -> None:
    assert codes(b"name: ok\nother: caf\xe9\n") == [("yaml-encoding", 2, 11)]


def test_byte_order_mark_is_accepted() -> None:
    doc = load("\ufeffa: 1\n".encode()).document
    assert doc is not None
    assert doc.data == {"a": 1}


def test_oversized_files_are_refused_before_parsing() -> None:
    assert codes(b"a: 1\n#" + b"x" * (1024 * 1024)) == [("yaml-too-large", 1, 1)]


def test_positions_of_values_keys_and_missing_keys() -> None:
    doc = load("top:\n  list:\n    - id: a\n      value: 1\n    - {id: b}\n").document
    assert doc is not None
    assert doc.position(("top", "list", 0, "value")) == Position(4, 14)
    assert doc.position(("top", "list", 0, "value"), key=True) == Position(4, 7)
    assert doc.position(("top", "list", 1, "id")) == Position(5, 12)
    # A key that does not exist points at the mapping that should hold it.
    assert doc.position(("top", "list", 1, "missing")) == Position(5, 7)
    assert doc.position(("top", "absent", "deeper")) == Position(2, 3)


def test_positions_inside_block_and_quoted_scalars() -> None:
    doc = load('a: |\n  line one\n  line two\nb: "x {{ y }}"\n').document
    assert doc is not None
    assert doc.position_in_scalar(("a",), line=2, column=5) == Position(3, 8)
    assert doc.position_in_scalar(("b",), line=1, column=2) == Position(4, 7)


@pytest.mark.parametrize(
    "text",
    [
        'k: "tab\\t \\"q\\" \\u00e9 {{ .x }}"\n',  # escapes before the variable
        "k: 'it''s {{ .x }}'\n",  # a doubled quote
        "k: plain\n  more {{ .x }}\n",  # a plain scalar over two lines
        'k: "first\n  second {{ .x }}"\n',  # a quoted scalar over two lines
        'k: "joined\\\n  {{ .x }}"\n',  # an escaped line break
        "k: >\n  folded\n  more {{ .x }}\n",  # a folded block
        "k: >-\n  folded\n\n  after a gap {{ .x }}\nnext: 1\n",
        'k: "two\n\n  paragraphs {{ .x }}"\n',
    ],
)
def test_positions_inside_any_scalar_point_at_the_source(text: str) -> None:
    doc = load(text).document
    assert doc is not None
    value = doc.data["k"]
    offset = value.index("{{ .x }}") + 3
    line = value.count("\n", 0, offset) + 1
    column = offset - (value.rfind("\n", 0, offset) + 1)
    position = doc.position_in_scalar(("k",), line=line, column=column)
    source_lines = text.split("\n")
    assert source_lines[position.line - 1][position.column - 1 :].startswith(".x }}"), (
        value,
        position,
    )


def test_path_text() -> None:
    assert path_text(("input", "form", "groups", 0, "id")) == "input.form.groups[0].id"
    assert path_text(()) == ""


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=string.ascii_letters + "  {}.'\"\\\n\t#:-é", max_size=60),
    st.booleans(),
    st.sampled_from(['"', "'", None, ">", "|"]),
    st.sampled_from([20, 40, 80]),
)
def test_a_position_inside_any_yaml_scalar_style_points_at_the_source(
    text: str, first: bool, style: str | None, width: int
) -> None:
    value = "{{ .x }}" + text if first else text + "{{ .x }}"
    source = yaml.safe_dump({"k": value}, default_style=style, width=width, allow_unicode=True)
    doc = load(source).document
    assume(doc is not None and doc.data.get("k") == value)
    assert doc is not None
    offset = value.index("{{ .x }}") + 3
    line = value.count("\n", 0, offset) + 1
    column = offset - (value.rfind("\n", 0, offset) + 1)
    position = doc.position_in_scalar(("k",), line=line, column=column)
    assert source.split("\n")[position.line - 1][position.column - 1 :].startswith(".x"), source
