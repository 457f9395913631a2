"""The fast reader: templates of common shapes, read without Jinja.

Most catalog templates are variables with simple filters and `if`/`else` on a variable;
reading those here takes a fraction of what translating and parsing them with Jinja
costs, and `pac validate` reads every template. It only ever accepts: anything it does
not recognise goes to Jinja's parser, which is the authority on syntax. What it accepts
is a strict subset of Jinja (property tests hold it to Jinja's reading).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from pac.templating.usage import Use, guard_key, guarded_by

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
    rf"(?:(?:==|!=|<=|>=|<|>)\s*(?:{_LITERAL}|(?P<other>{_REF_TEXT}))"
    rf"|is\s+(?P<negated>not\s+)?(?P<test>defined|none|true|false))?\s*$"
)
# Every tag of a template, as Jinja delimits them when no string literal holds a closer.
TAG_TEXT = re.compile(r"\{\{(?P<out>.*?)\}\}|\{%(?P<stmt>.*?)%\}|\{#.*?#\}", re.DOTALL)

# A reference read by the fast path: namespace, path, and its offset in the tag's text.
_Ref = tuple[str, tuple[str, ...], int]
_Guards = frozenset[str]
_NO_GUARDS: _Guards = frozenset()


def _reference(match: re.Match[str], shift: int, group: str = "ref") -> _Ref:
    namespace, *path = match.group(group)[1:].split(".")
    return namespace, tuple(path), match.start(group) + shift


def _guard_key(ref: str) -> str | None:
    namespace, *path = ref[1:].split(".")
    return guard_key(namespace, tuple(path))


@lru_cache(maxsize=16384)
def _output_tag(body: str) -> tuple[bool, _Ref] | None:
    """For `{{ .ref | filter(...) }}`: whether a default() guards it and the reference;
    None: not this shape. Cached: tags recur across templates."""
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
    return bool(guarded), _reference(match, shift)


@lru_cache(maxsize=16384)
def _statement_tag(stmt: str) -> tuple[str, bool, bool, str | None, _Ref | None] | None:
    """For `{% if/elif/else/endif %}` on one variable: (keyword, tested with `is defined`,
    negated, what the test proves exists (`guard_key`), the reference); None: not this
    shape. A comparison of two variables (`.previous.x != .current.x`, day-2 templates)
    is read by `_compared`."""
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
    key = _guard_key(condition.group("ref"))
    tested = condition.group("test") == "defined" and key is not None
    negated = bool(condition.group("negated")) != bool(condition.group("not"))
    return keyword, tested, negated, key, _reference(condition, lead + len(keyword) + 1)


@lru_cache(maxsize=16384)
def _compared(stmt: str) -> _Ref | None:
    """The variable on the right of `{% if/elif .a <op> .b %}`; None if there is none."""
    words = stmt.strip("-+ \t\n")
    keyword, _, rest = words.partition(" ")
    condition = _CONDITION.match(rest) if keyword in ("if", "elif") else None
    if condition is None or condition.group("other") is None:
        return None
    lead = len(stmt) - len(stmt.lstrip("-+ \t\n"))
    return _reference(condition, lead + len(keyword) + 1, "other")


class _Scan:
    """One fast read under way: the uses so far, the open `if`s, what `is defined` proved
    to exist where the scan is, and the line of the position `last`."""

    __slots__ = ("guards", "last", "line", "line_start", "source", "stack", "uses")

    def __init__(self, source: str) -> None:
        self.source = source
        self.uses: list[Use] = []
        self.stack: list[tuple[_Guards, _Guards, bool]] = []  # (then, else, in_else)
        self.guards = _NO_GUARDS
        self.last = 0
        self.line, self.line_start = 1, 0

    def advance(self, offset: int) -> None:
        """Move the line count on to `offset`."""
        newlines = self.source.count("\n", self.last, offset)
        if newlines:
            self.line += newlines
            self.line_start = self.source.rfind("\n", self.last, offset) + 1
        self.last = offset

    def use(self, ref: _Ref, start: int, guarded: bool) -> None:
        offset = start + ref[2]
        self.advance(offset)
        self.uses.append(Use(ref[0], ref[1], self.line, offset - self.line_start, guarded))

    def output(self, body: str, start: int) -> bool:
        tag = _output_tag(body)
        if tag is None:
            return False
        guarded, ref = tag
        self.use(ref, start, guarded or guarded_by(ref[0], ref[1], self.guards))
        return True

    def statement(self, body: str, start: int) -> bool:
        statement = _statement_tag(body)
        if statement is None:
            return False
        keyword, tested, negated, key, condition = statement
        if condition is not None:
            self.use(condition, start, tested)
            other = _compared(body)
            if other is not None:
                self.use(other, start, False)
        known = frozenset({key}) if tested and key else _NO_GUARDS
        positive, negative = (_NO_GUARDS, known) if negated else (known, _NO_GUARDS)
        return _BRANCHES[keyword](self, positive, negative)

    def open_if(self, positive: _Guards, negative: _Guards) -> bool:
        self.stack.append((self.guards | positive, self.guards | negative, False))
        self.guards = self.guards | positive
        return True

    def elif_(self, positive: _Guards, negative: _Guards) -> bool:
        if not self.stack or self.stack[-1][2]:
            return False
        outer = self.stack[-1][1]
        self.stack[-1] = (outer | positive, outer | negative, False)
        self.guards = outer | positive
        return True

    def else_(self, positive: _Guards, negative: _Guards) -> bool:
        if not self.stack or self.stack[-1][2]:
            return False
        then, otherwise, _ = self.stack[-1]
        self.stack[-1] = (then, otherwise, True)
        self.guards = otherwise
        return True

    def endif(self, positive: _Guards, negative: _Guards) -> bool:
        if not self.stack:
            return False
        self.stack.pop()
        if not self.stack:
            self.guards = _NO_GUARDS
        else:
            then, otherwise, in_else = self.stack[-1]
            self.guards = otherwise if in_else else then
        return True


_BRANCHES: dict[str, Callable[[_Scan, _Guards, _Guards], bool]] = {
    "if": _Scan.open_if,
    "elif": _Scan.elif_,
    "else": _Scan.else_,
    "endif": _Scan.endif,
}


def _has_opener(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def fast_uses(source: str) -> tuple[Use, ...] | None:
    """The variables of a template of a common shape (variables, simple filters, if/else
    on a variable), with their positions and guards, read without Jinja's parser or the
    full translation; None for any other template, which `parsed_analysis` then reads.

    It only ever accepts a strict subset of Jinja: whatever it does not recognise, even
    an opener that never closes, goes to the parser, the authority on syntax.
    """
    scan = _Scan(source)
    for match in TAG_TEXT.finditer(source):
        # Up to the tag's own first brace: a lone `{` before `{%` opens `{{` for Jinja.
        if _has_opener(source[scan.last : match.start() + 1]):
            return None  # an opener that never closes: Jinja says what is wrong
        out, stmt = match.group("out"), match.group("stmt")
        if out is not None and not scan.output(out, match.start("out")):
            return None
        if stmt is not None and not scan.statement(stmt, match.start("stmt")):
            return None
        scan.advance(match.end())  # line counting goes on from the end of this tag
    if scan.stack or _has_opener(source[scan.last :]):
        return None
    return tuple(scan.uses)
