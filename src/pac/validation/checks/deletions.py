"""Deleted request files (`pac validate --changed BASE`): a request is retired by saying so.

Deleting the file of a request apply has acted on would leave its resources running with
nothing to retire them and its status orphaned (SPEC §6.6): the file must first say
`decommission: {reason: …}` and may go once the status says `decommissioned`. A request
file moved to another folder (same id) is not a deletion.
"""

from __future__ import annotations

from pac.diagnostics import Diagnostic
from pac.documents.files import Role
from pac.documents.layout import REQUESTS, STATUS_DIR
from pac.documents.repository import Repository
from pac.records.states import RequestState
from pac.records.status import RequestStatus
from pac.records.store import StatusError, StatusStore, status_from_bytes
from pac.rules import RULES


def check_deleted_requests(
    repo: Repository, changes: list[tuple[str, bool]], base: str
) -> list[Diagnostic]:
    """A finding, at line 1 of the deleted path, for each request file deleted since `base`
    whose request is not decommissioned."""
    found: list[Diagnostic] = []
    for relative, deleted in changes:
        path = repo.root / relative
        if not deleted or repo.role(path) is not Role.REQUEST:
            continue
        request_id = path.name.rsplit(".", 1)[0]
        if request_id in repo.index(Role.REQUEST):
            continue  # moved or renamed, still there
        try:
            status = _status(repo, request_id, base)
        except StatusError as exc:
            found.append(
                _finding(
                    relative,
                    "status-unreadable",
                    f"{relative} is deleted and the status of {request_id} cannot be read, "
                    f"so whether it may go cannot be told: {exc.message}",
                    exc.hint,
                )
            )
            continue
        if status is not None and status.state is not RequestState.DECOMMISSIONED:
            found.append(_deleted(repo, relative, status, base))
    return found


def _status(repo: Repository, request_id: str, base: str) -> RequestStatus | None:
    """The status in the working tree, or at `base` when this change removed it too."""
    status = StatusStore(repo.root).load(request_id)
    if status is not None:
        return status
    from pac.git import files_at_base

    shown = f"{REQUESTS}/{STATUS_DIR}/{request_id}.yaml"
    raw = files_at_base(repo.root, base, [shown]).get(shown)
    return None if raw is None else status_from_bytes(raw, shown, request_id)


def _deleted(repo: Repository, relative: str, status: RequestStatus, base: str) -> Diagnostic:
    offering = repo.offering(status.target_id)
    owner = offering.owner.describe() if offering is not None else ""
    hint = (
        f"Restore the file (`git checkout {base} -- {relative}`) and add "
        "`decommission: {reason: …}` to it: pac then runs the decommission actions, and the "
        "file may be removed once `pac status` says decommissioned."
    )
    return _finding(
        relative,
        "request-deleted",
        f"{relative} is deleted, but its request {status.request} is {status.state.value}: "
        "what it made would live on, and nothing would retire it",
        f"{hint} Ask: {owner}." if owner else hint,
    )


def _finding(relative: str, code: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(relative, 1, 1, RULES[code].severity, code, message, hint)
