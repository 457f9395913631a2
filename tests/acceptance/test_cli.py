"""The `pac` command through Typer's runner and as a real subprocess."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pac.diagnostics import Severity
from tests.acceptance.test_fixtures import commit_as_main, fixtures, load_fixture
from tests.conftest import copy_sample, invoke, pac


def test_help_and_version(sample_root: Path) -> None:
    code, out = invoke(sample_root, "--help")
    assert code == 0
    for command in ("validate", "new", "codeowners"):
        assert command in out
    code, out = invoke(sample_root, "--version")
    assert code == 0 and out.startswith("pac ")


def test_validate_the_sample_succeeds(sample_root: Path) -> None:
    code, out = invoke(sample_root, "validate")
    assert code == 0
    assert out.endswith("files checked: no problems found\n")


def _broken(root: Path) -> Path:
    item = root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(item.read_text().replace("project: MSG", "project: msg", 1))
    return item


def test_findings_exit_1_in_every_format(sample_root: Path, tmp_path: Path) -> None:
    _broken(sample_root)
    code, out = invoke(sample_root, "validate")
    assert code == 1
    assert "catalog/messaging/messaging-kafka-topic.yaml:" in out
    assert "error[naming-jira-project]" in out and "    hint: " in out

    code, out = invoke(sample_root, "validate", "--format", "json")
    assert code == 1
    findings = json.loads(out)
    assert [f["code"] for f in findings] == ["naming-jira-project", "request-target-invalid"]
    assert set(findings[0]) == {"path", "line", "column", "severity", "code", "message", "hint"}

    code, out = invoke(sample_root, "validate", "--format", "github")
    assert code == 1 and out.startswith(
        "::error file=catalog/messaging/messaging-kafka-topic.yaml,"
    )

    sarif = tmp_path / "out" / "pac.sarif"
    code, _ = invoke(sample_root, "validate", "--format", "sarif", "--output", str(sarif))
    assert code == 1
    assert json.loads(sarif.read_text())["runs"][0]["results"][0]["ruleId"] == "naming-jira-project"


def test_warnings_pass_unless_strict(sample_root: Path) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(item.read_text().replace("name: Kafka Topic", "name: Kafka topic"))
    assert invoke(sample_root, "validate")[0] == 0
    assert invoke(sample_root, "validate", "--strict")[0] == 1


def test_usage_errors_exit_2(sample_root: Path) -> None:
    code, out = invoke(sample_root, "validate", "--format", "xml")
    assert code == 2
    code, out = invoke(sample_root, "validate", "missing.yaml")
    assert code == 2
    assert "error: missing.yaml does not exist" in out
    code, out = invoke(sample_root, "validate", "--output", str(sample_root / "catalog"))
    assert code == 2
    assert "error: cannot write the report to" in out
    assert "internal error" not in out


def test_new_item_through_the_cli(sample_root: Path) -> None:
    code, out = invoke(sample_root, "new", "item", "security", "vault", "kv")
    assert code == 0
    assert "created catalog/security/security-vault-kv.yaml" in out
    code, out = invoke(sample_root, "new", "item", "security", "vault", "kv")
    assert code == 2
    assert "never overwrites" in out


def test_codeowners_commands(sample_root: Path) -> None:
    assert invoke(sample_root, "codeowners", "check")[0] == 0
    (sample_root / "CODEOWNERS").write_text("* @someone\n")
    code, out = invoke(sample_root, "codeowners", "check")
    assert code == 1 and "codeowners-outdated" in out
    assert invoke(sample_root, "codeowners", "generate")[0] == 0
    assert invoke(sample_root, "codeowners", "check")[0] == 0


def test_subprocess_outside_a_repository_explains_itself(tmp_path: Path) -> None:
    done = pac("validate", cwd=tmp_path)
    assert done.returncode == 2
    assert "is not inside a catalog repository" in done.stderr
    assert "hint:" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_subprocess_finds_the_repository_from_a_subfolder(sample_root: Path) -> None:
    done = pac("validate", "databases", cwd=sample_root / "catalog")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 files checked" in done.stdout  # the folder of catalog/databases/


def test_no_traceback_for_any_fixture(tmp_path: Path) -> None:
    """Every fixture through the real command: findings, the right exit code, no traceback."""

    def exit_code(location: Path) -> int:
        return 1 if Severity.ERROR in load_fixture(location).severities else 0

    cases = [(p, exit_code(p)) for p in fixtures("invalid")] + [(p, 0) for p in fixtures("valid")]

    def run(case: tuple[Path, int]) -> tuple[str, int, int, str]:
        location, expected = case
        root = copy_sample(tmp_path / location.name)
        fixture = load_fixture(location)
        fixture.copy_project(root)
        if fixture.changed_since_sample:
            commit_as_main(root)
        fixture.install(root)
        changed = ["--changed", "main"] if fixture.changed_since_sample else []
        done = pac("validate", "--format", "text", *changed, cwd=root)
        return location.name, expected, done.returncode, done.stdout + done.stderr

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, cases))
    for name, expected, got, output in results:
        assert "Traceback" not in output, name
        assert got == expected, f"{name}: exit {got}\n{output}"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_every_format_as_a_subprocess(sample_root: Path, fmt: str) -> None:
    _broken(sample_root)
    done = pac("validate", "--format", fmt, cwd=sample_root)
    assert done.returncode == 1
    assert "naming-jira-project" in done.stdout
    assert "\x1b[" not in done.stdout  # not a terminal: no colour
