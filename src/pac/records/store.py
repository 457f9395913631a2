"""The status store: `requests/.status/<id>.yaml`, written only by `pac apply` (SPEC §6.2).

Every write replaces the whole file atomically (temporary file, fsync, rename), so a run
killed at any instant leaves either the previous status or the new one, never a torn file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from pac.diagnostics import Severity
from pac.documents.layout import REQUESTS, STATUS_DIR
from pac.documents.loader import parse_bytes
from pac.errors import PacError
from pac.records.status import RequestStatus, now_text

HEADER = (
    "# Written by `pac apply`; do not edit. To act on this request, change its request file:\n"
    "# raise operations.retry, or set operations.abort / operations.escalate.\n"
)


class StatusError(PacError):
    """A status file that pac cannot read: edited by hand, or damaged outside pac."""


def _shown(name: str) -> str:
    return f"{REQUESTS}/{STATUS_DIR}/{name}"


def _restore_hint(shown: str) -> str:
    return (
        "Status files are written by `pac apply` only. Restore it from git (`git checkout "
        f"-- {shown}`); to act on the request, change its request file's operations instead."
    )


def status_from_bytes(
    raw: bytes, shown: str = "a status file", request_id: str | None = None
) -> RequestStatus:
    """A status file's content read with the hardened document loader (SPEC §6.2).

    The file lives in the repository where anyone can push to it: an alias bomb or absurd
    nesting must be a clear error naming the file, never a memory blow-up or a crash.
    """
    hint = _restore_hint(shown)
    which = f" of the request {request_id}" if request_id else ""
    loaded = parse_bytes(raw, Path(shown), shown)
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if errors and errors[0].code in ("yaml-not-mapping", "yaml-empty"):
        raise StatusError(f"{shown}: not a pac status file{which}", hint)
    if loaded.document is None or errors:
        first = errors[0] if errors else loaded.diagnostics[0]
        problem = first.message.removeprefix("invalid YAML: ")
        syntax = first.code in ("yaml-syntax", "yaml-tab")
        why = "is not valid YAML" if syntax else "cannot be read"
        raise StatusError(
            f"{shown}:{first.line}:{first.column}: the status file {why}: {problem}", hint
        )
    data = loaded.document.data
    if "request" not in data or (request_id is not None and data["request"] != request_id):
        raise StatusError(f"{shown}: not a pac status file{which}", hint)
    try:
        return RequestStatus.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StatusError(
            f"{shown}: the status file has been altered and cannot be read ({exc})", hint
        ) from exc


class StatusStore:
    """Reads and writes status files under `requests/.status/`."""

    def __init__(self, root: Path) -> None:
        self.folder = root / REQUESTS / STATUS_DIR

    def path(self, request_id: str) -> Path:
        return self.folder / f"{request_id}.yaml"

    def load(self, request_id: str) -> RequestStatus | None:
        path = self.path(request_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StatusError(
                f"{_shown(path.name)}: cannot read the status file: {exc.strerror or exc}",
                _restore_hint(_shown(path.name)),
            ) from exc
        return status_from_bytes(raw, _shown(path.name), request_id)

    def save(self, status: RequestStatus) -> Path:
        status.updated_at = now_text()
        if not status.created_at:
            status.created_at = status.updated_at
        text = HEADER + dump(status.as_dict())
        path = self.path(status.request)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
        return path

    def all(self) -> Iterator[RequestStatus]:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.yaml")):
            loaded = self.load(path.stem)
            if loaded is not None:
                yield loaded


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when available


def dump(data: Any) -> str:
    """YAML for status files: written after every step, so libyaml's speed matters."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


# `write_atomic`'s temporary names: the file's own after a dot, then mkstemp's eight
# random characters (lower-case letters, digits and `_`), then `.tmp`.
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
# No `write_atomic` takes this long: a temp file of a request folder untouched for longer
# is a killed `pac upgrade`'s (nothing locks request folders as the apply lock does).
STALE_AFTER = 60.0


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so readers see the old or the new file, never half."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def remove_stale_temps(folder: Path, before: float, *, below: bool = False) -> list[Path]:
    """Delete `write_atomic` temp files older than `before`: left by a killed run (in the
    folders below `folder` too, with `below`).

    They are never valid data (the rename that would have made them a status never
    happened), and no live writer's file is older than the run that removes them. Only
    names of `write_atomic`'s own pattern are touched, never someone's `notes.tmp`.
    """
    removed = []
    found = folder.rglob(".*.tmp") if below else folder.glob(".*.tmp")
    for temp in found if folder.is_dir() else []:
        try:
            if _TEMP_NAME.match(temp.name) and temp.is_file() and temp.stat().st_mtime < before:
                temp.unlink()
                removed.append(temp)
        except FileNotFoundError:
            continue
    return removed
