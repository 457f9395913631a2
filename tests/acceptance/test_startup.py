"""Start-up stays lean: what `pac --help` and `pac validate FILE` import, counted, not timed.

`pac validate FILE` runs on every commit (pre-commit), so what it imports is what a
platform engineer waits for. Timing belongs in `benchmarks/startup.py`; here the imports
are counted, which load on the machine does not change: heavy libraries stay out, and
pac's own modules stay under a ceiling.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import PROJECT

SAMPLE_ITEM = "catalog/databases/database-aurora-postgresql-standard.yaml"
SAMPLE_REQUEST = "requests/payments/payments-refunds.yaml"

# Libraries for other commands: fulfilment clients, rendering, notifications, tables.
HEAVY = ("jira", "git", "github", "requests", "apprise", "jsonschema", "urllib3", "httpx")
NOT_FOR_VALIDATE = (*HEAVY, "jinja2", "rich", "markdown_it", "pygments")
# `pac --help` is drawn by typer with rich; it reads no document.
NOT_FOR_HELP = (*HEAVY, "jinja2", "yaml", "fastjsonschema", "regex")

# pac's own modules each command imports today. Lower a ceiling when a change lowers the
# count; if a change goes over it, import the new module where it is used (inside the
# function of the command or check that needs it, as `pac.validation.run` does for the
# checks of requests against their records) rather than raising the ceiling.
CEILINGS = {"--help": 7, "validate item": 67}


def imported(*args: str) -> set[str]:
    """The modules `python -m pac ARGS` imports, from `-X importtime`."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PAC_REPO", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pac", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "self [us]" not in line
    }


def _own(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m == "pac" or m.startswith("pac."))


def _top_level(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def _within_ceiling(what: str, modules: set[str]) -> None:
    own = _own(modules)
    assert len(own) <= CEILINGS[what], (
        f"`pac {what}` imports {len(own)} of pac's modules, over the ceiling of "
        f"{CEILINGS[what]}: {own}. Import what only some documents or commands need where it "
        "is used (see CEILINGS in this file) instead of raising the ceiling."
    )


def test_help_lists_commands_without_importing_them() -> None:
    modules = imported("--help")
    assert not _top_level(modules) & set(NOT_FOR_HELP)
    assert [m for m in _own(modules) if m.startswith("pac.cli.")] == [
        "pac.cli.app",
        "pac.cli.common",
        "pac.cli.helptext",
        "pac.cli.lazy",
    ]
    _within_ceiling("--help", modules)


def test_validate_of_an_item_imports_only_what_an_item_needs() -> None:
    modules = imported("validate", SAMPLE_ITEM)
    assert not _top_level(modules) & set(NOT_FOR_VALIDATE), sorted(
        _top_level(modules) & set(NOT_FOR_VALIDATE)
    )
    own = _own(modules)
    # No other command's file, no other stage above validation, no records of requests:
    # the sample item's day-2 templates are read by the fast reader, not by Jinja.
    assert [m for m in own if m.startswith("pac.cli.")] == [
        "pac.cli.app",
        "pac.cli.common",
        "pac.cli.helptext",
        "pac.cli.lazy",
        "pac.cli.validate",
    ]
    for stage in ("pac.fulfilment", "pac.authoring", "pac.tracking", "pac.records"):
        assert not [m for m in own if m.startswith(stage)], stage
    for check in ("changes", "deletions", "notifications", "reads", "versions", "schemachange"):
        assert f"pac.validation.checks.{check}" not in own
    assert "pac.validation.partial" not in own  # only for a document that failed its schema
    _within_ceiling("validate item", modules)


def test_validate_of_a_request_still_checks_it_against_its_record() -> None:
    modules = imported("validate", SAMPLE_REQUEST)
    assert "pac.validation.checks.changes" in modules
    assert "pac.records.store" in modules
