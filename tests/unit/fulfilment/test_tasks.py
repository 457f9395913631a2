"""A request's tasks: one per action of each component, in dependency order."""

from __future__ import annotations

from pathlib import Path

from pac.documents.lifecycle import Operation
from pac.documents.repository import Repository
from pac.fulfilment.tasks import expand
from pac.templating.namespaces import SystemValues
from tests.day2 import COMPUTE, add_day_two


def _system(repo: Repository, request_id: str = "r-1") -> SystemValues:
    return SystemValues.generate(
        request_id, "dev@company.com", "Dev", "payments", repo.config, "rev", new_uuid="u" * 32
    )


def test_bundle_components_run_in_dependency_order(sample_repo: Repository) -> None:
    bundle = sample_repo.bundle("bundle-webapp-standard")
    assert bundle is not None
    specs = expand(sample_repo, bundle)
    assert [(s.component, s.mode, s.index) for s in specs] == [
        ("database", "automatic", 0),
        ("secrets", "automatic", 0),
        ("app", "automatic", 0),
        ("app", "automatic", 1),
    ]
    assert specs[0].key("payments-webapp") == "payments-webapp/database/automatic/0"
    manual = expand(sample_repo, bundle, {"secrets": "manual"})
    assert [s.mode for s in manual] == ["automatic", "manual", "automatic", "automatic"]


def test_declaration_order_breaks_ties(sample_root: Path) -> None:
    path = sample_root / "catalog/bundles/bundle-webapp-standard.yaml"
    path.write_text(path.read_text().replace("dependsOn: [database, secrets]", "dependsOn: []"))
    bundle = Repository(sample_root).bundle("bundle-webapp-standard")
    assert bundle is not None
    assert [c.id for c in bundle.ordered_components()] == ["database", "secrets", "app"]


def test_later_revisions_have_their_own_keys_and_revision_zero_keeps_its_own(
    sample_root: Path,
) -> None:
    add_day_two(sample_root)
    repo = Repository(sample_root)
    bundle = repo.bundle("bundle-webapp-standard")
    assert bundle is not None
    updates = expand(repo, bundle, operation=Operation.UPDATE, revision=2, components={"app"})
    assert [s.key("payments-webapp") for s in updates] == [
        "payments-webapp/r2/app/automatic/update/0"
    ]
    assert updates[0].action.path == ("fulfillment", "automatic", "update", 0)
    assert expand(repo, bundle)[0].key("payments-webapp") == "payments-webapp/database/automatic/0"


def test_a_decommission_runs_dependents_first_and_each_is_blocked_by_its_dependents(
    sample_root: Path,
) -> None:
    add_day_two(sample_root)
    repo = Repository(sample_root)
    bundle = repo.bundle("bundle-webapp-standard")
    assert bundle is not None
    specs = expand(repo, bundle, operation=Operation.DECOMMISSION, revision=3)
    assert [(s.component, s.depends_on) for s in specs] == [
        ("app", ()),
        ("secrets", ("app",)),
        ("database", ("secrets", "app")),
    ]
    assert specs[2].key("w") == "w/r3/database/automatic/decommission/0"


def test_a_component_without_the_list_runs_nothing(sample_root: Path) -> None:
    add_day_two(sample_root, skip=(COMPUTE,))
    repo = Repository(sample_root)
    bundle = repo.bundle("bundle-webapp-standard")
    assert bundle is not None
    specs = expand(repo, bundle, operation=Operation.DECOMMISSION, revision=1)
    assert [s.component for s in specs] == ["secrets", "database"]
