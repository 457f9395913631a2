"""`pac plan`: the same `.system` values apply sends, and a pull request comment that a
requester's text cannot turn into markup."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.fulfilment.plan import RequestPlan, as_json, as_markdown, as_text, plan_request
from pac.fulfilment.policy import Step
from pac.fulfilment.revision import memo_revision, system_for
from pac.records.states import RequestState
from pac.records.store import StatusStore
from tests.conftest import git_commit_all, point_rest_at
from tests.unit.fulfilment.test_apply import WEBAPP, run

FROZEN, AFTER = "2026-12-24", "2027-01-16"
EVENTS = "payments-events"
CORRELATION = 'X-Correlation-Id: "{{ .system.correlationId }}"'
REVISION_HEADER = '\n            X-Catalog-Revision: "{{ .system.catalogRevision }}"'


def test_a_deferred_request_is_planned_with_the_values_apply_sends(
    sample_git: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deferred at one catalog commit and run after another: plan and apply both use the
    revision of the day it was deferred (its status), not the catalog's latest."""
    from tests.acceptance.test_apply_live import SECRETS
    from tests.fakes.rest import FakeRestTarget, platform_api

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    outcomes, _ = run(sample_git, WEBAPP, today=FROZEN, monkeypatch=monkeypatch)
    assert [(o.step, o.state) for o in outcomes] == [(Step.DEFER, "deferred")]
    item = sample_git / "catalog/databases/database-aurora-postgresql-standard.yaml"
    item.write_text(item.read_text().replace(CORRELATION, CORRELATION + REVISION_HEADER))
    git_commit_all(sample_git, "a catalog change while the request waits")

    monkeypatch.setenv("PAC_TODAY", AFTER)
    repo, store = Repository(sample_git), StatusStore(sample_git)
    status = store.load(WEBAPP)
    assert status is not None and status.state is RequestState.DEFERRED and not status.system
    assert status.catalog_revision != memo_revision(repo)  # the catalog moved on
    plan = plan_request(repo, store, repo.request(WEBAPP))  # type: ignore[arg-type]
    assert plan.step is Step.NEW and not plan.error
    planned = [
        {k: v for k, v in t.rendered.as_dict()["headers"].items() if k.startswith("X-")}
        for t in plan.tasks
    ]
    assert planned[0]["X-Catalog-Revision"] == status.catalog_revision

    with platform_api(FakeRestTarget()) as platform:
        point_rest_at(sample_git, platform.url)
        after, _ = run(sample_git, WEBAPP, today=AFTER, monkeypatch=monkeypatch)
        received = platform.requests
    assert after[0].state == "completed", after[0].summary
    sent = [{k: v for k, v in r.headers.items() if k.startswith("X-")} for r in received]
    assert sent[0]["X-Catalog-Revision"] == status.catalog_revision
    assert sent[0]["X-Correlation-Id"] == planned[0]["X-Correlation-Id"]  # the same uuid


def test_system_for_a_request_no_run_has_seen_is_what_a_new_status_gives(
    sample_repo: Repository,
) -> None:
    request = sample_repo.request(EVENTS)
    assert request is not None
    system = system_for(sample_repo, request, None)
    assert system.catalog_revision == memo_revision(sample_repo) == "uncommitted"
    assert system_for(sample_repo, request, None) == system  # fixed, not per call


# --- the pull request comment -------------------------------------------------------------


def _plan(root: Path, **changes: str) -> RequestPlan:
    repo = Repository(root)
    request = repo.request(EVENTS)
    assert request is not None
    plan = plan_request(repo, StatusStore(root), request)
    return replace(plan, **changes)  # type: ignore[arg-type]


def _rename_requester(root: Path, name: str) -> None:
    path = root / "requests/payments/payments-events.yaml"
    path.write_text(path.read_text().replace("name: Dana Dev", f"name: {json.dumps(name)}"))


def test_a_requesters_text_is_literal_markdown(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    _rename_requester(sample_root, "Dana *bold* _em_ [x](http://evil) <!-- | ~s~ & \\")
    text = as_markdown([_plan(sample_root)])
    line = next(line for line in text.splitlines() if line.startswith("Requested by"))
    assert line.startswith(
        r"Requested by Dana \*bold\* \_em\_ \[x\](http://evil) \<!-- \| \~s\~ \& \\ (payments)"
    )
    assert "<!--" not in text.replace(r"\<!--", "")


def test_warnings_and_errors_stay_on_their_line(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    plan = _plan(sample_root, error="first line\n## not a heading", state="new")
    plan.warnings = ["one\ntwo | `three`"]
    text = as_markdown([plan])
    assert "> **Warning:** one two \\| \\`three\\`" in text.splitlines()
    assert "> **Error:** first line ## not a heading" in text.splitlines()


@pytest.mark.parametrize(
    ("display", "span"),
    [
        ("requests/payments/payments-events.yaml", "`requests/payments/payments-events.yaml`"),
        ("requests/a`b.yaml", "`` requests/a`b.yaml ``"),
        ("requests/a``b`.yaml", "``` requests/a``b`.yaml ```"),
    ],
)
def test_a_code_span_is_longer_than_any_backticks_it_holds(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch, display: str, span: str
) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    text = as_markdown([_plan(sample_root, display=display)])
    assert f"in {span}. Current state" in text


def test_a_fence_is_longer_than_any_backticks_a_rendered_value_holds(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    path = sample_root / "requests/payments/payments-events.yaml"
    path.write_text(
        path.read_text().replace(
            "produced by the payments API.", "produced by ````` the payments API."
        )
    )
    text = as_markdown([_plan(sample_root)])
    fences = re.findall(r"^(`{3,})json$", text, re.MULTILINE)
    assert fences == ["``````"]  # six: one more than the longest run inside
    body = text.split("``````json\n", 1)[1].split("\n``````\n", 1)[0]
    assert "`````" in body


def test_nothing_to_fulfil_says_so(sample_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    plan = _plan(sample_root, step=Step.NOTHING)  # type: ignore[arg-type]
    assert as_markdown([plan]) == ("## pac plan\n\nNo request in this change needs fulfilment.\n")


# --- day 2 (SPEC §6.6) --------------------------------------------------------------------


def _planned(root: Path) -> RequestPlan:
    repo = Repository(root)
    request = repo.request(WEBAPP)
    assert request is not None
    return plan_request(repo, StatusStore(root), request)


def test_a_change_is_planned_as_a_field_diff_then_exactly_its_update_calls(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.acceptance.test_apply_live import SECRETS
    from tests.day2 import add_day_two, set_input

    add_day_two(sample_root)
    with_platform(sample_root, monkeypatch)
    set_input(sample_root, "requests/payments/payments-webapp.yaml", "app", "replicas", 5)
    set_input(
        sample_root,
        "requests/payments/payments-webapp.yaml",
        "credentials",
        "adminPassword",
        {"secretRef": "PAYMENTS_DB_ADMIN_V2"},
    )
    plan = _planned(sample_root)
    assert plan.step is Step.UPDATE and not plan.error
    assert plan.headline == "Change of payments-webapp (revision 1): 2 fields"
    assert [t.key for t in plan.tasks] == ["payments-webapp/r1/app/automatic/update/0"]
    markdown = as_markdown([plan])
    assert markdown.splitlines()[0] == "## Change of payments-webapp (revision 1): 2 fields"
    assert "| `app.replicas` | 3 | 5 |" in markdown
    assert (
        "| `credentials.adminPassword` | secretRef PAYMENTS\\_DB\\_ADMIN | "
        "secretRef PAYMENTS\\_DB\\_ADMIN\\_V2 |" in markdown
    )
    assert SECRETS["PAC_SECRET_PAYMENTS_DB_ADMIN"] not in markdown
    data = json.loads(as_json([plan]))["requests"][0]
    assert data["step"] == "update"
    assert data["revision"]["fields"][0] == {"field": "app.replicas", "old": "3", "new": "5"}
    text = as_text([plan])
    assert "  ~ app.replicas: 3 -> 5" in text and "PATCH" in text


def test_a_held_change_says_why_with_the_owning_team(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.day2 import add_day_two

    add_day_two(sample_root)
    with_platform(sample_root, monkeypatch)
    path = sample_root / "requests/payments/payments-webapp.yaml"
    path.write_text(path.read_text().replace("name: payments-api", "name: payments-api2"))
    plan = _planned(sample_root)
    assert plan.step is Step.HELD and plan.tasks == []
    assert "name cannot change once the request is fulfilled" in plan.held
    assert "developer-experience-team" in plan.held
    first = as_markdown([plan]).splitlines()[0]
    assert first == "## Held update of payments-webapp (revision 1): not applied"


def with_platform(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The webapp fulfilled against a real local platform API."""
    from tests.acceptance.test_apply_live import SECRETS
    from tests.fakes.rest import FakeRestTarget, platform_api

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with platform_api(FakeRestTarget()) as platform:
        point_rest_at(root, platform.url)
        outcomes, _ = run(root, WEBAPP, monkeypatch=monkeypatch)
    assert outcomes[0].state == "completed"


def test_automated_steps_say_which_tickets_they_wait_for(
    sample_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database by hand, the rest by REST: the plan says what each step waits for."""
    monkeypatch.setenv("PAC_TODAY", "2026-06-01")
    item = sample_root / "catalog/databases/database-aurora-postgresql-standard.yaml"
    item.write_text(
        item.read_text().replace("strategy: {mode: automatic}", "strategy: {mode: manual}")
    )
    plan = _planned(sample_root)
    assert [task.waits_for for task in plan.tasks] == [[], ["database"], ["database"], ["database"]]
    text = as_text([plan])
    assert text.count("     waits for the database's ticket to be resolved") == 3
    markdown = as_markdown([plan])
    assert "| # | component | step | owner | waits for |" in markdown
    assert markdown.count("| the database's ticket to be resolved |") == 3
    data = json.loads(as_json([plan]))
    tasks = data[0]["tasks"] if isinstance(data, list) else data["requests"][0]["tasks"]
    assert tasks[1]["waitsFor"] == ["database ticket"]
