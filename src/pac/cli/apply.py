"""`pac apply`: fulfil requests and record their status."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pac.cli.common import ChangedOption, RequestArgument, repository, user_errors, write

if TYPE_CHECKING:
    from pac.documents.repository import Repository
    from pac.fulfilment.apply import Selection
    from pac.fulfilment.backends import TicketFactory
    from pac.fulfilment.commit import PushResult, Upstream
    from pac.fulfilment.executor import Outcome
    from pac.fulfilment.lease import Lease


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
    from pac.fulfilment.lease import held

    in_ci = os.environ.get("CI") == "true"
    run = _prepare(repository(ctx), requests or [], changed, outbox=outbox, commit=commit, ci=in_ci)
    for display, reason in run.selection.invalid:
        _emit(f"{display}: not applied, the request file has errors ({reason}); run pac validate")
    wait_for = _wait(wait, in_ci)
    lease = held(
        run.upstream, run.author, wait=wait_for, emit=_emit, required=run.commit, settle=run.lag
    )
    with user_errors(), lease as holding:
        failed, twice = _fulfil(run, holding, concurrency)
    for warning in twice:
        _emit(f"warning: {warning}; close the ticket or undo the effect not kept")
    raise typer.Exit(1 if failed or run.selection.invalid or twice else 0)


@dataclass
class _Run:
    """What one `pac apply` works with, settled before it takes the lease."""

    repo: Repository
    selection: Selection
    backend: str
    tickets: TicketFactory
    upstream: Upstream | None
    commit: bool
    lag: float  # how long JIRA's search may lag behind a ticket just created

    @property
    def author(self) -> tuple[str, str]:
        return (self.repo.config.commit_name, self.repo.config.commit_email)


def _prepare(
    repo: Repository,
    requests: list[str],
    changed: str | None,
    *,
    outbox: bool,
    commit: bool | None,
    ci: bool,
) -> _Run:
    from pac.fulfilment import apply as applying
    from pac.fulfilment.backends import ticket_backend
    from pac.fulfilment.commit import preflight
    from pac.fulfilment.freeze import today_in

    commit = ci if commit is None else commit
    with user_errors():
        today_in(repo.config.timezone)  # a bad PAC_TODAY stops the run before any work
        selection = applying.select_requests(repo, requests, changed)
        name, tickets = ticket_backend(repo, outbox=outbox)
        upstream = preflight(repo.root, commit=commit)
    lag = repo.config.jira_search_lag if name.startswith("JIRA") else 0.0  # the outbox has none
    return _Run(repo, selection, name, tickets, upstream, commit, lag)


def _fulfil(run: _Run, holding: Lease | None, concurrency: int | None) -> tuple[bool, list[str]]:
    """Fulfil the selected requests under the lease; (a request failed, tasks done twice)."""
    from pac.fulfilment import apply as applying
    from pac.fulfilment.commit import bring_in

    twice: list[str] = []
    if holding is not None and run.upstream is not None:
        brought, twice = bring_in(run.upstream, run.repo.root)
        if brought:
            _emit(f"brought in {len(brought)} newer status file(s) from {run.upstream.tracking}")
    _emit(f"pac apply: {len(run.selection.requests)} request(s), tickets go to {run.backend}")
    outcomes = applying.run(
        run.repo, run.selection.requests, run.tickets, concurrency=concurrency, emit=_emit,
        still_held=holding.still_held if holding is not None else lambda: True,
    )  # fmt: skip
    failed = _report(outcomes)
    if holding is not None and any(o.created for o in outcomes):
        # Until its statuses reach the upstream, only JIRA's search shows its tickets.
        holding.linger = run.lag
    if run.commit and run.upstream is not None:
        result = _commit(run.repo.root, run.upstream, outcomes, run.author)
        twice += result.duplicates
        if holding is not None and result.pushed:
            holding.linger = 0.0
    return failed, twice


def _wait(wait: float | None, in_ci: bool) -> float:
    return wait if wait is not None else (300.0 if in_ci else 0.0)


def _report(outcomes: list[Outcome]) -> bool:
    """Print what was done; True when a request failed."""
    from pac.fulfilment.summary import run_report

    write(run_report(outcomes))
    return any(o.failed for o in outcomes)


def _commit(
    root: Path, upstream: Upstream, outcomes: list[Outcome], author: tuple[str, str]
) -> PushResult:
    """Commit every status that differs from HEAD, this run's and earlier runs' alike."""
    from pac.fulfilment.commit import commit_and_push, pending_statuses

    # An unreadable status file was left as it was: not pac's to commit.
    refused = {o.request_id for o in outcomes if o.unreadable}
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
