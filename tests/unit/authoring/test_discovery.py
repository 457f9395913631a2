"""Discovery: `pac catalog list|show|search` and `pac form`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pac.authoring import discovery as catalog
from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.forms.inputs import InputChecker
from pac.forms.schema import form_schema, ui_schema
from pac.forms.validators import validator_for
from tests.conftest import invoke


def test_summaries_and_filters(sample_repo: Repository) -> None:
    rows = catalog.summaries(sample_repo)
    assert [r.id for r in rows] == [
        "bundle-webapp-standard",
        "compute-eks-containerapp",
        "database-aurora-postgresql-standard",
        "database-redis-gitops",
        "messaging-kafka-topic",
        "messaging-sqs-standard",
        "security-parameterstore-standard",
    ]
    assert [r.fulfilment for r in rows] == [
        "bundle",
        "automatic",
        "automatic",
        "automatic",
        "manual",
        "automatic",
        "automatic",
    ]
    assert [r.id for r in catalog.summaries(sample_repo, category="messaging")] == [
        "messaging-kafka-topic",
        "messaging-sqs-standard",
    ]
    assert [r.id for r in catalog.summaries(sample_repo, owner="devex")] == [
        "bundle-webapp-standard"
    ]
    assert [r.id for r in catalog.summaries(sample_repo, kind="bundle")] == [
        "bundle-webapp-standard"
    ]
    with pytest.raises(UsageError, match="not item or bundle"):
        catalog.summaries(sample_repo, kind="widget")


def test_search_ranks_by_where_words_are_found(sample_repo: Repository) -> None:
    ranked = [s.id for _, s in catalog.search(sample_repo, "postgres")]
    assert ranked == ["database-aurora-postgresql-standard", "bundle-webapp-standard"]
    # Custom metadata counts too: the cluster name is only there.
    assert [s.id for _, s in catalog.search(sample_repo, "kafka-shared-01")] == [
        "messaging-kafka-topic"
    ]
    # Every word must be found.
    assert catalog.search(sample_repo, "kafka postgres") == []


def test_describe_an_item_and_a_bundle(sample_repo: Repository) -> None:
    item = catalog.describe(
        sample_repo, catalog.find(sample_repo, "database-aurora-postgresql-standard")
    )
    assert item["owner"] == {"team": "platform-databases-team", "contact": "dba@company.com"}
    assert item["usedBy"] == ["bundle-webapp-standard"]
    assert item["steps"]["strategy"] == "automatic"
    assert item["steps"]["automatic"] == [
        "Create the Aurora cluster: POST https://dbaas.platform.internal/api/v1/clusters, "
        "retried up to 3 times"
    ]
    storage = next(f for g in item["form"]["groups"] for f in g["fields"] if f["id"] == "storageGb")
    assert storage["rules"] == ["from 20", "up to 2000", "in steps of 10"]
    bundle = catalog.describe(sample_repo, catalog.find(sample_repo, "bundle-webapp-standard"))
    assert [(c["id"], c["dependsOn"]) for c in bundle["components"]] == [
        ("database", []),
        ("secrets", ["database"]),
        ("app", ["database", "secrets"]),
    ]
    with pytest.raises(UsageError) as caught:
        catalog.find(sample_repo, "messaging-kafka-topik")
    assert caught.value.hint == "Did you mean messaging-kafka-topic?"


def test_cli_list_search_show(sample_root: Path) -> None:
    code, out = invoke(sample_root, "catalog", "list", "--output", "json")
    assert code == 0 and len(json.loads(out)) == 7
    code, out = invoke(sample_root, "catalog", "list", "--category", "databases", "-o", "yaml")
    assert [r["id"] for r in yaml.safe_load(out)] == [
        "database-aurora-postgresql-standard",
        "database-redis-gitops",
    ]
    code, out = invoke(sample_root, "catalog", "list")
    assert code == 0 and "messaging-kafka-topic" in out
    code, out = invoke(sample_root, "catalog", "search", "secrets", "-o", "json")
    assert json.loads(out)[0]["id"] == "security-parameterstore-standard"
    code, out = invoke(sample_root, "catalog", "search", "nothing-like-this")
    assert code == 1 and "Nothing matches" in out
    code, out = invoke(sample_root, "catalog", "show", "messaging-kafka-topic")
    assert code == 0
    assert "matches ^[a-z][a-z0-9-]{2,28}[a-z0-9]$" in out  # brackets survive the terminal
    assert "Opens a JIRA Task in project MSG" in out
    assert "Tags: kafka, events, streaming" in out
    assert "Details: clusterName: kafka-shared-01; slaDays: 2" in out  # custom metadata
    code, out = invoke(sample_root, "catalog", "show", "nope")
    assert code == 2


def test_form_is_the_schema_pac_validates_with(sample_root: Path, sample_repo: Repository) -> None:
    code, out = invoke(sample_root, "form", "messaging-kafka-topic")
    assert code == 0
    document = json.loads(out)
    item = sample_repo.item("messaging-kafka-topic")
    assert item is not None
    assert document["schema"]["properties"] == form_schema(item.form)["properties"]
    assert document["uiSchema"] == ui_schema(item.form)
    assert document["uiSchema"]["ui:order"] == ["name", "environment", "topic"]
    topic = document["uiSchema"]["topic"]
    assert topic["ui:order"][:3] == ["partitions", "retention", "compacted"]
    assert (topic["consumers"]["ui:widget"], topic["purpose"]["ui:widget"]) == (
        "checkboxes",
        "textarea",
    )
    assert topic["goLiveDate"]["ui:widget"] == "date"
    assert topic["schemaFile"]["ui:options"] == {"pacFieldType": "file", "accept": ".avsc,.json"}


CORPUS = [
    {
        "name": "orders-events",
        "environment": {"costCenter": "CC-0001"},
        "topic": {"contactEmail": "a@b.co"},
    },
    {
        "name": "orders-events",
        "environment": {"costCenter": "CC-0001", "stage": "qa"},
        "topic": {"contactEmail": "a@b.co"},
    },
    {
        "name": "Orders",
        "environment": {"costCenter": "CC-0001"},
        "topic": {"contactEmail": "a@b.co"},
    },
    {
        "name": "orders-events",
        "environment": {"costCenter": "CC-0001"},
        "topic": {"contactEmail": "a@b.co", "partitions": 49},
    },
    {
        "name": "orders-events",
        "environment": {"costCenter": "CC-0001"},
        "topic": {"contactEmail": "a@b.co", "goLiveDate": "2031-01-01"},
    },
    {
        "name": "orders-events",
        "environment": {"costCenter": "CC-0001"},
        "topic": {"contactEmail": "a@b.co", "consumers": []},
    },
    {
        "name": "orders-events",
        "environment": {"costCenter": "CC-0001"},
        "topic": {"contactEmail": "a@b.co", "schemaFile": "x.txt"},
    },
    {"name": "orders-events", "environment": {}, "topic": {"contactEmail": "a@b.co"}},
    {"name": "orders-events", "environment": {"costCenter": "CC-0001"}, "extra": {}},
]


def test_a_portal_and_pac_give_the_same_verdicts(
    sample_root: Path, sample_repo: Repository
) -> None:
    """What a JSON Schema form library does with form.json is what pac validate does."""
    _code, out = invoke(sample_root, "form", "messaging-kafka-topic")
    published = validator_for(json.loads(out)["schema"])
    item = sample_repo.item("messaging-kafka-topic")
    assert item is not None
    checker = InputChecker(item.form)
    verdicts = [(published.is_valid(c), not checker.check(c)) for c in CORPUS]
    assert all(portal == pac for portal, pac in verdicts)
    assert [v[0] for v in verdicts] == [True] + [False] * (len(CORPUS) - 1)


def test_form_as_a_standalone_page(sample_root: Path) -> None:
    code, out = invoke(sample_root, "form", "bundle-webapp-standard", "--format", "html")
    assert code == 0
    assert out.startswith("<!doctype html>")
    assert "<style>" in out and "requestForm" in out  # self-contained: no assets needed
    assert 'id="pac-form"' in out
    # Alone on disk it has no neighbouring pages, so it links to none.
    assert "Aurora PostgreSQL Database" in out and 'href="database-' not in out


def _run(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("PAC_REPO", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "pac", "--repo", str(root), *args],
        capture_output=True,
        text=True,
        env={**environment, "COLUMNS": "80", **env},
        timeout=120,
        check=False,
    )


def test_list_in_a_pipe_is_one_plain_line_an_offering(sample_root: Path) -> None:
    result = _run(sample_root, "catalog", "list")
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout and "…" not in result.stdout
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.startswith("database-aurora-postgresql-standard"))
    assert row.split() == [
        "database-aurora-postgresql-standard",
        *["Aurora", "PostgreSQL", "Database"],
        "databases",
        "platform-databases-team",
        "2.0.0",
        "automatic",
    ]
    assert len([line for line in lines if line.strip()]) == 2 + 7  # header, rule, rows


def test_list_on_an_80_column_terminal_cuts_nothing(sample_root: Path) -> None:
    # FORCE_COLOR makes rich treat the pipe as a terminal; NO_COLOR still drops colours.
    result = _run(sample_root, "catalog", "list", FORCE_COLOR="1", NO_COLOR="1")
    assert result.returncode == 0
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert "…" not in plain
    assert all(len(line) <= 80 for line in plain.splitlines())
    for text in (
        "database-aurora-postgresql-standard",
        "Standard Web Application Stack · v2.0.0",
        "developer-experience-team",
        "databases · automatic",
    ):
        assert text in plain
    assert "\x1b[3" not in result.stdout  # styles (bold, dim) but no colours


def test_show_wraps_under_its_own_column(sample_root: Path) -> None:
    result = _run(sample_root, "catalog", "show", "database-aurora-postgresql-standard")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    at = next(i for i, line in enumerate(lines) if "The finance cost center" in line)
    indent = len(lines[at]) - len(lines[at].lstrip())
    assert lines[at + 1].startswith(" " * indent + "CC-1234.")


@pytest.mark.parametrize(
    ("option", "message", "hint"),
    [
        (("--category", "databse"), "'databse' is not a category", "Did you mean databases?"),
        (
            ("--owner", "platform-databse-team"),
            "matches no team or contact",
            "Did you mean platform-databases-team?",
        ),
        (("--kind", "bundel"), "is not item or bundle", "--kind bundle"),
    ],
)
def test_unknown_filters_are_usage_errors(
    sample_root: Path, option: tuple[str, str], message: str, hint: str
) -> None:
    code, out = invoke(sample_root, "catalog", "list", *option)
    assert code == 2
    assert message in out and hint in out


def test_filters_that_match_nothing_print_no_table(sample_root: Path) -> None:
    code, out = invoke(sample_root, "catalog", "list", "--category", "bundles", "--kind", "item")
    assert code == 0
    assert out.strip() == "No offering matches."


def test_a_deprecated_offering_names_its_replacement(sample_root: Path, tmp_path: Path) -> None:
    from pac.authoring.export import export

    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(
        item.read_text().replace(
            "  tags: [kafka, events, streaming]\n",
            "  tags: [kafka, events, streaming]\n"
            "  deprecated:\n"
            "    {reason: Moving to the new cluster., replacedBy: bundle-webapp-standard}\n",
            1,
        )
    )
    code, out = invoke(sample_root, "catalog", "show", "messaging-kafka-topic")
    assert code == 0
    assert "Deprecated: Moving to the new cluster. Use bundle-webapp-standard instead." in out
    export(Repository(sample_root), tmp_path / "site")
    page = (tmp_path / "site/items/messaging-kafka-topic.html").read_text()
    assert 'Use <a href="bundle-webapp-standard.html">bundle-webapp-standard</a> instead.' in page


def test_files_with_errors_are_named_not_silently_dropped(
    sample_root: Path, tmp_path: Path
) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(item.read_text().replace("  version: 1.2.0", "  version: banana", 1))
    for args in (
        ("catalog", "list"),
        ("catalog", "search", "postgres"),
        ("export", "--out", str(tmp_path / "site")),
    ):
        result = _run(sample_root, *args)
        assert result.returncode == 0, result.stderr
        assert (
            "warning: 1 catalog file(s) have errors and are left out: "
            "catalog/messaging/messaging-kafka-topic.yaml"
        ) in result.stderr
        assert "pac validate catalog/messaging/messaging-kafka-topic.yaml" in result.stderr
    assert not (tmp_path / "site/items/messaging-kafka-topic.html").exists()


def test_search_falls_back_to_corrected_words(sample_repo: Repository) -> None:
    from pac.authoring.discovery import search_or_corrected

    found, instead = search_or_corrected(sample_repo, "postgress")
    assert instead == "postgres" and found
    found, instead = search_or_corrected(sample_repo, "kafka")
    assert instead == "" and found[0][1].id == "messaging-kafka-topic"


def test_search_says_where_the_words_were_found_not_a_raw_score(sample_root: Path) -> None:
    code, out = invoke(sample_root, "catalog", "search", "postgres")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header[-2:] == ["found", "in"] and "score" not in header
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    assert (
        rows["database-aurora-postgresql-standard"]
        .rstrip()
        .endswith("id, name, tags, metadata, description")
    )
    assert rows["bundle-webapp-standard"].rstrip().endswith("tags, description")
    code, out = invoke(sample_root, "catalog", "search", "postgres", "-o", "json")
    assert json.loads(out)[1]["foundIn"] == ["tags", "description"]
