"""Checked before apply, not during: what used to fail only once a merged request ran."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.diagnostics import Diagnostic
from pac.documents.repository import Repository
from pac.validation.run import validate

BUNDLE = "catalog/bundles/bundle-webapp-standard.yaml"
AURORA = "catalog/databases/database-aurora-postgresql-standard.yaml"
EVENTS = "requests/payments/payments-events.yaml"
LINKING = "jiraLinking: {linkType: Blocks, parentTicket: false}"
SUMMARY = (
    'summaryTemplate: "Aurora PostgreSQL {{ .current.name }} ({{ .current.environment.stage }})"'
)


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _found(root: Path, code: str) -> list[Diagnostic]:
    return [d for d in validate(Repository(root)).diagnostics if d.code == code]


@pytest.mark.parametrize(
    ("link_type", "hint"),
    [
        ("blocks", "Write 'Blocks': JIRA link type names are case-sensitive."),
        ("Relates", "Use one of: Blocks, or ask the architecture team"),
    ],
)
def test_a_link_type_pac_yaml_does_not_declare(
    sample_root: Path, link_type: str, hint: str
) -> None:
    _edit(sample_root, BUNDLE, LINKING, f"jiraLinking: {{linkType: {link_type}}}")
    found = _found(sample_root, "link-type-unknown")
    assert len(found) == 1 and found[0].hint.startswith(hint)


def test_link_types_declared_in_pac_yaml_are_accepted(sample_root: Path) -> None:
    _edit(sample_root, BUNDLE, LINKING, "jiraLinking: {linkType: Relates}")
    _edit(
        sample_root,
        "pac.yaml",
        "  linkType: Blocks\n",
        "  linkType: Blocks\n  linkTypes: [Relates]\n",
    )
    assert validate(Repository(sample_root)).diagnostics == []


def test_a_parent_ticket_is_refused_not_ignored(sample_root: Path) -> None:
    _edit(sample_root, BUNDLE, LINKING, "jiraLinking: {linkType: Blocks, parentTicket: true}")
    found = _found(sample_root, "bundle-parent-ticket")
    assert len(found) == 1 and "epicKey" in found[0].hint


def test_a_summary_whose_own_text_is_over_255_characters(sample_root: Path) -> None:
    summary = SUMMARY
    long_text = "x" * 250
    _edit(
        sample_root, AURORA, summary, f'summaryTemplate: "{long_text} {{{{ .current.name }}}} yz"'
    )
    assert _found(sample_root, "summary-too-long") == []  # 254: the values may still fit
    _edit(sample_root, AURORA, f"{long_text} ", f"{long_text} and more words ")
    found = _found(sample_root, "summary-too-long")
    assert len(found) == 1 and "is 269 characters" in found[0].message


def test_a_long_summary_with_statements_is_not_measured(sample_root: Path) -> None:
    summary = SUMMARY
    text = "x" * 300
    _edit(
        sample_root,
        AURORA,
        summary,
        f'summaryTemplate: "{{% if .current.name %}}{text}{{% endif %}}{{{{ .current.name }}}}"',
    )
    assert _found(sample_root, "summary-too-long") == []


URL = "url: https://dbaas.platform.internal/api/v1/clusters"


@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        ("http://dbaas.platform.internal/api/v1/clusters", "", ["authentication"]),
        (
            "http://dbaas.platform.internal/api/v1/clusters",
            '            Authorization: "Basic {{ .system.platform.apiKey }}"\n',
            ["authentication", "headers.Authorization"],
        ),
        ("http://127.0.0.1:8080/api/v1/clusters", "", []),
        ("http://localhost/api/v1/clusters", "", []),
        ("https://dbaas.platform.internal/api/v1/clusters", "", []),
    ],
)
def test_credentials_to_a_plain_http_url(
    sample_root: Path, url: str, headers: str, expected: list[str]
) -> None:
    _edit(sample_root, AURORA, URL, f"url: {url}")
    _edit(
        sample_root,
        AURORA,
        '            X-Correlation-Id: "{{ .system.correlationId }}"\n',
        '            X-Correlation-Id: "{{ .system.correlationId }}"\n' + headers,
    )
    found = _found(sample_root, "rest-credentials-plain-http")
    assert sorted(d.message.split(" sends")[0] for d in found) == expected


def test_plain_http_without_credentials_is_fine(sample_root: Path) -> None:
    path = sample_root / AURORA
    text = path.read_text().replace(URL, "url: http://dbaas.platform.internal/api/v1/clusters")
    start = text.index("          authentication:")
    end = text.index("\n", text.index("token:", start))
    path.write_text(text[:start] + text[end + 1 :])
    assert _found(sample_root, "rest-credentials-plain-http") == []


@pytest.mark.parametrize(
    ("pattern", "fix"),
    [
        ("CC-[0-9]{4}", "^CC-[0-9]{4}$"),
        ("^CC-[0-9]{4}", "^CC-[0-9]{4}$"),
        ("^CC-[0-9]{4}|^XX-[0-9]{4}$", "^(?:CC-[0-9]{4}|^XX-[0-9]{4})$"),
    ],
)
def test_an_unanchored_pattern_is_a_warning(sample_root: Path, pattern: str, fix: str) -> None:
    _edit(sample_root, AURORA, 'pattern: "^CC-[0-9]{4}$"', f'pattern: "{pattern}", maxLength: 7')
    found = _found(sample_root, "form-pattern-unanchored")
    assert len(found) == 1
    assert found[0].hint.startswith(f"Write {fix!r}")


def test_anchored_patterns_with_groups_and_escapes_pass(sample_root: Path) -> None:
    _edit(sample_root, AURORA, 'pattern: "^CC-[0-9]{4}$"', r'pattern: "^(CC|XX)-[0-9|]{4}\\$$"')
    assert _found(sample_root, "form-pattern-unanchored") == []


def test_template_syntax_in_a_default(sample_root: Path) -> None:
    _edit(sample_root, AURORA, "default: db.t3.medium", 'default: "{{ .metadata.size }}"')
    codes = {d.code for d in validate(Repository(sample_root)).diagnostics}
    assert "form-default-template" in codes


def test_text_input_is_capped_at_64_kib(sample_root: Path) -> None:
    _edit(sample_root, AURORA, "            validation: {maxLength: 1000}\n", "")
    assert len(_found(sample_root, "form-text-unbounded")) == 1
    events = sample_root / EVENTS
    request = sample_root / "requests/payments/payments-db.yaml"
    request.write_text(
        "schemaVersion: catalog/v1\nkind: Request\nmetadata:\n  id: payments-db\n"
        "  requester: {email: dana.dev@company.com, name: Dana Dev, team: payments}\n"
        "catalogItemId: database-aurora-postgresql-standard\ninput:\n  name: payments-db\n"
        "  environment: {costCenter: CC-4521}\n"
        "  credentials: {adminPassword: {secretRef: PAYMENTS_DB_ADMIN}}\n"
        f"  database: {{notes: {'n' * 70_000}}}\n"
    )
    assert events.exists()
    found = [d for d in _found(sample_root, "input-range") if d.path.endswith("payments-db.yaml")]
    assert len(found) == 1
    assert "must be at most 65536 characters long" in found[0].message
