"""Live requests per version of each offering (SPEC §6.6): what `pac upgrade` moves
forward, counted from the status files for `pac report` and `pac catalog show`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pac.documents.model import Offering
from pac.records.states import RequestState
from pac.records.status import RequestStatus


def versions_in_use(status: RequestStatus) -> dict[str, str] | None:
    """The item (and bundle) versions a live request's resources were last fulfilled with;
    None when it is not live: decommissioned, or no revision of it ever completed.

    A revision still running, failed or deferred has not changed the resources yet, so
    the last completed one tells which versions they are on.
    """
    if status.state is RequestState.DECOMMISSIONED:
        return None
    if status.state is RequestState.COMPLETED:
        return {status.target_id: status.target_version} | status.item_versions
    done = next((r for r in reversed(status.revisions) if r.fulfilled), None)
    return {status.target_id: status.target_version} | done.item_versions if done else None


@dataclass
class VersionUse:
    """Live requests on each version of one offering (SPEC §6.6): what `pac upgrade` moves."""

    id: str
    team: str = ""
    catalog_version: str = ""
    requests: dict[str, list[str]] = field(default_factory=dict)  # version -> request ids

    @property
    def live(self) -> int:
        return sum(len(ids) for ids in self.requests.values())

    @property
    def behind(self) -> int:
        """Live requests on another version than the catalog's."""
        return sum(len(ids) for v, ids in self.requests.items() if v != self.catalog_version)

    def ordered(self) -> list[tuple[str, list[str]]]:
        """Newest version first (versions that are not semantic, last)."""
        return sorted(self.requests.items(), key=lambda kv: _version_key(kv[0]), reverse=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team": self.team,
            "catalogVersion": self.catalog_version,
            "live": self.live,
            "behind": self.behind,
            "versions": [
                {"version": version, "live": len(ids), "requests": sorted(ids)}
                for version, ids in self.ordered()
            ],
        }


def _version_key(text: str) -> tuple[int, ...]:
    numbers = text.split("-", 1)[0].split(".")
    if not all(n.isdigit() for n in numbers):
        return (-1,)
    return tuple(int(n) for n in numbers)


def live_versions(
    offerings: Iterable[Offering], statuses: Iterable[RequestStatus]
) -> list[VersionUse]:
    """For each offering that live requests use (directly or as a bundle component), how
    many are on each version, with their ids; offerings in catalog order, then any the
    catalog no longer has."""
    uses = {o.id: VersionUse(o.id, o.owner.team, o.version) for o in offerings}
    for status in statuses:
        for offering_id, version in (versions_in_use(status) or {}).items():
            if not offering_id:
                continue
            use = uses.setdefault(offering_id, VersionUse(offering_id))
            use.requests.setdefault(version, []).append(status.request)
    return [use for use in uses.values() if use.requests]


def live_versions_of(offering: Offering, statuses: Iterable[RequestStatus]) -> VersionUse:
    """`pac catalog show`'s count: the live requests on each version of one offering."""
    found = [u for u in live_versions([offering], statuses) if u.id == offering.id]
    return found[0] if found else VersionUse(offering.id, offering.owner.team, offering.version)
