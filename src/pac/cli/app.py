"""The `pac` command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pac import __version__
from pac.cli.common import State
from pac.cli.helptext import tidy
from pac.cli.lazy import Lazy, lazy_group

# Every command: its name, the file and name that define it, and its line in `pac --help`
# (the first paragraph of its own help; a test keeps the two equal). A command's file is
# imported only when it runs (`pac.cli.lazy`), so `pac validate FILE` starts fast.
COMMANDS = (
    Lazy(
        "validate",
        "pac.cli.validate",
        "validate",
        "Check catalog documents, requests and CODEOWNERS; exit 1 on errors.",
    ),
    Lazy(
        "render",
        "pac.cli.render",
        "render",
        "Show every ticket and HTTP call ID would produce for the input; nothing is sent.",
    ),
    Lazy(
        "form",
        "pac.cli.form",
        "form",
        "The request form of an offering: JSON Schema + UI schema, or a standalone HTML page.",
    ),
    Lazy(
        "export",
        "pac.cli.export",
        "export_site",
        "Write the catalog as a static site: JSON API, openapi.json and browsable pages.",
    ),
    Lazy(
        "plan",
        "pac.cli.plan",
        "plan",
        "Show exactly what pac apply would do: every ticket and call, in order, for review.",
    ),
    Lazy(
        "apply",
        "pac.cli.apply",
        "apply",
        "Fulfil new, changed, retried, escalated and no-longer-deferred requests, advance the "
        "waiting ones (tickets their teams resolved), record their status and tell people.",
    ),
    Lazy(
        "status",
        "pac.cli.status",
        "status",
        "Show where requests stand, in plain words, with each ticket's state read live.",
    ),
    Lazy(
        "upgrade",
        "pac.cli.upgrade",
        "upgrade",
        "Write `operations.upgrade: VERSION` into every live request fulfilled with an older "
        "version of ITEM (used directly or as a bundle component), for one reviewed pull "
        "request.",
    ),
    Lazy(
        "report",
        "pac.cli.report",
        "report",
        "Metrics for leaders: lead time (review, freeze, fulfilment) against the items' "
        "promised targets, failure rate, automation, per owning team and offering; and the "
        "live requests on each version of each offering (what `pac upgrade` moves forward).",
    ),
    Lazy("catalog", "pac.cli.catalog", "app", "Find platform offerings."),
    Lazy("request", "pac.cli.request", "app", "Ask for catalog offerings."),
    Lazy("new", "pac.cli.new", "app", "Start a new catalog document from the templates."),
    Lazy(
        "codeowners",
        "pac.cli.codeowners",
        "app",
        "Keep CODEOWNERS in step with catalog/categories.yaml.",
    ),
    Lazy(
        "outbox",
        "pac.cli.outbox",
        "app",
        "The outbox: the tickets pac apply made with no JIRA configured (.pac/outbox/).",
    ),
)

app = typer.Typer(
    name="pac",
    cls=lazy_group(COMMANDS),
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


# --help in words, paragraphs that wrap (each command's own when it is built).
tidy(app)
