"""Findings as text, JSON, GitHub workflow commands or SARIF (SPEC §8)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from pac import __version__
from pac.diagnostics import Diagnostic, Severity
from pac.rules import RULES

RULES_DOC = "docs/rules.md"

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if not errors and not warnings:
        return f"{checked}: no problems found"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{checked}: " + ", ".join(parts)


def as_text(diagnostics: Sequence[Diagnostic], files: int, colour: bool = False) -> str:
    lines = []
    for d in diagnostics:
        where = f"{d.path}:{d.line}:{d.column}:"
        label = f"{d.severity.value}[{d.code}]"
        if colour:
            where = f"{_BOLD}{where}{_RESET}"
            label = f"{_COLOURS[d.severity]}{label}{_RESET}"
        lines.append(f"{where} {label} {d.message}")
        if d.hint:
            hint = f"    hint: {d.hint}"
            lines.append(f"{_DIM}{hint}{_RESET}" if colour else hint)
    lines.append(summary(diagnostics, files))
    return "\n".join(lines) + "\n"


def as_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """Workflow commands: each finding is annotated on its line of the pull request."""
    command = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for d in diagnostics:
        title = _escape_property(f"pac {d.code}")
        body = d.message + (f"\n{d.hint}" if d.hint else "")
        lines.append(
            f"::{command[d.severity]} file={_escape_property(d.path)},line={d.line},"
            f"col={d.column},title={title}::{_escape_data(body)}"
        )
    lines.append(summary(diagnostics, files))
    return "\n".join(lines) + "\n"


def as_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    """SARIF 2.1.0, for GitHub code scanning and other viewers."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    used = sorted({d.code for d in diagnostics})
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": RULES[code].summary},
            "help": {"text": f"See {RULES_DOC}#{code} in the catalog repository."},
            "defaultConfiguration": {"level": level[RULES[code].severity]},
        }
        for code in used
    ]
    index = {code: i for i, code in enumerate(used)}
    results = [
        {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": level[d.severity],
            "message": {"text": d.message + (f"\n{d.hint}" if d.hint else "")},
            "locations": [
                {
                    "physicalLocation": {
                        # SARIF wants a URI reference: a space or `#` in a path is escaped.
                        "artifactLocation": {"uri": quote(d.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": d.line, "startColumn": d.column},
                    }
                }
            ],
        }
        for d in diagnostics
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pac",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def render(fmt: str, diagnostics: Sequence[Diagnostic], files: int, colour: bool = False) -> str:
    if fmt == "json":
        return as_json(diagnostics)
    if fmt == "github":
        return as_github(diagnostics, files)
    if fmt == "sarif":
        return as_sarif(diagnostics)
    return as_text(diagnostics, files, colour)
