"""`pac status`."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from pac.cli.common import Output, repository, use_colour, user_errors, write


def status(
    ctx: typer.Context,
    request: Annotated[
        str | None, typer.Argument(metavar="REQUEST", help="A request id or file (default: all).")
    ] = None,
    output: Annotated[Output, typer.Option("--output", "-o", help="Output format.")] = Output.table,
    watch: Annotated[
        bool, typer.Option("--watch", "-w", help="Refresh until the request settles.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.5, help="Seconds between refreshes with --watch.")
    ] = 5.0,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0,
            metavar="SECONDS",
            help="Stop --watch after this long if the request has not settled (exit 1).",
        ),
    ] = 1800.0,
) -> None:
    """Show requests' state and tasks, with each JIRA ticket's status read live.

    With --watch it refreshes until every shown request settles (completed, failed, aborted,
    escalated or deferred), or until --timeout passes: a request can stay processing for
    hours when JIRA is unreachable, until a later pac apply run carries it on.
    Exit 1 when a request failed or is still unsettled when --watch stops.
    """
    from pac.errors import PacError, UsageError
    from pac.fulfilment.apply import _resolve, ticket_backend
    from pac.fulfilment.status import StatusStore
    from pac.fulfilment.visible import visible
    from pac.tracking.statusview import build_views

    repo = repository(ctx)
    store = StatusStore(repo.root)
    request_id = None
    if request is not None:
        with user_errors():
            loaded = repo.load(_resolve(repo, request))
            request_id = loaded.path.stem
    try:
        _, tickets = ticket_backend(repo)
    except PacError:
        tickets = None  # no live ticket status without JIRA credentials in CI

    deadline = time.monotonic() + timeout
    while True:
        with user_errors():
            if request_id is not None:
                one = store.load(request_id)
                if one is None:
                    raise UsageError(
                        f"{request_id} has no status yet: pac apply has not run for it",
                        f"Run `pac plan {request_id}` to see what apply will do.",
                    )
                statuses = [one]
            else:
                statuses = list(store.all())
            views = build_views(statuses, tickets)
        if output is Output.json:
            from pac.fulfilment.visible import visible_json

            write(visible_json(json.dumps([v.as_dict() for v in views], indent=2) + "\n"))
        elif output is Output.yaml:
            import yaml

            write(yaml.safe_dump([v.as_dict() for v in views], sort_keys=False))
        else:
            _table(views, request_id is not None)
        settled = all(v.status.state.settled for v in views)
        if not watch or settled:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            pending = [
                f"{visible(v.status.request)} ({v.status.state})"
                for v in views
                if not v.status.state.settled
            ]
            typer.echo(
                f"pac status --watch: stopped after {timeout:g}s; not settled yet: "
                f"{', '.join(pending)}. A request stays processing until a pac apply run "
                "can carry it on (for example once JIRA is reachable again); look again "
                "later, or watch longer with --timeout SECONDS.",
                err=True,
            )
            raise typer.Exit(1)
        time.sleep(min(interval, left))
    failed = any(v.status.state == "failed" for v in views)
    raise typer.Exit(1 if failed else 0)


def _table(views: list, detailed: bool) -> None:  # type: ignore[type-arg]
    from rich.console import Console
    from rich.markup import escape as markup
    from rich.table import Table

    from pac.fulfilment.visible import visible
    from pac.tracking.statusview import progress, reference

    def escape(text: str) -> str:
        # Requesters' text and JIRA's answers: neither markup nor control characters.
        return markup(visible(text))

    console = Console(no_color=not use_colour(sys.stdout), highlight=False, soft_wrap=True)
    colours = {"completed": "green", "failed": "red", "deferred": "yellow", "escalated": "magenta"}
    if not views:
        console.print("No request has a status yet (pac apply writes it).")
        return
    if not detailed:
        table = Table("request", "state", "target", "tasks", "tickets (live status)")
        for view in views:
            state = view.status.state
            tickets = ", ".join(
                f"{t.task.ticket_key} ({t.live})" if t.live else t.task.ticket_key
                for t in view.tasks
                if t.task.ticket_key
            )
            table.add_row(
                escape(view.status.request),
                f"[{colours.get(state, 'white')}]{state}[/]",
                escape(view.status.target_id),
                progress(view.status),
                escape(tickets),
            )
        console.print(table)
        return
    for view in views:
        st = view.status
        console.print(
            f"[bold]{escape(st.request)}[/]: [{colours.get(st.state, 'white')}]{st.state}[/] "
            f"({st.target_kind} {escape(st.target_id)} {st.target_version}), "
            f"updated {st.updated_at}"
        )
        if st.priority == "emergency":
            passed = [h["event"] for h in st.history if "passed the change freeze" in h["event"]]
            console.print(f"  [bold red]{escape(passed[-1]) if passed else 'emergency request'}[/]")
        if st.deferred_window:
            console.print(f"  deferred by {escape(st.deferred_window)!r} until {st.deferred_until}")
        for number, task_view in enumerate(view.tasks, start=1):
            task = task_view.task
            facts = [f"[{colours.get(task.state, 'white')}]{task.state}[/]"]
            if reference(task):
                live = f" (JIRA: {escape(task_view.live)})" if task_view.live else ""
                facts.append(escape(reference(task)) + live)
            facts.append(f"owner {escape(task.owner_team)}")
            console.print(f"  {number}. {escape(task.component)}: {escape(task.label or task.key)}")
            console.print("     " + " · ".join(facts))
            if task.state == "pending" and task.transient_error:
                console.print(
                    f"     [yellow]transient fault ({task.transient_failures} run(s) in a row), "
                    f"the next run tries again:[/] {escape(task.transient_error)}"
                )
            error = task.error
            if error is not None:
                console.print(f"     [red]failed:[/] {escape(error.message)}")
                if error.hint:
                    console.print(f"     hint: {escape(error.hint)}")
                if error.contact:
                    console.print(f"     ask: {escape(error.contact)}")
        if view.live_error:
            console.print(f"  live ticket status unavailable: {escape(view.live_error)}")
