"""`pac apply`: fulfil requests and record their status."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from pac.cli.common import ChangedOption, RequestArgument, repository, user_errors, write

if TYPE_CHECKING:
    from pac.fulfilment.executor import Outcome
    from pac.fulfilment.lease import Lease
    from pac.fulfilment.session import ApplyRun


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
    """Fulfil new, changed, retried, escalated and no-longer-deferred requests, advance the
    waiting ones (tickets their teams resolved), record their status and tell people.

    Tickets go to JIRA when PAC_JIRA_URL (or jira.url in pac.yaml), PAC_JIRA_USER and
    PAC_JIRA_TOKEN are set, else to the offline outbox. Secrets come from PAC_SECRET_<NAME>.
    With an upstream, one run at a time holds a lease on it (refs/pac/apply-lease).
    Exit 1 when a request failed or two runs did a task twice.
    """
    from pac.fulfilment import session
    from pac.fulfilment.lease import held

    in_ci = os.environ.get("CI") == "true"
    repo = repository(ctx)
    with user_errors():
        run = session.prepare(
            repo, requests or [], changed, outbox=outbox, commit=in_ci if commit is None else commit
        )
    for display, reason in run.selection.invalid:
        _emit(f"{display}: not applied, the request file has errors ({reason}); run pac validate")
    lease = held(
        run.upstream, run.author, wait=_wait(wait, in_ci), emit=_emit, required=run.lease_required,
        settle=run.lag,
    )  # fmt: skip
    with user_errors(), lease as holding:
        failed = _fulfil(run, holding, concurrency)
    for warning in run.twice:
        _emit(f"warning: {warning}; close the ticket or undo the effect not kept")
    raise typer.Exit(1 if failed or run.selection.invalid or run.twice else 0)


def _fulfil(run: ApplyRun, holding: Lease | None, concurrency: int | None) -> bool:
    """Work, print, commit and push the statuses, then notify; True when a request failed."""
    from pac.fulfilment import session

    outcomes = session.work(run, holding, concurrency, _emit)
    failed = _report(outcomes)
    session.record(run, holding, outcomes, _emit)
    session.notify(run, holding, _emit)
    return failed


def _wait(wait: float | None, in_ci: bool) -> float:
    return wait if wait is not None else (300.0 if in_ci else 0.0)


def _report(outcomes: list[Outcome]) -> bool:
    """Print what was done; True when a request failed."""
    from pac.fulfilment.summary import run_report

    write(run_report(outcomes))
    return any(o.failed for o in outcomes)
