"""How `--help` reads: words, not Python types, and paragraphs that wrap to the terminal.

Typer shows each parameter's Python type (`<bool>` beside a flag, `<str>`, `<list[str]>`)
and keeps the line breaks of a docstring, so on a narrower terminal than the source's a
paragraph breaks raggedly ("… PAC_JIRA_USER and" / "PAC_JIRA_TOKEN …"). `tidy(app)` fixes
both for every command of the app, once, before click builds the help.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import typer

_LIST_LINE = re.compile(r"^\s*([-*•]|\d+\.)\s")


def reflowed(text: str) -> str:
    """Paragraphs as single lines (the terminal wraps them); a paragraph of list lines, or
    one marked with click's `\\b`, keeps its breaks."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    kept = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        if paragraph.startswith("\b") or any(_LIST_LINE.match(line) for line in lines):
            kept.append(paragraph)
        else:
            kept.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(kept)


def _value_name(param: Any, ctx: Any, typed: Any) -> str | None:
    """What a parameter's value column shows: nothing for a flag (its name says it all) or
    an argument (its name is shown already), the metavar or choices if given, else the
    option's name in capitals (`--email EMAIL`)."""
    if param.param_type_name == "argument":
        return None
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    if param.metavar is not None:
        return str(param.metavar)
    shown = typed(param, ctx)
    if shown and "|" in shown:  # the choices, which say more than a name would
        return str(shown)
    if shown == "<path>":
        return "PATH"
    name = str(param.name or "value").upper()
    return name + ("..." if param.nargs != 1 else "")


def _words_for_types() -> None:
    core: Any = typer.core
    for cls in (core.TyperOption, core.TyperArgument):
        typed = getattr(cls, "display_type_rich", None)
        if typed is None or getattr(typed, "pac_words", False):
            continue  # an older typer shows no Python types; or done already

        def display(self: Any, ctx: Any, typed: Any = typed) -> str | None:
            return _value_name(self, ctx, typed)

        display.pac_words = True  # type: ignore[attr-defined]
        cls.display_type_rich = display


def tidy(app: typer.Typer) -> None:
    """Reflow every command's help and show value names, not Python types, in `--help`."""
    _words_for_types()
    for command in app.registered_commands:
        text = command.help or inspect.getdoc(command.callback) or ""
        if text:
            command.help = reflowed(text)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            tidy(group.typer_instance)
