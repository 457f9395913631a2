"""`pac outbox list|resolve`: the offline ticket backend, to try the whole lifecycle on a
laptop (SPEC §6.5)."""

from __future__ import annotations

from typing import Annotated

import typer

from pac.cli.common import Output, dump, repository, user_errors, write

app = typer.Typer(
    help="The outbox: the tickets pac apply made with no JIRA configured (.pac/outbox/).",
    no_args_is_help=True,
)


@app.command("list")
def list_tickets(
    ctx: typer.Context,
    output: Annotated[Output, typer.Option("--output", "-o", help="Output format.")] = Output.table,
) -> None:
    """List the outbox's tickets: key, state, resolution, summary, request."""
    from pac.fulfilment.backends.outbox import listing

    repo = repository(ctx)
    with user_errors():
        rows = listing(repo.root)
    if output is not Output.table:
        dump(rows, output)
        return
    if not rows:
        typer.echo("The outbox is empty: `pac apply` puts tickets there.", err=True)
        return
    columns = ("key", "state", "resolution", "request", "summary")
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns[:-1]]
    lines = [
        "  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=False))
        + "  "
        + str(row["summary"])
        for row in [dict(zip(columns, (c.upper() for c in columns), strict=True)), *rows]
    ]
    write("".join(line.rstrip() + "\n" for line in lines))


@app.command()
def resolve(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="The ticket, e.g. MSG-1.")],
    wont_do: Annotated[
        bool, typer.Option("--wont-do", help="Resolve it as Won't Do (not done).")
    ] = False,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            metavar="NAME=VALUE",
            help="A field the team filled in (read by outputs as .response.fields.NAME).",
        ),
    ] = None,
) -> None:
    """Resolve a ticket as its team would: Done (or Won't Do); the next pac apply reads it."""
    from pac.fulfilment.backends.outbox import resolve as resolve_ticket

    repo = repository(ctx)
    with user_errors():
        facts = resolve_ticket(repo.root, key, wont_do=wont_do, fields=field or [])
    typer.echo(
        f"{facts.key} resolved as {facts.resolution}; the next `pac apply` carries its request on",
        err=True,
    )
