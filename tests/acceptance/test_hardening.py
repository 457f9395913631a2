"""Small hardening items: what a ticket shows, pac.yaml time zones, render's --input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pac.templating.jiramarkup import jira_escape
from tests.conftest import invoke

HIDDEN = "Payments\a events \x1b[31m red \u202egnp.exe\u200b done\ufeff"


def test_hidden_characters_are_shown_in_jira_text() -> None:
    assert jira_escape(HIDDEN) == (
        "Payments<U+0007> events <U+001B>\\[31m red <U+202E>gnp.exe<U+200B> done<U+FEFF>"
    )
    assert jira_escape("two\nlines\tand a tab\r\n") == "two\nlines\tand a tab\r\n"


@pytest.mark.parametrize(
    "char",
    ["\u00ad", "\u034f", "\u115f", "\u180e", "\u2028", "\u2029", "\u3164", "\U000e0041"],
)
def test_other_invisible_characters_are_shown_too(char: str) -> None:
    """Soft hyphens, separators, Hangul fillers and tag characters render as nothing."""
    assert jira_escape(f"a{char}b") == f"a<U+{ord(char):04X}>b"
    assert jira_escape("Grüße, 東京 → ok") == "Grüße, 東京 → ok"  # visible text stays


def test_the_plan_shows_exactly_the_ticket_that_is_sent(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    request = sample_root / "requests/payments/payments-events.yaml"
    request.write_text(
        request.read_text().replace(
            "purpose: Payment authorisations and captures, produced by the payments API.",
            'purpose: "Payments\\a events \\e[31m red \\u202egnp.exe\\u200b done"',
        )
    )
    code, out = invoke(sample_root, "plan", "payments-events", "--format", "json")
    assert code == 0, out
    [task] = json.loads(out)["requests"][0]["tasks"]
    planned = task["jira-ticket"]["description"]
    assert "Payments<U+0007> events <U+001B>\\[31m red <U+202E>gnp.exe<U+200B> done" in planned
    code, out = invoke(sample_root, "apply", "payments-events")
    assert code == 0, out
    [sent] = (sample_root / ".pac/outbox").glob("*.json")
    assert json.loads(sent.read_text())["description"] == planned


def test_an_unknown_calendar_time_zone_is_an_error_that_stops_plan(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sample_root / "pac.yaml"
    config.write_text(config.read_text().replace("timezone: UTC", "timezone: Europe/Atlantis"))
    code, out = invoke(sample_root, "validate", str(config))
    assert code == 1
    assert "error[config-invalid] the change calendar's time zone 'Europe/Atlantis' is unknown" in (
        out
    )
    monkeypatch.setenv("PAC_TODAY", "2026-12-01")
    code, out = invoke(sample_root, "plan", "payments-webapp")
    assert code == 2
    assert "time zone 'Europe/Atlantis' is unknown" in out


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("/dev/zero", "is not a regular file (a device, pipe or socket)"),
        ("FOLDER", "is a folder"),
        ("MISSING", "does not exist"),
    ],
)
def test_render_input_that_is_not_a_file_says_what_it_is(
    sample_root: Path, tmp_path: Path, given: str, says: str
) -> None:
    path = {"FOLDER": str(tmp_path), "MISSING": str(tmp_path / "missing.yaml")}.get(given, given)
    code, out = invoke(sample_root, "render", "messaging-kafka-topic", "--input", path)
    assert code == 2, out
    assert f"error: --input {path} {says}" in out
    assert "hint: Pass a request file" in out
