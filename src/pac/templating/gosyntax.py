"""Go template syntax in a pac template, with its Jinja spelling.

Teams migrating from Go-templated catalogs (the seed's format, Helm) write `{{if .x}}`,
`{{end}}`, `{{ .x | default "y" }}`. Jinja reads those as broken expressions and reports
a token of pac's own rewriting ("expected token ')', got '_pac'"). This module is asked
only once Jinja has refused a template, so a valid Jinja template is never second-guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TAG = re.compile(r"\{\{(?P<left>-?)\s*(?P<body>.*?)\s*(?P<right>-?)\}\}", re.DOTALL)
# A keyword followed by a space or nothing: `range(3)` is a Jinja call, not Go's range.
_KEYWORD = re.compile(r"(?P<word>else\s+if|if|else|end|range|with|define|template|block)(?:\s+|$)")
_CALL = re.compile(r"(?P<fn>[A-Za-z_]\w*)\s+(?P<args>[\"'.$(0-9].*)", re.DOTALL)
_PIPE_CALL = re.compile(
    r"(?P<value>[^|]*?)\s*\|\s*(?P<fn>[A-Za-z_]\w*)\s+(?P<args>[\"'.$(0-9].*)", re.DOTALL
)
_ARG = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'|\([^)]*\)|\S+")
_RANGE_VARIABLES = re.compile(r"^\$\w+\s*(?:,\s*\$\w+\s*)?:=\s*")
# Words that may start a valid Jinja expression: never taken for a Go function call.
_JINJA_WORDS = frozenset({"not", "in", "is", "and", "or", "if", "else", "true", "false", "none"})
_INFIX = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "and": "and"}
_INFIX["or"] = "or"
_FILTERS = {
    "upper": "upper",
    "lower": "lower",
    "trim": "trim",
    "title": "title",
    "len": "length",
    "toJson": "tojson",
}
_SHOWN = 4
GO_SYNTAX = "is Go template syntax, not Jinja"
_LOOP_ITEM = re.compile(r"(?<![\w.])item\b")


@dataclass(frozen=True, slots=True)
class GoTag:
    """A `{{ … }}` tag written in Go syntax: where it starts, as written, as Jinja."""

    offset: int
    written: str
    jinja: str


def go_tags(source: str) -> list[GoTag]:
    """Every tag of `source` written in Go template syntax, in order."""
    found: list[GoTag] = []
    blocks: list[tuple[str, str]] = []  # open blocks: their end word and what `.` means
    for match in _TAG.finditer(source):
        jinja = _to_jinja(match.group("body"), blocks)
        if jinja is not None and jinja.startswith("{"):  # keep whitespace control: {{- -}}
            jinja = (
                jinja[:2] + match.group("left") + jinja[2:-2] + match.group("right") + jinja[-2:]
            )
        if jinja is not None:
            found.append(GoTag(match.start(), match.group(), jinja))
    return found


def without_go(source: str) -> str:
    """`source` with its Go tags made harmless, so the rest of the template can be checked
    in the same run: the same length and lines, so every position stays where it was.

    A value tag takes its Jinja spelling when that fits in its place (`| default "x"`
    becomes `| default('x')`, whose variable is still checked); control tags and values
    that read Go's `.` inside a block (Jinja's loop variable is not there) become blanks."""
    parts: list[str] = []
    last = 0
    for tag in go_tags(source):
        parts += [source[last : tag.offset], _in_place(tag)]
        last = tag.offset + len(tag.written)
    return "".join([*parts, source[last:]])


def _in_place(tag: GoTag) -> str:
    width = len(tag.written)
    if tag.jinja.startswith("{{") and "\n" not in tag.written and not _LOOP_ITEM.search(tag.jinja):
        for jinja in (tag.jinja, "{{" + tag.jinja[2:-2].strip() + "}}"):
            if len(jinja) <= width:
                return jinja[:-2] + " " * (width - len(jinja)) + "}}"
    return "".join(char if char in "\r\n" else " " for char in tag.written)


def go_hint(tags: list[GoTag]) -> str:
    """The Jinja spelling of the first few distinct Go tags."""
    pairs: list[str] = []
    for tag in tags:
        pair = f"{tag.written} as {tag.jinja}"
        if pair not in pairs:
            pairs.append(pair)
    shown = "; ".join(pairs[:_SHOWN]) + ("; …" if len(pairs) > _SHOWN else "")
    return (
        f"pac templates are Jinja: write {shown}. Values go in {{{{ }}}}, statements "
        "({% if %}, {% for %}) in {% %} with their {% endif %} / {% endfor %}, and a filter "
        "follows a | with its arguments in brackets (docs/migration.md)."
    )


def _to_jinja(body: str, blocks: list[tuple[str, str]]) -> str | None:
    """The Jinja spelling of one tag's body, or None when it is not Go syntax."""
    keyword = _KEYWORD.match(body)
    if keyword is not None:
        word = " ".join(keyword.group("word").split())
        return _statement(word, body[keyword.end() :], blocks)
    dot = blocks[-1][1] if blocks else "item"
    if body == "." or body.startswith("$"):
        return f"{{{{ {dot} }}}}" if body == "." else f"{{{{ {body[1:] or dot} }}}}"
    expression = _expression(body, dot)
    return None if expression == body else f"{{{{ {expression} }}}}"


def _statement(word: str, rest: str, blocks: list[tuple[str, str]]) -> str:
    dot = blocks[-1][1] if blocks else "item"
    if word == "else if":
        return f"{{% elif {_expression(rest, dot)} %}}"
    if word == "else":
        return "{% else %}"
    if word == "end":
        return f"{{% end{blocks.pop()[0] if blocks else 'if'} %}}"
    if word == "range":
        blocks.append(("for", "item"))
        return f"{{% for item in {_expression(_RANGE_VARIABLES.sub('', rest), dot)} %}}"
    if word in ("if", "with"):
        condition = _expression(rest, dot)
        blocks.append(("if", condition if word == "with" else dot))
        return f"{{% if {condition} %}}"
    return "the text written out ({% include %} and Go's define/template are not available)"


def _expression(body: str, dot: str) -> str:
    """A Go pipeline or function call as a Jinja expression; other text as it is.
    `dot` is what Go's `.` stands for here (the element of a range, the value of a with)."""
    piped = _PIPE_CALL.fullmatch(body)
    if piped is not None and piped.group("value"):
        args = _args(piped.group("args"), dot)
        return _call(piped.group("fn"), [*args, _expression(piped.group("value"), dot)])
    call = _CALL.fullmatch(body)
    if call is not None and call.group("fn") not in _JINJA_WORDS:
        return _call(call.group("fn"), _args(call.group("args"), dot))
    return dot if body == "." else body


def _args(text: str, dot: str) -> list[str]:
    return [_arg(raw, dot) for raw in _ARG.findall(text)]


def _arg(raw: str, dot: str) -> str:
    if raw == ".":
        return dot
    if raw.startswith('"') and "'" not in raw:
        return "'" + raw[1:-1] + "'"  # single quotes sit well inside YAML strings
    if raw.startswith("(") and raw.endswith(")"):
        return f"({_expression(raw[1:-1].strip(), dot)})"
    return raw


def _call(fn: str, args: list[str]) -> str:
    if fn in _INFIX and len(args) == 2:
        return f"{args[0]} {_INFIX[fn]} {args[1]}"
    if fn == "not" and len(args) == 1:
        return f"not {args[0]}"
    if fn == "quote" and len(args) == 1:
        return args[0]  # pac encodes every value for where it goes: no quoting by hand
    if fn == "index" and len(args) == 2:
        return f"{args[0]}[{args[1]}]"
    if fn == "default" and len(args) == 2:
        return f"{args[1]} | default({args[0]})"
    if fn == "printf" and args:
        return f"{args[0]} | format({', '.join(args[1:])})"
    if fn in _FILTERS and len(args) == 1:
        return f"{args[0]} | {_FILTERS[fn]}"
    if len(args) == 1:
        return f"{args[0]} | {fn}"
    return f"{args[-1]} | {fn}({', '.join(args[:-1])})"
