"""What is fixed for one revision of a request: its status record as a run starts it, the
catalog commit and item versions, the `.system` values, a record for each of its tasks.

`pac apply` records them when a revision starts and `pac plan` computes them the same way,
so a plan shows what apply sends and every re-run of apply sends it again (SPEC §6.4).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pac.documents.layout import REQUESTS, STATUS_FOLDER
from pac.documents.lifecycle import Operation
from pac.documents.model import Bundle, Offering, Request
from pac.documents.repository import Repository
from pac.forms.changes import effective_input
from pac.fulfilment.tasks import TaskSpec
from pac.git import added_and_landed
from pac.records.digest import ask_digest
from pac.records.states import TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.templating.namespaces import SystemValues, revision_moment, revision_uuid


def input_digest(request: Request) -> str:
    """Identifies what was asked: the target and the input (not metadata or operations)."""
    return ask_digest(request.target_id, request.input)


def catalog_revision(repo: Repository) -> str:
    """The commit the catalog is at, or "uncommitted" outside git.

    Status commits do not change the catalog and are skipped: a run redone from a fresh
    clone, after other runs pushed their status, must render what the first run rendered.
    """
    try:
        import git

        root = repo.root.resolve()
        found = git.Repo(root, search_parent_directories=True).git.log(
            "-1", "--format=%H", "--", str(root), f":(exclude){root}/{STATUS_FOLDER}"
        )
        return str(found).strip() or "uncommitted"
    except Exception:  # not a repository, no commits yet, git missing
        return "uncommitted"


def memo_revision(repo: Repository) -> str:
    """`catalog_revision` asked of git once per repository object."""
    return repo.memo(("revision", ""), lambda: catalog_revision(repo))


def system_values(
    repo: Repository, request: Request, record: dict[str, object], revision: str, digest: str
) -> SystemValues:
    """The `.system` values of the revision: as recorded, or made for it (not per run)."""
    if record:
        return SystemValues.from_record(record, repo.config)
    requester = request.requester
    return SystemValues.generate(
        request.id,
        requester.email,
        requester.name,
        requester.team,
        repo.config,
        revision,
        now=revision_moment(request.doc.path),
        new_uuid=revision_uuid(request.id, digest),
    )


def system_for(repo: Repository, request: Request, status: RequestStatus | None) -> SystemValues:
    """The `.system` values apply sends for `request` in `status`, recording nothing.

    A revision's own catalog commit and input digest, as its status holds them from when it
    was first seen (a deferred request keeps those of the day it was deferred); a request no
    run has seen gets those `new_status` would give it.
    """
    if status is None:
        return system_values(repo, request, {}, memo_revision(repo), input_digest(request))
    if status.system or not status.revision:
        return system_values(
            repo, request, status.system, status.catalog_revision, status.input_digest
        )
    # A later revision of an unchanged input (an upgrade, a decommission) has the digest of
    # the one before: its number keeps its uuid, and so its correlation id, its own.
    digest = f"{status.input_digest}#r{status.revision}"
    made = system_values(repo, request, {}, status.catalog_revision, digest)
    return replace(
        made,
        operation=status.operation.value,
        revision=status.revision,
        changed_fields=tuple(status.changed_fields),
        reason=status.reason,
    )


def revision_system(repo: Repository, request: Request, status: RequestStatus) -> SystemValues:
    """The revision's `.system` values, recorded in `status` the first time."""
    # Fixed per revision, not per run: see revision_uuid and revision_moment.
    system = system_for(repo, request, status)
    if not status.system:
        status.system = system.to_record()
    return system


def new_status(repo: Repository, request: Request, offering: Offering) -> RequestStatus:
    """The status of a request no run has touched: what it asks for, and of which versions."""
    status = RequestStatus(
        request=request.id,
        target_kind=offering.kind,
        target_id=offering.id,
        target_version=offering.version,
        catalog_revision=memo_revision(repo),
        input_digest=input_digest(request),
        priority=request.priority,
        input=effective_input(offering.form, request.input),
    )
    if isinstance(offering, Bundle):
        for component in offering.components:
            item = repo.item(component.catalog_item)
            if item is not None:
                status.item_versions[item.id] = item.version
    else:
        status.item_versions[offering.id] = offering.version
    # Lead time starts at the commit that added the file (SPEC §6.7), not at this run.
    status.requested_at, status.landed_at = _lead_ends(repo, request.doc.path)
    status.note("submitted")
    return status


def _lead_ends(repo: Repository, path: Path) -> tuple[str, str]:
    """When the request file was committed and landed on main; ('', '') when git cannot
    tell. Asked of git once per run for every request file, not once per request."""
    folder = (repo.root / REQUESTS).resolve()
    known = repo.memo(("lead-ends", ""), lambda: added_and_landed(folder))
    try:
        return known.get(path.resolve().relative_to(folder).as_posix(), ("", ""))
    except ValueError:  # a request file outside requests/: nothing to say
        return ("", "")


def sync_tasks(status: RequestStatus, specs: list[TaskSpec]) -> None:
    """A record for each task of `specs` the status does not have yet, in their order."""
    for spec in specs:
        key = spec.key(status.request)
        if status.task(key) is None:
            owner = spec.item.owner
            status.tasks.append(
                TaskStatus(
                    key=key,
                    component=spec.component,
                    catalog_item=spec.item.id,
                    action=spec.action.type,
                    strategy=spec.mode,
                    index=spec.index,
                    label=spec.action.label(),
                    owner_team=owner.team,
                    owner_contact=owner.contact,
                )
            )


def begin_revision(
    repo: Repository,
    request: Request,
    status: RequestStatus,
    operation: Operation,
    effective: dict[str, object],
    changed: tuple[str, ...],
    versions: dict[str, str],
    reason: str = "",
) -> None:
    """Start the next revision of `status` (SPEC §6.6): the one that is over becomes
    history; the new one records its input, digest, item versions, catalog commit,
    changed paths and reason. The caller saves it before anything is sent."""
    status.start_revision(
        operation,
        effective,
        input_digest(request),
        versions,
        memo_revision(repo),
        list(changed),
        reason,
    )
    status.deferred_window = status.deferred_until = ""


def previous_input(status: RequestStatus | None) -> dict[str, object]:
    """`.previous`: the input as the last fulfilled revision before this one left it."""
    if status is None or not status.revision:
        return {}
    done = next((r for r in reversed(status.revisions) if r.fulfilled and r.input), None)
    return dict(done.input) if done else {}


def earlier_outputs(status: RequestStatus | None) -> dict[str, str]:
    """`.output` as the revisions before the current one left it (SPEC §4.3)."""
    merged: dict[str, str] = {}
    for revision in status.revisions if status else []:
        for task in revision.tasks:
            if task.outputs and task.state is TaskState.COMPLETED:
                merged.update(task.outputs)
    return merged
