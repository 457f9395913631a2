"""Building plain data from a YAML node tree under the YAML 1.2 core schema.

libyaml composes the node tree; our own constructor builds it, which is both faster than
PyYAML's and stricter:

* scalars follow the YAML 1.2 core schema (what editors and JSON tools use), so ``on`` and
  ``yes`` stay strings and get a warning instead of silently becoming booleans;
* duplicate keys, non-string keys and unknown tags are findings instead of being dropped;
* alias expansion is budgeted, so a "billion laughs" file is refused at once.
"""

from __future__ import annotations

import math
import re
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from pac.diagnostics import Diagnostic, Position, Severity

# Far above any real catalog document (a large one has a few thousand nodes), far below
# what it takes to exhaust memory or time.
MAX_NODES = 100_000
# Catalog documents nest about ten levels deep; anything far deeper is a mistake or an
# attack, and would otherwise exhaust Python's stack while the document is built.
MAX_DEPTH = 100

PLAIN_TAG = "pac:plain"  # marks an untagged plain scalar, resolved by `_resolve_plain`
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
MERGE_TAG = "tag:yaml.org,2002:merge"

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
            return PLAIN_TAG if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


try:
    from yaml._yaml import CParser

    class NodeComposer(CParser, _Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Resolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class NodeComposer(Reader, Scanner, Parser, Composer, _Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            _Resolver.__init__(self)


def node_position(node: Node) -> Position:
    mark = node.start_mark
    return Position(mark.line + 1, mark.column + 1)


class AliasLimit(Exception):
    """Aliases expand the document past `MAX_NODES`."""

    def __init__(self, node: Node, recursive: bool) -> None:
        super().__init__()
        self.node = node
        self.recursive = recursive


class TooDeep(Exception):
    """The document nests past `MAX_DEPTH` (or an alias refers to its own container)."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


class Builder:
    """Builds plain data from a node tree, recording problems as findings."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.budget = MAX_NODES
        self.depth = 0
        self.diagnostics: list[Diagnostic] = []

    def finding(self, node: Node, severity: Severity, code: str, message: str, hint: str) -> None:
        pos = node_position(node)
        self.diagnostics.append(
            Diagnostic(self.display, pos.line, pos.column, severity, code, message, hint)
        )

    def build(self, node: Node) -> Any:
        # The hot path of loading: keep it free of calls for the common cases (plain
        # words and quoted strings). Depth is counted for collections only; a recursive
        # alias ends at the depth limit too, and the caller tells the two apart.
        self.budget -= 1
        if self.budget < 0:
            raise AliasLimit(node, recursive=False)
        cls = type(node)
        if cls is ScalarNode:
            tag = node.tag
            value = node.value
            if tag == PLAIN_TAG:
                if value and value[0] not in _NUMBER_START and value not in _SPECIAL_WORDS:
                    return value
                return self.plain(node, value)  # type: ignore[arg-type]
            if tag == _STR:
                return value
            return self.scalar(node)  # type: ignore[arg-type]
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooDeep(node)
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
            if key == "<<" and key_node.tag == PLAIN_TAG:
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
        if tag == PLAIN_TAG:
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
