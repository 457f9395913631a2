"""A change under schema/ is reported against each document it breaks (SPEC §7), on real
git history: the architects review a schema change by what it breaks, in the same run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import PROJECT, git_commit_all, pac


@pytest.fixture
def schema_git(sample_git: Path) -> Path:
    """The sample catalog with its own schema/ folder, committed."""
    shutil.copytree(PROJECT / "schema", sample_git / "schema")
    git_commit_all(sample_git, "the repository's own schemas")
    return sample_git


def _edit_schema(root: Path, name: str, edit: object) -> None:
    path = root / "schema" / name
    schema = json.loads(path.read_text())
    edit(schema)  # type: ignore[operator]
    path.write_text(json.dumps(schema, indent=2) + "\n")
    git_commit_all(root, f"change {name}")


def test_making_a_key_required_reports_each_item_it_breaks(schema_git: Path) -> None:
    _edit_schema(schema_git, "catalog-item.json", lambda s: s["required"].append("costModel"))
    done = pac("validate", "--changed", "HEAD~1", cwd=schema_git)
    assert done.returncode == 1, done.stdout + done.stderr
    items = sorted(p.relative_to(schema_git).as_posix() for p in schema_git.glob("catalog/*/*"))
    items = [i for i in items if i.endswith(".yaml") and "/bundles/" not in i]
    items.remove("catalog/categories.yaml") if "catalog/categories.yaml" in items else None
    assert len(items) == 6
    for item in items:
        assert f"{item}:2:1: error[schema-required] missing required key 'costModel'" in done.stdout
        assert (
            f"{item}:2:1: error[schema-change-breaks] the change to schema/catalog-item.json"
            in (done.stdout)
        )
    assert "Ask the architecture team (@acme/architecture), who own schema/." in done.stdout
    assert "bundle-webapp-standard" not in done.stdout  # bundles have their own schema
    assert f"{len(items)} files checked" in done.stdout


def test_a_common_types_change_reaches_every_kind(schema_git: Path) -> None:
    def slack_required(schema: dict[str, list[str]]) -> None:
        owner = schema["definitions"]["owner"]  # type: ignore[call-overload]
        owner["required"].append("slack")

    _edit_schema(schema_git, "common-types.json", slack_required)
    done = pac("validate", "--changed", "HEAD~1", cwd=schema_git)
    assert done.returncode == 1, done.stdout + done.stderr
    broken = {
        line.split(":", 1)[0]
        for line in done.stdout.splitlines()
        if "error[schema-change-breaks]" in line
    }
    # The offerings whose owner has no slack channel; requests, the registry and pac.yaml
    # are checked too (common-types.json governs every kind) and still pass.
    assert broken == {
        "catalog/messaging/messaging-kafka-topic.yaml",
        "catalog/messaging/messaging-sqs-standard.yaml",
        "catalog/security/security-parameterstore-standard.yaml",
    }
    assert "requests/payments/payments-events.yaml:" in done.stdout  # checked: its item broke
    assert "files checked" in done.stdout and "0 files checked" not in done.stdout


def test_a_schema_change_that_breaks_nothing_passes(schema_git: Path) -> None:
    def optional_cost_model(schema: dict[str, dict[str, object]]) -> None:
        schema["properties"]["costModel"] = {"type": "string"}

    _edit_schema(schema_git, "catalog-item.json", optional_cost_model)
    done = pac("validate", "--changed", "HEAD~1", cwd=schema_git)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 files checked: no problems found" in done.stdout


def test_a_document_already_broken_before_is_not_blamed_on_the_schema(schema_git: Path) -> None:
    item = schema_git / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(item.read_text().replace("{mode: manual}", "{mode: manul}"))
    git_commit_all(schema_git, "a broken item")
    _edit_schema(schema_git, "catalog-item.json", lambda s: s["required"].append("costModel"))
    done = pac("validate", "--changed", "HEAD~1", cwd=schema_git)
    assert "messaging-kafka-topic.yaml:2:1: error[schema-required]" in done.stdout
    assert "messaging-kafka-topic.yaml:83:20: error[schema-value]" in done.stdout
    assert "messaging-kafka-topic.yaml:2:1: error[schema-change-breaks]" not in done.stdout
    assert "messaging-sqs-standard.yaml:2:1: error[schema-change-breaks]" in done.stdout


def test_a_schema_file_named_explicitly_checks_the_documents_it_governs(
    schema_git: Path,
) -> None:
    done = pac("validate", "schema/catalog-bundle.json", cwd=schema_git)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 file checked: no problems found" in done.stdout
