"""`pac request new`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from pac.cli.common import repository, user_errors

if TYPE_CHECKING:
    from pac.authoring.request import Requester
    from pac.documents.repository import Repository

app = typer.Typer(help="Ask for catalog offerings.", no_args_is_help=True)


@app.command()
def new(
    ctx: typer.Context,
    offering_id: Annotated[
        str, typer.Argument(metavar="ID", help="The catalog item or bundle to request.")
    ],
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            "-s",
            metavar="FIELD=VALUE",
            help="A form field, e.g. name=payments-db or database.storageGb=100 (repeatable; "
            "lists comma-separated; password fields take a secret NAME).",
        ),
    ] = None,
    from_request: Annotated[
        str | None,
        typer.Option("--from", metavar="REQUEST_ID", help="Start from this request's input."),
    ] = None,
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help="Ask for each field.")
    ] = False,
    request_id: Annotated[
        str | None, typer.Option("--id", help="The request id (default: the input's name).")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="Requester email.")] = None,
    requester: Annotated[str | None, typer.Option("--requester", help="Requester name.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Requester team (a folder).")] = None,
) -> None:
    """Write requests/<team>/<id>.yaml for ID, checked against its form."""
    from pac.authoring import request as newrequest

    repo = repository(ctx)
    git_email, git_name, git_team = newrequest.requester_from_git(repo.root)
    person = newrequest.Requester(email or git_email, requester or git_name, team or git_team)
    values = None
    with user_errors():
        if interactive:
            person, values = _interview(
                repo, offering_id, person, sets or [], from_request, request_id
            )
        document = newrequest.build(
            repo,
            offering_id,
            sets=[] if interactive else (sets or []),
            from_request=None if interactive else from_request,
            request_id=request_id,
            requester=person,
            values=values,
        )
        if interactive and not _confirmed(repo, document):
            typer.echo("nothing written")
            return
        path = newrequest.write(repo, document)
    typer.echo(f"wrote {repo.display(path)}")
    typer.echo(
        f"next: `pac plan {document['metadata']['id']}` to see what will happen, then open a pull "
        "request with the file"
    )


def _confirmed(repo: Repository, document: dict[str, Any]) -> bool:
    """`--interactive` shows the file it will write and asks before writing it."""
    from pac.authoring import request as newrequest

    where = repo.display(newrequest.request_path(repo, document))
    typer.echo(f"\nThis is {where}:\n")
    typer.echo(newrequest.render(document))
    return bool(typer.confirm(f"Write {where}?", default=True))


def _prompt(question: str, default: str, hide: bool) -> str:
    if default:
        return str(typer.prompt(question, default=default, show_default=True))
    return str(typer.prompt(question, default="", show_default=False))


def _interview(
    repo: Repository,
    offering_id: str,
    person: Requester,
    sets: list[str],
    from_request: str | None,
    request_id: str | None,
) -> tuple[Requester, dict[str, Any]]:
    """`--interactive`: the requester's team if git does not know it, then every field."""
    from pac.authoring import request as newrequest
    from pac.authoring.preview import find_offering
    from pac.documents.files import Role

    offering = find_offering(repo, offering_id)
    if not person.team:
        person = newrequest.Requester(
            person.email, person.name, typer.prompt("Your team (its folder in requests/)")
        )
    typer.echo(f"Requesting {offering.name} ({offering.id}), owned by {offering.owner.describe()}.")
    base = newrequest.starting_values(repo, offering, from_request, sets)
    existing = repo.index(Role.REQUEST)
    values = newrequest.ask_all(
        offering,
        base,
        _prompt,
        typer.echo,
        taken=lambda name: request_id is None and name in existing,
    )
    return person, values
