"""`pac new item|bundle`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pac.cli.common import repository, use_colour, user_errors, write

app = typer.Typer(help="Start a new catalog document from the templates.", no_args_is_help=True)


def _report(ctx: typer.Context, path_text: str, doc_id: str) -> None:
    from pac.diagnostics import sorted_unique
    from pac.validation.output import as_text
    from pac.validation.run import check_file

    repo = repository(ctx)
    findings = sorted_unique(check_file(repo, repo.root / path_text))
    typer.echo(f"created {path_text} ({doc_id})", err=True)
    if findings:
        write(as_text(findings, 1, colour=use_colour(sys.stdout)))
    if all(f.code == "starter-placeholder" for f in findings):
        # The template's TODOs are the to-do list: each is a finding until it is done.
        typer.echo(
            "next: fill in each TODO listed above (`pac validate` lists those left), "
            "then open a pull request",
            err=True,
        )


@app.command()
def item(
    ctx: typer.Context,
    category: Annotated[str, typer.Argument(help="A category from catalog/categories.yaml.")],
    service: Annotated[str, typer.Argument(help="The service, e.g. aurora-postgresql.")],
    variant: Annotated[str, typer.Argument(help="The variant, e.g. standard.")],
) -> None:
    """Write catalog/CATEGORY/<prefix>-SERVICE-VARIANT.yaml from templates/catalog-item.yaml."""
    from pac.authoring.scaffold import new_item

    repo = repository(ctx)
    with user_errors():
        made = new_item(repo, category, service, variant)
    _report(ctx, repo.display(made.path), made.doc_id)


@app.command()
def bundle(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The stack's name, e.g. webapp.")],
    variant: Annotated[str, typer.Argument(help="The variant, e.g. standard.")],
    component: Annotated[
        list[str] | None,
        typer.Option(
            "--component",
            "-c",
            help="A catalog item to include (repeatable, in dependency order); the form is "
            "built from theirs.",
        ),
    ] = None,
) -> None:
    """Write catalog/bundles/bundle-NAME-VARIANT.yaml from templates/catalog-bundle.yaml."""
    from pac.authoring.scaffold import new_bundle

    repo = repository(ctx)
    with user_errors():
        made = new_bundle(repo, name, variant, component)
    _report(ctx, repo.display(made.path), made.doc_id)
