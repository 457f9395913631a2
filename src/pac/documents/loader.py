"""Loading YAML documents with the positions of every node.

Documents are composed by libyaml (when available) into a node tree and built into plain
Python data by our own constructor, which is both faster than PyYAML's and stricter:

* scalars follow the YAML 1.2 core schema (what editors and JSON tools use), so ``on`` and
  ``yes`` stay strings and get a warning instead of silently becoming booleans;
* duplicate keys, non-string keys and unknown tags are findings instead of being dropped;
* alias expansion is budgeted, so a "billion laughs" file is refused at once.

The node tree is kept so positions are looked up only when a finding needs one: checking a
valid document costs nothing extra.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from pac.diagnostics import Diagnostic, Position, Severity

JsonPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024
# Far above any real catalog document (a large one has a few thousand nodes), far below
# what it takes to exhaust memory or time.
MAX_NODES = 100_000
# Catalog documents nest about ten levels deep; anything far deeper is a mistake or an
# attack, and would otherwise exhaust Python's stack while the document is built.
MAX_DEPTH = 100

_PLAIN = "pac:plain"  # marks an untagged plain scalar, resolved by `_resolve_plain`
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
# Booleans only in YAML 1.1: PyYAML and some CI systems read them as true/false, editors and
# JSON tools as strings. We read them as strings and warn so nobody is surprised.
_YAML11_BOOLS = frozenset(
    "y Y yes Yes YES n N no No NO on On ON off Off OFF".split()  # noqa: SIM905
)
_INT_RE = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_NUMBER_START = frozenset("-+.0123456789")
# Read differently by YAML 1.1: a leading zero (octal there), digit groups with `_`, and
# base-60 numbers such as a time of day (numbers there, text in YAML 1.2).
_YAML11_NUMBER = re.compile(
    r"[-+]?0[0-9]+|[-+]?[0-9][0-9_]*_[0-9_]*|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
)
_SPECIAL_WORDS = _NULLS | _TRUE | _FALSE | _YAML11_BOOLS


class _Resolver(BaseResolver):
    """Leaves plain scalars unresolved so the constructor applies the YAML 1.2 core schema."""

    # Path-based resolvers are not used; skipping their bookkeeping saves a call per node.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


try:
    from yaml._yaml import CParser

    class _Composer(CParser, _Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Resolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Composer(Reader, Scanner, Parser, Composer, _Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _Resolver.__init__(self)


@dataclass(slots=True)
class Document:
    """One parsed YAML file: its data, its node tree and where it lives."""

    path: Path
    display: str
    text: str
    root: MappingNode
    data: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)

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
        return _position(target)

    def _explicit_indent(self, key: Node | None, node: Node) -> int | None:
        """A block scalar's `|2` indentation indicator, as a column (mapping values only)."""
        header = self.text.split("\n", node.start_mark.line + 1)[node.start_mark.line]
        match = _BLOCK_HEADER.match(header, node.start_mark.column)
        if match is None or not match.group(1) or key is None:
            return None
        return key.start_mark.column + int(match.group(1))

    def _scalar_source_position(
        self, node: ScalarNode, line: int, column: int, indent: int | None = None
    ) -> Position | None:
        start, end = node.start_mark, node.end_mark
        try:
            begin = _absolute(self.text, start.line, start.column)
            stop = _absolute(self.text, end.line, end.column)
        except ValueError:
            return None
        decoded = _decode_scalar(self.text[begin:stop], node.style, indent)
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
        line_start = self.text.rfind("\n", 0, index) + 1
        return Position(self.text.count("\n", 0, index) + 1, index - line_start + 1)

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
        start = node.start_mark
        style = getattr(node, "style", None)
        explicit = self._explicit_indent(key, node) if style in ("|", ">") else None
        if isinstance(node, ScalarNode) and style != "|":
            # Quoted, plain and folded scalars are not the file's text: escapes and folded
            # line breaks move everything after them. Map through the scalar's source.
            found = self._scalar_source_position(node, line, column, explicit)
            if found is not None:
                return found
        if isinstance(node, ScalarNode) and style in ("|", ">"):
            # Content starts on the line after the indicator: its line 1 is start.line + 1
            # (0-based), so its line N is start.line + N, or start.line + N + 1 one-based.
            indent = explicit if explicit is not None else _block_indent(self.text, start.line + 1)
            return Position(start.line + line + 1, indent + column + 1)
        if line <= 1:
            quote = 1 if style in ('"', "'") else 0
            return Position(start.line + 1, start.column + quote + column + 1)
        return Position(start.line + line, column + 1)


def _absolute(text: str, line: int, column: int) -> int:
    """The index in `text` of a 0-based line and column."""
    index = 0
    for _ in range(line):
        index = text.index("\n", index) + 1
    return index + column


_ESCAPE_WIDTH = {"x": 2, "u": 4, "U": 8}


_BLOCK_HEADER = re.compile(r"[|>][-+]?([1-9])?")


def _decode_scalar(
    raw: str, style: str | None, block_indent: int | None = None
) -> tuple[str, list[int]] | None:
    """A quoted, plain or folded scalar's value as YAML reads it from its source `raw`,
    with the index in `raw` each value character comes from; None for shapes it does not
    follow (then callers fall back to a coarser position)."""
    out: list[str] = []
    where: list[int] = []
    if style == ">":
        first = raw.find("\n")
        if first < 0:
            return None
        pos = first + 1
        lines = raw[pos:].split("\n")
        while lines and not lines[-1].strip():
            lines.pop()  # trailing blank lines: only chomping, no text
        indent = block_indent
        if indent is None:
            indent = min((len(x) - len(x.lstrip(" ")) for x in lines if x.strip()), default=0)
        previous_text = False
        empty = 0
        for text in lines:
            if not text.strip():
                empty += 1
            elif text[indent:].startswith((" ", "\t")):
                return None  # more-indented lines keep their breaks: rarely used
            else:
                # Between text lines a break is a space; empty lines are one newline each.
                joint = ("\n" * empty or " ") if previous_text else "\n" * empty
                out.append(joint)
                where.extend([pos] * len(joint))
                out.extend(text[indent:])
                where.extend(range(pos + indent, pos + len(text)))
                previous_text = True
                empty = 0
            pos += len(text) + 1
        return "".join(out), where
    quote = style if style in ('"', "'") else ""
    i, end = (1, len(raw) - 1) if quote else (0, len(raw))
    while i < end:
        ch = raw[i]
        if ch in " \t\n" and raw[i:end].lstrip(" \t").startswith("\n"):
            # A line break with the spaces around it folds into one space, or into one
            # newline per empty line that follows.
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
            out.append("\n" * breaks or " ")
            where.extend([i] * max(breaks, 1))
            continue
        if quote == '"' and ch == "\\" and i + 1 < end:
            escape = raw[i + 1]
            if escape == "\n":  # an escaped line break joins the lines
                i += 2
                while i < end and raw[i] in " \t":
                    i += 1
                continue
            width = 2 + _ESCAPE_WIDTH.get(escape, 0)
            try:
                decoded = yaml.safe_load('"' + raw[i : i + width] + '"')
            except yaml.YAMLError:
                return None
            out.append(str(decoded))
            where.append(i)
            i += width
            continue
        if quote == "'" and raw.startswith("''", i):
            out.append("'")
            where.append(i)
            i += 2
            continue
        out.append(ch)
        where.append(i)
        i += 1
    return "".join(out), where


def _child(node: Node, step: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode) and isinstance(step, str):
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value == step and key_node.tag != _MERGE:
                    return key_node, value_node
                if key_node.value == "<<" and key_node.tag == _PLAIN:
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


def _position(node: Node) -> Position:
    mark = node.start_mark
    return Position(mark.line + 1, mark.column + 1)


def _block_indent(text: str, line_index: int) -> int:
    lines = text.splitlines()
    for candidate in lines[line_index:]:
        if candidate.strip():
            return len(candidate) - len(candidate.lstrip(" "))
    return 0


class _AliasLimit(Exception):
    def __init__(self, node: Node, recursive: bool) -> None:
        super().__init__()
        self.node = node
        self.recursive = recursive


class _TooDeep(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


class _Builder:
    """Builds plain data from a node tree, recording problems as findings."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.budget = MAX_NODES
        self.depth = 0
        self.diagnostics: list[Diagnostic] = []

    def finding(self, node: Node, severity: Severity, code: str, message: str, hint: str) -> None:
        pos = _position(node)
        self.diagnostics.append(
            Diagnostic(self.display, pos.line, pos.column, severity, code, message, hint)
        )

    def build(self, node: Node) -> Any:
        # The hot path of loading: keep it free of calls for the common cases (plain
        # words and quoted strings). Depth is counted for collections only; a recursive
        # alias ends at the depth limit too, and the caller tells the two apart.
        self.budget -= 1
        if self.budget < 0:
            raise _AliasLimit(node, recursive=False)
        cls = type(node)
        if cls is ScalarNode:
            tag = node.tag
            value = node.value
            if tag == _PLAIN:
                if value and value[0] not in _NUMBER_START and value not in _SPECIAL_WORDS:
                    return value
                return self.plain(node, value)  # type: ignore[arg-type]
            if tag == _STR:
                return value
            return self.scalar(node)  # type: ignore[arg-type]
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(node)
        if cls is SequenceNode:
            if node.tag != _SEQ:
                self.unknown_tag(node)
            items = [self.build(item) for item in node.value]
            self.depth -= 1
            return items
        if node.tag != _MAP:
            self.unknown_tag(node)
        mapping = self.mapping(node)  # type: ignore[arg-type]
        self.depth -= 1
        return mapping

    def unknown_tag(self, node: Node) -> None:
        self.finding(
            node,
            Severity.ERROR,
            "yaml-tag",
            f"the tag '{node.tag}' is not supported",
            "Catalog documents are plain data: remove the tag and write the value itself.",
        )

    def mapping(self, node: MappingNode) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Node] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.finding(
                    key_node,
                    Severity.ERROR,
                    "yaml-key-type",
                    "a key must be a plain string, not a list or mapping",
                    "Write the key as a simple word such as `instanceClass`.",
                )
                continue
            key = key_node.value
            if key == "<<" and key_node.tag == _PLAIN:
                merges.append(value_node)
                continue
            if key in first_seen:
                line = first_seen[key].start_mark.line + 1
                self.finding(
                    key_node,
                    Severity.ERROR,
                    "yaml-duplicate-key",
                    f"duplicate key '{key}' (first defined on line {line})",
                    "YAML keeps only one of the two values; delete or merge one of them.",
                )
                continue
            first_seen[key] = key_node
            result[key] = self.build(value_node)
        for source in merges:
            self.merge(result, source)
        return result

    def merge(self, result: dict[str, Any], source: Node) -> None:
        sources = source.value if isinstance(source, SequenceNode) else [source]
        for candidate in sources:
            if not isinstance(candidate, MappingNode):
                self.finding(
                    candidate,
                    Severity.ERROR,
                    "yaml-key-type",
                    "a merge key (<<) must refer to a mapping",
                    "Point `<<:` at an anchored mapping, e.g. `<<: *defaults`.",
                )
                continue
            for key, value in self.build(candidate).items():
                result.setdefault(key, value)

    def scalar(self, node: ScalarNode) -> Any:
        value: str = node.value
        tag = node.tag
        if tag == _PLAIN:
            return self.plain(node, value)
        if tag == _STR:
            return value
        if tag in (_INT, _FLOAT, _BOOL, _NULL):
            resolved = _resolve_plain(value)
            wanted = {_INT: int, _FLOAT: float, _BOOL: bool, _NULL: type(None)}[tag]
            if tag == _FLOAT and isinstance(resolved, int) and not isinstance(resolved, bool):
                return float(resolved)
            if isinstance(resolved, float) and not math.isfinite(resolved):
                self.not_json(node, value)
                return resolved
            if isinstance(resolved, wanted) and not (wanted is int and isinstance(resolved, bool)):
                return resolved
            self.finding(
                node,
                Severity.ERROR,
                "yaml-tag",
                f"'{value}' is not a valid {tag.rsplit(':', 1)[-1]}",
                "Remove the tag or correct the value.",
            )
            return value
        self.unknown_tag(node)
        return value

    def plain(self, node: ScalarNode, value: str) -> Any:
        if value in _YAML11_BOOLS:
            self.finding(
                node,
                Severity.WARNING,
                "yaml-ambiguous-value",
                f"'{value}' is read as the string \"{value}\", but YAML 1.1 tools read it as "
                "a boolean",
                f"Write true or false for a boolean, or quote it ('{value}') for a string.",
            )
            return value
        resolved = _resolve_plain(value)
        if isinstance(resolved, float) and not math.isfinite(resolved):
            self.not_json(node, value)
        elif value and value[0] in _NUMBER_START and _YAML11_NUMBER.fullmatch(value):
            self.yaml11_number(node, value, resolved)
        return resolved

    def yaml11_number(self, node: ScalarNode, value: str, resolved: Any) -> None:
        # YAML 1.1 (PyYAML, many CI tools) reads a leading 0 as octal, and `1_000` and
        # `1:30` (base 60) as numbers; YAML 1.2 and JSON tools do not.
        sign = -1 if value.startswith("-") else 1
        digits = value.lstrip("+-")
        if isinstance(resolved, int):
            octal = set(digits) <= set("01234567")
            other = f"the octal number {sign * int(digits, 8)}" if octal else "a string"
            message = (
                f"'{value}' is read as the number {resolved}, but YAML 1.1 tools read it as {other}"
            )
            hint = f"Write {resolved} for the number, or quote it ('{value}') for text."
        else:
            number = 0
            for part in digits.replace("_", "").split(":"):
                number = number * 60 + int(part)
            message = (
                f"'{value}' is read as the string \"{value}\", but YAML 1.1 tools read it as the "
                f"number {sign * number}"
            )
            hint = f"Quote it ('{value}') for text, or write {sign * number} for the number."
        self.finding(node, Severity.WARNING, "yaml-ambiguous-value", message, hint)

    def not_json(self, node: ScalarNode, value: str) -> None:
        # JSON has no NaN or infinity: portals and the JSON API could not carry the value,
        # and NaN passes every min/max comparison of a form.
        self.finding(
            node,
            Severity.ERROR,
            "schema-type",
            f"'{value}' is not a number JSON can hold (it has no NaN or infinity)",
            "Write a finite number, or quote the value to mean the text.",
        )


def _resolve_plain(value: str) -> Any:
    if not value or value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if value[0] in _NUMBER_START:
        if _INT_RE.fullmatch(value):
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        if _FLOAT_RE.fullmatch(value):
            # Python spells the YAML specials without the dot: `.inf` -> `inf`.
            return float(value.replace(".", "", 1) if value[-1] in "fFnN" else value)
    return value


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


def _fail(display: str, pos: Position, code: str, message: str, hint: str) -> LoadResult:
    return LoadResult(
        None, [Diagnostic(display, pos.line, pos.column, Severity.ERROR, code, message, hint)]
    )


def parse_bytes(raw: bytes, path: Path, display: str) -> LoadResult:
    """Parse a YAML file's bytes into a `Document`, or explain why it cannot be one."""
    if len(raw) > MAX_FILE_BYTES:
        return _fail(
            display,
            Position(1, 1),
            "yaml-too-large",
            f"the file is {len(raw) // 1024} KiB; catalog documents are limited to "
            f"{MAX_FILE_BYTES // 1024} KiB",
            "Split the document, or move long text into a template under templates/.",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        return _fail(
            display,
            Position(line, column),
            "yaml-encoding",
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "Save the file as UTF-8; most editors offer this under 'Save with encoding'.",
        )
    if text.startswith("\ufeff"):
        text = text[1:]

    diagnostics: list[Diagnostic] = []
    composer = _Composer(text)
    try:
        root = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        # A tab where YAML expects indentation makes libyaml fail with a confusing
        # message; the tab finding says what is really wrong. Tabs YAML does allow
        # (inside block scalars and flow collections, between tokens) never get here.
        tab = _tab_finding(exc, text, display) if "\t" in text else None
        return LoadResult(None, [tab or _syntax_finding(exc, display, text)])
    except yaml.YAMLError as exc:  # pragma: no cover - errors without a position
        return _fail(display, Position(1, 1), "yaml-syntax", str(exc), _SYNTAX_HINT)
    finally:
        composer.dispose()

    if root is None:
        return _fail(
            display,
            Position(1, 1),
            "yaml-empty",
            "the file contains no YAML document",
            "Start from a template in templates/ or delete the file.",
        )
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        pos = _position(root)
        return _fail(
            display,
            pos,
            "yaml-not-mapping",
            f"the document is {kind}; it must be a mapping of keys to values",
            "A catalog document starts with `schemaVersion:` and `kind:` at the left margin.",
        )

    builder = _Builder(display)
    try:
        data = builder.build(root)
    except _TooDeep as exc:
        cycle = _recursive_node(root)
        if cycle is not None:
            return _fail(
                display,
                _position(cycle),
                "yaml-alias-limit",
                "an alias refers to the node that contains it (a recursive alias)",
                _ALIAS_HINT,
            )
        return _fail(
            display,
            _position(exc.node),
            "yaml-too-large",
            f"the document nests more than {MAX_DEPTH} levels deep",
            "Catalog documents nest a few levels deep; flatten the structure, or move "
            "long text into a template under templates/.",
        )
    except _AliasLimit as exc:
        return _fail(
            display,
            _position(_expansion_source(root) or exc.node),
            "yaml-alias-limit",
            f"aliases expand this to more than {MAX_NODES:,} values",
            _ALIAS_HINT,
        )
    diagnostics.extend(builder.diagnostics)
    document = Document(path, display, text, root, data, diagnostics)
    return LoadResult(document, diagnostics)


_ALIAS_HINT = "Anchors and aliases may repeat small pieces; write large structures out."


def _expansion_source(root: Node) -> Node | None:
    """Where aliases first blow up: the earliest node whose expansion is over the limit
    while each of its children stays under it (in a "billion laughs" file, the anchored
    list whose copies of the level below first exceed the limit)."""
    limit = MAX_NODES
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:  # post-order over distinct nodes: an alias is the same node again
        node, done = stack.pop()
        if id(node) in sizes and not done:
            continue
        children = _children(node)
        if done:
            total = 1 + sum(sizes.get(id(child), 0) for child in children)
            sizes[id(node)] = min(total, limit + 1)
            continue
        sizes[id(node)] = 0  # in progress: a recursive alias counts as nothing
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children) if id(child) not in sizes)
    if sizes.get(id(root), 0) <= limit:
        return None
    node = root
    while True:
        over = next((c for c in _children(node) if sizes.get(id(c), 0) > limit), None)
        if over is None:
            return node
        node = over


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _recursive_node(root: Node) -> Node | None:
    """The node where an alias refers back to one of its containers, if there is one.

    The walk is bounded: aliases can make the number of paths through a small tree
    explode, and a document that deep is refused either way.
    """
    stack: list[tuple[Node, int]] = [(root, 0)]
    active: list[Node] = []
    visits = 0
    while stack and visits < MAX_NODES:
        visits += 1
        node, depth = stack.pop()
        del active[depth:]
        if any(node is ancestor for ancestor in active):
            return node
        active.append(node)
        if isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in reversed(node.value))
        elif isinstance(node, MappingNode):
            stack.extend((v, depth + 1) for _, v in reversed(node.value))
    return None


def _tab_finding(exc: yaml.MarkedYAMLError, text: str, display: str) -> Diagnostic | None:
    mark = exc.problem_mark
    if mark is None:
        return None
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in indent:
        column = indent.index("\t") + 1
    elif "tab" in (exc.problem or ""):
        column = mark.column + 1
    else:
        return None
    return Diagnostic(
        display,
        mark.line + 1,
        column,
        Severity.ERROR,
        "yaml-tab",
        "a tab is used for indentation; YAML allows only spaces",
        "Replace the tab with spaces (two per level); set your editor to insert spaces for "
        "YAML files.",
    )


_SYNTAX_HINT = (
    "Check the indentation and quoting on this line and the one before it; quote values that "
    "contain ': ', ' #', or start with one of { [ * & ! % @ `."
)
_SPECIFIC_HINTS = (
    ("mapping values are not allowed", "A value containing ': ' must be quoted."),
    ("found undefined alias", "Define the anchor (&name) before using the alias (*name)."),
    ("found duplicate anchor", "Give each anchor (&name) a different name."),
    (
        "could not find expected ':'",
        "A key is missing its colon, or a quoted value is not closed.",
    ),
    ("found unexpected end of stream", "A quoted value or a bracket is not closed."),
    (
        "exceeded maximum nesting depth",
        "Catalog documents nest a few levels deep; look for a run of unclosed brackets.",
    ),
)


def _unknown_escape(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str]:
    """A backslash YAML does not know in a double-quoted string: almost always a regular
    expression (`"^\\d+$"`), where the fix is single quotes, not quoting `': '`."""
    mark = exc.problem_mark
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    column = mark.column if mark is not None else 0
    escape = line[column : column + 2] if line[column : column + 1] == "\\" else "\\"
    message = f"invalid YAML: {escape} in a double-quoted string is not a YAML escape"
    hint = (
        f"In double quotes a backslash starts an escape (\\n, \\t). For a regular "
        f"expression use single quotes ('^{escape}+$'), where a backslash stays as it is, or "
        f'double the backslash ("^\\{escape}+$").'
    )
    return message, hint


def _syntax_finding(exc: yaml.MarkedYAMLError, display: str, text: str = "") -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    if exc.context == "expected a single document in the stream":
        return Diagnostic(
            display,
            line,
            column,
            Severity.ERROR,
            "yaml-multiple-documents",
            "the file holds more than one YAML document",
            "Keep one document per file, named after its id; remove the `---` separator.",
        )
    message = f"invalid YAML: {problem}"
    if exc.context:
        message += f" ({exc.context}"
        context = exc.context_mark
        if context is not None and mark is not None and context.line != mark.line:
            message += f" that starts on line {context.line + 1}"
        message += ")"
    hint = next((h for words, h in _SPECIFIC_HINTS if words in problem), _SYNTAX_HINT)
    if "unknown escape character" in problem:
        message, hint = _unknown_escape(exc, text)
    return Diagnostic(display, line, column, Severity.ERROR, "yaml-syntax", message, hint)


def path_text(path: Sequence[str | int]) -> str:
    """`('input', 'form', 'groups', 0, 'id')` -> `input.form.groups[0].id`."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else step
    return out
