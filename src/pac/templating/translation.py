"""Translating pac's leading-dot syntax into Jinja.

Catalog templates write variables as `{{ .current.basic.instanceClass }}`, with hyphenated
ids allowed in paths (`{{ .metadata.database-aurora-postgresql-standard.defaultPort }}`).
Before Jinja sees a template, each such reference is rewritten into a subscript of one
context variable, and every `{{ … }}` output is wrapped in the encoder for its target.
Values are data: they are never evaluated as templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pac.templating.encoders import Target, encoder_name
from pac.templating.errors import TemplateError

CONTEXT_NAME = "_pac"  # the one Jinja variable all references become subscripts of

_TAG = re.compile(r"\{\{|\{%|\{#")
_TAG_END = {"{{": "}}", "{%": "%}", "{#": "#}"}
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}")
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", re.DOTALL)

# A `.` starts a reference only where an expression may begin, not after a name, a
# closing bracket, a digit or a quote (attribute access and decimals stay Jinja's).
_EXPRESSION_TOKEN = re.compile(
    r"""(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    r"|(?<![A-Za-z0-9_)\]}.'\"])(?P<ref>\.(?P<ns>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?P<path>(?:\.[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)*))(?P<call>\s*\()?",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Reference:
    """One `.namespace.path` in a template, with its 1-based line and 0-based column."""

    namespace: str
    path: tuple[str, ...]
    line: int
    column: int

    def text(self) -> str:
        return "." + ".".join((self.namespace, *self.path))


@dataclass(frozen=True)
class Translation:
    source: str  # Jinja source
    references: tuple[Reference, ...]


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and 0-based column of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start


@lru_cache(maxsize=8192)
def translate(source: str, target: Target = Target.TEXT) -> Translation:
    """The Jinja source for a pac template, and the references it makes."""
    refs: list[Reference] = []
    out: list[str] = []
    pos, in_string = 0, False
    in_json = target in (Target.JSON, Target.YAML)  # a "…" string is open or not alike
    while (match := _TAG.search(source, pos)) is not None:
        literal = source[pos : match.start()]
        out.append(literal)
        in_string = _json_state(literal, in_string) if in_json else False
        opener = match.group()
        end = _tag_end(source, match.start(), match.end(), opener)
        if opener == "{#":
            out.append(source[match.start() : end + 2])
            pos = end + 2
        elif opener == "{%" and _RAW_START.match(source, match.start()):
            block, inside, pos = _raw_block(source, match.start(), end)
            out.append(block)
            if in_json:  # raw text is literal JSON text too
                in_string = _json_state(inside, in_string)
        else:
            encoder = encoder_name(target, in_string) if opener == "{{" else ""
            out.append(_rewrite_tag(source, match.end(), end, encoder, refs))
            pos = end + 2
    out.append(source[pos:])
    return Translation("".join(out), tuple(refs))


def _tag_end(source: str, start: int, body: int, opener: str) -> int:
    """Where the tag opened at `start` closes; an error if it never does."""
    closer = _TAG_END[opener]
    end = _find_close(source, body, closer)
    if end < 0:
        line, column = line_col(source, start)
        raise TemplateError(f"a {opener} is never closed", f"Close it with {closer}.", line, column)
    return end


def _raw_block(source: str, start: int, end: int) -> tuple[str, str, int]:
    """The `{% raw %}` block whose opening tag closes at `end`: its whole text, the text
    inside it, and where what follows it starts."""
    raw_end = _RAW_END.search(source, end + 2)
    stop = raw_end.end() if raw_end else len(source)
    inside = source[end + 2 : raw_end.start() if raw_end else stop]
    return source[start:stop], inside, stop


def _rewrite_tag(
    source: str, body_start: int, end: int, encoder: str, refs: list[Reference]
) -> str:
    """One `{{ }}` (wrapped in `encoder`) or `{% %}` tag with its references rewritten."""
    inner = source[body_start:end]
    left = "-" if encoder and inner.startswith(("-", "+")) else ""
    right = "-" if encoder and inner.endswith(("-", "+")) else ""
    body = inner[len(left) : len(inner) - len(right)]
    rewritten = _rewrite_expression(body, body_start + len(left), source, refs)
    if encoder:
        return f"{{{{{left} {encoder}(({rewritten})) {right}}}}}"
    return f"{{%{rewritten}%}}"


def _rewrite_expression(expr: str, base: int, original: str, refs: list[Reference]) -> str:
    """Rewrite references in one tag's expression, leaving string literals alone."""
    code, found = _rewrite_body(expr)
    for namespace, path, offset in found:
        line, column = line_col(original, base + offset)
        refs.append(Reference(namespace, path, line, column))
    return code


@lru_cache(maxsize=16384)
def _rewrite_body(
    expr: str,
) -> tuple[str, tuple[tuple[str, tuple[str, ...], int], ...]]:
    """The Jinja code of one tag and its references at offsets within it.

    Cached by the tag's text: the same few tags (`{{ .current.name }}`) recur in template
    after template, and `pac validate` reads every template of the catalog.
    """
    out: list[str] = []
    found: list[tuple[str, tuple[str, ...], int]] = []
    last = 0
    for match in _EXPRESSION_TOKEN.finditer(expr):
        if match.group("ref") is None:
            continue  # a string literal: copied as it is
        out.append(expr[last : match.start()])
        namespace = match.group("ns")
        path = [p for p in match.group("path").split(".") if p]
        method = ""
        # `.current.items()`: the last step before a call is a method, not a key.
        if match.group("call") and path and "-" not in path[-1]:
            method = path.pop()
        found.append((namespace, tuple(path), match.start()))
        # `.list.0` is the first element, as `list.0` is in Jinja.
        code = f'{CONTEXT_NAME}["{namespace}"]' + "".join(
            f"[{step}]" if step.isdecimal() else f'["{step}"]' for step in path
        )
        out.append(code + (f".{method}" if method else "") + (match.group("call") or ""))
        last = match.end()
    out.append(expr[last:])
    return "".join(out), tuple(found)


def _json_state(text: str, in_string: bool) -> bool:
    """Whether a JSON string literal is open after `text` (template literal text)."""
    i = 0
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        i += 1
    return in_string


def _find_close(source: str, start: int, closer: str) -> int:
    """Where a tag ends: the first `closer` outside string literals, as Jinja reads it."""
    if closer == "#}":
        return source.find(closer, start)
    pos = start
    while True:
        end = source.find(closer, pos)
        if end < 0:
            return end
        # Only a quote before the closer can hide it; searching no further keeps this
        # linear in the tag, not in the rest of the template.
        quotes = [q for q in (source.find("'", pos, end), source.find('"', pos, end)) if q >= 0]
        if not quotes:
            return end
        quote = min(quotes)
        literal = _STRING.match(source, quote)
        if literal is None:
            return end  # an unclosed quote: Jinja reports it
        pos = literal.end()
