"""Commands loaded when they run: `pac X` imports the file of X, not every command's.

Typer builds a click command for every registered command at start-up, which means
importing each command's file and reading every parameter. `pac validate FILE` runs on
every commit (pre-commit), so the root group knows each command by its name, its file and
its one-line help only: `pac --help` lists them all from that table, and a command's
file is imported (and its click command built) when that command is the one that runs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command, get_group

from pac.cli.helptext import tidy


@dataclass(frozen=True)
class Lazy:
    """One command of `pac`: its name, the module and attribute that define it (a function
    for a command, a `typer.Typer` for a group such as `pac catalog`), and the line
    `pac --help` shows for it (a test holds it to the command's own help)."""

    name: str
    module: str
    attribute: str
    summary: str


def build(entry: Lazy) -> Any:
    """The click command of one entry, built as `app.command()`/`app.add_typer()` would."""
    # `__import__`, not `importlib.import_module`: the latter bypasses `-X importtime`,
    # which the start-up test and benchmarks/startup.py read.
    __import__(entry.module)
    target = getattr(sys.modules[entry.module], entry.attribute)
    if isinstance(target, typer.Typer):
        tidy(target)
        group = get_group(target)
        group.name = entry.name
        return group
    single = typer.Typer(add_completion=False)
    single.command(entry.name)(target)
    tidy(single)
    return get_command(single)


class LazyGroup(TyperGroup):
    """The root group: commands from `COMMANDS` of `pac.cli.app`, each built on first use."""

    entries: tuple[Lazy, ...] = ()

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._by_name = {entry.name: entry for entry in self.entries}
        self._listing = False
        for entry in self.entries:  # known by name, for "did you mean" on a typo
            self.commands.setdefault(entry.name, _summary_only(entry))

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self._by_name)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = self._by_name.get(cmd_name)
        if entry is None:
            return None
        if self._listing:
            return _summary_only(entry)
        command = self.commands.get(cmd_name)
        if command is None or getattr(command, "pac_summary_only", False):
            command = self.commands[cmd_name] = build(entry)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # Listing the commands needs only their one-line help: nothing is imported.
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _summary_only(entry: Lazy) -> TyperCommand:
    command = TyperCommand(name=entry.name, callback=None, help=entry.summary)
    command.pac_summary_only = True  # type: ignore[attr-defined]
    return command


def lazy_group(entries: tuple[Lazy, ...]) -> type[LazyGroup]:
    """A root group class that knows these commands."""
    return type("PacGroup", (LazyGroup,), {"entries": entries})
