"""`pac report`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from pac.cli.common import Output, repository, use_colour, user_errors, write

if TYPE_CHECKING:
    from rich.table import Table

    from pac.tracking.metrics import Report


def report(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="YYYY-MM-DD",
            help="Count only requests pac first took up on or after this day.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[Output, typer.Option("--output", "-o", help="Output format.")] = Output.table,
) -> None:
    """Metrics for leaders: lead time, automation and failures, per owning team; and the
    live requests on each version of each offering (what `pac upgrade` moves forward)."""
    import yaml

    from pac.records.store import StatusStore
    from pac.tracking.metrics import build_report

    with user_errors():
        day = _day(since) if since is not None else None
    repo = repository(ctx)
    with user_errors():
        statuses = list(StatusStore(repo.root).all())  # an unreadable file: StatusError
    figures = build_report([*repo.items(), *repo.bundles()], repo.requests(), statuses, day)
    if output is Output.json:
        write(json.dumps(figures.as_dict(), indent=2) + "\n")
    elif output is Output.yaml:
        write(yaml.safe_dump(figures.as_dict(), sort_keys=False))
    else:
        _tables(figures)


def _day(text: str) -> dt.date:
    from pac.errors import UsageError

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--since {text!r} is not a day", "Write it as YYYY-MM-DD, e.g. --since 2026-01-31."
        ) from None


def _tables(figures: Report) -> None:
    from rich.console import Console
    from rich.markup import escape

    from pac.tracking.metrics import Durations, humanise, percent, summary_rows, version_rows

    console = Console(no_color=not use_colour(sys.stdout), highlight=False, soft_wrap=True)
    heading = f"since {figures.since.isoformat()}" if figures.since else "all time"
    summary = _table(f"Requests, {heading}", "", "")
    summary.show_header = False
    summary.columns[1].justify = "left"
    for name, value in summary_rows(figures).items():
        summary.add_row(name, escape(value))
    console.print(summary)

    teams = _table("Owning teams", "team", "tickets", "calls", "automated", "failed", "task time")
    for team in figures.teams:
        teams.add_row(
            escape(team.team),
            str(team.tickets),
            str(team.calls),
            percent(team.automation),
            str(team.failures),
            humanise(Durations.of(team.durations).median),
        )
    console.print(teams)

    if figures.offerings:
        asked = _table("Most requested", "offering", "requests", "completed", "failed")
        for offering in figures.offerings[:10]:
            asked.add_row(
                escape(offering.id),
                str(offering.requests),
                str(offering.completed),
                str(offering.failed),
            )
        console.print(asked)

    if figures.versions:
        live = _table("Live requests per item version", "offering", "version", "live", "requests")
        live.columns[3].justify = "left"
        for use in figures.versions:
            for index, (version, count, ids) in enumerate(version_rows(use)):
                live.add_row(escape(use.id) if index == 0 else "", version, count, escape(ids))
        console.print(live)

    for failure in figures.failures:
        if failure is figures.failures[0]:
            console.print("[bold]Recent failures[/]")
        ask = f" (ask {failure.contact})" if failure.contact else ""
        console.print(f"  {failure.at} {escape(failure.request)}: {escape(failure.task)}")
        console.print(f"    {escape(failure.message)}")
        console.print(f"    owner {escape(failure.team)}{escape(ask)}")


def _table(title: str, *columns: str) -> Table:
    """A borderless table that fits 80 columns: the first column holds names and
    never wraps, the rest hold figures."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for index, column in enumerate(columns):
        table.add_column(column, no_wrap=index == 0, justify="left" if index == 0 else "right")
    return table
