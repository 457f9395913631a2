"""`pac report`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pac.cli.common import Output, repository, use_colour, user_errors, write

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from pac.tracking.metrics import Report


class Format(StrEnum):
    """`--format`: the listing formats, and a page for leaders."""

    table = "table"
    json = "json"
    yaml = "yaml"
    html = "html"


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
    output: Annotated[
        Output | None,
        typer.Option("--output", "-o", help="Output format (as --format).", show_default=False),
    ] = None,
    format_: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="table, json, yaml, or html: one self-contained page with charts.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the report into FILE instead of printing it (e.g. report.html).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Metrics for leaders: lead time (review, freeze, fulfilment) against the items'
    promised targets, failure rate, automation, per owning team and offering; and the live
    requests on each version of each offering (what `pac upgrade` moves forward)."""
    from pac.records.store import StatusStore
    from pac.tracking.metrics import report_of

    with user_errors():
        day = _day(since) if since is not None else None
        chosen = _format(format_, output)
    repo = repository(ctx)
    with user_errors():
        statuses = list(StatusStore(repo.root).all())  # an unreadable file: StatusError
    figures = report_of(repo, statuses, day)
    if chosen is Format.table:
        console = _console(to_file=out is not None)
        _tables(figures, console)
        if out is None:
            return
        text = console.export_text()
    else:
        text = _text(figures, chosen)
    if out is not None:
        with user_errors():
            _save(out, text)
    else:
        write(text)


def _console(to_file: bool) -> Console:
    from io import StringIO

    from rich.console import Console

    if to_file:  # recorded, plain, as wide as a terminal would be
        return Console(file=StringIO(), record=True, no_color=True, width=100, highlight=False)
    return Console(no_color=not use_colour(sys.stdout), highlight=False, soft_wrap=True)


def _format(chosen: Format | None, output: Output | None) -> Format:
    from pac.errors import UsageError

    if chosen is not None and output is not None and chosen.value != output.value:
        raise UsageError(
            f"--format {chosen.value} and --output {output.value} disagree",
            "Give one of them: --format table|json|yaml|html.",
        )
    return chosen or Format(output.value if output else Format.table.value)


def _text(figures: Report, chosen: Format) -> str:
    """The report as JSON, YAML or an HTML page."""
    if chosen is Format.json:
        return json.dumps(figures.as_dict(), indent=2) + "\n"
    if chosen is Format.yaml:
        import yaml

        return str(yaml.safe_dump(figures.as_dict(), sort_keys=False))
    from pac.tracking.report_html import render_html

    return render_html(figures)


def _save(out: Path, text: str) -> None:
    from pac.errors import UsageError

    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write {out}: {exc.strerror}",
            "Give --out a file in a folder that exists and you may write to.",
        ) from None


def _day(text: str) -> dt.date:
    from pac.errors import UsageError

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--since {text!r} is not a day", "Write it as YYYY-MM-DD, e.g. --since 2026-01-31."
        ) from None


def _tables(figures: Report, console: Console) -> None:
    from rich.markup import escape

    from pac.tracking.figures import LeadTimes, Targets
    from pac.tracking.metrics import humanise, summary_rows, targets_short, version_rows

    heading = f"since {figures.since.isoformat()}" if figures.since else "all time"
    summary = _table(f"Requests, {heading}", "", "")
    summary.show_header = False
    summary.columns[1].justify = "left"
    for name, value in summary_rows(figures).items():
        summary.add_row(name, escape(value))
    console.print(summary)

    _team_tables(console, figures)
    if figures.offerings:
        asked = _table("Most requested", "offering", "requests", "done", "failed", "lead", "kept")
        for offering in figures.offerings[:10]:
            lead = LeadTimes.of(offering.asked.measures, figures.now)
            asked.add_row(
                escape(offering.id),
                str(offering.requests),
                str(offering.completed),
                str(offering.failed),
                humanise(lead.total.median),
                targets_short(Targets.of(offering.asked.measures, figures.now)),
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
        again = " (tried again since)" if failure.retried else ""
        console.print(f"  {failure.at} {escape(failure.request)}: {escape(failure.task)}{again}")
        console.print(f"    {escape(failure.message)}")
        console.print(f"    owner {escape(failure.team)}{escape(ask)}")


def _team_tables(console: Console, figures: Report) -> None:
    from rich.markup import escape

    from pac.tracking.figures import Durations, LeadTimes, Targets
    from pac.tracking.metrics import humanise, percent, targets_short

    teams = _table("Owning teams", "team", "tickets", "calls", "automated", "failed", "task time")
    lead = _table("Lead time per team", "team", "requests", "median", "p90", "kept", "failing")
    for team in figures.teams:
        teams.add_row(
            escape(team.team),
            str(team.tickets),
            str(team.calls),
            percent(team.automation),
            str(team.failures),
            humanise(Durations.of(team.durations).median),
        )
        if team.asked.taken_up:
            times = LeadTimes.of(team.asked.measures, figures.now)
            lead.add_row(
                escape(team.team),
                str(team.asked.taken_up),
                humanise(times.total.median),
                humanise(times.total.p90),
                targets_short(Targets.of(team.asked.measures, figures.now)),
                percent(team.asked.failure_rate),
            )
    console.print(teams)
    if lead.row_count:
        console.print(lead)


def _table(title: str, *columns: str) -> Table:
    """A borderless table that fits 80 columns: the first column holds names and
    never wraps, the rest hold figures."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for index, column in enumerate(columns):
        table.add_column(column, no_wrap=index == 0, justify="left" if index == 0 else "right")
    return table
