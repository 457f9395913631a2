"""`pac upgrade`: mark live requests on an older item version for upgrade (SPEC §6.6)."""

from __future__ import annotations

from typing import Annotated

import typer

from pac.cli.common import Output, dump, repository, user_errors, write


def upgrade(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ITEM", help="A catalog item id.")],
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="VERSION",
            help="The version to upgrade to; it must be the catalog's (default: it is).",
            show_default=False,
        ),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option("--team", help="Only requests of this requester team.", show_default=False),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be written; write nothing.")
    ] = False,
    output: Annotated[Output, typer.Option("--output", "-o", help="Output format.")] = Output.table,
) -> None:
    """Write `operations.upgrade: VERSION` into every live request fulfilled with an older
    version of ITEM (used directly or as a bundle component), for one reviewed pull request.

    Live: not decommissioned, and its current revision completed; others are listed as
    skipped with what to do first. Requests already on VERSION, or already marked for it,
    are left as they are, so a second run writes nothing. Exit 1 when a file could not be
    edited safely (it is named, with what to write by hand).
    """
    from pac.authoring.upgrade import summary_lines
    from pac.authoring.upgrade import upgrade as mark
    from pac.text import visible

    repo = repository(ctx)
    with user_errors():
        result = mark(repo, item, to, team, dry_run)
    if output is Output.table:
        write("".join(visible(line) + "\n" for line in summary_lines(result)))
    else:
        dump(result.as_dict(), output)
    raise typer.Exit(1 if result.refused else 0)
