"""A request's tasks: one per action of each component, in dependency order."""

from __future__ import annotations

from pathlib import Path

from pac.documents.repository import Repository
from pac.fulfilment.tasks import expand
from pac.templating.namespaces import SystemValues


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
