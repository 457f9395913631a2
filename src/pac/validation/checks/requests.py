"""Requests: the target exists and the input satisfies its form exactly."""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath
from typing import Any

from pac.diagnostics import Diagnostic
from pac.documents.files import Role
from pac.documents.layout import inside
from pac.documents.model import Field, Offering, Request
from pac.documents.repository import Loaded, Repository
from pac.documents.suggestions import did_you_mean
from pac.forms.inputs import input_checker
from pac.validation.checks import Findings
from pac.validation.checks.placement import check_request_placement


def find_target(repo: Repository, request: Request) -> tuple[Loaded | None, str, str]:
    """The requested offering's file, or why there is none (message and hint)."""
    role = Role.ITEM if request.target_kind == "CatalogItem" else Role.BUNDLE
    other = Role.BUNDLE if role is Role.ITEM else Role.ITEM
    if request.target_id in repo.index(role):
        return repo.load(repo.index(role)[request.target_id][0]), "", ""
    if request.target_id in repo.index(other):
        right = "bundleId" if other is Role.BUNDLE else "catalogItemId"
        what = (
            "a bundle, not a catalog item"
            if other is Role.BUNDLE
            else ("a catalog item, not a bundle")
        )
        return (
            None,
            f"{request.target_id} is {what}",
            f"Write `{right}: {request.target_id}` instead of `{request.target_key}:`.",
        )
    message = f"{request.target_id} is not in the catalog"
    astray = _outside_ids(repo).get(request.target_id)
    if astray:
        return (
            None,
            message,
            f"It is written in {astray}, outside the folders pac reads; move it where the "
            "document-outside-catalog finding says.",
        )
    suggestion = did_you_mean(request.target_id, repo.index(role))
    if suggestion:
        return None, message, f"Did you mean '{suggestion}'?"
    return None, message, "Find the right id with `pac catalog search <words>`."


def _outside_ids(repo: Repository) -> dict[str, str]:
    """Ids of documents outside the folders pac reads, with their files (read once)."""

    def find() -> dict[str, str]:
        found: dict[str, str] = {}
        for path in repo.outside_documents():
            document = repo.load(path).document
            metadata = document.data.get("metadata") if document is not None else None
            if isinstance(metadata, dict) and isinstance(metadata.get("id"), str):
                found.setdefault(metadata["id"], repo.display(path))
        return found

    return repo.memo(("outside", "ids"), find)


def check_request(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    request = loaded.model
    assert isinstance(request, Request)
    return check_request_placement(repo, loaded, request) + check_request_input(
        repo, loaded, request
    )


def check_request_input(repo: Repository, loaded: Loaded, request: Request) -> list[Diagnostic]:
    """The target exists and the input satisfies its form: what a request's metadata does
    not take part in, so it is checked even when the metadata failed its schema."""
    findings = Findings(loaded)
    target, message, hint = find_target(repo, request)
    key = request.target_key
    if target is None:
        findings.add((key,), "request-unknown-target", message, hint)
        return findings.items
    offering = target.model
    unjudged: frozenset[tuple[str, str]] = frozenset()
    if not isinstance(offering, Offering):
        # Loaded only for a target with errors: what `pac validate FILE` imports stays small.
        from pac.validation.partial import partial_offering

        partial = partial_offering(target)
        readable = "checked against its form as far as pac could read it"
        findings.add(
            (key,),
            "request-target-invalid",
            f"{request.target_id} has errors, so this request's input "
            + ("cannot be checked" if partial is None else f"is only {readable}"),
            f"Its owners must fix {target.display} first (run `pac validate {target.display}`).",
            owner=repo.owner_hint(target),
        )
        if partial is None:
            return findings.items
        offering, unjudged = partial

    owner = offering.owner.describe()
    input_findings = [
        finding
        for finding in input_checker(repo, offering).check(request.input)
        if tuple(finding.path[:2]) not in unjudged
    ]
    for finding in input_findings:
        findings.add(
            ("input", *finding.path),
            finding.code,
            finding.message,
            finding.hint,
            at_key=finding.at_key,
            owner="",
        )
    # A value already reported (say, the wrong file type) is not also looked for on disk.
    reported = {finding.path[:2] for finding in input_findings}
    _check_files(repo, loaded, offering, request, findings, owner, reported)
    return findings.items


def _check_files(
    repo: Repository,
    loaded: Loaded,
    offering: Offering,
    request: Request,
    findings: Findings,
    owner: str,
    reported: set[tuple[str | int, ...]],
) -> None:
    for group, field in offering.form.fields():
        if field.type != "file" or (group.id, field.id) in reported:
            continue
        values = request.input.get(group.id)
        value = values.get(field.id) if isinstance(values, dict) else None
        if not isinstance(value, str) or not value:
            continue
        problem = _file_problem(repo, loaded.path.parent, value, field)
        if problem:
            findings.add(
                ("input", group.id, field.id),
                "input-file",
                f"{field.name} ({group.id}.{field.id}): {problem}",
                "Paths are relative to the request file; commit the file with the request. "
                f"Questions about this form: {owner}.",
                owner="",
            )


def _file_problem(repo: Repository, request_dir: Path, value: str, field: Field) -> str:
    target = _named_file(repo, request_dir, value)
    if target is None:
        return f"{value} must be a path inside the repository, relative to the request"
    if not target.is_file():
        return f"the file {value} does not exist"
    limit: Any = field.validation.get("maxSize")
    size = target.stat().st_size
    if isinstance(limit, int) and size > limit:
        return f"the file {value} is {size:,} bytes; at most {limit:,} are allowed"
    return ""


def _named_file(repo: Repository, request_dir: Path, value: str) -> Path | None:
    """The file a file input names, passed through the one path guard; None if it leads out.

    A value is relative to the request and may step out of the request's folder into
    another one (`../shared/click.avsc`), so it is first made relative to the repository
    root; the guard then refuses what still climbs above the root or leads out by a symlink.
    """
    folder = request_dir.resolve()
    if PurePosixPath(value).is_absolute() or not folder.is_relative_to(repo.root):
        return None
    named = posixpath.normpath(posixpath.join(folder.relative_to(repo.root).as_posix(), value))
    return inside(repo.root, "", named)
