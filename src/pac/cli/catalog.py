"""`pac catalog list|show|search`: find and describe offerings."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pac.cli.common import Output, dump, repository, use_colour, user_errors, warn_unreadable

if TYPE_CHECKING:
    from rich.console import Console

    from pac.documents.model import Offering
    from pac.documents.repository import Repository

app = typer.Typer(help="Find platform offerings.", no_args_is_help=True)


OutputOption = Annotated[Output, typer.Option("--output", "-o", help="Output format.")]


def _console(width: int | None = None) -> Console:
    from rich.console import Console

    return Console(no_color=not use_colour(sys.stdout), highlight=False, width=width)


_COLUMNS = ("id", "name", "category", "owner", "version", "fulfilment")


def _table(rows: list[list[str]], extra: str = "") -> None:
    """One offering a line when the terminal is wide enough, and always in a pipe (so grep
    and cut work); on a narrow terminal, two lines an offering with nothing cut short."""
    from rich import box
    from rich.markup import escape
    from rich.measure import Measurement
    from rich.table import Table

    wide = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for header in [*_COLUMNS, *([extra] if extra else [])]:
        wide.add_column(header, no_wrap=True)
    for row in rows:
        wide.add_row(*(escape(cell) for cell in row))
    console = _console()
    needed = Measurement.get(console, console.options.update_width(100_000), wide).maximum
    if not console.is_terminal:
        console = _console(max(console.width, needed))
    if needed <= console.width:
        console.print(wide)
        return
    longest_id = max((len(row[0]) for row in rows), default=2)
    narrow = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    # Ids are what people copy: the column is wide enough never to break one.
    narrow.add_column("id / name", min_width=longest_id)
    narrow.add_column("owner / category · fulfilment", overflow="fold")
    for row in rows:
        identifier, name, category, owner, version, fulfilment, *more = map(escape, row)
        second = f"{name} · v{version}" + (f" · {extra} {more[0]}" if more else "")
        narrow.add_row(
            f"{identifier}\n[dim]{second}[/]", f"{owner}\n[dim]{category} · {fulfilment}[/]"
        )
    console.print(narrow)


@app.command("list")
def list_(
    ctx: typer.Context,
    category: Annotated[str | None, typer.Option("--category", help="Only this category.")] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only offerings of this team (or contact).")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="item or bundle.")] = None,
    output: OutputOption = Output.table,
) -> None:
    """List the catalog's items and bundles."""
    from pac.authoring import discovery as catalog

    repo = repository(ctx)
    with user_errors():
        rows = catalog.summaries(repo, category, owner, kind)
    warn_unreadable(repo)
    if output is Output.table:
        if not rows:
            typer.echo("No offering matches.", err=True)
            return
        _table(catalog.as_rows(rows))
    else:
        dump([r.as_dict() for r in rows], output)


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[list[str], typer.Argument(help="Words to look for.")],
    output: OutputOption = Output.table,
) -> None:
    """Find offerings by words in their id, name, tags, description and custom metadata.

    Best match first (a word in the id or name counts most, then tags, metadata and the
    description); the last column says where the words were found.
    """
    from pac.authoring import discovery as catalog

    repo = repository(ctx)
    words = " ".join(text)
    with user_errors():
        found, instead = catalog.search_or_corrected(repo, words)
    warn_unreadable(repo)
    if found and instead:
        typer.echo(f"note: nothing matches {words!r}; showing {instead!r}.", err=True)
    if output is Output.table:
        if not found:
            typer.echo(f"Nothing matches {words!r}.", err=True)
            raise typer.Exit(1)
        # Best match first; the last column says why, where a raw score would not.
        shown = instead or words
        rows = [
            [*row, ", ".join(catalog.found_in(summary, shown))]
            for row, (_, summary) in zip(catalog.as_rows([s for _, s in found]), found, strict=True)
        ]
        _table(rows, extra="found in")
    else:
        dump(
            [
                {**s.as_dict(), "score": score, "foundIn": catalog.found_in(s, instead or words)}
                for score, s in found
            ],
            output,
        )
    raise typer.Exit(0 if found else 1)


@app.command()
def show(
    ctx: typer.Context,
    offering_id: Annotated[str, typer.Argument(metavar="ID", help="An item or bundle id.")],
    output: OutputOption = Output.table,
) -> None:
    """Describe an offering: owner, form fields and rules, and what happens on request."""
    from pac.authoring import discovery as catalog

    repo = repository(ctx)
    with user_errors():
        offering = catalog.find(repo, offering_id)
    data = catalog.describe(repo, offering)
    data["liveRequests"] = _live_requests(repo, offering)
    if output is not Output.table:
        dump(data, output)
        return
    _show(data)


def _live_requests(repo: Repository, offering: Offering) -> dict[str, Any]:
    """How many live requests use each version; without them when a status is unreadable."""
    from pac.records.store import StatusError, StatusStore
    from pac.tracking.metrics import live_versions_of

    try:
        statuses = list(StatusStore(repo.root).all())
    except StatusError as error:
        typer.echo(f"warning: live requests not counted: {error.message}", err=True)
        statuses = []
    return live_versions_of(offering, statuses).as_dict()


@app.command("get", hidden=True)
def get(
    offering_id: Annotated[str, typer.Argument(metavar="ID")] = "",
) -> None:
    """The seed CLI's verb: say which pac command does it."""
    from pac.errors import UsageError

    shown = offering_id or "ID"
    with user_errors():
        raise UsageError(
            "pac has no `catalog get`",
            f"Use `pac catalog show {shown}` to describe an offering (or `pac catalog list` "
            "and `pac catalog search WORDS` to find one).",
        )


def _show(data: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    from pac.authoring.show import Grid, show_parts

    console = _console()
    for part in show_parts(data):
        if isinstance(part, Grid):
            grid = Table.grid(padding=(0, 1))
            grid.add_column(min_width=part.first, no_wrap=True)
            grid.add_column(overflow="fold")
            for label, text, style in part.rows:
                grid.add_row(Text(label), Text(text, style=style))
            console.print(grid)
        else:
            console.print(Text(part.text, style=part.style))
