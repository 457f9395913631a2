"""Patterns browsers and JSON Schema validators can compile, and Python-only syntax found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pac.documents.model import NAME_PATTERN
from pac.documents.repository import Repository
from pac.forms.ecma_syntax import ecma_pattern_problem
from pac.forms.schema import DATE_PATTERN, EMAIL_PATTERN, SECRET_NAME_PATTERN, form_schema

# (pattern, whether JavaScript compiles it with the unicode flag, as ajv and browsers do);
# the browser test checks the second column against Chromium itself.
ECMA_SYNTAX_CASES = [
    ("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", True),
    ("^(?<env>[a-z]+)-\\k<env>$", True),
    ("^(?P<env>[a-z]+)$", False),
    ("^(?P<env>[a-z]+)-(?P=env)$", False),
    ("(?i)^yes$", False),
    ("\\A[a-z]+\\Z", False),
    ("^[a-z]++$", False),
    ("^[a-z]{2}+$", False),
    ("^(?>[a-z]+)$", False),
    ("^(a)?(?(1)b|c)$", False),
    ("^a(?#comment)$", False),
    ("^[a-z]*?x$", True),
    ("^[a-z]{2,3}?$", True),
    ("^a{,3}$", False),
    ("^{a}$", False),
    ("^a]$", False),
    ("^[]a]$", False),
    ("^\\-$", False),
    ("^[\\-a]$", True),
    ("^\\_$", False),
    ("^[\\w.\\@]+$", False),
    ("^\\/$", True),
    ("^\\012$", False),
    ("^\\x41\\u0041\\u{41}$", True),
    ("^\\U00000041$", False),
    ("^\\a$", False),
    ("^(?=a)+a$", False),
    ("^(?:ab)+$", True),
    ("^[a-z(+$", False),
]


@pytest.mark.parametrize(("pattern", "valid"), ECMA_SYNTAX_CASES)
def test_pac_accepts_exactly_the_patterns_javascript_compiles(pattern: str, valid: bool) -> None:
    assert (ecma_pattern_problem(pattern) is None) is valid


def test_a_python_only_pattern_is_located_and_gets_the_javascript_spelling() -> None:
    problem = ecma_pattern_problem("^[a-z]+-(?P<env>qa|prod)$")
    assert problem is not None
    assert problem.index == 8
    assert "(?<env>...)" in problem.hint
    flags = ecma_pattern_problem("^(?i)yes$")
    assert flags is not None and flags.index == 1 and "[Yy]es" in flags.hint
    # Chromium has learnt modifier groups, but ajv on Node.js 20 and older browsers refuse
    # them, so a portable form does without.
    scoped = ecma_pattern_problem("^(?i:yes)$")
    assert scoped is not None and "newest" in scoped.message


def test_every_pattern_pac_publishes_compiles_in_javascript(sample_repo: Repository) -> None:
    """The request name's fixed pattern, the email, date, secret-name and file patterns
    pac writes itself, and every item's patterns: all valid ECMA-262."""

    def patterns(schema: Any) -> Iterator[str]:
        if isinstance(schema, dict):
            if isinstance(schema.get("pattern"), str):
                yield schema["pattern"]
            for value in schema.values():
                yield from patterns(value)

    found = {NAME_PATTERN, EMAIL_PATTERN, DATE_PATTERN, SECRET_NAME_PATTERN}
    for offering in [*sample_repo.items(), *sample_repo.bundles()]:
        found.update(patterns(form_schema(offering.form)))
    assert len(found) > 5
    assert {p: ecma_pattern_problem(p) for p in found} == dict.fromkeys(found)
