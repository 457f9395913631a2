"""`pac export`: write the catalog as a static site (and, if asked, as Backstage entities)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pac.cli.common import repository, user_errors, warn_unreadable


def export_site(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write the site into.")],
    backstage: Annotated[
        bool,
        typer.Option(
            "--backstage",
            help="Also write Backstage entities under DIR/backstage/: a Software Template per "
            "item and bundle, a Resource per live request, and the Location listing them.",
        ),
    ] = False,
    site_url: Annotated[
        str,
        typer.Option(
            "--site-url",
            metavar="URL",
            help="Where the site is published, for the Backstage entities' links to its pages.",
        ),
    ] = "",
) -> None:
    """Write the catalog as a static site: JSON API, openapi.json and browsable pages."""
    from pac.authoring import export

    repo = repository(ctx)
    with user_errors():
        publishing = None
        if backstage:
            from pac.authoring.backstage import publishing as find_publishing

            config = repo.config
            publishing = find_publishing(
                config.repository_url, config.repository_branch, os.environ, site_url
            )
        result = export.export(repo, out, publishing)
    warn_unreadable(repo)
    for note in result.notes:
        typer.echo(f"warning: {note}", err=True)
    extra = (
        f" and Backstage entities ({out / 'backstage' / 'catalog-info.yaml'})" if backstage else ""
    )
    typer.echo(
        f"exported {result.offerings} offerings ({result.files} files){extra} to {out}; "
        f"open {out / 'index.html'}",
        err=True,
    )
