"""Setting one key under a request file's `operations:` by editing its text, not by
re-dumping the YAML: comments, key order, quoting and layout stay as the requester wrote
them, so the pull request `pac upgrade` opens shows one changed line per file.

Every edit is verified by loading the new text again: the document must equal the old one
with only that key set. An edit that cannot be verified is refused, never written.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from pac.errors import PacError

OPERATIONS = "operations"
# libyaml when present: `pac upgrade` edits and re-reads thousands of files. Its marks
# count characters, as the pure-Python parser's do, so the edit positions are the same.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class EditRefused(PacError):
    """The file's YAML is laid out so that pac cannot change it safely by itself."""

    exit_code = 1


def set_operation(text: str, key: str, value: str) -> str:
    """`text` with `operations.<key>: <value>` set, changing as few characters as possible.

    No `operations:` yet: one line `operations: {key: value}` is added at the end. A block
    `operations:` mapping gets a line in its own indentation after its last entry; a flow
    mapping (`operations: {retry: 1}`) gets `, key: value` before its `}`; an existing
    `key` has only its value replaced.
    """
    rendered = _scalar(value)
    root = _compose(text)
    operations = _value_of(root, OPERATIONS)
    if operations is None:
        edited = _append_line(text, f"{OPERATIONS}: {{{key}: {rendered}}}")
    elif not isinstance(operations, MappingNode):
        raise EditRefused(
            "`operations:` is not a mapping",
            f"Write `operations: {{{key}: {rendered}}}` into the file by hand.",
        )
    else:
        existing = _value_of(operations, key)
        if existing is not None:
            edited = _replace(text, existing, rendered, key)
        elif operations.flow_style:
            edited = _into_flow(text, operations, f"{key}: {rendered}")
        else:
            edited = _into_block(text, operations, f"{key}: {rendered}")
    _verify(text, edited, key, value)
    return edited


def _scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as the same string (`1.3.0` needs no
    quotes; `1.3` would read as a number and is quoted)."""
    plain = yaml.safe_load(value) if value.strip() == value and value else None
    return value if plain == value else yaml.safe_dump(value, default_style='"').strip()


def _compose(text: str) -> MappingNode:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise EditRefused(
            f"the file is not valid YAML ({exc})", "Fix it first: `pac validate` shows where."
        ) from None
    if not isinstance(root, MappingNode):
        raise EditRefused("the file is not a request document", "Run `pac validate` on it.")
    return root


def _value_of(mapping: MappingNode, key: str) -> Node | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            found: Node = value_node
            return found
    return None


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _append_line(text: str, line: str) -> str:
    newline = _newline(text)
    body = text if not text or text.endswith(("\n", "\r")) else text + newline
    if body.rstrip().endswith(("---", "...")):
        raise EditRefused(
            "the file ends with a YAML document marker",
            f"Write `{line}` into the request's top level by hand.",
        )
    return body + line + newline


def _replace(text: str, node: Node, rendered: str, key: str) -> str:
    if not isinstance(node, ScalarNode):
        raise EditRefused(
            f"`{OPERATIONS}.{key}` is not a plain value",
            f"Write `{key}: {rendered}` under `{OPERATIONS}:` by hand.",
        )
    start, end = node.start_mark.index, node.end_mark.index
    return text[:start] + rendered + text[end:]


def _into_flow(text: str, mapping: MappingNode, entry: str) -> str:
    start, close = mapping.start_mark.index, mapping.end_mark.index - 1
    if text[start : start + 1] != "{" or text[close : close + 1] != "}":
        raise EditRefused(
            f"cannot find the braces of `{OPERATIONS}: {{…}}`",
            f"Add `{entry}` inside it by hand.",
        )
    inner = text[start + 1 : close]
    if not inner.strip():
        return text[: start + 1] + entry + text[close:]
    kept = inner.rstrip()
    joiner = " " if kept.endswith(",") else ", "
    # What followed the last entry (spaces, a line break before `}`) stays after the new one.
    return text[: start + 1] + kept + joiner + entry + inner[len(kept) :] + text[close:]


def _into_block(text: str, mapping: MappingNode, entry: str) -> str:
    first_key, _ = mapping.value[0]
    _, last_value = mapping.value[-1]
    if not isinstance(last_value, ScalarNode):
        raise EditRefused(
            f"the last entry of `{OPERATIONS}:` spans several lines",
            f"Add `{entry}` under `{OPERATIONS}:` by hand.",
        )
    line_end = text.find("\n", last_value.end_mark.index)
    at = len(text) if line_end < 0 else line_end + 1
    newline = _newline(text)
    lead = "" if line_end >= 0 else newline
    indent: int = first_key.start_mark.column
    return text[:at] + lead + " " * indent + entry + newline + text[at:]


def _verify(before: str, after: str, key: str, value: str) -> None:
    """The edit changed exactly `operations.<key>`: anything else is refused."""
    try:
        old: Any = yaml.load(before, Loader=_Loader)
        new: Any = yaml.load(after, Loader=_Loader)
    except yaml.YAMLError:
        new = None
        old = {}
    expected = dict(old)
    operations = dict(expected.get(OPERATIONS) or {})
    operations[key] = value
    expected[OPERATIONS] = operations
    if new != expected:
        raise EditRefused(
            f"pac could not set `{OPERATIONS}.{key}` without changing something else",
            f"Write `{key}: {value}` under `{OPERATIONS}:` by hand.",
        )
