"""docs/rules.md explains every rule code, under a heading that is exactly the code.

SARIF reports and people link to `docs/rules.md#<code>`, so a code without its section is
a broken link, and a section for a code pac does not have explains nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pac.rules import RULES
from tests.conftest import PROJECT

RULES_DOC = PROJECT / "docs" / "rules.md"
# A level-2 heading that looks like a rule code; other headings ("## Exit codes") have spaces.
_CODE_HEADING = re.compile(r"^## ([a-z0-9]+(?:-[a-z0-9]+)+)\s*$")
_SEVERITY = re.compile(r"^\*\*Severity:\*\* (error|warning)\b")


def _sections(path: Path) -> dict[str, list[str]]:
    """Each rule section's lines, by code, in the order of the document."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_code_block = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            in_code_block = not in_code_block
        if in_code_block:
            if current is not None:
                current.append(line)
            continue
        if line.startswith("#"):
            match = _CODE_HEADING.match(line)
            assert not (match and match.group(1) in sections), f"two sections for {line!r}"
            current = sections.setdefault(match.group(1), []) if match else None
            continue
        if current is not None:
            current.append(line)
    return sections


def test_every_rule_code_has_a_section_and_every_section_a_rule() -> None:
    documented = set(_sections(RULES_DOC))
    missing = sorted(set(RULES) - documented)
    unknown = sorted(documented - set(RULES))
    assert not missing, f"rule codes without a `## <code>` section in docs/rules.md: {missing}"
    assert not unknown, f"docs/rules.md has sections for codes pac does not have: {unknown}"


def test_each_section_states_the_rules_default_severity() -> None:
    wrong = {}
    for code, lines in _sections(RULES_DOC).items():
        stated = next((m.group(1) for line in lines if (m := _SEVERITY.match(line))), None)
        if code in RULES and stated != RULES[code].severity.value:
            wrong[code] = (stated, RULES[code].severity.value)
    assert not wrong, f"sections whose **Severity:** differs from src/pac/rules.py: {wrong}"


_PRINTED = re.compile(r"^\S+:\d+:\d+: (?:error|warning)\[[a-z0-9-]+\] |^    hint: ")


_BLOCK = re.compile(r"```text\n(?P<body>.*?)```", re.S)


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every line `pac validate` prints for the invalid fixtures."""
    from pac.validation.output import as_text
    from tests.acceptance.test_fixtures import fixtures, load_fixture, run_fixture

    root = tmp_path_factory.mktemp("fixtures")
    lines: set[str] = set()
    for number, location in enumerate(fixtures("invalid")):
        found = run_fixture(load_fixture(location), root / str(number))
        lines.update(as_text(found, 0).splitlines())
    return lines


def _printed(path: Path) -> list[str]:
    return [
        line
        for block in _BLOCK.finditer(path.read_text(encoding="utf-8"))
        for line in block.group("body").splitlines()
        if _PRINTED.match(line)
    ]


@pytest.mark.parametrize("page", ["rules.md", "migration.md"])
def test_every_finding_a_page_prints_is_what_a_fixture_prints(
    page: str, produced: set[str]
) -> None:
    """The pages promise their `pac prints` examples are real output; the invalid fixtures
    are the files they quote, so each printed finding and hint must come from one of them."""
    printed = _printed(PROJECT / "docs" / page)
    assert printed
    stale = [line for line in printed if line not in produced]
    assert not stale, f"docs/{page} shows output no fixture produces:\n" + "\n".join(stale)
