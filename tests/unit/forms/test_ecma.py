"""Form patterns read with the meaning JSON Schema (ECMA-262) gives them."""

from __future__ import annotations

import pytest

from pac.forms.ecma import ecma_regex

PATTERN_CASES = [
    ("^[a-z][a-z0-9-]+$", "nightly-job", True),
    ("^[a-z][a-z0-9-]+$", "nightly-job\n", False),  # Python's `$` would accept it
    ("^CC-\\d{4}$", "CC-1234", True),
    ("^CC-\\d{4}$", "CC-\u0661\u0662\u0663\u0664", False),  # Arabic-Indic digits
    ("^\\w+$", "na\u00efve", False),
    ("^[^@\\s]+@[^@\\s]+$", "a\u00a0b@c", False),  # a no-break space is a space
    ("^\\S+$", "a\ufeffb", False),
    ("^[$]+$", "$$", True),  # inside a class, `$` is itself
    ("^a\\$$", "a$", True),
    ("^a.b$", "a\rb", False),  # JavaScript's `.` stops at \r too
    ("^a.b$", "a\u2028b", False),
    ("^a.b$", "a-b", True),
    ("^(?<env>[a-z]+)-\\k<env>$", "qa-qa", True),  # JavaScript's named groups
    ("^(?<env>[a-z]+)-\\k<env>$", "qa-prod", False),
    ("^\\u{1F600}$", "\U0001f600", True),
    ("^\\cJ$", "\n", True),
]

# (pattern, whether JavaScript compiles it with the unicode flag, as ajv and browsers do);


@pytest.mark.parametrize(("pattern", "text", "matches"), PATTERN_CASES)
def test_patterns_mean_what_they_mean_in_json_schema(
    pattern: str, text: str, matches: bool
) -> None:
    """Patterns are ECMA-262 regular expressions, as browsers and ajv run them."""
    assert (ecma_regex(pattern).search(text) is not None) is matches
