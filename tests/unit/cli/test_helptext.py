"""`--help` in words: no Python types beside options, paragraphs that wrap cleanly."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from pac.cli.app import app
from pac.cli.helptext import reflowed

COMMANDS = [
    [],
    ["validate"],
    ["render"],
    ["form"],
    ["export"],
    ["plan"],
    ["apply"],
    ["status"],
    ["report"],
    ["catalog", "search"],
    ["catalog", "list"],
    ["catalog", "show"],
    ["request", "new"],
    ["new", "item"],
    ["codeowners", "check"],
]


def _help(words: list[str]) -> str:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w) or "pac")
def test_help_names_values_not_python_types(words: list[str]) -> None:
    out = _help(words)
    assert not re.search(r"<(bool|str|int|float|path|list\[[^\]]*\])>", out), out


def test_flags_show_no_value_and_options_name_theirs() -> None:
    out = _help(["request", "new"])
    interactive = next(line for line in out.splitlines() if "--interactive" in line)
    assert "Ask for each field." in interactive
    assert re.search(r"--interactive\s+-i\s+Ask for each field", interactive), interactive
    assert re.search(r"--email\s+EMAIL\s+Requester email", out), out
    assert re.search(r"--output\s+-o\s+PATH", _help(["validate"]))


def test_help_paragraphs_wrap_to_the_terminal_not_to_the_source() -> None:
    out = _help(["apply"])
    lines = [line.strip() for line in out.splitlines()]
    # The docstring breaks after "PAC_JIRA_USER and"; at 80 columns that left "and" alone.
    assert "and" not in lines and "the" not in lines
    text = " ".join(lines)
    assert "PAC_JIRA_USER and PAC_JIRA_TOKEN are set" in text
    assert "the rules are explained" in " ".join(_help(["validate"]).split())


def test_reflowed_keeps_lists_and_marked_paragraphs() -> None:
    text = "First line\ngoes on.\n\nA paragraph\nin two lines.\n\n- one\n- two\n\n\bkept\nas is"
    assert reflowed(text) == (
        "First line goes on.\n\nA paragraph in two lines.\n\n- one\n- two\n\n\bkept\nas is"
    )
