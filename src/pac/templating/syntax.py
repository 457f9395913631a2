"""Jinja syntax errors as pac reports them: where the mistake is, in the author's words.

Jinja reports an unclosed block at the end of the template and Go template syntax as a
broken expression of pac's own rewriting; these say where the block opens and what the
Jinja spelling is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pac.templating.errors import TemplateError
from pac.templating.gosyntax import GO_SYNTAX, go_hint, go_tags
from pac.templating.translation import line_col

if TYPE_CHECKING:
    from jinja2 import TemplateSyntaxError

_BLOCK_TAGS = frozenset({"if", "for", "macro", "call", "filter", "with", "autoescape", "block"})
_STATEMENT = re.compile(r"\{%[-+]?\s*([A-Za-z_]+)")


def syntax_error(exc: TemplateSyntaxError, source: str) -> TemplateError:
    """A Jinja syntax error as pac reports it; an unclosed block points at its opening tag
    (Jinja only notices at the end of the template)."""
    message = exc.message or ""
    written_in_go = go_tags(source)
    if written_in_go:
        first = written_in_go[0]
        line, column = line_col(source, first.offset)
        return TemplateError(
            f"template syntax error: {first.written} {GO_SYNTAX}",
            go_hint(written_in_go),
            line,
            column,
        )
    if "Unexpected end of template" in message:
        unclosed = _unclosed_block(source)
        if unclosed is not None:
            return unclosed
    return TemplateError(
        f"template syntax error: {message}", _syntax_hint(message), exc.lineno or 0
    )


def _unclosed_block(source: str) -> TemplateError | None:
    """The innermost block tag that is never closed, if there is one."""
    stack: list[tuple[str, int]] = []
    for match in _STATEMENT.finditer(source):
        word = match.group(1)
        end = source.find("%}", match.end())
        if word in _BLOCK_TAGS or (word == "set" and "=" not in source[match.end() : end]):
            stack.append((word, match.start()))
        elif word.startswith("end") and stack:
            stack.pop()
    if not stack:
        return None
    word, offset = stack[-1]
    line, column = line_col(source, offset)
    return TemplateError(
        f"template syntax error: this {{% {word} %}} is never closed",
        f"Add {{% end{word} %}} where its block ends.",
        line,
        column,
    )


def _syntax_hint(message: str) -> str:
    if "expected token 'end of print statement'" in message:
        return (
            "Something follows the variable that Jinja cannot read; variables are written "
            "{{ .current.group.field }} and filters {{ .current.name | upper }}."
        )
    if "Unexpected end of template" in message or "unknown tag" in message:
        return "Every {% if %} and {% for %} needs its {% endif %} / {% endfor %}."
    return "Compare with the examples in docs/templates.md."
