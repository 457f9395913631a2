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


def test_a_schema_error_in_an_items_owner_checks_nothing_guessed(sample_root: Path) -> None:
    # What truly cannot be checked: the owner every other finding names, and whose
    # folder the item belongs in. (A request's metadata hides nothing: see below.)
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


BUNDLE = "catalog/bundles/bundle-webapp-standard.yaml"
EVENTS = "requests/payments/payments-events.yaml"


def _codes(root: Path, path: str) -> list[str]:
    return sorted(d.code for d in validate(Repository(root)).diagnostics if d.path == path)


def test_a_bundle_with_a_seed_style_enum_still_has_its_components_and_links_checked(
    sample_root: Path,
) -> None:
    path = sample_root / BUNDLE
    text = path.read_text().replace(
        "enum: [dev, staging, prod]", "validation: {enum: [dev, staging, prod]}", 1
    )
    text = text.replace(
        "catalogItem: compute-eks-containerapp", "catalogItem: compute-eks-contanerapp"
    )
    path.write_text(text.replace("linkType: Blocks", "linkType: blocks"))
    found = validate(Repository(sample_root)).diagnostics
    codes = sorted({d.code for d in found if d.path == BUNDLE})
    assert "schema-unknown-key" in codes
    assert {"bundle-unknown-item", "link-type-unknown"} <= set(codes), codes
    unknown = next(d for d in found if d.code == "bundle-unknown-item")
    assert "compute-eks-containerapp" in unknown.hint


def test_a_schema_error_in_a_requests_metadata_hides_no_input_finding(
    sample_root: Path,
) -> None:
    path = sample_root / EVENTS
    text = path.read_text().replace("  requester:", "  priority: urgent\n  requester:", 1)
    text = text.replace("partitions: 12", "partitions: 0").replace(
        "costCenter: CC-4521", "costCenter: 4521"
    )
    path.write_text(text)
    found = [d for d in validate(Repository(sample_root)).diagnostics if d.path == EVENTS]
    messages = " | ".join(f"{d.code} {d.message}" for d in found)
    assert "metadata.priority" in messages
    assert "topic.partitions" in messages or "Partitions" in messages, messages
    assert "costCenter" in messages, messages
    assert len([d for d in found if d.code.startswith("input-")]) >= 2, messages


def test_an_unknown_key_in_a_ticket_config_hides_no_template_finding(sample_root: Path) -> None:
    path = sample_root / KAFKA
    text = path.read_text().replace(
        "            priority: Medium\n",
        "            priority: Medium\n            colour: red\n",
        1,
    )
    path.write_text(text.replace("{{ .current.name }} on", "{{ .system.requestid }} on", 1))
    assert _codes(sample_root, KAFKA) == ["schema-unknown-key", "template-system"]


def test_a_seed_style_enum_hides_no_current_finding(sample_root: Path) -> None:
    path = sample_root / KAFKA
    text = path.read_text()
    assert "enum: [dev, staging, prod]" in text
    text = text.replace("enum: [dev, staging, prod]", "validation: {enum: [dev, staging, prod]}")
    path.write_text(
        text.replace("{{ .current.environment.stage }}.", "{{ .current.environment.stag }}.", 1)
    )
    codes = _codes(sample_root, KAFKA)
    assert "template-current" in codes, codes
    assert codes.count("template-current") == 1


def test_a_seed_header_hides_nothing_else(sample_root: Path) -> None:
    path = sample_root / KAFKA
    text = path.read_text().replace("schemaVersion: catalog/v1", "apiVersion: catalog/v1", 1)
    text = text.replace(
        "          - id: stage\n", "          - id: stage\n            colour: red\n", 1
    )
    path.write_text(text.replace("{{ .current.name }} on", "{{ .system.requestid }} on", 1))
    assert _codes(sample_root, KAFKA) == [
        "schema-unknown-key",
        "schema-version",
        "template-system",
    ]


def test_a_seed_form_is_checked_as_the_form_in_the_same_run(sample_root: Path) -> None:
    path = sample_root / KAFKA
    text = path.read_text().replace("\n  form:\n", "\n  form-data:\n", 1)
    text = text.replace("enum: [dev, staging, prod]", "validation: {enum: [dev, staging, prod]}")
    path.write_text(
        text.replace("{{ .current.environment.stage }}.", "{{ .current.environment.stag }}.", 1)
    )
    found = [d for d in validate(Repository(sample_root)).diagnostics if d.path == KAFKA]
    messages = sorted(f"{d.code} {d.message}" for d in found)
    assert messages == [
        "schema-required missing required key 'form' in input",
        "schema-unknown-key unknown key 'enum' in input.form.groups[0].fields[0].validation",
        "schema-unknown-key unknown key 'form-data' in input",
        "template-current .current.environment.stag is not a field of this item's form",
    ], messages
    enum = next(d for d in found if "'enum'" in d.message)
    assert path.read_text().splitlines()[enum.line - 1].strip().startswith("validation: {enum")


def test_a_broken_action_leaves_the_other_actions_checked(sample_root: Path) -> None:
    path = sample_root / KAFKA
    text = path.read_text()
    update = text.index("    update:")
    # The update action's own settings fail the schema; its typo is not judged on a guess.
    broken = text[update:].replace("labels: [pac, kafka, change]", "labels: 5", 1)
    broken = broken.replace("{{ .current.name }}:", "{{ .current.nam }}:", 1)
    text = text[:update] + broken
    path.write_text(text.replace("{{ .current.name }} on", "{{ .system.requestid }} on", 1))
    found = [d for d in validate(Repository(sample_root)).diagnostics if d.path == KAFKA]
    assert sorted(d.code for d in found) == ["schema-type", "template-system"]
