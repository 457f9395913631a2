"""Every problem in one run: a team fixes a document in one edit round, not one per finding."""

from __future__ import annotations

from pathlib import Path

from pac.documents.repository import Repository
from pac.validation.run import validate
from tests.acceptance.test_requests_cli import PERSON
from tests.conftest import invoke

WEBAPP = "requests/payments/payments-webapp.yaml"
KAFKA = "catalog/messaging/messaging-kafka-topic.yaml"


def test_every_missing_required_group_is_its_own_finding(sample_root: Path) -> None:
    path = sample_root / WEBAPP
    text = path.read_text()
    path.write_text(text[: text.index("  environment:")])
    found = validate(Repository(sample_root)).diagnostics
    missing = sorted(d.message for d in found if d.code == "input-required")
    assert missing == [
        "required group Application (app) is missing",
        "required group Credentials (credentials) is missing",
        "required group Environment (environment) is missing",
        "required group Secrets (secrets) is missing",
    ]
    environment = next(d for d in found if "(environment)" in d.message)
    # The hint names the group's own required fields, so one edit fills it.
    assert "Add `environment:` under input with costCenter." in environment.hint


def test_request_new_lists_every_bad_set_and_every_missing_field(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "request",
        "new",
        "messaging-kafka-topic",
        "--set",
        "name=checkout-events",
        "--set",
        "topic.partitons=3",
        "--set",
        "topic.retention=forever",
        "--set",
        "topic.compacted=maybe",
        "--set",
        "environment.costCenter=1234",
        *PERSON,
    )
    assert code == 2
    for expected in (
        "--set topic.partitons: messaging-kafka-topic has no such field",
        "Did you mean topic.partitions?",
        "'maybe' is not true or false",
        "is 'forever'; choose one of",
        "Cost Center (environment.costCenter) '1234' does not have the required form",
        "required field Technical Contact (topic.contactEmail) is missing",
    ):
        assert expected in out, out
    assert not (sample_root / "requests/checkout/checkout-events.yaml").exists()


def test_a_schema_error_does_not_hide_a_wrong_owner(sample_root: Path) -> None:
    path = sample_root / KAFKA
    text = path.read_text().replace("team: platform-messaging-team", "team: platform-kafka-team")
    path.write_text(
        text.replace(
            "          - id: stage\n", "          - id: stage\n            colour: red\n", 1
        )
    )
    found = {d.code for d in validate(Repository(sample_root)).diagnostics if d.path == KAFKA}
    assert found == {"schema-unknown-key", "owner-mismatch"}


def test_a_schema_error_in_the_metadata_checks_nothing_guessed(sample_root: Path) -> None:
    path = sample_root / KAFKA
    text = path.read_text().replace("team: platform-messaging-team", "team: Platform Kafka")
    path.write_text(text)
    found = {d.code for d in validate(Repository(sample_root)).diagnostics if d.path == KAFKA}
    assert found == {"naming-kebab-case"}


def test_a_broken_form_does_not_hide_the_actions_templates(sample_root: Path) -> None:
    path = sample_root / KAFKA
    text = path.read_text().replace("\n  form:\n", "\n  form-data:\n", 1)
    text = text.replace('summaryTemplate: "', 'summaryTemplate: "{{ .current.name ', 1)
    path.write_text(text)
    found = [d for d in validate(Repository(sample_root)).diagnostics if d.path == KAFKA]
    # The form's own paths (.current.*) cannot be judged without it, so none is reported.
    assert sorted({d.code for d in found}) == [
        "schema-required",
        "schema-unknown-key",
        "template-syntax",
    ]


def test_a_missing_fulfillment_checks_only_what_is_there(sample_root: Path) -> None:
    path = sample_root / KAFKA
    text = path.read_text()
    path.write_text(text[: text.index("fulfillment:")].replace("Kafka Topic", "kafka topic"))
    found = {d.code for d in validate(Repository(sample_root)).diagnostics if d.path == KAFKA}
    assert found == {"schema-required", "naming-title-case"}


def test_a_placeholder_is_reported_beside_a_schema_error(sample_root: Path) -> None:
    path = sample_root / "requests/payments/payments-events.yaml"
    text = path.read_text().replace("Payment authorisations", "TODO Payment authorisations")
    path.write_text(
        text.replace("schemaVersion: catalog/v1", "schemaVersion: catalog/v1\nextra: 1")
    )
    found = {d.code for d in validate(Repository(sample_root)).diagnostics}
    assert {"schema-unknown-key", "starter-placeholder"} <= found
