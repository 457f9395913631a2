"""One `pac apply` run against its upstream: settled before the lease, then the work under
it, then the statuses recorded (SPEC §6.4).

The command line only parses, prints and sets the exit code; the order that makes a run
exactly once lives here: bring in the statuses another run pushed before doing any work,
keep the lease while JIRA's search may not show this run's tickets yet, and commit every
status that differs from HEAD.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pac.fulfilment import apply as applying
from pac.fulfilment.backends import ticket_backend
from pac.fulfilment.commit import (
    PushResult,
    Upstream,
    bring_in,
    commit_and_push,
    pending_statuses,
    preflight,
)
from pac.fulfilment.freeze import today_in

if TYPE_CHECKING:
    from pac.documents.repository import Repository
    from pac.fulfilment.apply import Selection
    from pac.fulfilment.backends import TicketFactory
    from pac.fulfilment.executor import Outcome
    from pac.fulfilment.lease import Lease

Emit = Callable[[str], None]


@dataclass
class ApplyRun:
    """What one `pac apply` works with, settled before it takes the lease."""

    repo: Repository
    selection: Selection
    backend: str
    tickets: TicketFactory
    upstream: Upstream | None
    commit: bool
    lag: float  # how long JIRA's search may lag behind a ticket just created
    twice: list[str] = field(default_factory=list)  # tasks two runs both did

    @property
    def author(self) -> tuple[str, str]:
        return (self.repo.config.commit_name, self.repo.config.commit_email)

    @property
    def lease_required(self) -> bool:
        """Whether this run may only work holding the upstream's lease.

        A run that commits needs it; so does one filing tickets in JIRA, which another run
        (CI, a colleague's laptop) would find only through JIRA's lagging search: two runs at
        once could both file one task's ticket. An offline run into the outbox touches
        nothing shared but REST calls, which carry their own Idempotency-Key.
        """
        return self.commit or self.backend.startswith("JIRA")


def prepare(
    repo: Repository, requests: list[str], changed: str | None, *, outbox: bool, commit: bool
) -> ApplyRun:
    """Everything that can stop a run before any work: the calendar, the requests, the
    ticket backend and the upstream. Raises `PacError` with the way out."""
    today_in(repo.config.timezone)  # a bad PAC_TODAY stops the run before any work
    selection = applying.select_requests(repo, requests, changed)
    name, tickets = ticket_backend(repo, outbox=outbox)
    upstream = preflight(repo.root, commit=commit)
    lag = repo.config.jira_search_lag if name.startswith("JIRA") else 0.0  # the outbox has none
    return ApplyRun(repo, selection, name, tickets, upstream, commit, lag)


def work(
    run: ApplyRun, holding: Lease | None, concurrency: int | None, emit: Emit
) -> list[Outcome]:
    """Fulfil the selected requests under the lease, after bringing in newer statuses."""
    if holding is not None and run.upstream is not None:
        brought, twice = bring_in(run.upstream, run.repo.root)
        run.twice += twice
        if brought:
            emit(f"brought in {len(brought)} newer status file(s) from {run.upstream.tracking}")
    emit(f"pac apply: {len(run.selection.requests)} request(s), tickets go to {run.backend}")
    outcomes = applying.run(
        run.repo, run.selection.requests, run.tickets, concurrency=concurrency, emit=emit,
        still_held=holding.still_held if holding is not None else lambda: True,
    )  # fmt: skip
    if holding is not None and any(o.created for o in outcomes):
        # Until its statuses reach the upstream, only JIRA's search shows its tickets.
        holding.linger = run.lag
    return outcomes


def record(run: ApplyRun, holding: Lease | None, outcomes: list[Outcome], emit: Emit) -> None:
    """Commit and push the statuses (with `--commit` and an upstream); the lease may then go
    at once, since a fresh clone now sees every ticket in the status files."""
    if not run.commit or run.upstream is None:
        return
    result = _commit(run, run.upstream, outcomes)
    run.twice += result.duplicates
    if result.pushed:
        emit(
            f"status committed and pushed (attempt {result.attempts}"
            + (f", merged {', '.join(result.merged)}" if result.merged else "")
            + ")"
        )
        if holding is not None:
            holding.linger = 0.0


def notify(run: ApplyRun, holding: Lease | None, emit: Emit) -> None:
    """Tell people what this and earlier runs recorded (SPEC §6.7), once the statuses were
    written (and pushed); then commit and push the marks of what was sent. A channel that
    fails is a line here and in the event, never a failed request or run."""
    from pac.errors import GitError
    from pac.fulfilment.notify import tell
    from pac.fulfilment.notify.journal import Journal

    pushing = run.commit and run.upstream is not None
    journal = Journal(run.upstream, run.author) if pushing and run.upstream else None
    still_held = holding.still_held if holding is not None else _always
    try:
        told = tell(run.repo, still_held=still_held, marks=journal)
    except GitError as exc:
        emit(f"warning: notifications stopped: {exc.message}")
        return
    for line in told.lines:
        emit(line)
    if told.sent or told.failed:
        emit(f"notifications: {told.sent} sent, {told.failed} not sent")
    if journal is None or run.upstream is None:
        return
    paths = pending_statuses(run.upstream, run.repo.root, set()) if told.changed else []
    message = f"pac apply: notifications of {len(told.changed)} request(s) [skip ci]"
    try:
        result = commit_and_push(run.repo.root, paths, message, run.author)
        journal.clear()  # the marks are in the pushed statuses now
    except GitError as exc:
        emit(f"warning: what was sent is recorded but not pushed: {exc.message}")
        return
    run.twice += result.duplicates


def _always() -> bool:
    return True


def _commit(run: ApplyRun, upstream: Upstream, outcomes: list[Outcome]) -> PushResult:
    """Commit every status that differs from HEAD, this run's and earlier runs' alike."""
    # An unreadable status file was left as it was: not pac's to commit.
    refused = {o.request_id for o in outcomes if o.unreadable}
    paths = pending_statuses(upstream, run.repo.root, refused)
    return commit_and_push(
        run.repo.root, paths, f"pac apply: status of {len(paths)} request(s) [skip ci]", run.author
    )
