"""`pac request new`, `pac plan` and `pac status` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pac.cli.app import app
from tests.conftest import invoke

PERSON = ["--email", "sam@company.com", "--requester", "Sam Shop", "--team", "checkout"]


def test_request_new_from_flags_writes_a_valid_request(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "request",
        "new",
        "messaging-kafka-topic",
        "--set",
        "name=checkout-events",
        "--set",
        "environment.costCenter=CC-1234",
        "--set",
        "topic.consumers=search, fraud",
        "--set",
        "topic.partitions=24",
        "--set",
        "topic.compacted=yes",
        "--set",
        "topic.contactEmail=sam@company.com",
        *PERSON,
    )
    assert code == 0, out
    path = sample_root / "requests/checkout/checkout-events.yaml"
    assert "wrote requests/checkout/checkout-events.yaml" in out
    data = yaml.safe_load(path.read_text())
    assert data["catalogItemId"] == "messaging-kafka-topic"
    assert data["metadata"] == {
        "id": "checkout-events",
        "requester": {"email": "sam@company.com", "name": "Sam Shop", "team": "checkout"},
    }
    assert data["input"]["topic"] == {
        "consumers": ["search", "fraud"],
        "partitions": 24,
        "compacted": True,
        "contactEmail": "sam@company.com",
    }
    assert path.read_text().startswith("# yaml-language-server: $schema=../../schema/request.json")
    assert invoke(sample_root, "validate", str(path))[0] == 0


def test_request_new_password_fields_take_a_secret_name(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "request",
        "new",
        "database-aurora-postgresql-standard",
        "--set",
        "name=orders-db",
        "--set",
        "environment.costCenter=CC-1234",
        "--set",
        "credentials.adminPassword=ORDERS_DB_ADMIN",
        *PERSON,
    )
    assert code == 0, out
    data = yaml.safe_load((sample_root / "requests/checkout/orders-db.yaml").read_text())
    assert data["input"]["credentials"] == {"adminPassword": {"secretRef": "ORDERS_DB_ADMIN"}}


def test_request_new_from_an_earlier_request(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "request",
        "new",
        "bundle-webapp-standard",
        "--from",
        "payments-webapp",
        "--set",
        "name=refunds-api",
        *PERSON,
    )
    assert code == 0, out
    data = yaml.safe_load((sample_root / "requests/checkout/refunds-api.yaml").read_text())
    assert data["bundleId"] == "bundle-webapp-standard"
    assert data["input"]["name"] == "refunds-api"
    assert data["input"]["database"]["storageGb"] == 100  # copied


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--set", "name=x-events-1", "--set", "topic.partitons=3"],
            "Did you mean topic.partitions?",
        ),
        (["--set", "name=x-events-1", "--set", "topic.partitions=many"], "'many' is not a number"),
        (["--set", "name=x-events-1"], "does not fit the form"),
        (
            [
                "--set",
                "name=payments-events",
                "--set",
                "environment.costCenter=CC-1234",
                "--set",
                "topic.contactEmail=a@b.co",
                "--set",
                "topic.consumers=search",
            ],
            "already exists",
        ),
        (["--from", "payments-webapp", "--set", "name=abc-def"], "asks for bundle-webapp-standard"),
    ],
)
def test_request_new_mistakes(sample_root: Path, args: list[str], message: str) -> None:
    code, out = invoke(sample_root, "request", "new", "messaging-kafka-topic", *args, *PERSON)
    assert code == 2
    assert message in out


def test_request_new_interactive_asks_and_re_asks(sample_root: Path) -> None:
    answers = "\n".join(
        [
            "checkout-events",  # name
            "",  # stage: default dev
            "1234",  # cost center: wrong pattern, asked again
            "CC-1234",
            "",  # partitions default
            "2d",  # retention: not a choice
            "7d",  # the default, typed: still the default
            "maybe",  # compacted: not yes or no
            "no",
            "search",  # consumers
            "",  # go-live date (optional)
            "",  # schema file (optional)
            "",  # purpose (optional)
            "sam@company.com",  # contact
            "y",  # write it
        ]
    )
    result = CliRunner().invoke(
        app,
        [
            "--repo",
            str(sample_root),
            "request",
            "new",
            "messaging-kafka-topic",
            "--interactive",
            *PERSON,
        ],
        input=answers + "\n",
    )
    assert result.exit_code == 0, result.output
    out = result.output
    # The words of pac validate and the site's form, not jsonschema's.
    assert (
        "Cost Center (environment.costCenter) '1234' does not have the required form. "
        "It must match ^CC-[0-9]{4}$." in out
    )
    assert "Retention (topic.retention) is '2d'; choose one of: 1d, 7d, 30d." in out
    assert "Log Compaction (yes or no)" in out
    assert "Log Compaction (topic.compacted) must be true or false. Answer yes or no." in out
    assert "does not match" not in out and "is not one of" not in out
    # It shows the file before writing it, and asks.
    assert "This is requests/checkout/checkout-events.yaml:" in out
    assert out.index("catalogItemId: messaging-kafka-topic") < out.index("Write requests/")
    data = yaml.safe_load((sample_root / "requests/checkout/checkout-events.yaml").read_text())
    # Only what was chosen is written: accepted defaults stay defaults, as with --set.
    assert data["input"]["environment"] == {"costCenter": "CC-1234"}
    assert data["input"]["topic"] == {
        "compacted": False,
        "consumers": ["search"],
        "contactEmail": "sam@company.com",
    }


def test_request_new_interactive_writes_nothing_when_told_no(sample_root: Path) -> None:
    answers = ["search-events", "", "CC-1234"] + [""] * 8 + ["sam@company.com", "n"]
    result = CliRunner().invoke(
        app,
        ["--repo", str(sample_root), "request", "new", "messaging-kafka-topic", "-i", *PERSON],
        input="\n".join(answers) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Write requests/checkout/search-events.yaml? [Y/n]" in result.output
    assert result.output.rstrip().endswith("nothing written")
    assert not (sample_root / "requests/checkout/search-events.yaml").exists()


def test_request_new_interactive_re_asks_a_taken_name_and_copies_from(sample_root: Path) -> None:
    answers = ["payments-events", "search-events"] + [""] * 20
    result = CliRunner().invoke(
        app,
        [
            "--repo",
            str(sample_root),
            "request",
            "new",
            "messaging-kafka-topic",
            "--interactive",
            "--from",
            "payments-events",
            *PERSON,
        ],
        input="\n".join(answers) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "a request named payments-events already exists" in result.output
    written = (sample_root / "requests/checkout/search-events.yaml").read_text()
    data = yaml.safe_load(written)
    source = yaml.safe_load((sample_root / "requests/payments/payments-events.yaml").read_text())
    assert next(iter(data["input"])) == "name" and data["input"]["name"] == "search-events"
    assert data["input"]["topic"]["consumers"] == source["input"]["topic"]["consumers"]

    for source_id, message in [
        ("payments-event", "Did you mean payments-events?"),
        ("payments-webapp", "asks for bundle-webapp-standard"),
    ]:
        code, out = invoke(
            sample_root,
            "request",
            "new",
            "messaging-kafka-topic",
            "--interactive",
            "--from",
            source_id,
            *PERSON,
        )
        assert code == 2 and message in out


def test_request_new_says_what_each_field_needs(sample_root: Path) -> None:
    code, out = invoke(
        sample_root,
        "request",
        "new",
        "messaging-kafka-topic",
        "--set",
        "name=x-events-1",
        "--set",
        "environment.costCenter=CC-1",
        *PERSON,
    )
    assert code == 2
    assert "Cost Center (environment.costCenter) 'CC-1'" in out
    assert "It must match ^CC-[0-9]{4}$" in out
    assert out.count("Questions about") == 1


def test_plan_formats(sample_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = invoke(sample_root, "plan", "payments-webapp", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    [plan] = data["requests"]
    assert plan["step"] == "new" and plan["does"] == "fulfil"
    assert [t["component"] for t in plan["tasks"]] == ["database", "secrets", "app", "app"]
    assert data["reviewers"] == [
        "@acme/developer-experience",
        "@acme/platform-databases",
        "@acme/platform-security",
        "@acme/platform-compute",
    ]
    # The plan workflow asks for JSON and markdown: the job summary gets the plan once.
    assert not summary.exists()

    code, out = invoke(sample_root, "plan", "--format", "markdown")
    assert code == 0
    assert summary.read_text().count("### `payments-webapp`") == 1
    assert "| 1 | database | POST https://dbaas.platform.internal/api/v1/clusters |" in out
    assert '"masterPassword": "***"' in out

    monkeypatch.setenv("PAC_TODAY", "2026-12-01")
    code, out = invoke(sample_root, "plan", "payments-webapp")
    assert "warning: change freeze 'Retail peak season'" in out
    assert "defer: inside a change freeze" in out


def test_plan_warns_about_deprecated_offerings(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(
        item.read_text().replace(
            "  slaDays: 2\n",
            "  slaDays: 2\n  deprecated: {reason: moving to the managed streaming service}\n",
        )
    )
    _code, out = invoke(sample_root, "plan", "payments-events")
    assert "warning: messaging-kafka-topic 1.2.0 is deprecated: moving to the managed" in out


def test_status_after_apply(sample_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pac.fulfilment.backends.outbox import Outbox
    from pac.tracking.words import NOT_APPLIED

    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    monkeypatch.delenv("CI", raising=False)
    code, out = invoke(sample_root, "status", "payments-events")
    assert code == 0 and "payments-events: waiting for pac apply" in out  # no status yet
    [new] = json.loads(invoke(sample_root, "status", "payments-events", "-o", "json")[1])
    assert (new["state"], new["words"]) == ("new", NOT_APPLIED)
    code, out = invoke(sample_root, "apply", "payments-events")
    assert code == 0, out
    code, out = invoke(sample_root, "status", "payments-events", "--output", "json")
    assert code == 0
    [view] = json.loads(out)
    assert view["state"] == "waiting"  # a ticket is a hand-off: MSG-1 is with its team
    ticket = view["tasks"][0]["ticket"]
    assert (ticket["key"], ticket["backend"], ticket["liveStatus"]) == ("MSG-1", "outbox", "Open")
    assert view["words"]
    code, out = invoke(sample_root, "status", "--output", "yaml")
    assert yaml.safe_load(out)[0]["request"] == "payments-events"
    # The team resolves the ticket; the next run completes the request (SPEC §6.7).
    Outbox(sample_root).resolve("MSG-1")
    assert invoke(sample_root, "apply", "payments-events")[0] == 0
    code, out = invoke(sample_root, "status", "payments-events", "--watch", "--interval", "0.5")
    assert code == 0 and "MSG-1 Done (outbox)" in out
    assert "payments-events: completed — ready: completed in" in out


def test_plan_warns_about_a_freeze_starting_before_the_merge(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Planned on Sep 20; the retail peak (databases, compute) starts on Sep 25.
    monkeypatch.setenv("PAC_TODAY", "2026-09-20")
    code, out = invoke(sample_root, "plan", "payments-webapp", "payments-events")
    assert code == 0, out
    warning = (
        "warning: change freeze 'Retail peak season' starts on 2026-09-25 (in 5 days) and "
        "lasts until 2027-01-15: if this is merged from 2026-09-25 on, the request waits "
        "(deferred) until 2027-01-15"
    )
    assert out.count(warning) == 1  # the bundle touches databases; the topic does not
    assert out.index(warning) < out.index("payments-events (")
    assert "state new -> fulfil" in out  # not frozen yet

    code, out = invoke(sample_root, "plan", "payments-webapp", "--format", "json")
    [plan] = json.loads(out)["requests"]
    assert plan["warnings"] == [warning.removeprefix("warning: ")]
    code, out = invoke(sample_root, "plan", "payments-webapp", "--format", "markdown")
    assert "> **Warning:** change freeze 'Retail peak season' starts on 2026-09-25" in out

    monkeypatch.setenv("PAC_TODAY", "2026-09-10")  # 15 days ahead: beyond the 14 by default
    assert "warning" not in invoke(sample_root, "plan", "payments-webapp")[1]


def test_plan_looks_ahead_as_far_as_pac_yaml_says_and_for_every_scope(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sample_root / "pac.yaml"
    config.write_text(
        config.read_text().replace(
            "  freezes:\n",
            "  warnDays: 30\n  freezes:\n"
            '    - {name: Year-end close, start: "2026-07-01", end: "2026-07-03", scope: all}\n',
            1,
        )
    )
    monkeypatch.setenv("PAC_TODAY", "2026-06-10")
    code, out = invoke(sample_root, "plan", "payments-events")
    assert code == 0, out
    assert (
        "warning: change freeze 'Year-end close' starts on 2026-07-01 (in 21 days) and lasts "
        "until 2026-07-03" in out
    )
    monkeypatch.setenv("PAC_TODAY", "2026-07-04")  # a one-off window that is over
    assert "warning" not in invoke(sample_root, "plan", "payments-events")[1]


HOSTILE = "\x1b[2J\x1b]8;;http://evil\x07\x9b31m\r"


def test_plan_shows_requester_text_safely_on_a_terminal_and_in_markdown(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    path = sample_root / "requests/payments/payments-events.yaml"
    data = yaml.safe_load(path.read_text())
    data["metadata"]["requester"]["name"] = f"Eve <!-- [x](http://evil) | `{HOSTILE}"
    data["input"]["topic"]["purpose"] = f"Ends the fence:\n```\n</details>\n{HOSTILE}"
    path.write_text(yaml.safe_dump(data))
    for fmt in ("text", "markdown", "json"):
        code, out = invoke(sample_root, "plan", "payments-events", "--format", fmt)
        assert code == 0, out
        assert not any(ch in out for ch in "\x1b\x07\x9b\r"), fmt
    [plan] = json.loads(invoke(sample_root, "plan", "payments-events", "-f", "json")[1])["requests"]
    # The data is kept, hidden characters named as the ticket will show them.
    assert "<U+009B>31m\r" in plan["tasks"][0]["jira-ticket"]["description"]

    _code, out = invoke(sample_root, "plan", "payments-events", "--format", "markdown")
    assert (
        "Requested by Eve \\<!-- \\[x\\](http://evil) \\| \\`\\x1b\\[2J\\x1b\\]8;;http://evil"
        in out
    )
    assert "<!--" not in out.replace("\\<!--", "")
    # The only fences are pac's own, longer than the backticks the ticket's text holds: it
    # cannot close one early.
    fences = [line for line in out.splitlines() if line.lstrip().startswith("```")]
    assert fences == ["````json", "````"]
    assert [line for line in out.splitlines() if line.startswith("</details>")] == ["</details>"]
    assert "<U+009B>31m\\r" in out  # as the ticket shows it, \\r escaped as JSON


def test_status_shows_control_characters_as_escapes(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    monkeypatch.delenv("CI", raising=False)
    assert invoke(sample_root, "apply", "payments-events")[0] == 0
    ticket = sample_root / ".pac/outbox/MSG-1.json"
    data = json.loads(ticket.read_text())
    data["status"] = f"Done{HOSTILE}"  # whatever a JIRA workflow calls its states
    ticket.write_text(json.dumps(data))
    for args in (["status"], ["status", "payments-events"], ["status", "-o", "json"]):
        code, out = invoke(sample_root, *args)
        assert code == 0, out
        assert not any(ch in out for ch in "\x1b\x07\x9b\r"), args
        assert "Done" in out
    assert "Done\\x1b[2J" in invoke(sample_root, "status", "payments-events")[1]
    [view] = json.loads(invoke(sample_root, "status", "-o", "json")[1])
    assert view["tasks"][0]["ticket"]["liveStatus"] == f"Done{HOSTILE}"
