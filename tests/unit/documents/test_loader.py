"""Loading YAML with positions: encoding, size, positions of nodes, path text."""

from __future__ import annotations

from pathlib import Path

from pac.diagnostics import Position
from pac.documents.loader import parse_bytes, path_text


def load(text: str | bytes):  # type: ignore[no-untyped-def]
    raw = text.encode() if isinstance(text, str) else text
    return parse_bytes(raw, Path("doc.yaml"), "doc.yaml")


def codes(text: str | bytes) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in load(text).diagnostics]


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


def test_path_text() -> None:
    assert path_text(("input", "form", "groups", 0, "id")) == "input.form.groups[0].id"
    assert path_text(()) == ""
