"""`pac export`: the catalog as a static site — a JSON API, its OpenAPI document, and pages
with a request form — deterministic byte for byte, needing no server and no build step.

This module gathers the site's files and writes them safely over an earlier export; the
pages are in `pages.py`, the OpenAPI document in `openapi.py`. The JSON API is the same
data the pages carry, for portals.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pac.authoring.discovery import categories, offerings, summarise, users
from pac.authoring.formdoc import form_document
from pac.authoring.host import repository_host
from pac.authoring.names import page_name
from pac.authoring.openapi import API, openapi
from pac.authoring.pages import SITE, index_page, item_page, site_script
from pac.authoring.requestpages import gather, request_page, team_page
from pac.documents.repository import Repository
from pac.errors import UsageError

if TYPE_CHECKING:
    from pac.authoring.backstage import Publishing


@dataclass
class ExportResult:
    out: Path
    files: int
    offerings: int
    notes: list[str] = field(default_factory=list)  # settings the site works around


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


MANIFEST = ".pac-export"


def _previous_export(out: Path) -> set[str] | None:
    """The files an earlier export wrote into `out`, or None if `out` is not one.

    Hidden entries (a `.git` of a gh-pages checkout, `.nojekyll`) never make a folder
    "not empty": the export leaves them alone.
    """
    manifest = out / MANIFEST
    if manifest.is_file():
        return {line for line in manifest.read_text(encoding="utf-8").splitlines() if line}
    if (out / API / "openapi.json").is_file():
        return set()  # an export from before the manifest: overwrite, remove nothing
    if any(not entry.name.startswith(".") for entry in out.iterdir()):
        return None
    return set()


def _earlier_files(out: Path) -> set[str]:
    """What an earlier export wrote into `out`; a UsageError when `out` is not one."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file, not a folder", "Give --out a new or empty folder.")
    if not out.is_dir():
        return set()
    try:
        found_before = _previous_export(out)
    except OSError as exc:
        raise UsageError(f"cannot read {out}: {exc.strerror}", "Check the folder.") from exc
    if found_before is None:
        raise UsageError(
            f"{out} exists and is not a pac export",
            "Choose an empty or new folder; pac writes over only folders it exported before.",
        )
    return found_before


def _site_files(
    repo: Repository, environ: Mapping[str, str]
) -> tuple[dict[str, str], int, list[str]]:
    """Every file of the site by its path in it, how many offerings it shows, and notes."""
    files: dict[str, str] = {}
    found = offerings(repo)
    summaries = [summarise(o).as_dict() for o in found]
    files[f"{API}/catalog.json"] = _json(summaries)
    files[f"{API}/categories.json"] = _json(categories(repo))
    used_by = users(repo)
    host = repository_host(repo.config, environ)
    requests = gather(repo)
    site = {"host": host.as_data(), "requestIds": requests.taken}
    forms: dict[str, dict[str, Any]] = {}
    for offering in found:
        files[f"{API}/catalog/{offering.id}.json"] = _json(offering.doc.data)
        forms[offering.id] = form_document(offering)
        files[f"{API}/catalog/{offering.id}/form.json"] = _json(forms[offering.id])
        files[f"items/{offering.id}.html"] = item_page(
            repo, offering, assets="../assets/", used_by=used_by, site=True
        )
    by_id = {o.id: o for o in found}
    for record in requests.records.values():
        target = by_id.get(record.request.target_id) if record.request else None
        files[f"requests/{page_name(record.id)}.html"] = request_page(
            record, target, forms.get(target.id) if target else None
        )
    names = {o.id: o.name for o in found}
    teams = requests.teams()
    for team, records in teams.items():
        files[f"teams/{page_name(team)}.html"] = team_page(team, records, names)
    files[f"{API}/openapi.json"] = _json(openapi(repo))
    files["index.html"] = index_page(summaries, categories(repo), list(teams))
    files["assets/pac.css"] = (SITE / "pac.css").read_text(encoding="utf-8")
    files["assets/pac.js"] = (SITE / "pac.js").read_text(encoding="utf-8")
    files["assets/site.js"] = site_script(site)
    return files, len(found), [host.problem] if host.problem else []


def export(
    repo: Repository,
    out: Path,
    backstage: Publishing | None = None,
    environ: Mapping[str, str] | None = None,
) -> ExportResult:
    """Write the site into `out`, with Backstage entities under `backstage/` when asked;
    `environ` (default: the process's) may name the repository in CI (GITHUB_SERVER_URL,
    GITHUB_REPOSITORY).

    Re-exporting into an earlier export updates it: files that export wrote and this one
    does not are removed, and nothing else is (a CNAME, a `.git`, notes added by hand).
    """
    previous = _earlier_files(out)
    files, shown, notes = _site_files(repo, os.environ if environ is None else environ)
    if backstage is not None:
        from pac.authoring.backstage import backstage_files

        files.update(backstage_files(repo, offerings(repo), backstage))
    try:
        _write(out, files, previous)
    except OSError as exc:
        where = exc.filename or out
        raise UsageError(
            f"cannot write the site to {out}: {exc.strerror or exc} ({where})",
            "Give --out a folder you can write to, that is not inside a file.",
        ) from exc
    return ExportResult(out, len(files) + 1, shown, notes)  # + the manifest


def _write(out: Path, files: dict[str, str], previous: set[str]) -> None:
    for relative in sorted(previous - set(files)):
        stale = out / relative
        # Only paths inside `out` that an export wrote: a manifest edited by hand cannot
        # make pac delete anything else.
        if ".." in Path(relative).parts or Path(relative).is_absolute() or not stale.is_file():
            continue
        stale.unlink()
        parent = stale.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    for relative, text in sorted(files.items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    (out / MANIFEST).write_text(
        "".join(f"{relative}\n" for relative in sorted(files)), encoding="utf-8", newline="\n"
    )
