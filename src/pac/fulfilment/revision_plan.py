"""How `pac plan` shows a change, an upgrade or a decommission (SPEC §6.6, §8): the revision
it starts, the input diff field by field (secrets as reference names only), the item
versions that move, the reason, and the one line that says what kind of change it is.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pac.documents.lifecycle import Operation
from pac.documents.model import Offering, Request
from pac.documents.repository import Repository
from pac.fulfilment.change import Change
from pac.fulfilment.policy import DAY_TWO, Step, decide
from pac.fulfilment.revision import begin_revision, previous_input
from pac.records.states import RequestState
from pac.records.status import RequestStatus

# States a request rests in between revisions: a change starts the next one from here.
_BETWEEN = frozenset(
    {
        RequestState.COMPLETED,
        RequestState.FAILED,
        RequestState.ABORTED,
        RequestState.ESCALATED,
        RequestState.WAITING,
    }
)
NOT_RECORDED = "(not recorded)"


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: str
    new: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.path, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class VersionChange:
    item: str
    old: str
    new: str

    def as_dict(self) -> dict[str, str]:
        return {"item": self.item, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class PlannedRevision:
    """The revision a plan shows: started by this change, or already under way."""

    number: int
    operation: Operation
    fields: list[FieldChange] = field(default_factory=list)
    versions: list[VersionChange] = field(default_factory=list)
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "operation": self.operation.value,
            "fields": [f.as_dict() for f in self.fields],
            "versions": [v.as_dict() for v in self.versions],
            "reason": self.reason,
        }


def _starts(status: RequestStatus, request: Request, change: Change, step: Step) -> bool:
    """Does `step` start a new revision (a freeze defers it only after it started)?"""
    if status.state not in _BETWEEN or change.operation is None:
        return False
    return step in DAY_TWO or (
        step is Step.DEFER and decide(status, request, None, change) in DAY_TWO
    )


def started_copy(
    repo: Repository, request: Request, status: RequestStatus, change: Change, step: Step
) -> RequestStatus:
    """`status` as apply will have it once `step` began: a copy with the new revision
    started when the step starts one, else `status` itself."""
    if not _starts(status, request, change, step):
        return status
    started = RequestStatus.from_dict(copy.deepcopy(status.as_dict()))
    assert change.operation is not None
    begin_revision(
        repo,
        request,
        started,
        change.operation,
        change.effective,
        change.changed,
        change.versions,
        change.reason,
    )
    return started


def shown(value: Any, secret: bool = False) -> str:
    """A value in a diff: a password field (or any secret reference) by its name only."""
    if isinstance(value, Mapping) and isinstance(value.get("secretRef"), str):
        return f"secretRef {value['secretRef']}"
    if secret and value is not None:
        return "***"
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _value(values: Mapping[str, Any] | None, path: str) -> Any:
    if values is None:
        return None
    group, _, key = path.partition(".")
    section = values.get(group)
    if not key:
        return section
    return section.get(key) if isinstance(section, Mapping) else None


def field_changes(
    offering: Offering,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    paths: list[str],
) -> list[FieldChange]:
    """old → new of each changed path; `old` None when it was never recorded."""
    secret = {f"{g.id}.{f.id}" for g, f in offering.form.fields() if f.type == "password"}
    return [
        FieldChange(
            path,
            shown(_value(old, path), path in secret) if old else NOT_RECORDED,
            shown(_value(new, path), path in secret),
        )
        for path in paths
    ]


def planned_revision(
    repo: Repository,
    request: Request,
    offering: Offering,
    status: RequestStatus,
    change: Change,
    step: Step,
) -> PlannedRevision | None:
    """The revision to show for a request with a status: the one `step` starts, the one
    under way (revision 1 on), the one a held change would have started, or None."""
    if _starts(status, request, change, step) or (step is Step.HELD and change.operation):
        assert change.operation is not None
        versions = [
            VersionChange(item, status.item_versions.get(item, ""), new)
            for item, new in change.versions.items()
            if status.item_versions.get(item, new) != new
        ]
        old = status.input or None
        fields = field_changes(offering, old, change.effective, list(change.changed))
        return PlannedRevision(
            status.revision + 1, change.operation, fields, versions, change.reason
        )
    if not status.revision or status.state in (*_BETWEEN, RequestState.DECOMMISSIONED):
        return None
    before = status.revisions[-1].item_versions if status.revisions else {}
    versions = [
        VersionChange(item, before.get(item, ""), new)
        for item, new in status.item_versions.items()
        if before.get(item, new) != new
    ]
    previous = previous_input(status) or None
    fields = field_changes(offering, previous, status.input, status.changed_fields)
    return PlannedRevision(status.revision, status.operation, fields, versions, status.reason)


def headline(request_id: str, step: Step, revision: PlannedRevision | None) -> str:
    """What kind of change a plan shows, in one line ("" for a day-1 step)."""
    if revision is None:
        return ""
    number = f"{request_id} (revision {revision.number})"
    count = len(revision.fields)
    fields = f"{count} field{'s' if count != 1 else ''}"
    if step is Step.HELD:
        return f"Held {revision.operation.value} of {number}: not applied"
    if revision.operation is Operation.DECOMMISSION:
        return f"Decommission of {number}: {revision.reason}"
    if revision.operation is Operation.UPGRADE:
        moves = ", ".join(f"{v.item} {v.old} → {v.new}" for v in revision.versions)
        return f"Upgrade of {number}: {moves}" + (f"; {fields}" if count else "")
    return f"Change of {number}: {fields}"
