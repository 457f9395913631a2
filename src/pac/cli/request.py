"""`pac request new`."""

from __future__ import annotations

from typing import Annotated

import typer

from pac.cli.common import repository, user_errors

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
    from pac.documents.files import Role

    repo = repository(ctx)
    git_email, git_name, git_team = newrequest.requester_from_git(repo.root)
    person = newrequest.Requester(email or git_email, requester or git_name, team or git_team)
    values = None
    with user_errors():
        if interactive:
            from pac.authoring.preview import find_offering

            offering = find_offering(repo, offering_id)
            if not person.team:
                person = newrequest.Requester(
                    person.email, person.name, typer.prompt("Your team (its folder in requests/)")
                )
            typer.echo(
                f"Requesting {offering.name} ({offering.id}), owned by {offering.owner.describe()}."
            )
            base = newrequest.copy_input(repo, offering, from_request) if from_request else {}
            if base:
                base.pop("name", None)  # a copy needs a name of its own
            existing = repo.index(Role.REQUEST)
            values = newrequest.ask_all(
                offering,
                newrequest.apply_sets(offering, base, sets or []),
                lambda question, default, hide: str(
                    typer.prompt(question, default=default, show_default=bool(default))
                    if default
                    else typer.prompt(question, default="", show_default=False)
                ),
                typer.echo,
                taken=lambda name: request_id is None and name in existing,
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
        path = newrequest.write(repo, document)
    typer.echo(f"wrote {repo.display(path)}")
    typer.echo(
        f"next: `pac plan {document['metadata']['id']}` to see what will happen, then open a pull "
        "request with the file"
    )
