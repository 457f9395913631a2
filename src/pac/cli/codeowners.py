"""`pac codeowners check|generate`."""

from __future__ import annotations

import sys

import typer

from pac.cli.common import repository, use_colour, user_errors, write

app = typer.Typer(
    help="Keep CODEOWNERS in step with catalog/categories.yaml.", no_args_is_help=True
)


@app.command()
def check(ctx: typer.Context) -> None:
    """Fail when CODEOWNERS differs from what the registry generates, or a folder has no owner."""
    from pac.validation import codeowners
    from pac.validation.output import as_text

    repo = repository(ctx)
    with user_errors():
        findings = codeowners.check(repo)
    write(as_text(findings, 1, colour=use_colour(sys.stdout)))
    raise typer.Exit(1 if findings else 0)


@app.command()
def generate(ctx: typer.Context) -> None:
    """Write CODEOWNERS from catalog/categories.yaml and pac.yaml."""
    from pac.validation import codeowners

    repo = repository(ctx)
    with user_errors():
        changed = codeowners.write(repo)
    typer.echo("CODEOWNERS updated" if changed else "CODEOWNERS is up to date", err=True)
