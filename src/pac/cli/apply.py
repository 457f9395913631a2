"""`pac apply`: fulfil requests and record their status."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pac.cli.common import ChangedOption, RequestArgument, repository, user_errors, write

if TYPE_CHECKING:
    from pac.fulfilment.commit import PushResult, Upstream
    from pac.fulfilment.executor import Outcome


def _emit(line: str) -> None:
    typer.echo(line, err=True)


def apply(
    ctx: typer.Context,
    requests: RequestArgument = None,
    changed: ChangedOption = None,
    commit: Annotated[
        bool | None,
        typer.Option(
            "--commit/--no-commit",
            help="Commit the status files and push them (default: on when CI=true).",
            show_default=False,
        ),
    ] = None,
    outbox: Annotated[
        bool, typer.Option("--outbox", help="Put tickets in .pac/outbox/ even if JIRA is set.")
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-j", min=1, help="Requests fulfilled at once."),
    ] = None,
    wait: Annotated[
        float | None,
        typer.Option(
            "--wait",
            min=0,
            metavar="SECONDS",
            help="Wait this long for another run's lease on the upstream (default: 300 when "
            "CI=true, else 0: stop at once).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Fulfil new, retried, escalated and no-longer-deferred requests, and record their status.

    Tickets go to JIRA when PAC_JIRA_URL (or jira.url in pac.yaml), PAC_JIRA_USER and
    PAC_JIRA_TOKEN are set, else to the offline outbox. Secrets come from PAC_SECRET_<NAME>.
    With an upstream, one run at a time holds a lease on it (refs/pac/apply-lease).
    Exit 1 when a request failed or two runs did a task twice.
    """
    from pac.fulfilment import apply as applying
    from pac.fulfilment.commit import bring_in, preflight
    from pac.fulfilment.executor import today_in
    from pac.fulfilment.lease import held

    in_ci = os.environ.get("CI") == "true"
    commit = in_ci if commit is None else commit
    repo = repository(ctx)
    config = repo.config
    author = (config.commit_name, config.commit_email)
    with user_errors():
        today_in(repo.config.timezone)  # a bad PAC_TODAY stops the run before any work
        selection = applying.select_requests(repo, requests or [], changed)
        name, tickets = applying.ticket_backend(repo, outbox=outbox)
        upstream = preflight(repo.root, commit=commit)
    for display, reason in selection.invalid:
        _emit(f"{display}: not applied, the request file has errors ({reason}); run pac validate")
    twice: list[str] = []
    lag = config.jira_search_lag if name.startswith("JIRA") else 0.0  # the outbox has none
    lease = held(upstream, author, wait=_wait(wait, in_ci), emit=_emit, required=commit, settle=lag)
    with user_errors(), lease as holding:
        if holding is not None and upstream is not None:
            brought, twice = bring_in(upstream, repo.root)
            if brought:
                _emit(f"brought in {len(brought)} newer status file(s) from {upstream.tracking}")
        _emit(f"pac apply: {len(selection.requests)} request(s), tickets go to {name}")
        outcomes = applying.run(
            repo, selection.requests, tickets, concurrency=concurrency, emit=_emit,
            still_held=holding.still_held if holding is not None else lambda: True,
        )  # fmt: skip
        failed = _report(outcomes)
        if holding is not None and any(o.created for o in outcomes):
            # Until its statuses reach the upstream, only JIRA's search shows its tickets.
            holding.linger = lag
        if commit and upstream is not None:
            result = _commit(repo.root, upstream, outcomes, author)
            twice += result.duplicates
            if holding is not None and result.pushed:
                holding.linger = 0.0
    for warning in twice:
        _emit(f"warning: {warning}; close the ticket or undo the effect not kept")
    raise typer.Exit(1 if failed or selection.invalid or twice else 0)


def _wait(wait: float | None, in_ci: bool) -> float:
    return wait if wait is not None else (300.0 if in_ci else 0.0)


def _report(outcomes: list[Outcome]) -> bool:
    """Print what was done; True when a request failed."""
    acted = [o for o in outcomes if o.step.value != "nothing"]
    for outcome in acted:
        write(f"{outcome.request_id}: {outcome.summary}\n")
    write(_summary_line(outcomes))
    pending = [o for o in outcomes if o.pending and not o.unavailable and not o.lease_lost]
    if any(o.lease_lost for o in outcomes):
        write(
            "another pac apply took the lease on the upstream over during this run (see the "
            "warning below): requests it had not finished stopped before their next ticket or "
            "call; they are not failed, and that run (or the next) carries on\n"
        )
    if pending:
        write(
            f"{len(pending)} request(s) met a transient fault (JIRA or a service unavailable); "
            "they are not failed: the next run (at the latest the hourly one) tries again\n"
        )
    return any(o.failed for o in outcomes)


def _summary_line(outcomes: list[Outcome]) -> str:
    """One line for the whole run; a request that only waits (a change freeze, a retry
    nobody asked for yet) was not acted on, and tickets found from an earlier run count."""
    from pac.fulfilment.executor import UNREADABLE, Step

    waits = (Step.WAITING, Step.DEFER)
    unavailable = [o for o in outcomes if o.unavailable]
    # Nothing was done for a request not started or whose status pac would not read.
    untouched = {id(o) for o in unavailable} | {id(o) for o in outcomes if o.before == UNREADABLE}
    acted = [
        o
        for o in outcomes
        if o.step not in (Step.NOTHING, Step.CHANGED, *waits) and id(o) not in untouched
    ]
    waiting = [o for o in outcomes if o.step in waits and not o.failed]
    failed = [o for o in outcomes if o.failed and not o.unavailable]
    stopped = [o for o in outcomes if o.lease_lost]
    pending = [o for o in outcomes if o.pending and not o.unavailable and not o.lease_lost]
    created = sum(len(o.created) for o in outcomes)
    adopted = sum(len(o.adopted) for o in outcomes)
    return (
        f"{len(acted)} request(s) acted on, {created} ticket(s) created, "
        + (f"{adopted} found from an earlier run, " if adopted else "")
        + f"{len(failed)} failed, "
        + (f"{len(unavailable)} not started (tickets unavailable), " if unavailable else "")
        + (f"{len(pending)} pending after a transient fault, " if pending else "")
        + (f"{len(stopped)} stopped (lease taken over), " if stopped else "")
        + (f"{len(waiting)} waiting, " if waiting else "")
        + f"{len([o for o in outcomes if o.step in (Step.NOTHING, Step.CHANGED)])} unchanged\n"
    )


def _commit(
    root: Path, upstream: Upstream, outcomes: list[Outcome], author: tuple[str, str]
) -> PushResult:
    """Commit every status that differs from HEAD, this run's and earlier runs' alike."""
    from pac.fulfilment.commit import commit_and_push, pending_statuses
    from pac.fulfilment.executor import UNREADABLE

    # An unreadable status file was left as it was: not pac's to commit.
    refused = {o.request_id for o in outcomes if o.before == UNREADABLE}
    paths = pending_statuses(upstream, root, refused)
    result = commit_and_push(
        root, paths, f"pac apply: status of {len(paths)} request(s) [skip ci]", author
    )
    if result.pushed:
        _emit(
            f"status committed and pushed (attempt {result.attempts}"
            + (f", merged {', '.join(result.merged)}" if result.merged else "")
            + ")"
        )
    return result
