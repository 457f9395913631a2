"""The five template namespaces: `.current`, `.output`, `.metadata`, `.previous`, `.system`.

| namespace | holds                                                                 |
|-----------|-----------------------------------------------------------------------|
| current   | the request's input with defaults; password fields as `Secret`s      |
| output    | flat keys added by earlier actions' `outputs`, in execution order     |
| metadata  | `<id>` -> metadata of the item, or of a bundle and all its items      |
| previous  | the input as the last fulfilled revision had it (update, decommission) |
| system    | request and run facts, generated once per request and then kept       |
"""

from __future__ import annotations

import datetime as dt
import os
import uuid as uuidlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pac.documents.config import PacConfig
from pac.documents.model import Bundle, Form, Offering
from pac.forms.defaults import apply_defaults
from pac.templating.values import SECRET_PREFIX, Secret

NAMESPACES = ("current", "output", "metadata", "previous", "system")
RESPONSE = "response"  # only in `outputs` templates: the action's own result

SYSTEM_KEYS = frozenset(
    {
        "requestId",
        "correlationId",
        "timestamp",
        "date",
        "time",
        "uuid",
        "shortId",
        "user",
        "platform",
        "catalogRevision",
        "operation",
        "revision",
        "changedFields",
        "reason",
    }
)
USER_KEYS = frozenset({"email", "name", "id", "teams"})
PLATFORM_KEYS = frozenset({"account", "region", "environment", "apiKey"})

SecretLookup = Callable[[str], str | None]


def environment_secrets(name: str) -> str | None:
    """Secrets come only from the environment: `PAC_SECRET_<NAME>`.

    An empty value counts as missing: GitHub Actions maps a repository secret that was never
    created to an empty string, and sending an empty credential would fail far less clearly.
    """
    return os.environ.get(SECRET_PREFIX + name) or None


def current_values(
    form: Form, values: Mapping[str, Any], lookup: SecretLookup | None = None
) -> dict[str, Any]:
    """`.current`: input with defaults, password references turned into `Secret`s."""
    current = apply_defaults(form, values)
    for group, field_def in form.fields():
        if field_def.type != "password":
            continue
        group_values = current.get(group.id)
        if not isinstance(group_values, dict):
            continue
        ref = group_values.get(field_def.id)
        if isinstance(ref, Mapping) and isinstance(ref.get("secretRef"), str):
            group_values[field_def.id] = Secret(ref["secretRef"], lookup)
    return current


def metadata_scope(offering: Offering, items: Mapping[str, Offering]) -> dict[str, Any]:
    """`.metadata`: the offering's own metadata and, for a bundle, its items'."""
    scope: dict[str, Any] = {offering.id: dict(offering.metadata)}
    if isinstance(offering, Bundle):
        for component in offering.components:
            item = items.get(component.catalog_item)
            if item is not None:
                scope[item.id] = dict(item.metadata)
    return scope


# Any fixed UUID would do; it only keeps pac's names apart from other uuid5 users.
_PAC_NAMESPACE = uuidlib.UUID("6f1c3e2a-5b7d-4c8e-9a0f-2d4b6c8e0a1c")


def revision_uuid(request_id: str, input_digest: str) -> str:
    """`.system.uuid` of one revision of a request: the same in every checkout.

    A run killed before its status reached the upstream is redone from a checkout that
    lacks the status; a random uuid4 would then send the same task (same Idempotency-Key)
    with another correlation id. The request id and its input digest identify the
    revision, so they name it, and a changed request gets new values.
    """
    return str(uuidlib.uuid5(_PAC_NAMESPACE, f"{request_id}\n{input_digest}"))


def revision_moment(path: Path) -> dt.datetime | None:
    """When the request file's current version was committed: the same in every clone.

    The clock of the run is not: a re-run from a fresh checkout would render another
    `.system.timestamp`. An uncommitted request (a laptop trying things) has no such
    moment: None, and the caller uses the time of the run, as before.
    """
    try:
        import git

        repo = git.Repo(path.parent, search_parent_directories=True)
        seconds = repo.git.log("-1", "--format=%ct", "--", str(path)).strip()
        if not seconds or repo.is_dirty(path=str(path)):
            return None
        return dt.datetime.fromtimestamp(int(seconds), dt.UTC)
    except Exception:  # not a repository, no commits, git missing: no committed moment
        return None


@dataclass(frozen=True)
class SystemValues:
    """`.system`, generated once per request (and stored with its status, so re-runs of
    `pac apply` render exactly what the first run rendered)."""

    request_id: str
    correlation_id: str
    timestamp: str
    uuid: str
    user_email: str
    user_name: str
    user_id: str
    user_teams: tuple[str, ...]
    catalog_revision: str
    platform: Mapping[str, Any] = field(default_factory=dict)
    # The revision (SPEC §6.6): what it does, its number, the `group.field` paths it
    # changes, and a decommission's reason.
    operation: str = "create"
    revision: int = 0
    changed_fields: tuple[str, ...] = ()
    reason: str = ""

    @classmethod
    def generate(
        cls,
        request_id: str,
        requester_email: str,
        requester_name: str,
        requester_team: str,
        config: PacConfig,
        catalog_revision: str,
        now: dt.datetime | None = None,
        new_uuid: str | None = None,
    ) -> SystemValues:
        moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
        value = new_uuid or str(uuidlib.uuid4())
        return cls(
            request_id=request_id,
            correlation_id=f"pac-{request_id}-{value[:8]}",
            timestamp=moment.isoformat().replace("+00:00", "Z"),
            uuid=value,
            user_email=requester_email,
            user_name=requester_name,
            user_id=requester_email.split("@", 1)[0],
            user_teams=(requester_team,),
            catalog_revision=catalog_revision,
            platform=dict(config.platform),
        )

    def as_namespace(self, lookup: SecretLookup | None = None) -> dict[str, Any]:
        platform: dict[str, Any] = {}
        for key, value in self.platform.items():
            if isinstance(value, Mapping) and isinstance(value.get("secretRef"), str):
                platform[key] = Secret(value["secretRef"], lookup)
            else:
                platform[key] = value
        date, _, time = self.timestamp.partition("T")
        return {
            "requestId": self.request_id,
            "correlationId": self.correlation_id,
            "timestamp": self.timestamp,
            "date": date,
            "time": time.rstrip("Z"),
            "uuid": self.uuid,
            "shortId": self.uuid[:8],
            "user": {
                "email": self.user_email,
                "name": self.user_name,
                "id": self.user_id,
                "teams": list(self.user_teams),
            },
            "platform": platform,
            "catalogRevision": self.catalog_revision,
            "operation": self.operation,
            "revision": self.revision,
            "changedFields": list(self.changed_fields),
            "reason": self.reason,
        }

    def to_record(self) -> dict[str, Any]:
        """What the status file keeps (no secret values: platform secrets stay references)."""
        return {
            "requestId": self.request_id,
            "correlationId": self.correlation_id,
            "timestamp": self.timestamp,
            "uuid": self.uuid,
            "user": {
                "email": self.user_email,
                "name": self.user_name,
                "id": self.user_id,
                "teams": list(self.user_teams),
            },
            "catalogRevision": self.catalog_revision,
        } | self._revision_record()

    def _revision_record(self) -> dict[str, Any]:
        """A create's record stays as it was before revisions existed."""
        if self.operation == "create" and not self.revision:
            return {}
        record: dict[str, Any] = {"operation": self.operation, "revision": self.revision}
        if self.changed_fields:
            record["changedFields"] = list(self.changed_fields)
        if self.reason:
            record["reason"] = self.reason
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any], config: PacConfig) -> SystemValues:
        user = record.get("user") or {}
        return cls(
            request_id=str(record["requestId"]),
            correlation_id=str(record["correlationId"]),
            timestamp=str(record["timestamp"]),
            uuid=str(record["uuid"]),
            user_email=str(user.get("email", "")),
            user_name=str(user.get("name", "")),
            user_id=str(user.get("id", "")),
            user_teams=tuple(user.get("teams") or ()),
            catalog_revision=str(record.get("catalogRevision", "")),
            platform=dict(config.platform),
            operation=str(record.get("operation", "create")),
            revision=int(record.get("revision", 0)),
            changed_fields=tuple(str(f) for f in record.get("changedFields") or ()),
            reason=str(record.get("reason", "")),
        )

    def with_overrides(self, overrides: Mapping[str, str]) -> SystemValues:
        """`--system key=value` for previews: `requestId`, `user.email`, `platform.region`…"""
        changes: dict[str, Any] = {}
        platform = dict(self.platform)
        names = {
            "requestId": "request_id",
            "correlationId": "correlation_id",
            "timestamp": "timestamp",
            "uuid": "uuid",
            "catalogRevision": "catalog_revision",
            "user.email": "user_email",
            "user.name": "user_name",
            "user.id": "user_id",
        }
        for key, value in overrides.items():
            if key in names:
                changes[names[key]] = value
            elif key == "user.teams":
                changes["user_teams"] = tuple(t.strip() for t in value.split(",") if t.strip())
            elif key == "platform.apiKey":
                # Like pac.yaml, the key is a secret's NAME: its value never appears.
                platform["apiKey"] = {"secretRef": value}
            elif key.startswith("platform.") and key[9:] in PLATFORM_KEYS:
                platform[key[9:]] = value
            else:
                raise KeyError(key)
        # Values derived from others follow them, unless set themselves.
        if "correlationId" not in overrides and ({"requestId", "uuid"} & set(overrides)):
            request_id = changes.get("request_id", self.request_id)
            changes["correlation_id"] = f"pac-{request_id}-{changes.get('uuid', self.uuid)[:8]}"
        if "user.id" not in overrides and "user.email" in overrides:
            changes["user_id"] = overrides["user.email"].split("@", 1)[0]
        return replace(self, platform=platform, **changes)


OVERRIDABLE = (
    "requestId",
    "correlationId",
    "timestamp",
    "uuid",
    "catalogRevision",
    "user.email",
    "user.name",
    "user.id",
    "user.teams",
    "platform.account",
    "platform.region",
    "platform.environment",
    "platform.apiKey",
)
