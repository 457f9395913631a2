"""The `pac` command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pac import __version__
from pac.cli import (
    apply,
    catalog,
    codeowners,
    export,
    form,
    new,
    outbox,
    plan,
    render,
    report,
    request,
    status,
    upgrade,
    validate,
)
from pac.cli.common import State
from pac.cli.helptext import tidy

app = typer.Typer(
    name="pac",
    help="Platform Automation Catalog: validate offerings, request them, fulfil requests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pac {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    repo: Annotated[
        Path | None,
        typer.Option(
            "--repo",
            envvar="PAC_REPO",
            help="The catalog repository (default: the one containing the current folder).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    ctx.obj = State(repo_path=repo)


app.command("validate")(validate.validate)
app.command("render")(render.render)
app.add_typer(catalog.app, name="catalog")
app.command("form")(form.form)
app.command("export")(export.export_site)
app.add_typer(request.app, name="request")
app.command("plan")(plan.plan)
app.command("apply")(apply.apply)
app.command("status")(status.status)
app.command("upgrade")(upgrade.upgrade)
app.add_typer(new.app, name="new")
app.add_typer(codeowners.app, name="codeowners")
app.command("report")(report.report)
app.add_typer(outbox.app, name="outbox")


def main() -> None:
    """Entry point: no Python traceback reaches a user unless PAC_DEBUG is set."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug in pac, not a user mistake
        if os.environ.get("PAC_DEBUG"):
            raise
        typer.echo(
            f"pac: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: this is a bug in pac; rerun with PAC_DEBUG=1 and report the traceback.",
            err=True,
        )
        sys.exit(2)


# Last, after every command is registered: --help in words, paragraphs that wrap.
tidy(app)
