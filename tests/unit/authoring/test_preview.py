"""`pac render`: input checked first, every task shown in order, nothing sent."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import FIXTURES, invoke


def test_render_the_sample_bundle_request(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "render",
        "bundle-webapp-standard",
        "--input",
        str(sample_root / "requests/payments/payments-webapp.yaml"),
    )
    assert code == 0, out
    assert "4 tasks in 3 components, in execution order. Nothing is sent." in out
    assert "1. [database] Create the Aurora cluster" in out
    assert "Authorization: Bearer ***" in out
    assert '"masterPassword": "***"' in out
    assert "PAYMENTS_DB_ADMIN" not in out


def test_render_as_json_with_a_manual_strategy(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "render",
        "bundle-webapp-standard",
        "--input",
        str(sample_root / "requests/payments/payments-webapp.yaml"),
        "--strategy",
        "manual",
        "--format",
        "json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["request"] == "payments-webapp"
    tickets = [t["jira-ticket"] for t in data["tasks"]]
    assert [t["project"] for t in tickets] == ["DBA", "SEC", "PLATFORM"]
    assert data["tasks"][2]["blockedBy"] == [
        "payments-webapp/database/manual/0",
        "payments-webapp/secrets/manual/0",
    ]


def test_plain_input_and_system_overrides(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "render",
        "database-aurora-postgresql-standard",
        "--input",
        str(FIXTURES / "inputs/database-aurora-postgresql-standard.yaml"),
        "--system",
        "platform.region=us-east-1",
        "--format",
        "json",
    )
    assert code == 0, out
    body = json.loads(out)["tasks"][0]["rest-api"]["body"]
    assert body["region"] == "us-east-1"
    assert body["name"] == "orders-db"


def test_invalid_input_is_reported_with_positions(sample_root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "input.yaml"
    bad.write_text("name: Orders\nenvironment: {costCenter: CC-1}\n")
    code, out = invoke(sample_root, "render", "messaging-kafka-topic", "--input", str(bad))
    assert code == 1
    assert ":1:7: error[input-format] Topic Name (name) 'Orders'" in out
    assert ":2:27: error[input-format] Cost Center (environment.costCenter)" in out
    assert "error[input-required] required group Topic (topic) is missing" in out


def test_usage_mistakes_exit_2(sample_root: Path, tmp_path: Path) -> None:
    request = str(sample_root / "requests/payments/payments-events.yaml")
    code, out = invoke(sample_root, "render", "messaging-kafka-topik", "--input", request)
    assert code == 2 and "Did you mean messaging-kafka-topic?" in out
    code, out = invoke(sample_root, "render", "bundle-webapp-standard", "--input", request)
    assert code == 2 and "asks for messaging-kafka-topic, not bundle-webapp-standard" in out
    code, out = invoke(
        sample_root, "render", "messaging-kafka-topic", "--input", request, "--system", "region=x"
    )
    assert code == 2 and "platform.region" in out
    code, out = invoke(
        sample_root, "render", "messaging-kafka-topic", "--input", str(tmp_path / "none.yaml")
    )
    assert code == 2 and "does not exist" in out


def test_a_template_failure_names_the_template_and_the_owner(sample_root: Path) -> None:
    path = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    path.write_text(path.read_text().replace("priority: Medium", 'priority: "{{ .current.name }}"'))
    code, out = invoke(
        sample_root,
        "render",
        "messaging-kafka-topic",
        "--input",
        str(sample_root / "requests/payments/payments-events.yaml"),
    )
    assert code == 1
    assert "catalog/messaging/messaging-kafka-topic.yaml:" in out
    assert "the priority rendered as 'payments-events'" in out
    assert "platform-messaging-team" in out


def test_system_overrides_keep_derived_values_in_step(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "render",
        "database-aurora-postgresql-standard",
        "--input",
        str(FIXTURES / "inputs/database-aurora-postgresql-standard.yaml"),
        "--system",
        "requestId=orders-db-2",
        "--system",
        "uuid=0badc0de-1111-2222-3333-444455556666",
        "--system",
        "user.email=olga@company.com",
        "--system",
        "platform.apiKey=PLATFORM_KEY",
        "--format",
        "json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["request"] == "orders-db-2"
    call = data["tasks"][0]["rest-api"]
    assert call["headers"]["X-Correlation-Id"] == "pac-orders-db-2-0badc0de"
    assert call["body"]["tags"]["requestedBy"] == "olga@company.com"
    assert "PLATFORM_KEY" not in out


def test_system_values_are_checked_before_rendering(sample_root: Path) -> None:
    request = str(sample_root / "requests/payments/payments-events.yaml")
    for pair, message in [
        ("requestId", "--system 'requestId' has no value"),
        ("date=2026-01-01", "date follows timestamp: set that instead"),
        ("shortId=abc", "shortId follows uuid"),
        ("timestamp=yesterday", "is not an ISO 8601 date and time"),
        ("uuid=1234", "is not a UUID"),
    ]:
        code, out = invoke(
            sample_root, "render", "messaging-kafka-topic", "--input", request, "--system", pair
        )
        assert code == 2 and message in out, (pair, out)
        assert "Traceback" not in out


def test_a_timestamp_is_kept_in_utc_and_date_and_time_follow_it(sample_root: Path) -> None:
    from pac.authoring.preview import parse_overrides

    assert parse_overrides(["timestamp=2026-01-02T03:04:05.9+02:00"]) == {
        "timestamp": "2026-01-02T01:04:05Z"
    }
    assert parse_overrides(["timestamp=2026-01-02T03:04:05"]) == {
        "timestamp": "2026-01-02T03:04:05Z"
    }
    assert parse_overrides(["uuid=0BADC0DE111122223333444455556666"]) == {
        "uuid": "0badc0de-1111-2222-3333-444455556666"
    }


def test_a_malformed_request_file_gets_findings_not_a_crash(
    sample_root: Path, tmp_path: Path
) -> None:
    request = tmp_path / "broken.yaml"
    for text, expected in [
        (
            "schemaVersion: catalog/v1\nkind: Request\ncatalogItemId: messaging-kafka-topic\n"
            "metadata: {id: x, requester: dana}\ninput: {name: orders-events}\n",
            "metadata.requester must be a mapping",
        ),
        (
            "schemaVersion: catalog/v1\nkind: Request\ncatalogItemId: messaging-kafka-topic\n"
            "metadata: [x]\ninput: {name: orders-events}\n",
            "metadata must be a mapping",
        ),
        ("kind: Request\ninput: {name: orders-events}\n", "catalogItemId or bundleId"),
    ]:
        request.write_text(text)
        code, out = invoke(sample_root, "render", "messaging-kafka-topic", "--input", str(request))
        assert code == 1, out
        assert expected in out
        assert "internal error" not in out and "Traceback" not in out


def test_control_characters_in_input_never_reach_the_terminal(
    sample_root: Path, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.yaml"
    data = yaml.safe_load(
        (FIXTURES / "inputs/database-aurora-postgresql-standard.yaml").read_text()
    )
    # Terminal controls, and a right-to-left override that would reorder what is shown.
    data["database"]["notes"] = "\x1b[2J\x1b]8;;http://evil\x07\x9b31m\r\u202egnp.exe"
    hostile.write_text(yaml.safe_dump(data))
    for fmt in ("text", "json"):
        code, out = invoke(
            sample_root,
            "render",
            "database-aurora-postgresql-standard",
            "--input",
            str(hostile),
            "--strategy",
            "manual",
            "--format",
            fmt,
        )
        assert code == 0, out
        assert not any(ch in out for ch in "\x1b\x07\x9b\r\u202e"), fmt
        if fmt == "json":
            notes = json.loads(out)["tasks"][0]["jira-ticket"]["description"]
            # The ticket says which characters were there, as JIRA will show it.
            assert "<U+001B>\\[2J" in notes
            assert "<U+202E>gnp" in notes
        else:
            assert "<U+001B>\\[2J" in out
            assert "<U+202E>gnp.exe" in out


def test_a_strategy_an_offering_does_not_have_is_a_usage_error(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "render",
        "messaging-kafka-topic",
        "--input",
        str(FIXTURES / "inputs/messaging-kafka-topic.yaml"),
        "--strategy",
        "automatic",
    )
    assert code == 2
    assert "messaging-kafka-topic has no automatic actions" in out


def test_an_input_file_that_is_not_a_mapping_gets_an_input_file_hint(
    sample_root: Path, tmp_path: Path
) -> None:
    for name, text in (("list.yaml", "- name: orders-events\n"), ("empty.yaml", "# nothing\n")):
        bad = tmp_path / name
        bad.write_text(text)
        code, out = invoke(sample_root, "render", "messaging-kafka-topic", "--input", str(bad))
        assert code == 1, out
        assert "schemaVersion" not in out and "templates/" not in out
        assert "An input file is a mapping" in out
        assert "pac form messaging-kafka-topic" in out
