"""Static checks of templates: they parse, and every variable they use will exist.

Runs inside `pac validate` on items (each template against the item's own form and
actions) and on bundles (each component's templates against the bundle's form, since in a
bundle every component reads `.current` from it). Findings point at the line of the
template inside the YAML file, and at the column where the variable starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from pac.diagnostics import Diagnostic
from pac.documents.files import Role
from pac.documents.layout import JIRA_TEMPLATES, jira_template
from pac.documents.loader import JsonPath, path_text
from pac.documents.model import Action, Bundle, CatalogItem, Form
from pac.documents.repository import Loaded, Repository
from pac.documents.suggestions import did_you_mean
from pac.rules import RULES
from pac.templating.engine import (
    CONTEXT_NAME,
    ENCODERS,
    LINE_BREAKS,
    NAMESPACES,
    RESPONSE,
    Target,
    TemplateError,
    environment,
    line_col,
    syntax_error,
    translate,
)
from pac.templating.namespaces import PLATFORM_KEYS, SYSTEM_KEYS, USER_KEYS
from pac.validation.checks import Findings

RESPONSE_KEYS = {"jira-ticket": ("key", "id", "url"), "rest-api": ("status", "headers", "body")}
_UNSAFE_NAMES = frozenset({"self", "__builtins__", "config", "request", "session", "g"})
# Jinja's global functions, removed from pac's sandbox: a template that calls one fails.
_REMOVED_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace"})
_UNSAFE_ATTRS = frozenset(
    {"mro", "func_globals", "f_globals", "f_locals", "gi_frame", "gi_code", "cr_frame"}
)

# --- the fast path: templates of common shapes, read without Jinja ------------------------
#
# It only ever accepts: anything it does not recognise goes to Jinja's parser, which is
# the authority on syntax. What it accepts is a strict subset of Jinja.

_REF_TEXT = r"\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)*"
_LITERAL = r"(?:'[^'\\\n{}%]*'|\"[^\"\\\n{}%]*\"|-?[0-9]+(?:\.[0-9]+)?|true|false|none)"
_FAST_FILTERS = frozenset(
    {"default", "d", "upper", "lower", "title", "capitalize", "trim", "join", "length"}
    | {"first", "last", "int", "float", "string", "round", "replace", "truncate"}
    | {"wordcount", "urlencode", "tojson", "abs", "sort", "unique"}
)
_FILTER = re.compile(
    rf"\s*\|\s*(?P<name>[a-z]+)\s*(?:\(\s*(?:{_LITERAL}(?:\s*,\s*{_LITERAL})*)?\s*\))?"
)
_OUTPUT = re.compile(rf"\s*(?P<ref>{_REF_TEXT})")
_CONDITION = re.compile(
    rf"\s*(?:(?P<not>not)\s+)?(?P<ref>{_REF_TEXT})\s*"
    rf"(?:(?:==|!=|<=|>=|<|>)\s*{_LITERAL}|is\s+(?P<negated>not\s+)?(?P<test>defined|none|true|false))?\s*$"
)
_TAG_TEXT = re.compile(r"\{\{(?P<out>.*?)\}\}|\{%(?P<stmt>.*?)%\}|\{#.*?#\}", re.DOTALL)


# A reference read by the fast path: namespace, path, and its offset in the tag's text.
_Ref = tuple[str, tuple[str, ...], int]


def _reference(match: re.Match[str], shift: int) -> _Ref:
    namespace, *path = match.group("ref")[1:].split(".")
    return namespace, tuple(path), match.start("ref") + shift


@lru_cache(maxsize=16384)
def _output_tag(body: str) -> tuple[bool, str | None, _Ref] | None:
    """For `{{ .ref | filter(...) }}`: whether a default() guards it, the `.output` key it
    reads and the reference; None: not this shape. Cached: tags recur across templates."""
    stripped = body.lstrip("-+ \t\n").rstrip("-+ \t\n")
    text = " " + stripped
    match = _OUTPUT.match(text)
    if not match:
        return None
    position = match.end()
    guarded = None
    while position < len(text):
        filt = _FILTER.match(text, position)
        if not filt or filt.group("name") not in _FAST_FILTERS:
            return None
        # Only a default() straight on the variable guards it: later in the chain, an
        # earlier filter has already turned the missing value into text.
        if guarded is None:
            guarded = filt.group("name") in ("default", "d")
        position = filt.end()
    shift = len(body) - len(body.lstrip("-+ \t\n")) - 1  # the added space
    return bool(guarded), _output_key(match.group("ref")), _reference(match, shift)


@lru_cache(maxsize=16384)
def _statement_tag(stmt: str) -> tuple[str, bool, bool, str | None, _Ref | None] | None:
    """For `{% if/elif/else/endif %}` on one variable: (keyword, tested with `is defined`,
    negated, the `.output` key, the reference); None: not this shape."""
    lead = len(stmt) - len(stmt.lstrip("-+ \t\n"))
    words = stmt.strip("-+ \t\n")
    keyword, _, rest = words.partition(" ")
    if keyword in ("else", "endif"):
        return (keyword, False, False, None, None) if not rest else None
    if keyword not in ("if", "elif"):
        return None
    condition = _CONDITION.match(rest)
    if not condition:
        return None
    key = _output_key(condition.group("ref"))
    tested = condition.group("test") == "defined" and key is not None
    negated = bool(condition.group("negated")) != bool(condition.group("not"))
    return keyword, tested, negated, key, _reference(condition, lead + len(keyword) + 1)


def fast_uses(source: str) -> tuple[Use, ...] | None:
    """The variables of a template of a common shape (variables, simple filters, if/else
    on a variable), with their positions and guards, read without Jinja's parser or the
    full translation; None for any other template, which `parsed_analysis` then reads.

    It only ever accepts a strict subset of Jinja: whatever it does not recognise, even
    an opener that never closes, goes to the parser, the authority on syntax.
    """
    uses: list[Use] = []
    stack: list[tuple[frozenset[str], frozenset[str], bool]] = []  # (then, else, in_else)
    guards: frozenset[str] = frozenset()
    last = 0
    line, line_start = 1, 0  # of the position `last`, kept as the scan moves on

    def use(ref: _Ref, start: int, guarded: bool) -> None:
        nonlocal line, line_start, last
        offset = start + ref[2]
        newlines = source.count("\n", last, offset)
        if newlines:
            line += newlines
            line_start = source.rfind("\n", last, offset) + 1
        last = offset
        uses.append(Use(ref[0], ref[1], line, offset - line_start, guarded))

    for match in _TAG_TEXT.finditer(source):
        # Up to the tag's own first brace: a lone `{` before `{%` opens `{{` for Jinja.
        between = source[last : match.start() + 1]
        if "{{" in between or "{%" in between or "{#" in between:
            return None  # an opener that never closes: Jinja says what is wrong
        out, stmt = match.group("out"), match.group("stmt")
        if out is not None:
            tag = _output_tag(out)
            if tag is None:
                return None
            guarded, key, ref = tag
            use(ref, match.start("out"), guarded or (key is not None and key in guards))
        elif stmt is not None:
            statement = _statement_tag(stmt)
            if statement is None:
                return None
            keyword, tested, negated, key, condition = statement
            if condition is not None:
                use(condition, match.start("stmt"), tested)
            positive = frozenset({key}) if tested and not negated and key else frozenset()
            negative = frozenset({key}) if tested and negated and key else frozenset()
            if keyword == "if":
                stack.append((guards | positive, guards | negative, False))
                guards = guards | positive
            elif keyword == "elif":
                if not stack or stack[-1][2]:
                    return None
                outer = stack[-1][1]
                stack[-1] = (outer | positive, outer | negative, False)
                guards = outer | positive
            elif keyword == "else":
                if not stack or stack[-1][2]:
                    return None
                then, otherwise, _ = stack[-1]
                stack[-1] = (then, otherwise, True)
                guards = otherwise
            else:  # endif
                if not stack:
                    return None
                stack.pop()
                guards = (
                    stack[-1][0]
                    if stack and not stack[-1][2]
                    else (stack[-1][1] if stack else frozenset())
                )
        # Line counting goes on from the end of this tag.
        newlines = source.count("\n", last, match.end())
        if newlines:
            line += newlines
            line_start = source.rfind("\n", last, match.end()) + 1
        last = match.end()
    tail = source[last:]
    if stack or "{{" in tail or "{%" in tail or "{#" in tail:
        return None
    return tuple(uses)


def _output_key(ref: str) -> str | None:
    parts = ref.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "output" else None


class Use(NamedTuple):
    """A variable a template uses, where, and whether an `is defined`/`default` guards it.

    A named tuple: tens of thousands are made in a full `pac validate`."""

    namespace: str
    path: tuple[str, ...]
    line: int
    column: int
    guarded: bool = False

    def text(self) -> str:
        return "." + ".".join((self.namespace, *self.path))


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    hint: str
    line: int
    column: int = 0


@dataclass(frozen=True)
class Analysis:
    uses: tuple[Use, ...]
    problems: tuple[Problem, ...]


@lru_cache(maxsize=16384)
def analyse(source: str) -> Analysis:
    """Read a template once and list what it uses; cached by its text."""
    # Most templates have the common shapes, which are read in a fraction of what
    # translating and parsing them with Jinja costs (`pac validate` reads every one).
    uses = fast_uses(source)
    if uses is None:
        return parsed_analysis(source)
    return _screen(uses, ())


def parsed_analysis(source: str) -> Analysis:
    """What a template uses, read by translating it and parsing it with Jinja."""
    try:
        translation = translate(source, Target.TEXT)
    except TemplateError as exc:
        return Analysis(
            (), (Problem("template-syntax", exc.message, exc.hint, exc.line, exc.column),)
        )
    uses = [Use(r.namespace, r.path, r.line, r.column) for r in translation.references]
    from jinja2 import TemplateSyntaxError

    try:
        tree = environment().parse(translation.source)
    except TemplateSyntaxError as exc:
        error = syntax_error(exc, source)
        return Analysis(
            (),
            (Problem("template-syntax", error.message, error.hint, error.line or 1, error.column),),
        )
    walker = _Walker(uses, source, _undeclared(tree))
    walker.visit(tree, frozenset())
    return _screen(tuple(walker.result()), tuple(walker.problems))


def _screen(uses: tuple[Use, ...], problems: tuple[Problem, ...]) -> Analysis:
    """Variables with a step starting with `_` reach for Python internals: refused here,
    once per template, rather than checked against every form."""
    unsafe = [use for use in uses if any(step.startswith("_") for step in use.path)]
    if not unsafe:
        return Analysis(uses, problems)
    refused = tuple(
        Problem(
            "template-unsafe",
            f"{use.text()} reaches for a name starting with '_', which the sandbox forbids",
            "Templates read pac's variables and use filters; Python internals are out of "
            "reach. Form fields and metadata keys never start with '_'.",
            use.line,
            use.column,
        )
        for use in unsafe
    )
    return Analysis(tuple(u for u in uses if u not in unsafe), problems + refused)


def _undeclared(tree: Any) -> frozenset[str]:
    """Bare names the template reads without defining them (`{{ current.name }}`)."""
    from jinja2 import meta, nodes

    if not any(
        n.ctx == "load" and n.name != CONTEXT_NAME and n.name not in ENCODERS
        for n in tree.find_all(nodes.Name)
    ):
        return frozenset()  # the usual case: only pac's variables, no analysis needed
    return frozenset(meta.find_undeclared_variables(tree) - {CONTEXT_NAME, *ENCODERS})


class _Walker:
    """Finds guarded variables and sandbox escapes in a Jinja syntax tree."""

    def __init__(self, uses: list[Use], source: str, undeclared: frozenset[str]) -> None:
        self.undeclared = set(undeclared)
        self.lines = source.splitlines()
        self.positions: dict[tuple[str, tuple[str, ...], int], list[int]] = {}
        for use in uses:
            self.positions.setdefault((use.namespace, use.path, use.line), []).append(use.column)
        self.found: list[Use] = []
        self.problems: list[Problem] = []

    def result(self) -> list[Use]:
        return self.found

    def _chain(self, node: Any) -> tuple[str, tuple[str, ...]] | None:
        from jinja2 import nodes

        steps: list[str] = []
        while isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            steps.append(str(node.arg.value))
            node = node.node
        if isinstance(node, nodes.Name) and node.name == CONTEXT_NAME and steps:
            steps.reverse()
            return steps[0], tuple(steps[1:])
        return None

    def _record(self, namespace: str, path: tuple[str, ...], line: int, guarded: bool) -> None:
        columns = self.positions.get((namespace, path, line)) or [0]
        column = columns.pop(0) if len(columns) > 1 else columns[0]
        self.found.append(Use(namespace, path, line, column, guarded))

    def _column(self, line: int, needle: str) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return max(text.find(needle), 0) if needle else 0

    def _unsafe(self, node: Any, what: str, needle: str = "") -> None:
        line = getattr(node, "lineno", 1) or 1
        column = self._column(line, needle)
        self.problems.append(
            Problem(
                "template-unsafe",
                f"the template reaches for {what}, which the sandbox forbids",
                "Templates read pac's variables and use filters; Python internals, other "
                "templates and `self` are out of reach.",
                line,
                column,
            )
        )

    def _undefined_name(self, node: Any) -> None:
        name: str = node.name
        if name in _UNSAFE_NAMES or name.startswith("_"):
            return  # reported as unsafe already
        line = getattr(node, "lineno", 1) or 1
        column = self._column(line, name)
        if name in _REMOVED_GLOBALS:
            self.problems.append(
                Problem(
                    "template-unsafe",
                    f"the template calls Jinja's global {name!r}, which pac's sandbox removes",
                    "Templates work on pac's variables: loop over a list from the request "
                    "({% for x in .current.group.field %}) and use filters such as join.",
                    line,
                    column,
                )
            )
            return
        if name in (*NAMESPACES, RESPONSE):
            message = f"{name!r} has no leading dot, so it is not the namespace .{name}"
            hint = f"Write {{{{ .{name}.<path> }}}}: without the dot it is an undefined name."
        elif name in SEED_SCOPES:
            message = f"{name!r} is not defined in this template"
            hint = f"{{{{{name}.…}}}} is the seed's spelling: in pac write {SEED_SCOPES[name]}."
        else:
            message = f"{name!r} is not defined in this template"
            hint = (
                "pac's variables start with a dot and a namespace (.current, .output, "
                ".metadata, .system); a name without a dot must first be set with "
                "{% set %} or by a {% for %} loop."
            )
        self.problems.append(Problem("template-namespace", message, hint, line, column))

    def visit(self, node: Any, guards: frozenset[str]) -> None:
        from jinja2 import nodes

        chain = self._chain(node)
        if chain is not None:
            namespace, path = chain
            guarded = namespace == "output" and bool(path) and path[0] in guards
            self._record(namespace, path, node.lineno, guarded)
            return
        if isinstance(node, nodes.Test) and node.name in ("defined", "undefined"):
            inner = self._chain(node.node)
            if inner is not None:
                self._record(inner[0], inner[1], node.lineno, True)
                return
        if isinstance(node, nodes.Filter) and node.name in ("default", "d") and node.node:
            inner = self._chain(node.node)
            if inner is not None:
                self._record(inner[0], inner[1], node.lineno, True)
                for child in [*node.args, *node.kwargs]:
                    self.visit(child, guards)
                return
        if isinstance(node, nodes.Filter | nodes.Test):
            known = environment().filters if isinstance(node, nodes.Filter) else environment().tests
            if node.name not in known:
                kind = "filter" if isinstance(node, nodes.Filter) else "test"
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
        if isinstance(node, nodes.Filter) and node.name == "attr":
            self._unsafe(node, "attributes by name (the attr filter)", "attr")
        if isinstance(node, nodes.Filter):
            # selectattr('__class__'), map(attribute='__class__'), sort(attribute='x._y')
            named = [k.value for k in node.kwargs if k.key == "attribute"]
            if node.name in ("selectattr", "rejectattr") and node.args:
                named.append(node.args[0])
            for arg in named:
                value = arg.value if isinstance(arg, nodes.Const) else None
                if isinstance(value, str) and any(p.startswith("_") for p in value.split(".")):
                    self._unsafe(node, f"the attribute {value!r}", value)
        if isinstance(node, nodes.Getattr) and (
            node.attr.startswith("_") or node.attr in _UNSAFE_ATTRS
        ):
            self._unsafe(node, f"the attribute {node.attr!r}", node.attr)
        if (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and node.arg.value.startswith("__")
        ):
            self._unsafe(node, f"the item {node.arg.value!r}", node.arg.value)
        if isinstance(node, nodes.Name) and (
            node.name in _UNSAFE_NAMES
            or (
                node.name.startswith("_")
                and node.name != CONTEXT_NAME
                and node.name not in ENCODERS  # pac's own output encoders
            )
        ):
            self._unsafe(node, f"the name {node.name!r}", node.name)
        if isinstance(node, nodes.Name) and node.name == CONTEXT_NAME:
            self._unsafe(node, "pac's context object itself")
        if isinstance(node, nodes.Name) and node.name in self.undeclared:
            self.undeclared.discard(node.name)  # one finding per name
            self._undefined_name(node)
        if isinstance(node, nodes.Import | nodes.FromImport | nodes.Include | nodes.Extends):
            self._unsafe(node, "another template")
        if isinstance(node, nodes.If | nodes.CondExpr):
            positive, negative = self._defined_tests(node.test)
            self.visit(node.test, guards)
            body: list[Any] = node.body if isinstance(node, nodes.If) else [node.expr1]
            otherwise: list[Any] = (
                [*node.elif_, *node.else_] if isinstance(node, nodes.If) else [node.expr2]
            )
            for child in body:
                if child is not None:
                    self.visit(child, guards | positive)
            for child in otherwise:
                if child is not None:
                    self.visit(child, guards | negative)
            return
        for child in node.iter_child_nodes():
            self.visit(child, guards)

    def _defined_tests(self, test: Any) -> tuple[frozenset[str], frozenset[str]]:
        """Output keys known to exist in the body (`is defined`) and in the else branch."""
        from jinja2 import nodes

        none: frozenset[str] = frozenset()
        if isinstance(test, nodes.Not):
            positive, negative = self._defined_tests(test.node)
            return negative, positive
        if isinstance(test, nodes.And):
            left, right = self._defined_tests(test.left), self._defined_tests(test.right)
            return left[0] | right[0], none
        if isinstance(test, nodes.Or):
            left, right = self._defined_tests(test.left), self._defined_tests(test.right)
            return none, left[1] | right[1]
        if isinstance(test, nodes.Test) and test.name in ("defined", "undefined"):
            chain = self._chain(test.node)
            if chain and chain[0] == "output" and chain[1]:
                key = frozenset({chain[1][0]})
                return (key, none) if test.name == "defined" else (none, key)
        return none, none


# --- where templates are in a document ----------------------------------------------------


@dataclass(frozen=True)
class TemplateField:
    path: JsonPath  # in the item document
    source: str
    file: str = ""  # set for descriptionTemplateFile: the template lives in that file
    outputs: bool = False  # `.response` is in scope


def template_fields(repo: Repository, action: Action) -> Iterator[TemplateField]:
    config = action.config
    base = (*action.path, "config")
    if action.type == "jira-ticket":
        ticket = config.get("ticket") or {}
        tbase = (*base, "ticket")
        for key in ("summaryTemplate", "descriptionTemplate", "priority", "epicKey", "assignee"):
            if isinstance(ticket.get(key), str):
                yield TemplateField((*tbase, key), ticket[key])
        for i, label in enumerate(ticket.get("labels") or []):
            yield TemplateField((*tbase, "labels", i), str(label))
        for i, component in enumerate(ticket.get("components") or []):
            yield TemplateField((*tbase, "components", i), str(component))
        for key, value in (ticket.get("customFields") or {}).items():
            yield TemplateField((*tbase, "customFields", key), str(value))
        name = ticket.get("descriptionTemplateFile")
        if isinstance(name, str) and ".." not in name.split("/"):
            source = _template_file(repo, name)
            if source is not None:
                yield TemplateField((*tbase, "descriptionTemplateFile"), source, file=name)
    elif action.type == "rest-api":
        endpoint = config.get("endpoint") or {}
        if isinstance(endpoint.get("url"), str):
            yield TemplateField((*base, "endpoint", "url"), endpoint["url"])
        for key, value in (config.get("headers") or {}).items():
            yield TemplateField((*base, "headers", key), str(value))
        body = config.get("body") or {}
        if isinstance(body.get("contentTemplate"), str):
            yield TemplateField((*base, "body", "contentTemplate"), body["contentTemplate"])
    for key, value in action.outputs.items():
        yield TemplateField((*action.path, "outputs", key), str(value), outputs=True)


def _template_file(repo: Repository, name: str) -> str | None:
    def read() -> str | None:
        path = jira_template(repo.root, name)
        if path is None:  # outside templates/jira/: the offerings check says so, nothing is read
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return repo.memo(("jira-template", name), read)


# --- the checks --------------------------------------------------------------------------


class _Sink:
    """Findings for a document; uses in a template file are reported in that file."""

    def __init__(self, loaded: Loaded, findings: Findings) -> None:
        self.loaded = loaded
        self.findings = findings
        self.extra: list[Diagnostic] = []

    def add(
        self,
        where: TemplateField,
        line: int,
        column: int,
        code: str,
        message: str,
        hint: str,
        anchor: JsonPath | None = None,
    ) -> None:
        if anchor is not None:
            # Reported on another document's node (a bundle's component entry).
            self.findings.add(anchor, code, message, hint)
            return
        owner = self.findings.owner
        if where.file:
            self.extra.append(
                Diagnostic(
                    f"{JIRA_TEMPLATES}/{where.file}",
                    max(line, 1),
                    column + 1,
                    RULES[code].severity,
                    code,
                    f"{message} (used by {self.loaded.display})",
                    f"{hint} Owner: {owner}." if owner else hint,
                )
            )
            return
        document = self.loaded.document
        assert document is not None
        position = (
            document.position_in_scalar(where.path, line, column)
            if line
            else document.position(where.path)
        )
        self.findings.items.append(
            Diagnostic(
                self.loaded.display,
                position.line,
                position.column,
                RULES[code].severity,
                code,
                message,
                f"{hint} Owner: {owner}." if owner else hint,
            )
        )


def check_item_templates(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    item = loaded.model
    assert isinstance(item, CatalogItem)
    findings = Findings(loaded, owner=item.owner.describe())
    sink = _Sink(loaded, findings)
    scope = _ItemScope(repo, item)
    for actions in (item.manual, item.automatic):
        produced: dict[str, str] = {}
        for action in actions:
            for where in template_fields(repo, action):
                _check_template(sink, where, action, item.form, scope, produced)
                if where.path[-1] == "summaryTemplate":
                    _check_one_line(sink, where)
            _check_shadowing(findings, action, produced, None)
    return findings.items + sink.extra


def _check_one_line(sink: _Sink, where: TemplateField) -> None:
    """A summary template whose own text breaks the line renders more than one line
    whatever the input: say so now, not when a merged request fails to apply."""
    offset = summary_line_break(where.source)
    if offset is None:
        return
    line, column = line_col(where.source, offset)
    sink.add(
        where,
        line,
        column,
        "template-summary",
        "the summary template's own text breaks the line between what it writes, so "
        "the summary would have more than one line",
        "A JIRA summary is one line: write the template on one line, or fold it with a "
        "YAML `>-` block.",
    )


def summary_line_break(source: str) -> int | None:
    """Where a line break in the template's own text stands between things it writes
    (text, or a `{{ }}` value), so that it survives rendering; None if there is none.

    Breaks trimmed by `{{-`/`-}}` whitespace control, and breaks before or after all
    that is written (a summary is stripped), do no harm."""
    visible: list[int] = []  # offsets of written text and values
    breaks: list[int] = []
    last, trim_left = 0, True
    for match in [*_TAG_TEXT.finditer(source), None]:
        end = match.start() if match else len(source)
        text = source[last:end]
        trim_right = match is None or match.group()[2:3] == "-"
        low = len(text) - len(text.lstrip()) if trim_left else 0
        high = len(text.rstrip()) if trim_right else len(text)
        for index in range(low, max(high, low)):
            if LINE_BREAKS.match(text, index):
                breaks.append(last + index)
            elif not text[index].isspace():
                visible.append(last + index)
        if match is None:
            break
        if match.group("out") is not None:
            visible.append(match.start())
        trim_left = match.group()[-3:-2] == "-"
        last = match.end()
    return next((b for b in breaks if visible and visible[0] < b < visible[-1]), None)


def check_bundle_templates(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    bundle = loaded.model
    assert isinstance(bundle, Bundle)
    findings = Findings(loaded, owner=bundle.owner.describe())
    sink = _Sink(loaded, findings)
    try:
        ordered = bundle.ordered_components()
    except Exception:  # a cycle: reported by the bundle checks
        return []
    items: dict[str, CatalogItem] = {}
    for component in ordered:
        item = repo.item(component.catalog_item)
        if item is not None:
            items[component.id] = item
    scope: dict[str, Any] = {bundle.id: bundle.metadata}
    scope.update({item.id: item.metadata for item in items.values()})
    produced: dict[str, str] = {}
    for component in ordered:
        item = items.get(component.id)
        if item is None:
            continue
        anchor = (*component.path, "catalogItem")
        missing: dict[str, tuple[str, ...]] = {}
        for mode in ("automatic", "manual") if item.automatic else ("manual",):
            # Escalation runs the manual actions in the bundle too, so both must fit.
            for action in item.actions(mode):
                for where in template_fields(repo, action):
                    for use in analyse(where.source).uses:
                        if use.namespace == "current" and not _current_ok(bundle.form, use.path):
                            missing.setdefault(use.text(), use.path)
        if missing:
            shown = sorted(missing)
            listed = ", ".join(shown[:6]) + (
                f" and {len(shown) - 6} more" if len(shown) > 6 else ""
            )
            first = missing[shown[0]]
            sink.add(
                TemplateField(anchor, ""),
                0,
                0,
                "template-current",
                f"component {component.id} ({item.id}) uses {listed}, which the bundle's "
                "form does not have",
                "In a bundle every component reads .current from the bundle's form: add "
                "those groups and fields to it. " + _current_hint(bundle.form, first),
                anchor=anchor,
            )
        for action in item.actions():
            _check_shadowing(findings, action, produced, (component.id, anchor))
    return findings.items + sink.extra


def _check_template(
    sink: _Sink,
    where: TemplateField,
    action: Action,
    form: Form,
    scope: Mapping[str, Any],
    produced: Mapping[str, str],
) -> None:
    if "{" not in where.source:
        return
    analysis = analyse(where.source)
    for problem in analysis.problems:
        sink.add(where, problem.line, problem.column, problem.code, problem.message, problem.hint)
    for use in analysis.uses:
        _check_use(sink, where, action, use, form, scope, produced)


def _check_use(
    sink: _Sink,
    where: TemplateField,
    action: Action,
    use: Use,
    form: Form,
    scope: Mapping[str, Any],
    produced: Mapping[str, str],
) -> None:
    def report(code: str, message: str, hint: str) -> None:
        sink.add(where, use.line, use.column, code, message, hint)

    namespace, path = use.namespace, use.path
    if namespace == RESPONSE:
        if not where.outputs:
            report(
                "template-namespace",
                f"{use.text()} is only available in outputs",
                "`.response` holds the result of the action itself; use it under `outputs:` "
                "and read the kept value later as .output.<key>.",
            )
        elif path and action.type not in RESPONSE_KEYS:
            report(
                "template-namespace",
                f"{use.text()}: pac apply does not run {action.type} actions yet, so they "
                "have no response to read",
                "Keep outputs on jira-ticket actions (.response.key, .id, .url) or rest-api "
                "actions (.response.status, .headers, .body) for now.",
            )
        elif path and path[0] not in RESPONSE_KEYS[action.type]:
            keys = ", ".join(RESPONSE_KEYS[action.type])
            report(
                "template-namespace",
                f"{use.text()}: a {action.type} response has no {path[0]!r}",
                f"A {action.type} response has: {keys}.",
            )
        return
    if namespace not in NAMESPACES:
        suggestion = did_you_mean(namespace, NAMESPACES)
        report(
            "template-namespace",
            f"{use.text()} uses the unknown namespace .{namespace}",
            (f"Did you mean .{suggestion}? " if suggestion else "")
            + "Variables live in .current, .output, .metadata and .system.",
        )
        return
    if _inside_secret(form, namespace, path):
        report(
            "template-unsafe",
            f"{use.text()} reaches inside a secret, which the sandbox forbids",
            f"Use the secret whole, {{{{ .{namespace}.{'.'.join(path[:2])} }}}}: it renders "
            "as *** everywhere except a REST call being sent.",
        )
        return
    if namespace == "current" and not _current_ok(form, path):
        report(
            "template-current",
            f"{use.text()} is not a field of this item's form",
            _current_hint(form, path),
        )
    elif namespace == "metadata" and not use.guarded:
        _check_metadata(report, use, scope)
    elif namespace == "metadata" and path and path[0] not in scope:
        # Guarded (`| default(...)`), an item may read the metadata of a companion in a
        # bundle (SPEC §5: in scope when requested in that bundle, empty alone). It must
        # still name a real document and key, or the guard would hide a typo forever.
        if isinstance(scope, _ItemScope):
            _check_companion(report, use, scope)
    elif namespace == "system":
        _check_system(report, use)
    elif namespace == "output" and path and not use.guarded and path[0] not in produced:
        earlier = ", ".join(sorted(produced)) or "none yet"
        report(
            "template-output",
            f"{use.text()} is used before any earlier action produces it",
            f"Outputs available here: {earlier}. Produce it in an earlier action's outputs, "
            f"or guard it: {{{{ {use.text()} | default('') }}}} or "
            f"{{% if {use.text()} is defined %}}.",
        )


def _inside_secret(form: Form, namespace: str, path: tuple[str, ...]) -> bool:
    """`.current.credentials.adminPassword.reveal`: a secret has no parts to read."""
    if namespace == "system":
        return len(path) > 2 and path[:2] == ("platform", "apiKey")
    if namespace != "current" or len(path) < 3:
        return False
    group = form.group(path[0])
    field = group.field(path[1]) if group is not None else None
    return field is not None and field.type == "password"


def _current_ok(form: Form, path: tuple[str, ...]) -> bool:
    if not path:
        return True
    if path[0] == "name":
        return len(path) == 1
    group = form.group(path[0])
    if group is None:
        return False
    return len(path) == 1 or group.field(path[1]) is not None


def _current_hint(form: Form, path: tuple[str, ...]) -> str:
    if path and path[0] != "name":
        group = form.group(path[0])
        if group is None:
            options = ["name", *(g.id for g in form.groups)]
            suggestion = did_you_mean(path[0], options)
            return (f"Did you mean .current.{suggestion}? " if suggestion else "") + (
                "The form has: " + ", ".join(options) + "."
            )
        if len(path) > 1:
            fields = [f.id for f in group.fields]
            suggestion = did_you_mean(path[1], fields)
            return (f"Did you mean .current.{group.id}.{suggestion}? " if suggestion else "") + (
                f"Group {group.id} has: " + ", ".join(fields) + "."
            )
    return "Use .current.name or .current.<group>.<field> from the form."


# The variable scopes of the seed's format (docs/migration.md), and pac's spelling of each.
SEED_SCOPES = {
    "fields": "{{ .current.<group>.<field> }} (and {{ .current.name }})",
    "request": "{{ .system.requestId }} and {{ .system.user.email }}",
    "env": "{{ .system.platform.<key> }} for pac.yaml's platform values; a credential is a "
    "secret reference in the action's `authentication` ({secretRef: NAME})",
    "secrets": "a secret reference: a password field, or {secretRef: NAME} in `authentication`",
    "components": "{{ .output.<key> }}, kept by an earlier action's `outputs`",
}


class _ItemScope(dict[str, Any]):
    """An item's own metadata, plus the catalog to look companions up in."""

    def __init__(self, repo: Repository, item: CatalogItem) -> None:
        super().__init__({item.id: item.metadata})
        self.repo = repo


def _check_companion(report: Any, use: Use, scope: _ItemScope) -> None:
    doc_id = use.path[0]
    repo = scope.repo
    known = [*repo.index(Role.ITEM), *repo.index(Role.BUNDLE)]
    if doc_id not in known:
        suggestion = did_you_mean(doc_id, known)
        report(
            "template-metadata",
            f"{use.text()} names {doc_id}, which is no item or bundle of the catalog",
            (f"Did you mean '{suggestion}'? " if suggestion else "")
            + "A guarded .metadata reference may name a companion item of a bundle; "
            "`pac catalog list` shows the ids.",
        )
        return
    companion = repo.offering(doc_id)
    if companion is not None and len(use.path) > 1:
        _check_metadata(report, use, {doc_id: companion.metadata})


def _check_metadata(report: Any, use: Use, scope: Mapping[str, Any]) -> None:
    path = use.path
    if not path:
        return
    if path[0] not in scope:
        suggestion = did_you_mean(path[0], scope)
        report(
            "template-metadata",
            f"{use.text()} names {path[0]}, which is not in scope here",
            (f"Did you mean '{suggestion}'? " if suggestion else "")
            + "In scope: "
            + ", ".join(sorted(scope))
            + " (the item itself, or a bundle and "
            "its components).",
        )
        return
    if len(path) > 1 and path[1] not in scope[path[0]]:
        keys = sorted(scope[path[0]])
        suggestion = did_you_mean(path[1], keys)
        report(
            "template-metadata",
            f"{use.text()}: {path[0]} has no metadata key {path[1]!r}",
            (f"Did you mean '{suggestion}'? " if suggestion else "")
            + "Its metadata keys: "
            + ", ".join(keys)
            + ".",
        )


def _check_system(report: Any, use: Use) -> None:
    path = use.path
    if not path:
        return
    key = path[0]
    allowed: frozenset[str] = SYSTEM_KEYS
    name = key
    if key in ("user", "platform") and len(path) > 1:
        allowed = USER_KEYS if key == "user" else PLATFORM_KEYS
        name = path[1]
    if name not in allowed:
        suggestion = did_you_mean(name, allowed)
        report(
            "template-system",
            f"{use.text()} is not a .system value",
            (f"Did you mean '{suggestion}'? " if suggestion else "")
            + "Available: "
            + ", ".join(sorted(allowed))
            + " (see docs/templates.md).",
        )


def _check_shadowing(
    findings: Findings,
    action: Action,
    produced: dict[str, str],
    component: tuple[str, JsonPath] | None,
) -> None:
    label = component[0] if component else path_text(action.path)
    for key in action.outputs:
        # In a bundle only clashes between components are new; an item's own are
        # reported on the item.
        if key in produced and not (component and produced[key] == label):
            message = (
                f"output {key!r} of {label} replaces the one from {produced[key]}; later "
                "actions see only the new value"
            )
            hint = "Give the outputs different names if later actions need both."
            if component is not None:
                findings.add(component[1], "template-output-shadow", message, hint)
            else:
                findings.add(
                    (*action.path, "outputs", key),
                    "template-output-shadow",
                    message,
                    hint,
                    at_key=True,
                )
        produced[key] = label
