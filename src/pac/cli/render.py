"""`pac render`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pac.cli.common import repository, use_colour, user_errors, write


class Format(StrEnum):
    text = "text"
    json = "json"


class Strategy(StrEnum):
    manual = "manual"
    automatic = "automatic"


def render(
    ctx: typer.Context,
    offering_id: Annotated[str, typer.Argument(metavar="ID", help="A catalog item or bundle id.")],
    input_file: Annotated[
        Path,
        typer.Option(
            "--input", "-i", metavar="FILE", help="A request file, or a YAML mapping of input."
        ),
    ],
    system: Annotated[
        list[str] | None,
        typer.Option(
            "--system",
            "-s",
            metavar="KEY=VALUE",
            help="Set a .system value, e.g. platform.region=us-east-1 (repeatable).",
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    strategy: Annotated[
        Strategy | None,
        typer.Option(
            "--strategy",
            help="Render every component's manual or automatic actions instead of its current "
            "strategy (manual shows what escalation would open).",
        ),
    ] = None,
) -> None:
    """Show every ticket and HTTP call ID would produce for the input; nothing is sent.

    The input is checked against the form first. Secrets show as ***.
    """
    from pac.authoring import preview as rendering
    from pac.validation.output import as_text as findings_text

    repo = repository(ctx)
    with user_errors():
        overrides = rendering.parse_overrides(system or [])
        result = rendering.render_offering(
            repo, offering_id, input_file, overrides, strategy=strategy.value if strategy else ""
        )
    if not result.ok:
        write(findings_text(result.findings, 1, colour=use_colour(sys.stdout)))
        raise typer.Exit(1)
    write(rendering.as_json(result) if fmt is Format.json else rendering.as_text(result))
