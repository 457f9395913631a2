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
