"""Defaults filling a request's missing input."""

from __future__ import annotations

from pac.documents.model import CatalogItem
from pac.documents.repository import Repository
from pac.forms.defaults import apply_defaults


def _item(repo: Repository, item_id: str) -> CatalogItem:
    item = repo.item(item_id)
    assert item is not None
    return item


def test_apply_defaults_fills_missing_fields_only(sample_repo: Repository) -> None:
    form = _item(sample_repo, "database-aurora-postgresql-standard").form
    values = {"name": "x-db1", "database": {"storageGb": 50}}
    filled = apply_defaults(form, values)
    assert filled["database"]["storageGb"] == 50
    assert filled["database"]["instanceClass"] == "db.t3.medium"
    assert filled["database"]["extensions"] == ["pg_stat_statements"]
    assert filled["environment"] == {"stage": "dev"}
    assert "credentials" not in filled  # no defaults there
    assert values == {"name": "x-db1", "database": {"storageGb": 50}}  # input untouched
