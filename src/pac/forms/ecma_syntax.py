"""Whether a form pattern is one browsers and JSON Schema validators can compile.

Python compiles much that JavaScript's unicode mode refuses or reads differently; each
problem found here names the character and says how to write it the JavaScript way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from pac.forms.ecma import NAMED_GROUP, ecma_regex, translate

# What JavaScript's unicode mode (`new RegExp(p, "u")`, used by ajv, pac's site and the HTML
# `pattern` attribute) lets a backslash escape; anything else after `\` is a syntax error
# there, although Python accepts most punctuation after a backslash.
_JS_SYNTAX_CHARS = frozenset("^$\\.*+?()[]{}|/")
# Escapes that run on past their letter: \u{...}, \p{...}, \P{...} and \k<...>.
_LONG_ESCAPE = re.compile(r"\\(?:[upP]\{[^}]*\}|k<[^>]*>)")
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")
_QUANTIFIER = re.compile(r"\{[0-9]+(,[0-9]*)?\}")
_PY_FLAGS = re.compile(r"\(\?(?:[aiLmsux]+(?:-[imsx]+)?|-[imsx]+)[:)]")


@dataclass(frozen=True, slots=True)
class PatternProblem:
    """Why a pattern is not an ECMA-262 regular expression: `index` is 0-based."""

    index: int
    message: str
    hint: str


def ecma_pattern_problem(pattern: str) -> PatternProblem | None:
    """The first reason browsers and JSON Schema validators could not use `pattern`, or
    None. Python-only syntax is the common case: Python compiles it, JavaScript refuses it
    (or, without the unicode flag, silently reads something else)."""
    found = _python_only_syntax(pattern)
    if found is not None:
        return found
    try:
        # `re` first: its messages point at the character that breaks the expression.
        re.compile(translate(pattern), re.ASCII)
        ecma_regex(pattern)
    except (re.error, regex.error) as exc:
        where = getattr(exc, "pos", None) or 0
        return PatternProblem(
            min(where, len(pattern)),
            str(getattr(exc, "msg", exc)),
            "Fix the expression; test it with an example value.",
        )
    return None


def _python_only_syntax(pattern: str) -> PatternProblem | None:
    scan = _Scan(pattern)
    while scan.index < len(pattern):
        problem = scan.step()
        if problem is not None:
            return problem
    return None


_REPEATED_LOOKAROUND = (
    "a repeated lookahead or lookbehind, which JavaScript refuses",
    "A lookaround matches no characters, so repeating it changes nothing: remove the quantifier.",
)
_PROPERTY_ESCAPE = (
    "pac cannot check Unicode property escapes like `\\p{L}`",
    "List the characters instead, e.g. `[A-Za-z\\u00C0-\\u024F]`.",
)
_CLOSE_FIRST_IN_CLASS = (
    "a `]` first in a class: Python reads it as the character, JavaScript "
    "as the end of an empty class",
    "Escape it: `[\\]...]`.",
)
_POSSESSIVE = (
    "a possessive quantifier (`*+`, `++`, `?+`, `{n}+`) is Python-only syntax",
    "JavaScript has no possessive quantifiers: drop the final `+`.",
)


class _Scan:
    """A left-to-right reading of a pattern, one token per `step`, stopping at the first
    piece of syntax JavaScript would refuse or read differently."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.index = 0
        self.in_class = False
        self.after_quantifier = False
        self.after_lookaround = False
        self.quantified = False  # whether the token just read repeats what precedes it
        self.groups: list[bool] = []  # for each open group: is it a lookaround?

    def problem(self, index: int, wording: tuple[str, str]) -> PatternProblem:
        return PatternProblem(index, *wording)

    def step(self) -> PatternProblem | None:
        char = self.pattern[self.index]
        if self.after_lookaround and char in "*+?{":
            return self.problem(self.index, _REPEATED_LOOKAROUND)
        self.after_lookaround = False
        self.quantified = False
        if char == "\\" and self.index + 1 < len(self.pattern):
            problem = self.escape()
        elif self.in_class:
            self.in_class = char != "]"
            self.index += 1
            problem = None
        elif char == "[":
            problem = self.open_class()
        elif char == "{":
            problem = self.brace()
        elif char in "}]":
            problem = PatternProblem(
                self.index,
                f"a lone `{char}`, which JavaScript refuses",
                f"Escape it as `\\{char}` to match the character.",
            )
        elif char == "+" and self.after_quantifier:
            problem = self.problem(self.index, _POSSESSIVE)
        else:
            problem = self.other(char)
        self.after_quantifier = self.quantified
        return problem

    def escape(self) -> PatternProblem | None:
        pattern, index = self.pattern, self.index
        if pattern.startswith(("\\p{", "\\P{"), index):
            return self.problem(index, _PROPERTY_ESCAPE)
        problem = _escape_problem(pattern, index, self.in_class)
        if problem is not None:
            return problem
        long = _LONG_ESCAPE.match(pattern, index)
        self.index = long.end() if long else index + 2
        return None

    def open_class(self) -> PatternProblem | None:
        body = self.index + (2 if self.pattern.startswith("[^", self.index) else 1)
        if self.pattern.startswith("]", body):
            return self.problem(body, _CLOSE_FIRST_IN_CLASS)
        self.in_class = True
        self.index = body
        return None

    def brace(self) -> PatternProblem | None:
        quantifier = _QUANTIFIER.match(self.pattern, self.index)
        if quantifier is None:
            spelled = re.match(r"\{,([0-9]+)\}", self.pattern[self.index :])
            return PatternProblem(
                self.index,
                "a `{` that does not start a repetition like {2,5}",
                f"Write {{0,{spelled.group(1)}}}: JavaScript has no `{{,n}}` form."
                if spelled
                else "Escape it as `\\{` to match a brace.",
            )
        self.index = quantifier.end()
        self.quantified = True
        return None

    def other(self, char: str) -> PatternProblem | None:
        if char == "(" and self.pattern.startswith("(?", self.index):
            problem = _group_problem(self.pattern, self.index)
            if problem is not None:
                return problem
        if char == "(":
            self.groups.append(self.pattern.startswith(_LOOKAROUNDS, self.index))
        elif char == ")" and self.groups:
            self.after_lookaround = self.groups.pop()
        # `?` right after a quantifier makes it lazy, which both dialects know.
        self.quantified = char in "*+?" and not (char == "?" and self.after_quantifier)
        self.index += 1
        return None


def _escape_problem(pattern: str, index: int, in_class: bool) -> PatternProblem | None:
    escaped = pattern[index + 1]
    replacements = {
        "A": ("`\\A` is Python-only syntax", "Write `^`: it marks the start of the value."),
        "Z": (
            "`\\Z` is Python-only syntax",
            "Write `$`: in a form pattern it already means the very end of the value.",
        ),
        "a": ("`\\a` (bell) is Python-only syntax", "Write `\\x07`."),
        "U": (
            "`\\U` escapes are Python-only syntax",
            "Write the code point as `\\u{1F600}`.",
        ),
        "N": (
            "`\\N{...}` named characters are Python-only syntax",
            "Write the code point as `\\u{...}` or the character itself.",
        ),
    }
    if escaped in replacements:
        message, hint = replacements[escaped]
        return PatternProblem(index, message, hint)
    if (escaped == "0" and pattern[index + 2 : index + 3].isdigit()) or (
        in_class and escaped in "123456789"
    ):
        return PatternProblem(
            index,
            "an octal escape is Python-only syntax",
            "Write the character as `\\xNN` (two hexadecimal digits).",
        )
    if (
        (escaped.isascii() and escaped.isalnum())
        or escaped in _JS_SYNTAX_CHARS
        or (in_class and escaped == "-")
    ):
        return None  # letters and digits: Python's compile decides; the rest is valid
    shown = escaped if escaped.isprintable() and escaped != " " else f"U+{ord(escaped):04X}"
    return PatternProblem(
        index,
        f"`\\{shown}` is not a valid escape in JavaScript (browsers and JSON Schema "
        "validators refuse it)",
        f"Write `{escaped}` without the backslash"
        + ("." if escaped != "-" else ", or put it first in a class: `[-a-z]`."),
    )


def _group_problem(pattern: str, index: int) -> PatternProblem | None:
    rest = pattern[index:]
    if rest.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!")) or NAMED_GROUP.match(rest):
        return None
    if rest.startswith("(?P<"):
        name = re.match(r"\(\?P<([^>]*)>", rest)
        return PatternProblem(
            index,
            "a `(?P<name>...)` group is Python-only syntax",
            f"Write `(?<{name.group(1) if name else 'name'}>...)`, the JavaScript spelling.",
        )
    if rest.startswith("(?P="):
        name = re.match(r"\(\?P=([^)]*)\)", rest)
        return PatternProblem(
            index,
            "a `(?P=name)` back-reference is Python-only syntax",
            f"Write `\\k<{name.group(1) if name else 'name'}>`, the JavaScript spelling.",
        )
    if rest.startswith("(?#"):
        return PatternProblem(
            index, "a `(?#...)` comment is Python-only syntax", "Remove the comment."
        )
    if rest.startswith("(?>"):
        return PatternProblem(
            index,
            "an atomic group `(?>...)` is Python-only syntax",
            "JavaScript has no atomic groups: write `(?:...)`.",
        )
    if rest.startswith("(?("):
        return PatternProblem(
            index,
            "a conditional group `(?(1)...|...)` is Python-only syntax",
            "JavaScript has no conditionals: write the alternatives out with `|`.",
        )
    flags = _PY_FLAGS.match(rest)
    if flags and flags.group().endswith(":"):
        return PatternProblem(
            index,
            "a `(?i:...)` modifier group, which only the newest JavaScript engines know "
            "(ajv on Node.js 20 and older browsers refuse it)",
            "Spell the cases out instead, e.g. `[Yy]es` or `[A-Za-z]`.",
        )
    if flags:
        return PatternProblem(
            index,
            "inline flags like `(?i)` are Python-only syntax; JSON Schema patterns have no flags",
            "Spell the cases out instead, e.g. `[Yy]es` or `[A-Za-z]`.",
        )
    return None
