"""ECMA-262 regular expressions: a form pattern compiled with the meaning JSON Schema gives
it, and matched with a time limit.

A form's patterns are run by browsers and portal libraries as well as by pac; read here
with JavaScript's meaning, the two verdicts agree. Whether a pattern is portable at all
(no Python-only syntax) is `pac.forms.ecma_syntax`.
"""

from __future__ import annotations

import re
import threading
from functools import cache

import regex

# ECMAScript's \s (what browsers and ajv use), spelled out for Python.
_ECMA_SPACE = (
    "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)

# What `.` matches in JavaScript: anything but its four line terminators.
_ECMA_DOT = "[^\\n\\r\\u2028\\u2029]"
NAMED_GROUP = re.compile(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>")
_BACK_REFERENCE = re.compile(r"\\k<([A-Za-z_][A-Za-z0-9_]*)>")
_CODE_POINT = re.compile(r"\\u\{([0-9A-Fa-f]{1,6})\}")
_CONTROL_ESCAPE = re.compile(r"\\c([A-Za-z])")


@cache
def ecma_regex(pattern: str) -> regex.Pattern[str]:
    """`pattern` compiled with the meaning JSON Schema gives it (ECMA-262); see `translate`."""
    # The `regex` engine rather than `re`: it reads the same syntax (named groups and back
    # references included, which linear-time engines such as RE2 lack) and its matching can
    # be stopped after a time limit, so a pattern that backtracks catastrophically on some
    # value costs a bounded moment instead of hanging validation or a portal's server.
    return regex.compile(translate(pattern), regex.ASCII | regex.VERSION0)


def translate(pattern: str) -> str:
    """`pattern` spelled for Python with the meaning JSON Schema gives it (ECMA-262), as far
    as the two dialects differ in patterns people write.

    A form's patterns are also run by browsers and portal libraries; read with Python's
    meaning they would disagree: `$` matches before a final newline (so "name\\n" passed
    `^[a-z-]+$`), `\\d` and `\\w` match any script's digits and letters, and `\\s` is a
    different set of spaces.
    """
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            text, length = _escaped(pattern, index, in_class)
            out.append(text)
            index += length
            continue
        if in_class:
            if char == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
        elif char == "[":
            in_class = True
            if pattern.startswith("[^", index):
                out.append("[^")
                index += 2
                continue
        elif char == "$":
            char = r"\Z"
        elif char == ".":
            char = _ECMA_DOT
        elif char == "(" and (named := NAMED_GROUP.match(pattern, index)):
            out.append(f"(?P<{named.group(1)}>")
            index = named.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)


# How long one value may take to match a form pattern. Real patterns answer in
# microseconds; a value that takes this long meets catastrophic backtracking.
MATCH_TIMEOUT = 0.25
_TIMED_OUT: dict[tuple[str, str], None] = {}  # (pattern, value) pairs, oldest first
_TIMED_OUT_LOCK = threading.Lock()


def pattern_search(compiled: regex.Pattern[str], value: str) -> bool:
    """Whether `compiled` finds a match in `value`; False when matching takes longer than
    MATCH_TIMEOUT (remembered, so reporting the refusal does not wait a second time)."""
    key = (compiled.pattern, value)
    if key in _TIMED_OUT:
        return False
    try:
        return compiled.search(value, timeout=MATCH_TIMEOUT) is not None
    except TimeoutError:
        with _TIMED_OUT_LOCK:  # `pac apply` checks requests in several threads
            _TIMED_OUT[key] = None
            while len(_TIMED_OUT) > 256:
                del _TIMED_OUT[next(iter(_TIMED_OUT))]
        return False


def pattern_timed_out(pattern: str, value: str) -> bool:
    """Whether matching `value` against the form pattern `pattern` ran out of time."""
    return (ecma_regex(pattern).pattern, value) in _TIMED_OUT


def _escaped(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    """The escape at `index` spelled for Python, and how many characters it spans."""
    translated = _ecma_escape(pattern, index)
    if translated is not None:
        return translated
    escaped = pattern[index + 1]
    if escaped == "s":
        return (_ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]"), 2
    if escaped == "S" and not in_class:
        return f"[^{_ECMA_SPACE}]", 2
    return "\\" + escaped, 2


def _ecma_escape(pattern: str, index: int) -> tuple[str, int] | None:
    """JavaScript escapes Python spells differently, as (Python spelling, length)."""
    if reference := _BACK_REFERENCE.match(pattern, index):
        return f"(?P={reference.group(1)})", len(reference.group())
    if code_point := _CODE_POINT.match(pattern, index):
        return f"\\U{int(code_point.group(1), 16):08X}", len(code_point.group())
    if control := _CONTROL_ESCAPE.match(pattern, index):
        return f"\\x{ord(control.group(1)) % 32:02x}", 3
    return None
