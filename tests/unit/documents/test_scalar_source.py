"""Positions inside string values point at the source, whatever the scalar style."""

from __future__ import annotations

import string

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pac.diagnostics import Position
from tests.unit.documents.test_loader import load


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
        "k: >2-\n   :\n  :\n\n  {{ .x }}\n",  # a more-indented line keeps its break
        "k: >\n  a\n    indented\n\n  b {{ .x }}\n",
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
