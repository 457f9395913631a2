"""Each action type's own checks, reached through the type's row in `TYPE_CHECKS`: a
ticket's summary length, a call's credentials over plain http; and a type pac cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.diagnostics import Diagnostic
from pac.documents.action_types import ACTION_TYPES
from pac.documents.repository import Repository
from pac.validation.checks.actions import TYPE_CHECKS
from pac.validation.run import validate

AURORA = "catalog/databases/database-aurora-postgresql-standard.yaml"
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


def test_type_checks_are_keyed_by_described_types() -> None:
    assert set(TYPE_CHECKS) <= set(ACTION_TYPES)


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


@pytest.mark.parametrize(
    ("template", "measured"),
    [
        # Text outside the statement is always written, whatever the condition.
        ("{text}{{% if .current.name %}}-x{{% endif %}}", 300),
        ("{{% if .current.name %}}{text}{{% else %}}{text}!{{% endif %}}", 300),
        ("{{% if .current.name %}}a{{% elif .current.x %}}{text}{{% else %}}b{{% endif %}}", None),
        ("{{% for t in .current.x %}}{text}{{% endfor %}}", None),
        ("{text}{{% if .current.name %}}", None),  # unbalanced: template-syntax says so
    ],
)
def test_a_summary_is_measured_by_the_text_every_branch_writes(
    sample_root: Path, template: str, measured: int | None
) -> None:
    summary = template.format(text="x" * 300).replace('"', "'")
    _edit(sample_root, AURORA, SUMMARY, f'summaryTemplate: "{summary}"')
    found = _found(sample_root, "summary-too-long")
    if measured is None:
        assert found == []
    else:
        assert len(found) == 1 and f"is {measured} characters" in found[0].message


URL = "url: https://dbaas.platform.internal/api/v1/clusters"
BODY = "body.contentTemplate (it reads .current.credentials.adminPassword)"
PASSWORD_LINE = '                "masterPassword": "{{ .current.credentials.adminPassword }}",\n'


@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        ("http://dbaas.platform.internal/api/v1/clusters", "", ["authentication", BODY]),
        (
            "http://dbaas.platform.internal/api/v1/clusters",
            '            Authorization: "Basic {{ .system.platform.apiKey }}"\n',
            ["authentication", BODY, "headers.Authorization"],
        ),
        (
            "http://dbaas.platform.internal/api/v1/clusters",
            '            X-Key: "{{ .system.platform.apiKey }}"\n',
            ["authentication", BODY, "headers.X-Key (it reads .system.platform.apiKey)"],
        ),
        ("http://127.evil.example/api/v1/clusters", "", ["authentication", BODY]),
        ("http://127.0.0.1:8080/api/v1/clusters", "", []),
        ("http://127.0.0.2:8080/api/v1/clusters", "", []),
        ("http://[::1]:8080/api/v1/clusters", "", []),
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
    path.write_text((text[:start] + text[end + 1 :]).replace(PASSWORD_LINE, "", 1))
    assert _found(sample_root, "rest-credentials-plain-http") == []


def test_a_password_field_sent_in_a_header_over_plain_http(sample_root: Path) -> None:
    path = sample_root / AURORA
    text = path.read_text().replace(URL, "url: http://dbaas.platform.internal/api/v1/clusters")
    start = text.index("          authentication:")
    end = text.index("\n", text.index("token:", start))
    text = (text[:start] + text[end + 1 :]).replace(
        '            X-Correlation-Id: "{{ .system.correlationId }}"\n',
        '            X-Correlation-Id: "{{ .system.correlationId }}"\n'
        '            X-Db-Admin: "{{ .current.credentials.adminPassword }}"\n',
        1,
    )
    path.write_text(text)
    found = _found(sample_root, "rest-credentials-plain-http")
    assert sorted(d.message.split(" sends")[0] for d in found) == [
        BODY,
        "headers.X-Db-Admin (it reads .current.credentials.adminPassword)",
    ]
    header = next(d for d in found if "X-Db-Admin" in d.message)
    assert text.splitlines()[header.line - 1].strip().startswith("X-Db-Admin:")


COMMIT = (
    "      - type: git-commit\n        config: {repository: acme/infra-live, branch: main, "
    "commitMessage: add, files: [{path: db/x.txt, operation: create, contentTemplate: x}]}\n"
)


def test_automation_in_the_escalation_fallback_is_flagged(sample_root: Path) -> None:
    item = sample_root / AURORA
    item.write_text(
        item.read_text().replace(
            "  manual:\n    # The fallback: the DBA team's ticket process, used when automation is "
            "escalated.\n    actions:\n",
            "  manual:\n    actions:\n" + COMMIT,
        )
    )
    result = validate(Repository(sample_root), paths=[item])
    [finding] = [d for d in result.diagnostics if d.code == "action-unsupported"]
    assert finding.message == (
        "a git-commit action in the manual strategy: escalating a failed request hands its "
        "work to people through these actions, and this one would run automation again"
    )
    assert finding.hint.startswith("Use jira-ticket actions in the manual strategy.")


def test_git_and_workflow_actions_run_in_the_automatic_strategy(sample_root: Path) -> None:
    item = sample_root / AURORA
    _edit(
        sample_root, AURORA, "  automatic:\n    actions:\n", "  automatic:\n    actions:\n" + COMMIT
    )
    result = validate(Repository(sample_root), paths=[item])
    assert [d.code for d in result.diagnostics if d.severity.value == "error"] == []
    assert not [d for d in result.diagnostics if d.code == "action-unsupported"]
