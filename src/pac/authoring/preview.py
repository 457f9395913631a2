"""`pac render`: every task an item or bundle would run for some input, sent nowhere."""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pac.diagnostics import Diagnostic, Severity
from pac.documents.files import Role
from pac.documents.loader import Document, load_file
from pac.documents.model import Bundle, CatalogItem, Offering
from pac.documents.repository import Repository, diagnostic
from pac.documents.suggestions import did_you_mean, suggestion_hint
from pac.errors import UsageError
from pac.forms.inputs import input_checker
from pac.fulfilment.actions import action_for
from pac.fulfilment.preview import PreviewTask, preview
from pac.fulfilment.revision import catalog_revision
from pac.rules import RULES
from pac.templating.namespaces import OVERRIDABLE, SystemValues
from pac.text import visible, visible_json

PREVIEW_REQUEST_ID = "preview"


@dataclass
class RenderResult:
    offering: Offering
    request_id: str
    tasks: list[PreviewTask] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep and key in OVERRIDABLE:
            raise UsageError(f"--system {pair!r} has no value", f"Write --system {key}=VALUE.")
        if key not in OVERRIDABLE:
            derived = _DERIVED.get(key)
            raise UsageError(
                f"--system {pair!r} is not KEY=VALUE with a key that can be set",
                f"{key} follows {derived}: set that instead."
                if derived
                else suggestion_hint(key, OVERRIDABLE, "Keys"),
            )
        overrides[key] = _checked_override(key, value)
    return overrides


_DERIVED = {"date": "timestamp", "time": "timestamp", "shortId": "uuid"}


def _checked_override(key: str, value: str) -> str:
    """Values that other values are made from must have their real shape."""
    if key == "timestamp":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise UsageError(
                f"--system timestamp={value!r} is not an ISO 8601 date and time",
                "Write it like 2026-11-23T01:13:23Z (UTC).",
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        stamp = moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()
        return stamp.replace("+00:00", "Z")
    if key == "uuid":
        try:
            return str(uuidlib.UUID(value))
        except ValueError:
            raise UsageError(
                f"--system uuid={value!r} is not a UUID",
                "Write it like 7da00bf1-0d54-48e1-8726-c421c3b82a76.",
            ) from None
    return value


def find_offering(repo: Repository, offering_id: str) -> Offering:
    loaded = repo.offering_file(offering_id)
    if loaded is None:
        known = list(repo.index(Role.ITEM)) + list(repo.index(Role.BUNDLE))
        suggestion = did_you_mean(offering_id, known)
        raise UsageError(
            f"{offering_id} is not a catalog item or bundle",
            f"Did you mean {suggestion}?" if suggestion else "`pac catalog list` shows the ids.",
        )
    if not isinstance(loaded.model, Offering):
        raise UsageError(
            f"{offering_id} has errors, so it cannot be rendered",
            f"Run `pac validate {loaded.display}` and fix what it reports "
            f"(owner: {repo.owner_hint(loaded)}).",
        )
    return loaded.model


def _as_input_file(finding: Diagnostic, offering_id: str) -> Diagnostic:
    """The loader's hints for an empty or non-mapping file are about catalog documents;
    an input file is something else."""
    if finding.code not in ("yaml-not-mapping", "yaml-empty"):
        return finding
    return replace(
        finding,
        hint="An input file is a mapping: `name: my-name` and one mapping per form group "
        "(`group: {field: value}`), or a whole request file (`kind: Request`). "
        f"`pac form {offering_id}` lists the groups and fields.",
    )


def _check_input_file(path: Path) -> None:
    """Only a regular file is read: a device such as /dev/zero would never end."""
    if path.is_file():
        return
    if path.is_dir():
        what = "is a folder"
    elif path.exists():
        what = "is not a regular file (a device, pipe or socket)"
    else:
        what = "does not exist"
    raise UsageError(
        f"--input {path} {what}",
        "Pass a request file or a YAML file with a mapping of input; `pac request new` "
        "writes a request file.",
    )


@dataclass(frozen=True)
class _Given:
    """The input to render, and where it sits in the file (under `input:` in a request)."""

    values: Any
    base: tuple[str, ...]
    request_id: str
    requester: tuple[str, str, str]


def _given(
    repo: Repository,
    document: Document,
    offering_id: str,
    input_path: Path,
    requester: tuple[str, str, str],
) -> _Given | list[Diagnostic]:
    """A plain input mapping, or a request file's input, id and requester; the request
    file's shape findings when it is not one."""
    data = document.data
    if data.get("kind") != "Request":
        return _Given(data, (), PREVIEW_REQUEST_ID, requester)
    display = repo.display(repo.absolute(input_path))
    shape = _request_shape(repo, document, display)
    if shape:
        return shape
    target = data.get("catalogItemId") or data.get("bundleId")
    if target != offering_id:
        raise UsageError(
            f"{display} asks for {target}, not {offering_id}",
            f"Run `pac render {target} --input {input_path}`, or pass a plain input file.",
        )
    meta = data.get("metadata") or {}
    person = meta.get("requester") or {}
    return _Given(
        data.get("input") or {},
        ("input",),
        str(meta.get("id", PREVIEW_REQUEST_ID)),
        (
            str(person.get("email", requester[0])),
            str(person.get("name", requester[1])),
            str(person.get("team", requester[2])),
        ),
    )


def _input_findings(
    repo: Repository, offering: Offering, document: Document, display: str, given: _Given
) -> list[Diagnostic]:
    """The form's verdict on the input, at the input's own lines in the file."""
    findings = []
    for finding in input_checker(repo, offering).check(given.values):
        position = document.position((*given.base, *finding.path), key=finding.at_key)
        findings.append(
            Diagnostic(
                display,
                position.line,
                position.column,
                RULES[finding.code].severity,
                finding.code,
                finding.message,
                finding.hint,
            )
        )
    return findings


def _modes(repo: Repository, offering: Offering, strategy: str) -> dict[str, str] | None:
    if not strategy:
        return None
    # One strategy for every component: "manual" shows what escalation would open.
    ids = [c.id for c in offering.components] if isinstance(offering, Bundle) else [offering.id]
    modes = dict.fromkeys(ids, strategy)
    _check_strategy(repo, offering, strategy)
    return modes


def render_offering(
    repo: Repository,
    offering_id: str,
    input_path: Path,
    system_overrides: Mapping[str, str] | None = None,
    requester: tuple[str, str, str] = ("you@company.com", "You", "your-team"),
    strategy: str = "",
) -> RenderResult:
    """Check the input against the form, then render every task in execution order."""
    offering = find_offering(repo, offering_id)
    display = repo.display(repo.absolute(input_path))
    _check_input_file(input_path)
    loaded = load_file(input_path, display)
    document = loaded.document
    if document is None:
        findings = [_as_input_file(d, offering_id) for d in loaded.diagnostics]
        return RenderResult(offering, PREVIEW_REQUEST_ID, findings=findings)
    given = _given(repo, document, offering_id, input_path, requester)
    if isinstance(given, list):
        return RenderResult(offering, PREVIEW_REQUEST_ID, findings=given)
    checked = _input_findings(repo, offering, document, display, given)
    result = RenderResult(offering, given.request_id, findings=[*loaded.diagnostics, *checked])
    if not result.ok:
        return result
    revision = catalog_revision(repo)
    system = SystemValues.generate(
        given.request_id, *given.requester, config=repo.config, catalog_revision=revision
    )
    if system_overrides:
        system = system.with_overrides(system_overrides)
        result.request_id = system.request_id
    modes = _modes(repo, offering, strategy)
    result.tasks = preview(repo, offering, given.values, system, repo.config.jira_link_type, modes)
    return result


def _check_strategy(repo: Repository, offering: Offering, strategy: str) -> None:
    """`--strategy automatic` on an offering that has no automatic actions would show no
    tasks at all for it, which reads as "nothing to do"."""
    items: list[tuple[str, CatalogItem | None]]
    if isinstance(offering, CatalogItem):
        items = [(offering.id, offering)]
    else:
        assert isinstance(offering, Bundle)
        items = [(c.id, repo.item(c.catalog_item)) for c in offering.components]
    without = [name for name, item in items if item is not None and not item.actions(strategy)]
    if without:
        raise UsageError(
            f"{', '.join(without)} {'has' if len(without) == 1 else 'have'} no {strategy} "
            "actions, so there is nothing to show for them",
            "Leave out --strategy to render each component's current strategy.",
        )


def _request_shape(repo: Repository, document: Document, display: str) -> list[Diagnostic]:
    """A request file's schema errors (its input is checked against the form later)."""
    version = document.data.get("schemaVersion") or repo.registry.stable
    schema_set = repo.registry.get(str(version))
    if schema_set is None:
        return [
            diagnostic(
                document,
                display,
                ("schemaVersion",),
                "schema-version",
                f"schemaVersion {version!r} is not supported",
                f"Supported versions: {repo.registry.describe()}.",
            )
        ]
    findings = [
        diagnostic(document, display, f.path, f.code, f.message, f.hint, at_key=f.at_key)
        for f in schema_set.check("Request", document.data)
        if f.path[:1] != ("input",)  # the form decides about input, with better hints
    ]
    # dict: the schema can report one problem from several of its branches.
    return list(dict.fromkeys(f for f in findings if f.severity is Severity.ERROR))


# --- presenting it --------------------------------------------------------------------


def as_json(result: RenderResult) -> str:
    data = {
        "offering": result.offering.id,
        "kind": result.offering.kind,
        "request": result.request_id,
        "tasks": [task.as_dict() for task in result.tasks],
    }
    return visible_json(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def as_text(result: RenderResult) -> str:
    offering = result.offering
    components = {t.spec.component for t in result.tasks}
    lines = [
        f"{offering.kind} {offering.id} for request {result.request_id}: "
        f"{len(result.tasks)} task{'s' if len(result.tasks) != 1 else ''}"
        + (f" in {len(components)} components" if len(components) > 1 else "")
        + ", in execution order. Nothing is sent.",
        "",
    ]
    for number, task in enumerate(result.tasks, start=1):
        spec = task.spec
        owner = spec.item.owner
        lines.append(
            f"{number}. [{spec.component}] {spec.action.label()}  ({spec.action.type}, "
            f"{spec.mode} strategy, owner {owner.team} <{owner.contact}>)"
        )
        lines.append(f"   task key: {task.key}")
        action = action_for(spec.action.type)
        if action is not None:
            lines += action.preview_lines(task)
        if spec.action.outputs:
            kept = ", ".join(f"{k} = {v}" for k, v in spec.action.outputs.items())
            lines.append(f"   keeps: {kept}")
        lines.append("")
    return visible("\n".join(lines))
