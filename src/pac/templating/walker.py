"""The parser's reading of a template: guarded variables and sandbox escapes in Jinja's tree.

For the templates the fast reader leaves to Jinja. It imports Jinja at the top, so only
`parsed_analysis` imports it, when a template needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes

from pac.documents.suggestions import did_you_mean
from pac.templating.encoders import ENCODERS
from pac.templating.namespaces import NAMESPACES, RESPONSE
from pac.templating.sandbox import environment
from pac.templating.syntax import syntax_error
from pac.templating.translation import CONTEXT_NAME
from pac.templating.usage import ITEM_ID, Problem, Use, guard_key, guarded_by

_UNSAFE_NAMES = frozenset({"self", "__builtins__", "config", "request", "session", "g"})
# Jinja's global functions, removed from pac's sandbox: a template that calls one fails.
_REMOVED_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace"})
_UNSAFE_ATTRS = frozenset(
    {"mro", "func_globals", "f_globals", "f_locals", "gi_frame", "gi_code", "cr_frame"}
)
_GUARDING_TESTS = ("defined", "undefined")
_GUARDING_FILTERS = ("default", "d")
_NO_KEYS: frozenset[str] = frozenset()

# The variable scopes of the seed's format (docs/migration.md), and pac's spelling of each.
SEED_SCOPES = {
    "fields": "{{ .current.<group>.<field> }} (and {{ .current.name }})",
    "request": "{{ .system.requestId }} for its id and {{ .system.user.email }} (.name, .id, "
    ".teams) for its requester",
    "env": "{{ .system.platform.<key> }} for pac.yaml's platform values; a credential is a "
    "secret reference in the action's `authentication` ({secretRef: NAME})",
    "secrets": "a secret reference: a password field, or {secretRef: NAME} in `authentication`",
    "components": "{{ .output.<key> }}, kept by an earlier action's `outputs`",
}


def walk_template(
    jinja_source: str, source: str, uses: list[Use]
) -> tuple[tuple[Use, ...], tuple[Problem, ...]]:
    """Parse the translation of `source` and walk it: the uses (with their guards) and the
    problems; a syntax error is the one problem when Jinja cannot parse it."""
    try:
        tree = environment().parse(jinja_source)
    except TemplateSyntaxError as exc:
        error = syntax_error(exc, source)
        problem = Problem(
            "template-syntax", error.message, error.hint, error.line or 1, error.column
        )
        return (), (problem,)
    walker = _Walker(uses, source, _undeclared(tree))
    walker.visit(tree, _NO_KEYS)
    return tuple(walker.found), tuple(walker.problems)


def _undeclared(tree: nodes.Template) -> frozenset[str]:
    """Bare names the template reads without defining them (`{{ current.name }}`)."""
    if not any(
        n.ctx == "load" and n.name != CONTEXT_NAME and n.name not in ENCODERS
        for n in tree.find_all(nodes.Name)
    ):
        return frozenset()  # the usual case: only pac's variables, no analysis needed
    return frozenset(meta.find_undeclared_variables(tree) - {CONTEXT_NAME, *ENCODERS})


def _chain(node: nodes.Node) -> tuple[str, tuple[str, ...]] | None:
    """The namespace and path of a translated reference (`_pac["current"]["name"]`)."""
    steps: list[str] = []
    while isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        steps.append(str(node.arg.value))
        node = node.node
    if isinstance(node, nodes.Name) and node.name == CONTEXT_NAME and steps:
        steps.reverse()
        return steps[0], tuple(steps[1:])
    return None


def _defined_tests(test: nodes.Node) -> tuple[frozenset[str], frozenset[str]]:
    """What is known to exist (`guard_key`s) in the body (`is defined`) and in the else
    branch: `.output` keys and `.metadata` paths."""
    if isinstance(test, nodes.Not):
        positive, negative = _defined_tests(test.node)
        return negative, positive
    if isinstance(test, nodes.And):
        left, right = _defined_tests(test.left), _defined_tests(test.right)
        return left[0] | right[0], _NO_KEYS
    if isinstance(test, nodes.Or):
        left, right = _defined_tests(test.left), _defined_tests(test.right)
        return _NO_KEYS, left[1] | right[1]
    if isinstance(test, nodes.Test) and test.name in _GUARDING_TESTS:
        chain = _chain(test.node)
        guard = guard_key(*chain) if chain else None
        if guard is not None:
            key = frozenset({guard})
            return (key, _NO_KEYS) if test.name == "defined" else (_NO_KEYS, key)
    return _NO_KEYS, _NO_KEYS


def _attribute_names(node: nodes.Filter) -> list[str]:
    """The attributes a filter reads by name: selectattr('__class__'),
    map(attribute='__class__'), sort(attribute='x._y')."""
    named = [k.value for k in node.kwargs if k.key == "attribute"]
    if node.name in ("selectattr", "rejectattr") and node.args:
        named.append(node.args[0])
    values = (arg.value if isinstance(arg, nodes.Const) else None for arg in named)
    return [value for value in values if isinstance(value, str)]


class _Walker:
    """Finds guarded variables and sandbox escapes in a Jinja syntax tree.

    `visit` dispatches on the node's class to one `visit_<Class>` method, as Jinja's own
    NodeVisitor does; nodes without one are only descended into. `guards` are
    what `is defined` tests proved to exist where the node stands (`guard_key`)."""

    def __init__(self, uses: list[Use], source: str, undeclared: frozenset[str]) -> None:
        self.undeclared = set(undeclared)
        self.lines = source.splitlines()
        self.positions: dict[tuple[str, tuple[str, ...], int], list[int]] = {}
        for use in uses:
            self.positions.setdefault((use.namespace, use.path, use.line), []).append(use.column)
        self.found: list[Use] = []
        self.problems: list[Problem] = []
        self.dotted: dict[str, tuple[str, ...]] = {}  # bare name -> the attributes read on it

    def visit(self, node: nodes.Node, guards: frozenset[str]) -> None:
        _VISITORS.get(type(node), _Walker.visit_children)(self, node, guards)

    def visit_children(self, node: nodes.Node, guards: frozenset[str]) -> None:
        for child in node.iter_child_nodes():
            self.visit(child, guards)

    def visit_Getitem(self, node: nodes.Getitem, guards: frozenset[str]) -> None:
        chain = _chain(node)
        if chain is not None:
            namespace, path = chain
            guarded = guarded_by(namespace, path, guards)
            self._record(namespace, path, node.lineno, guarded)
            return
        if (
            isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and node.arg.value.startswith("__")
        ):
            self._unsafe(node, f"the item {node.arg.value!r}", node.arg.value)
        self.visit_children(node, guards)

    def visit_Test(self, node: nodes.Test, guards: frozenset[str]) -> None:
        if node.name in _GUARDING_TESTS:
            inner = _chain(node.node)
            if inner is not None:
                self._record(inner[0], inner[1], node.lineno, True)
                return
        self._known(node, "test", environment().tests)
        self.visit_children(node, guards)

    def visit_Filter(self, node: nodes.Filter, guards: frozenset[str]) -> None:
        if node.name in _GUARDING_FILTERS and node.node:
            inner = _chain(node.node)
            if inner is not None:
                self._record(inner[0], inner[1], node.lineno, True)
                for child in [*node.args, *node.kwargs]:
                    self.visit(child, guards)
                return
        self._known(node, "filter", environment().filters)
        if node.name == "attr":
            self._unsafe(node, "attributes by name (the attr filter)", "attr")
        for value in _attribute_names(node):
            if any(p.startswith("_") for p in value.split(".")):
                self._unsafe(node, f"the attribute {value!r}", value)
        self.visit_children(node, guards)

    def visit_Getattr(self, node: nodes.Getattr, guards: frozenset[str]) -> None:
        dotted = _dotted(node)
        if dotted is not None:  # the outermost is visited first: the whole chain is kept
            self.dotted.setdefault(*dotted)
        if node.attr.startswith("_") or node.attr in _UNSAFE_ATTRS:
            self._unsafe(node, f"the attribute {node.attr!r}", node.attr)
        self.visit_children(node, guards)

    def visit_Name(self, node: nodes.Name, guards: frozenset[str]) -> None:
        name = node.name
        if name in _UNSAFE_NAMES and name in SEED_SCOPES:
            # The seed's `{{request.id}}`: the name is forbidden, but what was meant is known.
            self._unsafe(node, f"the name {name!r}", name, _seed_hint(name))
        elif name in _UNSAFE_NAMES or (
            name.startswith("_") and name != CONTEXT_NAME and name not in ENCODERS
        ):
            self._unsafe(node, f"the name {name!r}", name)
        if name == CONTEXT_NAME:
            self._unsafe(node, "pac's context object itself")
        if name in self.undeclared:
            self.undeclared.discard(name)  # one finding per name
            self._undefined_name(node)

    def visit_other_template(self, node: nodes.Node, guards: frozenset[str]) -> None:
        self._unsafe(node, "another template")
        self.visit_children(node, guards)

    def visit_If(self, node: nodes.If, guards: frozenset[str]) -> None:
        # Each `elif` is reached only when every test before it failed, so what those
        # failures prove holds in it and in the `else`, as the fast reader has it.
        for branch in (node, *node.elif_):
            guards = self._branch(branch.test, branch.body, guards)
        self._visit_all(node.else_, guards)

    def visit_CondExpr(self, node: nodes.CondExpr, guards: frozenset[str]) -> None:
        otherwise = self._branch(node.test, [node.expr1], guards)
        self._visit_all([node.expr2], otherwise)

    def _branch(self, test: nodes.Node, body: list[Any], guards: frozenset[str]) -> frozenset[str]:
        """Visit a test and the body it guards; returns the guards where the test failed."""
        positive, negative = _defined_tests(test)
        self.visit(test, guards)
        self._visit_all(body, guards | positive)
        return guards | negative

    def _visit_all(self, children: list[Any], guards: frozenset[str]) -> None:
        for child in children:
            if child is not None:
                self.visit(child, guards)

    def _record(self, namespace: str, path: tuple[str, ...], line: int, guarded: bool) -> None:
        columns = self.positions.get((namespace, path, line)) or [0]
        column = columns.pop(0) if len(columns) > 1 else columns[0]
        self.found.append(Use(namespace, path, line, column, guarded))

    def _column(self, line: int, needle: str) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return max(text.find(needle), 0) if needle else 0

    def _known(self, node: nodes.Filter | nodes.Test, kind: str, known: Any) -> None:
        """A filter or test Jinja does not have: reported with the nearest name."""
        if node.name in known:
            return
        suggestion = did_you_mean(node.name, known)
        self.problems.append(
            Problem(
                "template-syntax",
                f"there is no {kind} named {node.name!r}",
                (f"Did you mean {suggestion!r}? " if suggestion else "")
                + "See Jinja's list of built-in filters and tests.",
                node.lineno or 1,
                self._column(node.lineno or 1, node.name),
            )
        )

    def _unsafe(self, node: nodes.Node, what: str, needle: str = "", hint: str = "") -> None:
        line = getattr(node, "lineno", 1) or 1
        self.problems.append(
            Problem(
                "template-unsafe",
                f"the template reaches for {what}, which the sandbox forbids",
                hint
                or "Templates read pac's variables and use filters; Python internals, other "
                "templates and `self` are out of reach.",
                line,
                self._column(line, needle),
            )
        )

    def _undefined_name(self, node: nodes.Name) -> None:
        name = node.name
        if name in _UNSAFE_NAMES or name.startswith("_"):
            return  # reported as unsafe already
        line = getattr(node, "lineno", 1) or 1
        code, message, hint = _undefined_name_finding(name, self.dotted.get(name, ()))
        self.problems.append(Problem(code, message, hint, line, self._column(line, name)))


def _dotted(node: nodes.Getattr) -> tuple[str, tuple[str, ...]] | None:
    """The bare name and the attributes a chain reads on it (`request.user.email`)."""
    attributes: list[str] = []
    inner: nodes.Node = node
    while isinstance(inner, nodes.Getattr):
        attributes.append(inner.attr)
        inner = inner.node
    if not isinstance(inner, nodes.Name):
        return None
    return inner.name, tuple(reversed(attributes))


def _seed_hint(name: str) -> str:
    return f"{{{{{name}.…}}}} is the seed's spelling: in pac write {SEED_SCOPES[name]}."


def _namespace_hint(name: str, path: tuple[str, ...]) -> str:
    """How to write a namespace read without its dot, as exactly as the text allows."""
    if name == "metadata" and path:
        # The seed's {{metadata.id}} reads the item's own metadata; pac's is keyed by id.
        return (
            f"Write {{{{ .metadata.{ITEM_ID}.{'.'.join(path)} }}}}: in pac .metadata holds "
            "each catalog document's metadata under its id."
        )
    written = ".".join((name, *path)) if path else f"{name}.<path>"
    return f"Write {{{{ .{written} }}}}: without the dot it is an undefined name."


def _undefined_name_finding(name: str, path: tuple[str, ...]) -> tuple[str, str, str]:
    """The code, message and hint for a bare name the template never defines (`path`:
    the attributes the template reads on it)."""
    if name in _REMOVED_GLOBALS:
        return (
            "template-unsafe",
            f"the template calls Jinja's global {name!r}, which pac's sandbox removes",
            "Templates work on pac's variables: loop over a list from the request "
            "({% for x in .current.group.field %}) and use filters such as join.",
        )
    if name in (*NAMESPACES, RESPONSE):
        return (
            "template-namespace",
            f"{name!r} has no leading dot, so it is not the namespace .{name}",
            _namespace_hint(name, path),
        )
    if name in SEED_SCOPES:
        hint = _seed_hint(name)
    elif name in environment().filters:
        hint = (
            f"{name!r} is a filter, and Jinja writes a filter after the value it works on, "
            f"not as a function call: {{{{ .current.<group>.<field> | {name} }}}}."
        )
    else:
        hint = (
            "pac's variables start with a dot and a namespace (.current, .output, "
            ".metadata, .system); a name without a dot must first be set with "
            "{% set %} or by a {% for %} loop."
        )
    return "template-namespace", f"{name!r} is not defined in this template", hint


_VISITORS: dict[type[nodes.Node], Callable[[_Walker, Any, frozenset[str]], None]] = {
    nodes.Getitem: _Walker.visit_Getitem,
    nodes.Test: _Walker.visit_Test,
    nodes.Filter: _Walker.visit_Filter,
    nodes.Getattr: _Walker.visit_Getattr,
    nodes.Name: _Walker.visit_Name,
    nodes.Import: _Walker.visit_other_template,
    nodes.FromImport: _Walker.visit_other_template,
    nodes.Include: _Walker.visit_other_template,
    nodes.Extends: _Walker.visit_other_template,
    nodes.If: _Walker.visit_If,
    nodes.CondExpr: _Walker.visit_CondExpr,
}
