"""Form patterns that backtrack catastrophically (ReDoS), found before anyone types a value.

Browsers, portals and ajv run a form's `validation.pattern` with backtracking engines. A
repeated group whose body can match the same text in more than one way, such as `(a+)+`,
`(a*)*`, `(\\w+\\s?)*` or `(a|a)*`, makes them try exponentially many ways to split a value
that almost matches: 41 characters are enough to hang a page or a server for minutes. pac
itself matches with a time limit (`pac.forms.ecma.MATCH_TIMEOUT`); this check refuses such
patterns in `pac validate` so nobody else has to.

The analysis is a conservative approximation on the pattern's structure: it looks at each
group repeated without an upper bound and asks whether an inner repetition could swallow
everything else its body requires (nested quantifiers), or whether two of its alternatives
can start with the same character (overlapping alternation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

# Characters tried against each atom to learn which it matches: ASCII and a few others
# from the classes patterns use (letters with accents, spaces, line separators, CJK, emoji).
_SAMPLE = (*(chr(c) for c in range(128)), "é", "\u00a0", "\u2028", "中", "\U0001f600")
_ALL = frozenset(_SAMPLE)
_QUANTIFIER = re.compile(r"(?:[*+?]|\{([0-9]+)(?:(,)([0-9]*))?\})\??")
_ESCAPE = re.compile(
    r"\\(?:u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|c[A-Za-z]|k<[^>]*>|.)"
)
_ZERO_WIDTH = frozenset({"^", "$", "\\b", "\\B"})
# A bounded repeat this large backtracks like an unbounded one.
_MANY = 10


@dataclass
class _Item:
    start: int
    text: str = ""  # the atom's source, for a single-character atom
    alternatives: list[list[_Item]] | None = None  # for a group
    zero_width: bool = False
    low: int = 1
    high: int | None = 1

    def chars(self) -> frozenset[str]:
        """The characters this item may match (over-approximated for groups)."""
        if self.zero_width:
            return frozenset()
        if self.alternatives is None:
            return _atom_chars(self.text)
        found: set[str] = set()
        for alternative in self.alternatives:
            for item in alternative:
                found |= item.chars()
        return frozenset(found)

    def repeats(self) -> bool:
        """Whether it matches a variable number of repetitions of something."""
        if self.zero_width:
            return False
        if self.high is None or (self.high > 1 and self.high != self.low):
            return True
        return any(i.repeats() for alt in self.alternatives or [] for i in alt)

    def required(self) -> bool:
        return self.low >= 1 and not self.zero_width


@dataclass(frozen=True, slots=True)
class Backtracking:
    """Where a pattern can backtrack catastrophically (0-based index) and why."""

    index: int
    message: str


@dataclass
class _Parser:
    pattern: str
    index: int = 0
    groups: list[_Item] = field(default_factory=list)

    def alternatives(self) -> list[list[_Item]]:
        result: list[list[_Item]] = [[]]
        while self.index < len(self.pattern):
            char = self.pattern[self.index]
            if char == ")":
                break
            if char == "|":
                self.index += 1
                result.append([])
                continue
            item = self.atom()
            self.quantify(item)
            result[-1].append(item)
        return result

    def atom(self) -> _Item:
        start, pattern = self.index, self.pattern
        char = pattern[start]
        if char == "(":
            return self.group()
        if char == "[":
            end = _class_end(pattern, start)
            self.index = end
            return _Item(start, pattern[start:end])
        if char == "\\":
            escape = _ESCAPE.match(pattern, start)
            end = escape.end() if escape else start + 1
            self.index = end
            text = pattern[start:end]
            return _Item(start, text, zero_width=text in _ZERO_WIDTH)
        self.index = start + 1
        return _Item(start, char, zero_width=char in _ZERO_WIDTH)

    def group(self) -> _Item:
        start = self.index
        rest = self.pattern[start:]
        lookaround = rest.startswith(("(?=", "(?!", "(?<=", "(?<!"))
        prefix = re.match(r"\((?:\?(?:[:=!]|<=|<!|<[A-Za-z_][A-Za-z0-9_]*>))?", rest)
        self.index = start + (prefix.end() if prefix else 1)
        item = _Item(start, alternatives=self.alternatives(), zero_width=lookaround)
        self.index += 1  # the closing parenthesis (a missing one is another rule's finding)
        self.groups.append(item)
        return item

    def quantify(self, item: _Item) -> None:
        quantifier = _QUANTIFIER.match(self.pattern, self.index)
        if quantifier is None:
            return
        self.index = quantifier.end()
        text = quantifier.group()
        if text[0] == "*":
            item.low, item.high = 0, None
        elif text[0] == "+":
            item.low, item.high = 1, None
        elif text[0] == "?":
            item.low, item.high = 0, 1
        else:
            low = int(quantifier.group(1))
            comma, upper = quantifier.group(2), quantifier.group(3)
            item.low = low
            item.high = (int(upper) if upper else None) if comma else low


def _class_end(pattern: str, start: int) -> int:
    index = start + 1
    if pattern.startswith("^", index):
        index += 1
    if pattern.startswith("]", index):
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return min(index + 1, len(pattern))


@cache
def _atom_chars(text: str) -> frozenset[str]:
    from pac.forms.ecma import ecma_regex

    if text.startswith("\\k<") or (len(text) == 2 and text[0] == "\\" and text[1].isdigit()):
        return _ALL  # a back reference repeats whatever its group matched
    try:
        compiled = ecma_regex(text)
    except Exception:  # a broken atom is another rule's finding
        return _ALL
    return frozenset(c for c in _SAMPLE if compiled.fullmatch(c))


def _first_chars(alternative: list[_Item]) -> frozenset[str]:
    found: set[str] = set()
    for item in alternative:
        found |= item.chars()
        if item.required():
            break
    return frozenset(found)


def _nested(group: _Item) -> bool:
    """An inner repetition that can also match everything else the body requires."""
    for alternative in group.alternatives or []:
        for inner in alternative:
            if not inner.repeats():
                continue
            chars = inner.chars()
            others = [i for i in alternative if i is not inner and i.required()]
            if all(chars & other.chars() for other in others):
                return True
    return False


def _overlapping(group: _Item) -> bool:
    firsts = [_first_chars(alt) for alt in group.alternatives or [] if alt]
    return any(a & b for i, a in enumerate(firsts) for b in firsts[i + 1 :])


def catastrophic_backtracking(pattern: str) -> Backtracking | None:
    """The first repeated group of `pattern` that can backtrack exponentially, or None."""
    parser = _Parser(pattern)
    parser.alternatives()
    for group in sorted(parser.groups, key=lambda g: g.start):
        if group.zero_width or not (group.high is None or group.high >= _MANY):
            continue
        if _nested(group):
            return Backtracking(
                group.start,
                "a repeated group whose body is itself repeated (nested quantifiers, like (a+)+)",
            )
        if _overlapping(group):
            return Backtracking(
                group.start,
                "a repeated group whose alternatives can match the same text (like (a|a)*)",
            )
    return None
