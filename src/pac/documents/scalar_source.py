"""Where a character of a string value is in the file: decoding a scalar's source text.

Quoted, plain and folded scalars are not the file's text (escapes, quote doubling and folded
line breaks move everything after them), so a position inside a string value (a template's
line and column) is mapped back through the scalar's source, character by character.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml
from yaml.nodes import Node, ScalarNode

from pac.diagnostics import Position

_ESCAPE_WIDTH = {"x": 2, "u": 4, "U": 8}
_BLOCK_HEADER = re.compile(r"[|>][-+]?([1-9])?")

# A decoded value: its characters, and for each the index in the source it comes from.
_Out = tuple[list[str], list[int]]
# One way of reading the source at index i (before `end`): the index after what it read,
# or None when the source there is not its business.
_Step = Callable[[str, int, int, _Out], "int | None"]


class _Unfollowed(Exception):
    """A shape the decoder does not follow; the caller falls back to a coarser position."""


def scalar_position(text: str, key: Node | None, node: Node, line: int, column: int) -> Position:
    """Translate a 1-based line (and 0-based column) inside the value `node` to the file.

    Block scalars (``|`` and ``>``) start on the line after their indicator; quoted
    scalars start one column after the quote.
    """
    start = node.start_mark
    style = getattr(node, "style", None)
    explicit = _explicit_indent(text, key, node) if style in ("|", ">") else None
    if isinstance(node, ScalarNode) and style != "|":
        # Quoted, plain and folded scalars are not the file's text: escapes and folded
        # line breaks move everything after them. Map through the scalar's source.
        found = _source_position(text, node, line, column, explicit)
        if found is not None:
            return found
    if isinstance(node, ScalarNode) and style in ("|", ">"):
        # Content starts on the line after the indicator: its line 1 is start.line + 1
        # (0-based), so its line N is start.line + N, or start.line + N + 1 one-based.
        indent = explicit if explicit is not None else _block_indent(text, start.line + 1)
        return Position(start.line + line + 1, indent + column + 1)
    if line <= 1:
        quote = 1 if style in ('"', "'") else 0
        return Position(start.line + 1, start.column + quote + column + 1)
    return Position(start.line + line, column + 1)


def _explicit_indent(text: str, key: Node | None, node: Node) -> int | None:
    """A block scalar's `|2` indentation indicator, as a column (mapping values only)."""
    header = text.split("\n", node.start_mark.line + 1)[node.start_mark.line]
    match = _BLOCK_HEADER.match(header, node.start_mark.column)
    if match is None or not match.group(1) or key is None:
        return None
    return key.start_mark.column + int(match.group(1))


def _source_position(
    text: str, node: ScalarNode, line: int, column: int, indent: int | None
) -> Position | None:
    start, end = node.start_mark, node.end_mark
    try:
        begin = _absolute(text, start.line, start.column)
        stop = _absolute(text, end.line, end.column)
    except ValueError:
        return None
    decoded = decode_scalar(text[begin:stop], node.style, indent)
    if decoded is None:
        return None
    value, where = decoded
    if value.rstrip("\n") != node.value.rstrip("\n"):
        return None  # a shape this reader gets wrong: do not guess
    offset = 0
    for _ in range(max(line, 1) - 1):
        offset = node.value.find("\n", offset) + 1
        if offset <= 0:
            return None
    offset += column
    if offset >= len(where):
        return None
    index = begin + where[offset]
    line_start = text.rfind("\n", 0, index) + 1
    return Position(text.count("\n", 0, index) + 1, index - line_start + 1)


def _absolute(text: str, line: int, column: int) -> int:
    """The index in `text` of a 0-based line and column."""
    index = 0
    for _ in range(line):
        index = text.index("\n", index) + 1
    return index + column


def _block_indent(text: str, line_index: int) -> int:
    lines = text.splitlines()
    for candidate in lines[line_index:]:
        if candidate.strip():
            return len(candidate) - len(candidate.lstrip(" "))
    return 0


def decode_scalar(
    raw: str, style: str | None, block_indent: int | None = None
) -> tuple[str, list[int]] | None:
    """A quoted, plain or folded scalar's value as YAML reads it from its source `raw`,
    with the index in `raw` each value character comes from; None for shapes it does not
    follow (then callers fall back to a coarser position)."""
    try:
        if style == ">":
            return _decode_folded(raw, block_indent)
        return _decode_flow(raw, style if style in ('"', "'") else "")
    except _Unfollowed:
        return None


def _decode_folded(raw: str, block_indent: int | None) -> tuple[str, list[int]]:
    out: list[str] = []
    where: list[int] = []
    first = raw.find("\n")
    if first < 0:
        raise _Unfollowed
    pos = first + 1
    lines = raw[pos:].split("\n")
    while lines and not lines[-1].strip():
        lines.pop()  # trailing blank lines: only chomping, no text
    indent = block_indent
    if indent is None:
        indent = min((len(x) - len(x.lstrip(" ")) for x in lines if x.strip()), default=0)
    previous: bool | None = None  # None before the first text line, else: was it indented
    empty = 0
    for text in lines:
        if not text.strip():
            empty += 1
        else:
            joint = _fold(previous, text[indent:].startswith((" ", "\t")), empty)
            previous = text[indent:].startswith((" ", "\t"))
            out.append(joint)
            where.extend([pos] * len(joint))
            out.extend(text[indent:])
            where.extend(range(pos + indent, pos + len(text)))
            empty = 0
        pos += len(text) + 1
    return "".join(out), where


def _fold(previous: bool | None, indented: bool, empty: int) -> str:
    """What the line break before a text line becomes (YAML 1.2 §8.1.3): between two
    normal lines a space, or one newline per empty line between them; next to a
    more-indented line the break is kept, plus one newline per empty line."""
    if previous is None:
        return "\n" * empty
    if previous or indented:
        return "\n" * (empty + 1)
    return "\n" * empty or " "


def _decode_flow(raw: str, quote: str) -> tuple[str, list[int]]:
    out: _Out = ([], [])
    steps = _FLOW_STEPS[quote]
    i, end = (1, len(raw) - 1) if quote else (0, len(raw))
    while i < end:
        for step in steps:
            moved = step(raw, i, end, out)
            if moved is not None:
                i = moved
                break
        else:
            out[0].append(raw[i])
            out[1].append(i)
            i += 1
    return "".join(out[0]), out[1]


def _line_break(raw: str, i: int, end: int, out: _Out) -> int | None:
    """A line break with the spaces around it folds into one space, or into one newline per
    empty line that follows."""
    if raw[i] not in " \t\n" or not raw[i:end].lstrip(" \t").startswith("\n"):
        return None
    i = raw.index("\n", i) + 1
    breaks = 0
    while True:
        while i < end and raw[i] in " \t":
            i += 1
        if i < end and raw[i] == "\n":
            breaks += 1
            i += 1
            continue
        break
    out[0].append("\n" * breaks or " ")
    out[1].extend([i] * max(breaks, 1))
    return i


def _escape(raw: str, i: int, end: int, out: _Out) -> int | None:
    """A backslash escape of a double-quoted scalar."""
    if raw[i] != "\\" or i + 1 >= end:
        return None
    escape = raw[i + 1]
    if escape == "\n":  # an escaped line break joins the lines
        i += 2
        while i < end and raw[i] in " \t":
            i += 1
        return i
    width = 2 + _ESCAPE_WIDTH.get(escape, 0)
    try:
        decoded = yaml.safe_load('"' + raw[i : i + width] + '"')
    except yaml.YAMLError:
        raise _Unfollowed from None
    out[0].append(str(decoded))
    out[1].append(i)
    return i + width


def _doubled_quote(raw: str, i: int, end: int, out: _Out) -> int | None:
    """`''`: one quote in a single-quoted scalar."""
    if not raw.startswith("''", i):
        return None
    out[0].append("'")
    out[1].append(i)
    return i + 2


_FLOW_STEPS: dict[str, tuple[_Step, ...]] = {
    '"': (_line_break, _escape),
    "'": (_line_break, _doubled_quote),
    "": (_line_break,),
}
