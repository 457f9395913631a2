"""`pac status`: requests' state and tasks, with each ticket's live status."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from pac.cli.common import Output, repository, use_colour, user_errors, write

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from pac.documents.repository import Repository
    from pac.fulfilment.backends import TicketFactory
    from pac.records.status import TaskStatus
    from pac.records.store import StatusStore
    from pac.tracking.statusview import RequestView, TaskView


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
    from pac.records.store import StatusStore
    from pac.tracking.statusview import any_failed, unsettled

    repo = repository(ctx)
    store = StatusStore(repo.root)
    request_id = _request_id(repo, request)
    tickets = _live_tickets(repo)
    deadline = time.monotonic() + timeout
    while True:
        views = _views(store, request_id, tickets)
        _show(views, output, detailed=request_id is not None)
        if not watch or not unsettled(views):
            break
        left = deadline - time.monotonic()
        if left <= 0:
            _gave_up(views, timeout)
        time.sleep(min(interval, left))
    raise typer.Exit(1 if any_failed(views) else 0)


def _request_id(repo: Repository, request: str | None) -> str | None:
    from pac.fulfilment.apply import resolve_request

    if request is None:
        return None
    with user_errors():
        return repo.load(resolve_request(repo, request)).path.stem
    raise AssertionError("unreachable")  # pragma: no cover


def _live_tickets(repo: Repository) -> TicketFactory | None:
    from pac.errors import PacError
    from pac.fulfilment.backends import ticket_backend

    try:
        _, tickets = ticket_backend(repo)
    except PacError:
        return None  # no live ticket status without JIRA credentials in CI
    return tickets


def _views(
    store: StatusStore, request_id: str | None, tickets: TicketFactory | None
) -> list[RequestView]:
    from pac.errors import UsageError
    from pac.tracking.statusview import build_views

    with user_errors():
        if request_id is None:
            return build_views(list(store.all()), tickets)
        one = store.load(request_id)
        if one is None:
            raise UsageError(
                f"{request_id} has no status yet: pac apply has not run for it",
                f"Run `pac plan {request_id}` to see what apply will do.",
            )
        return build_views([one], tickets)
    raise AssertionError("unreachable")  # pragma: no cover


def _show(views: list[RequestView], output: Output, detailed: bool) -> None:
    if output is Output.json:
        from pac.text import visible_json

        write(visible_json(json.dumps([v.as_dict() for v in views], indent=2) + "\n"))
    elif output is Output.yaml:
        import yaml

        write(yaml.safe_dump([v.as_dict() for v in views], sort_keys=False))
    else:
        _table(views, detailed)


def _gave_up(views: list[RequestView], timeout: float) -> None:
    from pac.text import visible
    from pac.tracking.statusview import unsettled

    pending = [f"{visible(v.status.request)} ({v.status.state})" for v in unsettled(views)]
    typer.echo(
        f"pac status --watch: stopped after {timeout:g}s; not settled yet: "
        f"{', '.join(pending)}. A request stays processing until a pac apply run "
        "can carry it on (for example once JIRA is reachable again); look again "
        "later, or watch longer with --timeout SECONDS.",
        err=True,
    )
    raise typer.Exit(1)


def _escape(text: str) -> str:
    from rich.markup import escape as markup

    from pac.text import visible

    # Requesters' text and JIRA's answers: neither markup nor control characters.
    return markup(visible(text))


def _coloured(state: str) -> str:
    from pac.tracking.statusview import state_colour

    return f"[{state_colour(state)}]{state}[/]"


def _table(views: list[RequestView], detailed: bool) -> None:
    from rich.console import Console

    console = Console(no_color=not use_colour(sys.stdout), highlight=False, soft_wrap=True)
    if not views:
        console.print("No request has a status yet (pac apply writes it).")
    elif detailed:
        for view in views:
            _details(console, view)
    else:
        console.print(_overview(views))


def _overview(views: list[RequestView]) -> Table:
    from rich.table import Table

    from pac.tracking.statusview import progress

    table = Table("request", "state", "target", "tasks", "tickets (live status)")
    for view in views:
        tickets = ", ".join(
            f"{t.task.ticket_key} ({t.live})" if t.live else t.task.ticket_key
            for t in view.tasks
            if t.task.ticket_key
        )
        revision = f" (revision {view.status.revision})" if view.status.revision else ""
        table.add_row(
            _escape(view.status.request),
            _coloured(view.status.state) + revision,
            _escape(view.status.target_id),
            progress(view.status),
            _escape(tickets),
        )
    return table


def _details(console: Console, view: RequestView) -> None:
    from pac.tracking.statusview import emergency_note, revision_views, state_words

    st = view.status
    console.print(
        f"[bold]{_escape(st.request)}[/]: {_coloured(st.state)} "
        f"({st.target_kind} {_escape(st.target_id)} {st.target_version}), "
        f"updated {st.updated_at}"
    )
    note = emergency_note(st)
    if note is not None:
        console.print(f"  [bold red]{_escape(note) if note else 'emergency request'}[/]")
    words = state_words(st)
    if words:
        console.print(f"  {_escape(words)}")
    if st.deferred_window:
        console.print(f"  deferred by {_escape(st.deferred_window)!r} until {st.deferred_until}")
    # Earlier revisions in a line each; the current one's tasks below it, as for a create.
    for revision in revision_views(st):
        console.print(f"  {_escape(revision.words())}", style="bold" if revision.current else "")
    for number, task_view in enumerate(view.tasks, start=1):
        _task(console, number, task_view)
    if view.live_error:
        console.print(f"  live ticket status unavailable: {_escape(view.live_error)}")


def _task(console: Console, number: int, task_view: TaskView) -> None:
    from pac.tracking.statusview import reference

    task = task_view.task
    facts = [_coloured(task.state)]
    if reference(task):
        live = f" (JIRA: {_escape(task_view.live)})" if task_view.live else ""
        facts.append(_escape(reference(task)) + live)
    facts.append(f"owner {_escape(task.owner_team)}")
    console.print(f"  {number}. {_escape(task.component)}: {_escape(task.label or task.key)}")
    console.print("     " + " · ".join(facts))
    for line in _task_problems(task):
        console.print(line)


def _task_problems(task: TaskStatus) -> list[str]:
    from pac.tracking.statusview import held_by_transient_fault

    lines = []
    if held_by_transient_fault(task):
        lines.append(
            f"     [yellow]transient fault ({task.transient_failures} run(s) in a row), "
            f"the next run tries again:[/] {_escape(task.transient_error)}"
        )
    error = task.error
    if error is not None:
        lines.append(f"     [red]failed:[/] {_escape(error.message)}")
        if error.hint:
            lines.append(f"     hint: {_escape(error.hint)}")
        if error.contact:
            lines.append(f"     ask: {_escape(error.contact)}")
    return lines
