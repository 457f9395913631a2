"""The command table of `pac`: every command listed, each line of `pac --help` its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pac.cli.app import COMMANDS, app
from pac.cli.lazy import Lazy, build

CLI = Path(__file__).resolve().parents[3] / "src" / "pac" / "cli"
NOT_COMMANDS = {"__init__", "app", "common", "helptext", "lazy"}


def test_every_command_file_is_in_the_table() -> None:
    files = {path.stem for path in CLI.glob("*.py")} - NOT_COMMANDS
    assert files == {entry.module.rsplit(".", 1)[1] for entry in COMMANDS}


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda entry: entry.name)
def test_the_line_in_help_is_the_commands_own_first_paragraph(entry: Lazy) -> None:
    command = build(entry)
    assert command.name == entry.name
    first = (command.help or "").split("\n\n")[0].strip()
    assert entry.summary == first, (
        f"COMMANDS in src/pac/cli/app.py says {entry.summary!r} for `pac {entry.name}`, "
        f"its help says {first!r}: copy the command's first paragraph into the table"
    )


def test_help_lists_every_command_in_order() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    panel = result.output.split("Commands")[1]
    # A command's row starts with its name; a wrapped line of its help with spaces.
    rows = [line for line in panel.splitlines() if line.startswith("│ ")]
    listed = [row.split()[1] for row in rows if not row[2].isspace()]
    assert listed == [entry.name for entry in COMMANDS]


def test_a_mistyped_command_is_named_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["valdate"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "Did you mean 'validate'?" in result.output
