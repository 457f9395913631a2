"""The GitHub Actions workflows that run `pac plan` and `pac apply` (SPEC §6, issue 4).

They cannot run here, so what they must say is checked: triggers, one apply at a time,
the rights to push status, and every secret the catalog and requests name mapped in.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.conftest import PROJECT, project_files
from tests.sample import sample_source

WORKFLOWS = PROJECT / ".github/workflows"


def _load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict)
    # YAML 1.1 reads the key `on` as true.
    data["on"] = data.pop(True)
    return data


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    [job] = workflow["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _step(workflow: dict[Any, Any], name: str) -> dict[str, Any]:
    return next(s for s in _steps(workflow) if s.get("name") == name)


def test_apply_runs_on_merge_on_a_schedule_and_by_hand_one_at_a_time() -> None:
    apply = _load("apply.yml")
    assert apply["on"]["push"]["branches"] == ["main"]
    assert "requests/**" in apply["on"]["push"]["paths"]
    assert apply["on"]["schedule"] and "workflow_dispatch" in apply["on"]
    assert apply["permissions"] == {"contents": "write"}
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert "${{" not in apply["concurrency"]["group"]  # one group for every run
    run = _step(apply, "Apply")["run"]
    assert "pac apply --commit" in run


def test_apply_maps_every_secret_the_repository_names() -> None:
    names = set()
    for folder in ("catalog", "requests"):
        for path in project_files(folder):
            names |= set(re.findall(r"secretRef:\s*([A-Z0-9_]+)", path.read_text()))
    names |= set(
        re.findall(r"secretRef:\s*([A-Z0-9_]+)", (sample_source() / "pac.yaml").read_text())
    )
    assert names
    env = _step(_load("apply.yml"), "Apply")["env"]
    for name in sorted(names):
        assert env.get(f"PAC_SECRET_{name}") == f"${{{{ secrets.PAC_SECRET_{name} }}}}", name
    for name in ("PAC_JIRA_URL", "PAC_JIRA_USER", "PAC_JIRA_TOKEN", "PAC_GITHUB_TOKEN"):
        assert env[name] == f"${{{{ secrets.{name} }}}}"


def test_plan_validates_then_plans_the_changed_requests_into_the_pull_request() -> None:
    plan = _load("plan.yml")
    assert plan["on"]["pull_request"]["paths"] == ["requests/**"]
    assert plan["permissions"]["contents"] == "read"
    names = [s.get("name") for s in _steps(plan)]
    assert names.index("Validate the changed requests") < names.index("Plan")
    checkout = _steps(plan)[0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    run = _step(plan, "Plan")["run"]
    assert "--format markdown" in run and "--format json" in run and "--changed" in run


def test_no_workflow_splices_event_fields_into_a_script() -> None:
    # `${{ ... }}` in `run:` is substituted before the shell parses it: a branch name such
    # as `$(curl ...)` would run. Event fields reach scripts through `env:` instead.
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = _load(path.name)
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), f"{path.name}: {step.get('name')}"


def test_plan_passes_the_base_branch_through_the_environment() -> None:
    plan = _load("plan.yml")
    for name in ("Validate the changed requests", "Plan"):
        step = _step(plan, name)
        assert step["env"]["BASE"] == "origin/${{ github.base_ref }}"
        assert '--changed "$BASE"' in step["run"]


def test_pages_republish_after_every_apply_run() -> None:
    """The apply run's status push starts no workflow (GITHUB_TOKEN): `workflow_run` does."""
    pages, apply = _load("pages.yml"), _load("apply.yml")
    trigger = pages["on"]["workflow_run"]
    assert trigger == {"workflows": [apply["name"]], "types": ["completed"]}
    assert "requests/**" in pages["on"]["push"]["paths"]
    checkout = pages["jobs"]["build"]["steps"][0]
    assert "default_branch" in checkout["with"]["ref"]
