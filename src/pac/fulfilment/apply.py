"""`pac apply`: choose the requests, fulfil them concurrently."""

from __future__ import annotations

import contextlib
import fcntl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pac.documents.files import Role
from pac.documents.layout import APPLY_LOCK, OUTBOX_DIR, PAC_DIR, REQUESTS
from pac.documents.model import Request
from pac.documents.repository import Repository
from pac.documents.suggestions import did_you_mean
from pac.errors import UsageError
from pac.fulfilment.actions import secret_variables
from pac.fulfilment.actions.base import Clients
from pac.fulfilment.backends import TicketBackend, TicketFactory
from pac.fulfilment.backends.rest import RestClient
from pac.fulfilment.executor import Outcome, RequestRunner
from pac.fulfilment.freeze import today_in
from pac.fulfilment.redaction import Redactor
from pac.fulfilment.tracking import read_open
from pac.records.store import STALE_AFTER, StatusStore, remove_stale_temps


@dataclass
class Selection:
    requests: list[Request] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (display path, reason)


def require_valid_config(repo: Repository) -> None:
    """Refuse to plan or apply with a broken `pac.yaml`.

    Its change calendar, JIRA settings and platform values would silently fall back to
    defaults: no freeze at all, in the middle of one.
    """
    from pac.documents.layout import CONFIG_FILE
    from pac.validation.run import check_file

    path = repo.root / CONFIG_FILE
    if not path.is_file():
        return
    errors = [d for d in check_file(repo, path) if d.is_error]
    if errors:
        first = errors[0]
        raise UsageError(
            f"{first.path}:{first.line}:{first.column}: {first.message}"
            + (f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else "")
            + "; pac will not plan or apply with a broken pac.yaml, whose change calendar "
            "and JIRA settings it could not trust",
            f"{first.hint} Run `pac validate pac.yaml`; the architecture team owns the file."
            if first.hint
            else "Run `pac validate pac.yaml`; the architecture team owns the file.",
        )


def select_requests(
    repo: Repository, selectors: Iterable[str] = (), changed_since: str | None = None
) -> Selection:
    """Requests named by id or path, changed since a revision, or all of them."""
    from pac.validation.run import check_file

    require_valid_config(repo)

    paths: list[Path] = []
    chosen = list(selectors)
    if changed_since is not None:
        from pac.git import changed_files

        for relative, deleted in changed_files(repo.root, changed_since):
            path = repo.root / relative
            if not deleted and repo.role(path) is Role.REQUEST:
                paths.append(path)
    if chosen:
        for selector in chosen:
            paths.append(resolve_request(repo, selector))
    elif changed_since is None:
        paths = repo.files(Role.REQUEST)
    selection = Selection()
    for path in dict.fromkeys(paths):
        findings = [d for d in check_file(repo, path) if d.is_error]
        loaded = repo.load(path)
        if findings or not isinstance(loaded.model, Request):
            first = findings[0] if findings else None
            reason = (
                f"{len(findings)} error(s), first: {first.line}:{first.column} {first.message}"
                if first
                else "not a request"
            )
            selection.invalid.append((loaded.display, reason))
            continue
        selection.requests.append(loaded.model)
    return selection


def resolve_request(repo: Repository, selector: str) -> Path:
    """A REQUEST argument: a request id or the path of its file (SPEC §8)."""
    candidate = repo.absolute(selector)
    if candidate.is_file():
        return candidate
    paths = repo.index(Role.REQUEST).get(selector)
    if paths:
        return paths[0]
    suggestion = did_you_mean(selector, repo.index(Role.REQUEST))
    raise UsageError(
        f"{selector} is neither a request id nor a request file",
        f"Did you mean {suggestion}?" if suggestion else "Request files live in requests/<team>/.",
    )


def run(
    repo: Repository,
    requests: list[Request],
    tickets: TicketFactory,
    *,
    concurrency: int | None = None,
    emit: Callable[[str], None] = lambda line: None,
    rest: Callable[[], RestClient] = RestClient,
    still_held: Callable[[], bool] = lambda: True,
) -> list[Outcome]:
    """Fulfil requests concurrently; the tasks of one request keep their order.

    `still_held` is the upstream's apply lease: once another run holds it, no request
    creates or calls anything more (each stops as pending, `Outcome.lease_lost`).
    """
    started = time.time()
    with _one_run_at_a_time(repo.root):
        # Inside the lock no other run of this checkout writes: older temp files are debris.
        remove_stale_temps(StatusStore(repo.root).folder, started)
        remove_stale_temps(repo.root / OUTBOX_DIR, started)
        remove_stale_temps(repo.root / REQUESTS, started - STALE_AFTER, below=True)
        return _run(
            repo, requests, tickets, concurrency=concurrency, emit=emit, rest=rest,
            still_held=still_held,
        )  # fmt: skip


@contextlib.contextmanager
def _one_run_at_a_time(root: Path) -> Iterator[None]:
    """Two runs on one checkout would both miss each other's new tickets and create twice.

    In CI the workflow's concurrency group keeps runs apart; on a laptop this lock does.
    The lock goes with the process, so a killed run leaves nothing to clean up.
    """
    (root / PAC_DIR).mkdir(exist_ok=True)
    with (root / APPLY_LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UsageError(
                "another pac apply is running in this checkout",
                "Wait for it to finish, then run pac apply again; it picks up where that one "
                "left off.",
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(
    repo: Repository,
    requests: list[Request],
    tickets: TicketFactory,
    *,
    concurrency: int | None,
    emit: Callable[[str], None],
    rest: Callable[[], RestClient],
    still_held: Callable[[], bool],
) -> list[Outcome]:
    store = StatusStore(repo.root)
    today = today_in(repo.config.timezone)
    redact = Redactor.from_environment(secret_variables())
    local = threading.local()
    made: list[tuple[TicketBackend, RestClient, Clients]] = []
    lock = threading.Lock()

    def clients() -> tuple[TicketBackend, RestClient, Clients]:
        if not hasattr(local, "clients"):
            local.clients = (tickets(), rest(), Clients())
            with lock:
                made.append(local.clients)
        return local.clients  # type: ignore[no-any-return]

    # Every open ticket of every request, read in one batched search before any runs.
    read = read_open(repo, requests, tickets, emit)
    lag = repo.config.jira_search_lag

    def one(request: Request) -> Outcome:
        ticket_backend, rest_client, others = clients()
        runner = RequestRunner(
            repo, store, request, ticket_backend, rest_client, today, redact, emit,
            still_held=still_held, clients=others, read=read, lag=lag,
        )  # fmt: skip
        outcome = runner.run()
        outcome.adopted = list(runner.adopted)
        return outcome

    # Warm the catalog in this thread: documents load lazily and are then shared read-only.
    for request in requests:
        repo.offering(request.target_id)
    workers = max(1, min(concurrency or repo.config.concurrency, len(requests) or 1))
    try:
        if workers == 1:
            return [one(r) for r in requests]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pac-apply") as pool:
            return list(pool.map(one, requests))
    finally:
        for ticket_backend, rest_client, others in made:
            ticket_backend.close()
            rest_client.close()
            others.close()
