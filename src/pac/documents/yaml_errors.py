"""Why a file is not a document: YAML syntax errors, tabs, and aliases or nesting past the limits.

libyaml's messages are terse; these findings say what is really wrong and how to fix it,
at the line and column where it is.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from pac.diagnostics import Diagnostic, Position, Severity
from pac.documents.yaml_build import MAX_DEPTH, MAX_NODES, node_position

_ALIAS_HINT = "Anchors and aliases may repeat small pieces; write large structures out."


def refusal(display: str, pos: Position, code: str, message: str, hint: str) -> Diagnostic:
    """The one finding of a file that is not a document."""
    return Diagnostic(display, pos.line, pos.column, Severity.ERROR, code, message, hint)


def syntax_error(exc: yaml.MarkedYAMLError, text: str, display: str) -> Diagnostic:
    """What libyaml's complaint means, where it is."""
    # A tab where YAML expects indentation makes libyaml fail with a confusing
    # message; the tab finding says what is really wrong. Tabs YAML does allow
    # (inside block scalars and flow collections, between tokens) never get here.
    tab = _tab_finding(exc, text, display) if "\t" in text else None
    return tab or _syntax_finding(exc, display, text)


def too_deep(root: Node, deepest: Node, display: str) -> Diagnostic:
    """A document nested past `MAX_DEPTH`: by an alias to its own container, or by hand."""
    cycle = _recursive_node(root)
    if cycle is not None:
        return refusal(
            display,
            node_position(cycle),
            "yaml-alias-limit",
            "an alias refers to the node that contains it (a recursive alias)",
            _ALIAS_HINT,
        )
    return refusal(
        display,
        node_position(deepest),
        "yaml-too-large",
        f"the document nests more than {MAX_DEPTH} levels deep",
        "Catalog documents nest a few levels deep; flatten the structure, or move "
        "long text into a template under templates/.",
    )


def too_many_values(root: Node, last: Node, display: str) -> Diagnostic:
    """A document whose aliases expand past `MAX_NODES`, at the anchor that blows up."""
    return refusal(
        display,
        node_position(_expansion_source(root) or last),
        "yaml-alias-limit",
        f"aliases expand this to more than {MAX_NODES:,} values",
        _ALIAS_HINT,
    )


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


SYNTAX_HINT = (
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
    hint = next((h for words, h in _SPECIFIC_HINTS if words in problem), SYNTAX_HINT)
    if "unknown escape character" in problem:
        message, hint = _unknown_escape(exc, text)
    return Diagnostic(display, line, column, Severity.ERROR, "yaml-syntax", message, hint)
