"""`pac status`: where requests stand in plain words, tickets' live state, `--watch`."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pac.cli.common import Output, repository, use_colour, user_errors, write

if TYPE_CHECKING:
    from rich.console import Console

    from pac.documents.repository import Repository
    from pac.records.status import RequestStatus, TaskStatus
    from pac.tracking.live import LiveTickets
    from pac.tracking.statusview import RequestView, TaskView
    from pac.tracking.watch import Build


def status(
    ctx: typer.Context,
    request: Annotated[
        str | None, typer.Argument(metavar="REQUEST", help="A request id or file (default: all).")
    ] = None,
    output: Annotated[Output, typer.Option("--output", "-o", help="Output format.")] = Output.table,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            "-w",
            help="Follow the upstream branch, print what changes until the request is done.",
        ),
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
    """Show where requests stand, in plain words, with each ticket's state read live.

    Per request: what it waits on (which team, which ticket, its state and assignee), how
    long against the item's promised lead time, and the outputs you need (secrets masked).
    With --watch it follows the request as CI records it: it fetches the branch's upstream
    (your working tree is untouched), waits for the first pac apply, prints only what
    changed, and stops when the request is completed, failed, aborted, escalated or
    decommissioned, or when --timeout passes. Exit 1 when a request failed or is still
    open when --watch stops.
    """
    repo = repository(ctx)
    request_id = _request_id(repo, request)
    if watch:
        _watch(repo, request_id, output, interval, timeout)
    views, notes = _views(repo, request_id, output)
    _show(views, output, detailed=request_id is not None)
    for note in notes:
        typer.echo(note, err=True)
    _exit(views)


def _exit(views: list[RequestView]) -> None:
    from pac.tracking.statusview import any_failed

    raise typer.Exit(1 if any_failed(views) else 0)


def _request_id(repo: Repository, request: str | None) -> str | None:
    from pac.fulfilment.apply import resolve_request

    if request is None:
        return None
    with user_errors():
        return repo.load(resolve_request(repo, request)).path.stem
    raise AssertionError("unreachable")  # pragma: no cover


def _builder(repo: Repository) -> Build:
    from pac.tracking.live import readers
    from pac.tracking.statusview import build_views, lead_time_target

    sources = readers(repo)

    def build(statuses: list[RequestStatus]) -> tuple[list[RequestView], LiveTickets]:
        return build_views(statuses, sources, lambda s: lead_time_target(repo, s))

    return build


def _views(
    repo: Repository, request_id: str | None, output: Output
) -> tuple[list[RequestView], list[str]]:
    from pac.records.store import StatusStore
    from pac.tracking.statusview import not_live_note

    store = StatusStore(repo.root)
    with user_errors():
        if request_id is None:
            statuses = list(store.all())
        else:
            one = store.load(request_id)
            if one is None:
                _not_applied(request_id, output)
            statuses = [one] if one is not None else []
        views, tickets = _builder(repo)(statuses)
        return views, not_live_note(tickets)
    raise AssertionError("unreachable")  # pragma: no cover


def _not_applied(request_id: str, output: Output) -> None:
    """A merged request no run has reached yet: not an error, it waits for pac apply."""
    from pac.records.states import NoState
    from pac.text import visible
    from pac.tracking.words import NOT_APPLIED

    if output is Output.table:
        typer.echo(f"{visible(request_id)}: {NOT_APPLIED}")
        typer.echo(f"  Run `pac plan {visible(request_id)}` to see what it will do.")
    else:
        data = [{"request": request_id, "state": NoState.NEW.value, "words": NOT_APPLIED}]
        _dump(data, output)
    raise typer.Exit(0)


def _watch(
    repo: Repository, request_id: str | None, output: Output, interval: float, timeout: float
) -> None:
    from pac.tracking.watch import Watcher, follow

    build = _builder(repo)
    last = None
    with user_errors():
        for tick in follow(Watcher(repo.root, request_id), build, interval, timeout):
            for note in tick.notes:
                typer.echo(_plain(note), err=True)
            if tick.lines and output is not Output.table:
                _show(tick.views, output, detailed=True)
            for line in tick.lines if output is Output.table else []:
                write(_plain(line) + "\n")
            last = tick
    if last is None or not last.done:
        _gave_up(last.views if last is not None else [], request_id, timeout)
        return
    _exit(last.views)


def _plain(text: str) -> str:
    from pac.text import visible

    return visible(text)


def _show(views: list[RequestView], output: Output, detailed: bool) -> None:
    if output is Output.table:
        _table(views, detailed)
    else:
        _dump([v.as_dict() for v in views], output)


def _dump(data: list[dict[str, Any]], output: Output) -> None:
    if output is Output.json:
        from pac.text import visible_json

        write(visible_json(json.dumps(data, indent=2) + "\n"))
    else:
        import yaml

        write(yaml.safe_dump(data, sort_keys=False))


def _gave_up(views: list[RequestView], request_id: str | None, timeout: float) -> None:
    from pac.text import visible
    from pac.tracking.statusview import unsettled

    pending = [f"{visible(v.status.request)} ({v.status.state})" for v in unsettled(views)]
    if not views:
        pending = [f"{visible(request_id or 'any request')} (no status yet)"]
    typer.echo(
        f"pac status --watch: stopped after {timeout:g}s; not settled yet: "
        f"{', '.join(pending)}. A request moves on only when a pac apply run "
        "carries it on (on merge, and hourly while it waits on a ticket); look again "
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
        _overview(console, views)


def _overview(console: Console, views: list[RequestView]) -> None:
    """A line per request (id, pac's state, steps done, where it stands in words), the
    tickets and outputs indented below: lines, not a table, so the words never wrap."""
    from pac.text import visible
    from pac.tracking.statusview import progress

    def state(view: RequestView) -> str:
        revision = f" (revision {view.status.revision})" if view.status.revision else ""
        return f"{view.status.state}{revision}"

    wide = max(len(visible(v.status.request)) for v in views)
    states = max(len(state(v)) for v in views)
    for view in views:
        shown = state(view)
        padding = " " * (states - len(shown))
        console.print(
            f"{_escape(view.status.request.ljust(wide))}  "
            f"{_coloured(view.status.state)}{shown[len(view.status.state) :]}{padding}  "
            f"{progress(view.status):>5}  {_escape(view.words)}"
        )
        # Tickets the words do not already name (a waiting request names its own).
        tickets = [
            said
            for t in view.tasks
            if t.ticket is not None and (said := t.ticket.words()) not in view.words
        ]
        if tickets:
            console.print(f"    tickets: {_escape('; '.join(tickets))}")
        for name, value in view.outputs:
            console.print(f"    {_escape(name)}: {_escape(value)}")


def _details(console: Console, view: RequestView) -> None:
    from pac.tracking.statusview import emergency_note, revision_views, state_words

    st = view.status
    console.print(
        f"[bold]{_escape(st.request)}[/]: {_coloured(st.state)} "
        f"({st.target_kind} {_escape(st.target_id)} {st.target_version}), "
        f"updated {st.updated_at}"
    )
    console.print(f"  {_escape(view.words)}", style="bold")
    note = emergency_note(st)
    if note is not None:
        console.print(f"  [bold red]{_escape(note) if note else 'emergency request'}[/]")
    words = state_words(st)
    if words:
        console.print(f"  {_escape(words)}")
    if view.outputs:
        console.print("  outputs (secrets masked):")
        for name, value in view.outputs:
            console.print(f"    {_escape(name)}: {_escape(value)}")
    # Earlier revisions in a line each; the current one's tasks below it, as for a create.
    for revision in revision_views(st):
        console.print(f"  {_escape(revision.words())}", style="bold" if revision.current else "")
    for number, task_view in enumerate(view.tasks, start=1):
        _task(console, number, task_view)


def _task(console: Console, number: int, task_view: TaskView) -> None:
    from pac.tracking.statusview import reference

    task = task_view.task
    facts = [_coloured(task.state)]
    if reference(task):
        facts.append(_escape(reference(task)) + _ticket(task_view))
    facts.append(f"owner {_escape(task.owner_team)}")
    console.print(f"  {number}. {_escape(task.component)}: {_escape(task.label or task.key)}")
    console.print("     " + " · ".join(facts))
    for line in _task_problems(task):
        console.print(line)


def _ticket(task_view: TaskView) -> str:
    """` (JIRA: In Progress, assigned to Kim)`; `(outbox: Open)`; a state read by the last
    apply says so."""
    ticket = task_view.ticket
    if ticket is None:
        return ""
    if ticket.missing:
        return f" (not found in {ticket.source.shown})"
    if not ticket.status:
        return f" ({ticket.source.shown}: not read live here)"
    said = f"{ticket.source.shown}: {ticket.status}"
    if ticket.resolution and ticket.resolution != ticket.status:
        said += f", {ticket.resolution}"
    if ticket.assignee:
        said += f", assigned to {ticket.assignee}"
    if not ticket.live:
        said += ", as last recorded"
    return f" ({_escape(said)})"


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
