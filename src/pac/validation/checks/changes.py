"""A request file against its status: what validate refuses of a change on the pull request.

A request file is the desired state for the whole life of what it asked for (SPEC §6.6). Once
`pac apply` has acted on it, its status says what was fulfilled; this check compares the file
with it and refuses, at the changed line, what apply could not carry out: an immutable field
or the target changed, a change nobody's update actions would make, a change while the
current revision is still running or failed, a decommission no actions would carry out or
that changes the input too, an upgrade to a version the catalog does not have, and a new
request under the id of a decommissioned one. Each finding names the team to ask and what
to do instead. The status is read only for request files, and only when one is there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pac.diagnostics import Diagnostic
from pac.documents.lifecycle import Operation
from pac.documents.loader import JsonPath
from pac.documents.model import Bundle, CatalogItem, Field, Form, Offering, Request
from pac.documents.repository import Loaded, Repository
from pac.forms.changes import changed_paths, effective_input, immutable_changes
from pac.records.digest import ask_digest
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus
from pac.records.store import StatusError, StatusStore
from pac.validation.checks import Findings
from pac.validation.checks.reads import components_reading

DECOMMISSION_EXAMPLE = "`decommission: {reason: …}`"


def check_request_change(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    """Every refusal of SPEC §6.6 for one request file, judged against its status."""
    request = loaded.model
    assert isinstance(request, Request)
    findings = Findings(loaded)
    try:
        status = StatusStore(repo.root).load(request.id)
    except StatusError as exc:
        findings.add(
            ("metadata", "id"),
            "status-unreadable",
            f"the status of {request.id} cannot be read, so a change of this request cannot "
            f"be checked: {exc.message}",
            exc.hint,
        )
        return findings.items
    offering = repo.offering(request.target_id)
    if status is None or offering is None:  # new, or the unknown target is reported
        return []
    _Judge(repo, request, status, offering, findings).run()
    return findings.items


@dataclass
class _Change:
    """What the request file changes against its status."""

    target: bool  # the request names another item or bundle
    paths: list[str]  # changed input paths, as `.system.changedFields` lists them
    unnamed: bool  # the input changed, but which fields is unknown (no input recorded)
    upgrade: str  # a version to move to that the status has not served yet

    @property
    def input(self) -> bool:
        return self.target or bool(self.paths) or self.unnamed

    @property
    def any(self) -> bool:
        return self.input or bool(self.upgrade)


@dataclass
class _Judge:
    repo: Repository
    request: Request
    status: RequestStatus
    offering: Offering
    findings: Findings
    change: _Change = field(init=False)

    def __post_init__(self) -> None:
        self.change = _changes(self.request, self.status, self.offering.form)

    def run(self) -> None:
        if self.status.state is RequestState.DECOMMISSIONED:
            self._decommissioned()
        elif self.request.decommission is not None:
            self._decommission()
        elif self.change.any:
            self._change()

    # --- where and whom ----------------------------------------------------------------

    def add(self, path: JsonPath, code: str, message: str, hint: str, owner: str = "") -> None:
        who = owner or self.offering.owner.describe()
        at_key = path == ("decommission",)
        self.findings.add(path, code, message, f"{hint} Ask: {who}.", owner="", at_key=at_key)

    def at(self, changed: str) -> JsonPath:
        """The changed value's place in the request file, or the nearest that is there."""
        steps: JsonPath = ("input", *changed.split("."))
        document = self.request.doc
        while len(steps) > 1 and not document.exists(steps):
            steps = steps[:-1]
        return steps

    def first_change(self) -> JsonPath:
        if self.change.target:
            return (self.request.target_key,)
        if self.change.paths:
            return self.at(self.change.paths[0])
        return ("input",) if self.change.unnamed else ("operations", "upgrade")

    # --- the refusals ------------------------------------------------------------------

    def _decommissioned(self) -> None:
        retired = self.status.updated_at[:10] or "earlier"
        if self.request.decommission is None:
            self.add(
                ("metadata", "id"),
                "request-id-reused",
                f"{self.request.id} was decommissioned ({retired}); its id cannot name a "
                "new request",
                f"Give the new request an id of its own (and the file that name), e.g. "
                f"{self.request.id}-2: the status of {self.request.id} stays as the history "
                f"of what it had. To keep the retired request's file, restore "
                f"{DECOMMISSION_EXAMPLE} in it.",
            )
        elif self.change.any:
            self.add(
                self.first_change(),
                "change-with-decommission",
                f"{self.request.id} was decommissioned ({retired}): nothing of it can "
                f"change any more ({self._listed()})",
                "Undo the change; to ask for the resources again, add a new request with an "
                "id of its own (`pac request new`).",
            )

    def _decommission(self) -> None:
        if self.change.input:
            self.add(
                ("decommission",),
                "change-with-decommission",
                f"this pull request decommissions {self.request.id} and changes it at once "
                f"({self._listed()})",
                "A decommission retires what the request made as it was fulfilled: undo the "
                f"input changes and keep {DECOMMISSION_EXAMPLE}, or drop `decommission` to "
                "apply the change.",
            )
        if _may_have_created(self.status):
            lacking = _lacking(self.repo, self.offering, Operation.DECOMMISSION)
            for owner, items in _grouped(lacking):
                self.add(
                    ("decommission",),
                    "decommission-no-actions",
                    f"{items} {_has(items)} no decommission actions, so"
                    f" pac cannot retire what {self.request.id} made",
                    f"Ask its owners to add `decommission:` actions to {items}; until then "
                    "keep the request as it is (remove `decommission` from this pull "
                    "request), or have them retire its resources by hand.",
                    owner,
                )

    def _change(self) -> None:
        if self.change.target:
            self._target_changed()
            return
        refused = self._immutable()
        self._unfinished()
        # A field that may not change at all is not also refused for want of an update.
        self.change.paths = [p for p in self.change.paths if p not in refused]
        if self.change.paths or self.change.unnamed:
            self._no_update()
        if self.change.upgrade:
            self._upgrade()

    def _target_changed(self) -> None:
        self.add(
            (self.request.target_key,),
            "change-immutable",
            f"{self.request.id} was fulfilled by {self.status.target_id}; a fulfilled "
            f"request cannot move to {self.request.target_id}",
            f"Decommission and request anew: restore `{self.request.target_key}: "
            f"{self.status.target_id}` and add {DECOMMISSION_EXAMPLE}, then add a new "
            f"request for {self.request.target_id}.",
        )

    def _immutable(self) -> set[str]:
        """Refuse each changed path that may not change; returns them."""
        immutables = _immutables(self.repo, self.offering, self.change.paths)
        for path, found, owner in immutables:
            shown = "the name" if path == "name" else f"{found.name} ({path})"
            self.add(
                self.at(path),
                "change-immutable",
                f"{shown} cannot change once the request is fulfilled"
                + _old_new(found, self.status.input, path),
                "Undo the change. For another value, decommission and request anew: add "
                f"{DECOMMISSION_EXAMPLE} to this request, and write a new request (an id of "
                "its own) with the new value.",
                owner,
            )
        return {path for path, _, _ in immutables}

    def _unfinished(self) -> None:
        state = self.status.state
        if state.final:
            return
        revision = f"revision {self.status.revision} ({self.status.operation.value})"
        if state is RequestState.FAILED:
            hint = (
                f"Settle it first: raise operations.retry to run it again, or set "
                "operations.abort or operations.escalate; then change the request in a pull "
                "request of its own. `pac status "
                f"{self.request.id}` shows what failed."
            )
        else:
            hint = (
                f"Let it complete (`pac status {self.request.id}`) and change the request "
                f"afterwards, or decommission it with {DECOMMISSION_EXAMPLE}."
            )
        self.add(
            self.first_change(),
            "change-unfinished",
            f"{self.request.id} is {state.value}: its {revision} has not finished, so it "
            f"cannot change yet ({self._listed()})",
            hint,
        )

    def _no_update(self) -> None:
        lacking = _lacking(self.repo, self.offering, Operation.UPDATE)
        if self.change.unnamed and isinstance(self.offering, Bundle):
            # Which components the change touches is unknown: refused only if none could.
            everyone = len(_items_of(self.repo, self.offering))
            if sum(len(items) for items in lacking.values()) < everyone:
                return
        if isinstance(self.offering, CatalogItem) or self.change.unnamed:
            for owner, items in _grouped(lacking):
                self.add(
                    self.first_change(),
                    "change-no-update",
                    f"{items} {_has(items)} no update actions, so pac cannot "
                    f"change {self.request.id} ({self._listed()})",
                    "Undo the change, or decommission and request anew; its owners can add "
                    "`update:` actions so changes are made in place.",
                    owner,
                )
            return
        assert isinstance(self.offering, Bundle)
        for path in self.change.paths:
            self._bundle_path(self.offering, path)

    def _bundle_path(self, bundle: Bundle, path: str) -> None:
        """In a bundle only the components reading a changed path update (SPEC §6.6)."""
        readers = components_reading(self.repo, bundle, path)
        items = [self.repo.item(c.catalog_item) for c in readers]
        if any(item is not None and item.actions_for(Operation.UPDATE) for item in items):
            return
        if readers:
            names = ", ".join(f"{c.id} ({c.catalog_item})" for c in readers)
            message = f"{path} is read by {names}, which {_has(names)} no update actions"
            hint = (
                "Undo the change, or decommission and request anew; the component items' "
                "owners can add `update:` actions so changes are made in place."
            )
            owner = "; ".join(dict.fromkeys(i.owner.describe() for i in items if i))
        else:
            message = f"no component of {bundle.id} reads {path}, so changing it changes nothing"
            hint = (
                "Undo the change; if a component should use it, the bundle's owners can say "
                "so in its templates."
            )
            owner = ""
        self.add(self.at(path), "change-no-update", message, hint, owner)

    def _upgrade(self) -> None:
        wanted = self.change.upgrade
        versions = _catalog_versions(self.repo, self.offering)
        if wanted not in versions:
            current = ", ".join(f"{doc} {version}" for version, doc in versions.items())
            self.add(
                ("operations", "upgrade"),
                "upgrade-unknown-version",
                f"operations.upgrade asks for version {wanted}, which the catalog does not "
                f"have ({current})",
                f"Write a version the catalog has (`pac upgrade {self.offering.id}` writes "
                "the current one), or remove operations.upgrade.",
            )
            return
        lacking = _lacking(self.repo, self.offering, Operation.UPGRADE, self.status)
        for owner, items in _grouped(lacking):
            self.add(
                ("operations", "upgrade"),
                "change-no-update",
                f"{items} {_has(items)} no update actions, so pac cannot "
                f"upgrade {self.request.id} to {wanted}",
                "Remove operations.upgrade, or decommission and request anew; the item's "
                "owners can add `update:` actions so upgrades are made in place.",
                owner,
            )

    def _listed(self) -> str:
        change = self.change
        parts = []
        if change.target:
            parts.append(f"{self.request.target_key}: {self.request.target_id}")
        if change.paths:
            shown = change.paths[:5]
            more = f" and {len(change.paths) - 5} more" if len(change.paths) > 5 else ""
            parts.append("changed: " + ", ".join(shown) + more)
        elif change.unnamed:
            parts.append("its input changed")
        if change.upgrade:
            parts.append(f"upgrade to {change.upgrade}")
        return "; ".join(parts)


# --- what changed --------------------------------------------------------------------


def _changes(request: Request, status: RequestStatus, form: Form) -> _Change:
    target = bool(status.target_id) and status.target_id != request.target_id
    paths: list[str] = []
    unnamed = False
    if status.input:
        # Most requests did not change: one comparison of the effective inputs says so.
        if effective_input(form, request.input) != status.input:
            paths = changed_paths(form, status.input, request.input)
    elif status.input_digest:
        # Written before revisions kept the input: only that something changed is known.
        unnamed = not target and status.input_digest != ask_digest(request.target_id, request.input)
    return _Change(target, paths, unnamed, _pending_upgrade(request, status))


def _pending_upgrade(request: Request, status: RequestStatus) -> str:
    """`operations.upgrade` unless a revision already served that version: the line stays in
    the file after its upgrade, and must not be judged again once the catalog moves on."""
    wanted = request.operations.upgrade
    served = {status.target_version, *status.item_versions.values()}
    for revision in status.revisions:
        served.update(revision.item_versions.values())
    return "" if not wanted or wanted in served else wanted


def _may_have_created(status: RequestStatus) -> bool:
    """Has any revision's task done (or maybe done) something? A request no task ever
    touched is simply aborted by a decommission, with no actions needed."""
    tasks = [*status.tasks, *(t for r in status.revisions for t in r.tasks)]
    return any(t.state is not TaskState.PENDING or t.attempt is not None for t in tasks)


def _items_of(repo: Repository, offering: Offering) -> list[CatalogItem]:
    if isinstance(offering, CatalogItem):
        return [offering]
    assert isinstance(offering, Bundle)
    found = (repo.item(c.catalog_item) for c in offering.components)
    return list({item.id: item for item in found if item is not None}.values())


def _lacking(
    repo: Repository,
    offering: Offering,
    operation: Operation,
    status: RequestStatus | None = None,
) -> dict[str, list[str]]:
    """owner -> the ids of their items that have no actions for `operation`; for an
    upgrade, only the items whose version moves on from what the status has."""
    by_owner: dict[str, list[str]] = {}
    for item in _items_of(repo, offering):
        moved = status is None or status.item_versions.get(item.id, item.version) != item.version
        if moved and not item.actions_for(operation):
            by_owner.setdefault(item.owner.describe(), []).append(item.id)
    return by_owner


def _grouped(lacking: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(owner, "item, item"): one finding per owning team."""
    return [(owner, ", ".join(items)) for owner, items in lacking.items()]


def _immutables(
    repo: Repository, offering: Offering, changed: list[str]
) -> list[tuple[str, Field, str]]:
    """The changed paths that may not change, with the field and the owner who says so: the
    offering's own form, and in a bundle also the form of a component item marking it."""
    found = {
        path: (f, offering.owner.describe())
        for path, f in immutable_changes(offering.form, changed)
    }
    if isinstance(offering, Bundle):
        for item in _items_of(repo, offering):
            for path, f in immutable_changes(item.form, changed):
                found.setdefault(path, (f, item.owner.describe()))
    return [(path, *found[path]) for path in changed if path in found]


def _catalog_versions(repo: Repository, offering: Offering) -> dict[str, str]:
    """version -> the document of the catalog at it: the offering, and a bundle's items."""
    versions = {offering.version: offering.id}
    for item in _items_of(repo, offering):
        versions.setdefault(item.version, item.id)
    return versions


def _has(listed: str) -> str:
    """The verb for "a, b" (several) or "a" (one)."""
    return "have" if ", " in listed else "has"


def _old_new(found: Field, before: dict[str, Any], path: str) -> str:
    """`: it was db.t3.small` — nothing of a secret reference is shown."""
    if found.type == "password" or not before:
        return ""
    group, _, key = path.partition(".")
    section = before.get(group)
    value = section.get(key) if isinstance(section, dict) else None
    if path == "name":
        value = before.get("name")
    if value is None or isinstance(value, dict | list) or str(value) == "":
        return ""
    return f" (it was fulfilled as {str(value)[:60]!r})"
