"""`pac form`: an offering's request form, as JSON Schema or a standalone HTML page."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from pac.cli.common import repository, user_errors, write


class FormFormat(StrEnum):
    jsonschema = "jsonschema"
    html = "html"


def form(
    ctx: typer.Context,
    offering_id: Annotated[str, typer.Argument(metavar="ID", help="An item or bundle id.")],
    fmt: Annotated[FormFormat, typer.Option("--format", "-f", help="Output format.")] = (
        FormFormat.jsonschema
    ),
) -> None:
    """The request form of an offering: JSON Schema + UI schema, or a standalone HTML page.

    The JSON Schema is the one pac validates request input with.
    """
    from pac.authoring import discovery as catalog
    from pac.authoring.formdoc import form_document
    from pac.authoring.pages import item_page

    repo = repository(ctx)
    with user_errors():
        offering = catalog.find(repo, offering_id)
    if fmt is FormFormat.html:
        write(item_page(repo, offering, inline=True))
    else:
        write(json.dumps(form_document(offering), indent=2, ensure_ascii=False) + "\n")
