"""Loading YAML documents with the positions of every node.

A file is read, decoded, composed by libyaml (when available) into a node tree and built
into plain Python data under the YAML 1.2 core schema (`yaml_build`); a file that is not a
document is refused with one finding saying why (`yaml_errors`).

The node tree is kept so positions are looked up only when a finding needs one: checking a
valid document costs nothing extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pac.diagnostics import Diagnostic, Position
from pac.documents.scalar_source import scalar_position
from pac.documents.yaml_build import (
    MERGE_TAG,
    PLAIN_TAG,
    AliasLimit,
    Builder,
    NodeComposer,
    TooDeep,
    node_position,
)
from pac.documents.yaml_errors import (
    SYNTAX_HINT,
    refusal,
    syntax_error,
    too_deep,
    too_many_values,
)

JsonPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024
# Unknown escapes read past in one file; past this many the file is refused as before.
MAX_ESCAPES = 32


@dataclass(slots=True)
class Document:
    """One parsed YAML file: its data, its node tree and where it lives."""

    path: Path
    display: str
    text: str
    root: MappingNode
    data: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Unknown escapes in double quotes, reported as `yaml-syntax` and read past (each
    # backslash taken literally) so the rest of the document is checked in the same run.
    read_past: tuple[Diagnostic, ...] = ()

    def node_at(self, path: JsonPath) -> tuple[Node | None, Node]:
        """The (key node, value node) at `path`, or the deepest existing ancestor's."""
        key: Node | None = None
        node: Node = self.root
        for step in path:
            found = _child(node, step)
            if found is None:
                break
            key, node = found
        return key, node

    def position(self, path: JsonPath, *, key: bool = False) -> Position:
        """Where the value at `path` starts (or its key, when `key` is set).

        A path that does not exist points at the deepest mapping or list that does, which
        is where a missing key has to be added.
        """
        key_node, node = self.node_at(path)
        target = key_node if key and key_node is not None else node
        return node_position(target)

    def exists(self, path: JsonPath) -> bool:
        node: Node = self.root
        for step in path:
            found = _child(node, step)
            if found is None:
                return False
            node = found[1]
        return True

    def position_in_scalar(self, path: JsonPath, line: int, column: int = 0) -> Position:
        """Translate a 1-based line (and 0-based column) inside a string value to the file.

        Block scalars (``|`` and ``>``) start on the line after their indicator; quoted
        scalars start one column after the quote.
        """
        key, node = self.node_at(path)
        return scalar_position(self.text, key, node, line, column)


def _child(node: Node, step: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode) and isinstance(step, str):
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value == step and key_node.tag != MERGE_TAG:
                    return key_node, value_node
                if key_node.value == "<<" and key_node.tag == PLAIN_TAG:
                    merged.append(value_node)
        for source in merged:
            for candidate in source.value if isinstance(source, SequenceNode) else [source]:
                found = _child(candidate, step)
                if found is not None:
                    return found
        return None
    if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return None, node.value[step]
    return None


@dataclass(slots=True)
class LoadResult:
    document: Document | None
    diagnostics: list[Diagnostic]


def load_file(path: Path, display: str) -> LoadResult:
    """Read and parse one file. Problems with its content are findings; a file that cannot
    be read at all is a system error (`RepositoryError`, exit code 2)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        from pac.errors import RepositoryError

        raise RepositoryError(
            f"cannot read {display}: {exc.strerror or exc}",
            "Check that the file exists and that you may read it.",
        ) from exc
    return parse_bytes(raw, path, display)


class _Refused(Exception):
    """The file is not a document; `finding` says why."""

    def __init__(self, finding: Diagnostic) -> None:
        super().__init__()
        self.finding = finding


def parse_bytes(raw: bytes, path: Path, display: str) -> LoadResult:
    """Parse a YAML file's bytes into a `Document`, or explain why it cannot be one."""
    try:
        text = _decode(raw, display)
        root, read_past = _compose_reading_past(text, display)
        data, diagnostics = _build(root, display)
    except _Refused as refused:
        return LoadResult(None, [refused.finding])
    diagnostics[:0] = read_past
    document = Document(path, display, text, root, data, diagnostics, tuple(read_past))
    return LoadResult(document, diagnostics)


def _decode(raw: bytes, display: str) -> str:
    """The file's text: at most `MAX_FILE_BYTES` of UTF-8, without a byte order mark."""
    if len(raw) > MAX_FILE_BYTES:
        raise _Refused(
            refusal(
                display,
                Position(1, 1),
                "yaml-too-large",
                f"the file is {len(raw) // 1024} KiB; catalog documents are limited to "
                f"{MAX_FILE_BYTES // 1024} KiB",
                "Split the document, or move long text into a template under templates/.",
            )
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise _Refused(
            refusal(
                display,
                Position(line, column),
                "yaml-encoding",
                f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                "Save the file as UTF-8; most editors offer this under 'Save with encoding'.",
            )
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _compose_reading_past(text: str, display: str) -> tuple[MappingNode, list[Diagnostic]]:
    """The node tree, reading past unknown escapes in double quotes (`"^\\d+$"`).

    Each is reported, then its backslash is doubled (the value the author meant) and the
    text composed again, at most `MAX_ESCAPES` times; the nodes' marks are then moved back
    to the file's own columns and offsets, so every other finding points where it should.
    """
    patched = text
    inserted: list[tuple[int, int, int]] = []  # (index, line, column) in the patched text
    findings: list[Diagnostic] = []
    while True:
        try:
            root = _compose(patched, display, final=len(inserted) >= MAX_ESCAPES)
        except _UnknownEscape as escape:
            mark = escape.exc.problem_mark
            assert mark is not None
            finding = syntax_error(escape.exc, patched, display)
            shift = sum(1 for _, line, col in inserted if line == mark.line and col < mark.column)
            findings.append(replace(finding, column=finding.column - shift))
            inserted.append((mark.index, mark.line, mark.column))
            patched = patched[: mark.index] + "\\" + patched[mark.index :]
            continue
        if inserted:
            marks_back(root, inserted)
        return root, findings


class _UnknownEscape(Exception):
    def __init__(self, exc: yaml.MarkedYAMLError) -> None:
        super().__init__()
        self.exc = exc


def _compose(text: str, display: str, *, final: bool = True) -> MappingNode:
    """The node tree of the file's one document, which must be a mapping."""
    composer = NodeComposer(text)
    try:
        root = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        if not final and exc.problem_mark is not None and _is_unknown_escape(exc, text):
            raise _UnknownEscape(exc) from None
        raise _Refused(syntax_error(exc, text, display)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - errors without a position
        raise _Refused(
            refusal(display, Position(1, 1), "yaml-syntax", str(exc), SYNTAX_HINT)
        ) from None
    finally:
        composer.dispose()
    if root is None:
        raise _Refused(
            refusal(
                display,
                Position(1, 1),
                "yaml-empty",
                "the file contains no YAML document",
                "Start from a template in templates/ or delete the file.",
            )
        )
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise _Refused(
            refusal(
                display,
                node_position(root),
                "yaml-not-mapping",
                f"the document is {kind}; it must be a mapping of keys to values",
                "A catalog document starts with `schemaVersion:` and `kind:` at the left margin.",
            )
        )
    return root


def _is_unknown_escape(exc: yaml.MarkedYAMLError, text: str) -> bool:
    mark = exc.problem_mark
    return (
        "unknown escape character" in (exc.problem or "")
        and mark is not None
        and text[mark.index : mark.index + 1] == "\\"
    )


def marks_back(root: Node, inserted: list[tuple[int, int, int]]) -> None:
    """Move every node's marks from the patched text back to the file's own text."""
    seen: set[int] = set()
    stack: list[Node] = [root]
    while stack:  # over distinct nodes: an alias is the same node again
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        node.start_mark = _mark_back(node.start_mark, inserted)
        node.end_mark = _mark_back(node.end_mark, inserted)
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            stack.extend(part for pair in node.value for part in pair)


def _mark_back(mark: Any, inserted: list[tuple[int, int, int]]) -> yaml.Mark:
    before = sum(1 for index, _, _ in inserted if index < mark.index)
    on_line = sum(1 for _, line, col in inserted if line == mark.line and col < mark.column)
    return yaml.Mark(mark.name, mark.index - before, mark.line, mark.column - on_line, None, 0)


def _build(root: MappingNode, display: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The document's data and the findings made while building it."""
    builder = Builder(display)
    try:
        data = builder.build(root)
    except TooDeep as exc:
        raise _Refused(too_deep(root, exc.node, display)) from None
    except AliasLimit as exc:
        raise _Refused(too_many_values(root, exc.node, display)) from None
    diagnostics: list[Diagnostic] = []
    diagnostics.extend(builder.diagnostics)
    return data, diagnostics


def path_text(path: Sequence[str | int]) -> str:
    """`('input', 'form', 'groups', 0, 'id')` -> `input.form.groups[0].id`."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else step
    return out
