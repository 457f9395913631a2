"""`pac upgrade ITEM`: mark every live request fulfilled with an older version of an item
for upgrade, by writing `operations.upgrade: VERSION` into its request file (SPEC §6.6).

Live means: its status is not decommissioned and its current revision completed. Requests
whose current revision did not complete are listed as skipped, with what to do first:
apply refuses to change them (a failed one is retried, aborted or escalated first; one
still running or deferred carries on with its own revision; an aborted or escalated one
created nothing reliable to upgrade).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pac.authoring.discovery import find
from pac.authoring.yaml_edit import EditRefused, set_operation
from pac.documents.layout import REQUESTS
from pac.documents.model import CatalogItem, Request
from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.records.states import RequestState
from pac.records.status import RequestStatus
from pac.records.store import (
    STALE_AFTER,
    StatusError,
    StatusStore,
    remove_stale_temps,
    write_atomic,
)
from pac.validation.checks.versions import Version

UPGRADE_KEY = "upgrade"


@dataclass(frozen=True)
class Marked:
    """A request whose file got (or, with --dry-run, would get) `operations.upgrade`."""

    request: str
    file: str
    version: str  # the item version its last revision was fulfilled with
    to: str

    def as_dict(self) -> dict[str, str]:
        return {"request": self.request, "file": self.file, "from": self.version, "to": self.to}


@dataclass(frozen=True)
class Skipped:
    request: str
    file: str
    version: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {
            "request": self.request,
            "file": self.file,
            "version": self.version,
            "reason": self.reason,
        }


@dataclass
class UpgradeResult:
    item: str
    version: str
    team: str | None
    dry_run: bool
    marked: list[Marked] = field(default_factory=list)
    current: list[str] = field(default_factory=list)  # fulfilled with `version` already
    pending: list[str] = field(default_factory=list)  # files already say upgrade: version
    skipped: list[Skipped] = field(default_factory=list)
    refused: list[Skipped] = field(default_factory=list)  # files pac cannot edit safely

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "version": self.version,
            "team": self.team,
            "dryRun": self.dry_run,
            "marked": [m.as_dict() for m in self.marked],
            "current": list(self.current),
            "alreadyMarked": list(self.pending),
            "skipped": [s.as_dict() for s in self.skipped],
            "notEdited": [r.as_dict() for r in self.refused],
        }


def upgrade_target(repo: Repository, item_id: str, to: str | None) -> CatalogItem:
    """The item to upgrade to, checked: it exists, is an item, and `to` is its version."""
    offering = find(repo, item_id)  # unknown: a UsageError with "did you mean"
    if not isinstance(offering, CatalogItem):
        components = sorted({c.catalog_item for c in getattr(offering, "components", ())})
        raise UsageError(
            f"{item_id} is a bundle: requests are upgraded item by item",
            "Upgrade the component item that changed, e.g. `pac upgrade "
            f"{components[0] if components else 'ITEM'}`"
            + (f" (its items: {', '.join(components)})." if components else "."),
        )
    if to is not None and to != offering.version:
        raise UsageError(
            f"{item_id} has no version {to} in the catalog: it has {offering.version}",
            f"Run `pac upgrade {item_id}` to upgrade to {offering.version}; a version is "
            f"available once {offering.owner.describe()} merge it into the catalog.",
        )
    return offering


def upgrade(
    repo: Repository,
    item_id: str,
    to: str | None = None,
    team: str | None = None,
    dry_run: bool = False,
) -> UpgradeResult:
    """Mark for upgrade every live request fulfilled with an older version of `item_id`."""
    item = upgrade_target(repo, item_id, to)
    result = UpgradeResult(item.id, item.version, team, dry_run)
    if not dry_run:  # what a killed upgrade left half-written beside a request file
        remove_stale_temps(repo.root / REQUESTS, time.time() - STALE_AFTER, below=True)
    target = Version.parse(item.version)
    for status in _statuses(repo, result):
        used = status.item_versions.get(item.id)
        if used is None or status.state is RequestState.DECOMMISSIONED:
            continue
        _consider(repo, result, status, used, target, team)
    return result


def _statuses(repo: Repository, result: UpgradeResult) -> list[RequestStatus]:
    """Every status file, read; one that cannot be read is listed as skipped."""
    store = StatusStore(repo.root)
    if not store.folder.is_dir():
        return []
    out: list[RequestStatus] = []
    for path in sorted(store.folder.glob("*.yaml")):
        try:
            status = store.load(path.stem)
        except StatusError as exc:
            why = f"its status file cannot be read: {exc.message}"
            result.skipped.append(Skipped(path.stem, "", "", why))
            continue
        if status is not None:
            out.append(status)
    return out


def _consider(
    repo: Repository,
    result: UpgradeResult,
    status: RequestStatus,
    used: str,
    target: Version | None,
    team: str | None,
) -> None:
    loaded = repo.request_file(status.request)
    request = loaded.model if loaded is not None and isinstance(loaded.model, Request) else None
    shown = loaded.display if loaded is not None else ""
    if request is not None and team is not None and request.requester.team != team:
        return
    skip = _skip_reason(status, request, shown, used, target, result.version)
    if skip is not None:
        if team is None or request is not None:
            result.skipped.append(Skipped(status.request, shown, used, skip))
        return
    assert request is not None and loaded is not None
    if used == result.version:
        result.current.append(status.request)
    elif request.operations.upgrade == result.version:
        result.pending.append(status.request)
    else:
        _mark(result, status.request, loaded.path, shown, used)


def _skip_reason(
    status: RequestStatus,
    request: Request | None,
    shown: str,
    used: str,
    target: Version | None,
    version: str,
) -> str | None:
    if request is None:
        return (
            f"its request file has errors ({shown}): run `pac validate {shown}`"
            if shown
            else "it has no request file (only decommissioned requests may lose theirs)"
        )
    if request.decommission is not None:
        return "its request file decommissions it"
    if status.state is not RequestState.COMPLETED:
        return _not_completed(status)
    recorded = Version.parse(used)
    if recorded is not None and target is not None and recorded.key() > target.key():
        return f"fulfilled with {used}, newer than the catalog's {version}"
    return None


def _not_completed(status: RequestStatus) -> str:
    state = status.state
    what = f"revision {status.revision} ({status.operation})" if status.revision else "its create"
    if state is RequestState.FAILED:
        return f"{what} failed: retry, abort or escalate it first (operations in its file)"
    if state in (RequestState.ABORTED, RequestState.ESCALATED):
        return f"{what} was {state}: it did not complete, so there is nothing to upgrade"
    if state is RequestState.DEFERRED:
        return f"{what} is deferred by a change freeze: upgrade it once it completed"
    return f"{what} is {state}: upgrade it once it completed"


def _mark(result: UpgradeResult, request_id: str, path: Path, shown: str, used: str) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
        edited = set_operation(text, UPGRADE_KEY, result.version)
    except (EditRefused, UnicodeDecodeError, OSError) as exc:
        reason = exc.message if isinstance(exc, EditRefused) else str(exc)
        hint = f"; {exc.hint}" if isinstance(exc, EditRefused) and exc.hint else ""
        result.refused.append(Skipped(request_id, shown, used, reason + hint))
        return
    if not result.dry_run:
        mode = path.stat().st_mode & 0o777
        write_atomic(path, edited)
        path.chmod(mode)  # the temporary file's private mode must not stick
    result.marked.append(Marked(request_id, shown, used, result.version))


def summary_lines(result: UpgradeResult) -> list[str]:
    """What `pac upgrade` tells its user: each request it touched, what it left and why."""
    verb = "would mark" if result.dry_run else "marked"
    whose = f" (team {result.team})" if result.team else ""
    lines = [f"pac upgrade {result.item} to {result.version}{whose}:"]
    lines += [f"  {verb} {m.request} ({m.file}): {m.version} -> {m.to}" for m in result.marked]
    if result.current:
        lines.append(f"  {len(result.current)} already on {result.version}")
    if result.pending:
        lines.append(
            f"  {len(result.pending)} already marked for {result.version}, waiting for "
            f"pac apply: {', '.join(result.pending)}"
        )
    for skipped in result.skipped:
        on = f" (on {skipped.version})" if skipped.version else ""
        lines.append(f"  skipped {skipped.request}{on}: {skipped.reason}")
    for refused in result.refused:
        lines.append(f"  not edited {refused.request} ({refused.file}): {refused.reason}")
    if not (result.marked or result.current or result.pending or result.skipped):
        lines.append(f"  no live request{whose} uses {result.item}")
    elif not result.marked and not result.refused:
        lines.append("  nothing to write")
    if result.marked and not result.dry_run:
        lines.append(
            "Open a pull request with these files; `pac plan --changed BASE` shows each "
            "request's upgrade steps, and `pac apply` runs them after the merge."
        )
    return lines
