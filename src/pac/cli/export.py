"""`pac export`: write the catalog as a static site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pac.cli.common import repository, user_errors, warn_unreadable


def export_site(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write the site into.")],
) -> None:
    """Write the catalog as a static site: JSON API, openapi.json and browsable pages."""
    from pac.authoring import export

    repo = repository(ctx)
    with user_errors():
        result = export.export(repo, out)
    warn_unreadable(repo)
    for note in result.notes:
        typer.echo(f"warning: {note}", err=True)
    typer.echo(
        f"exported {result.offerings} offerings ({result.files} files) to {out}; "
        f"open {out / 'index.html'}",
        err=True,
    )
