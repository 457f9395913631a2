"""`pac validate`."""

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
    github = "github"
    sarif = "sarif"


def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to check (default: the whole repository)."),
    ] = None,
    changed: Annotated[
        str | None,
        typer.Option(
            "--changed",
            metavar="BASE",
            help="Check what changed since this git revision, and everything that uses it; "
            "changed items and bundles must raise their version as the change demands.",
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check catalog documents, requests and CODEOWNERS; exit 1 on errors.

    Findings read `path:line:column: severity\\[rule] message` with a hint below; the
    rules are explained in docs/rules.md.
    """
    from pac.validation.output import render
    from pac.validation.run import validate as run

    repo = repository(ctx)
    with user_errors():
        result = run(repo, paths=paths or None, changed_since=changed)
    for shown, reason in result.skipped:
        typer.echo(f"{shown}: skipped, {reason}", err=True)
    colour = output is None and use_colour(sys.stdout)
    text = render(fmt.value, result.diagnostics, len(result.checked), colour=colour)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            from pac.cli.common import fail
            from pac.errors import UsageError

            fail(
                UsageError(
                    f"cannot write the report to {output}: {exc.strerror or exc}",
                    "Pass --output a file path in a folder you may write to.",
                )
            )
        if fmt is not Format.text:
            from pac.validation.output import summary

            typer.echo(summary(result.diagnostics, len(result.checked)), err=True)
    else:
        write(text)
    failed = result.errors > 0 or (strict and result.warnings > 0)
    raise typer.Exit(1 if failed else 0)
