"""The four namespaces built from a request, the catalog and the system context."""

from __future__ import annotations

import datetime as dt

import pytest

from pac.documents.config import PacConfig
from pac.documents.repository import Repository
from pac.templating.namespaces import SYSTEM_KEYS, SystemValues, current_values, metadata_scope
from pac.templating.values import Secret


def test_current_has_defaults_and_secret_references(sample_repo: Repository) -> None:
    item = sample_repo.item("database-aurora-postgresql-standard")
    assert item is not None
    values = {"name": "x-db1", "credentials": {"adminPassword": {"secretRef": "X_DB"}}}
    current = current_values(item.form, values, lambda name: "pw")
    assert current["database"]["instanceClass"] == "db.t3.medium"
    secret = current["credentials"]["adminPassword"]
    assert isinstance(secret, Secret) and secret.name == "X_DB"
    assert str(secret) == "***"
    assert values["credentials"]["adminPassword"] == {"secretRef": "X_DB"}  # input untouched


def test_metadata_of_an_item_is_only_its_own(sample_repo: Repository) -> None:
    item = sample_repo.item("messaging-kafka-topic")
    assert item is not None
    scope = metadata_scope(item, {})
    assert list(scope) == ["messaging-kafka-topic"]
    assert scope["messaging-kafka-topic"]["clusterName"] == "kafka-shared-01"


def test_metadata_of_a_bundle_covers_it_and_its_items(sample_repo: Repository) -> None:
    bundle = sample_repo.bundle("bundle-webapp-standard")
    assert bundle is not None
    items = {c.catalog_item: sample_repo.item(c.catalog_item) for c in bundle.components}
    scope = metadata_scope(bundle, {k: v for k, v in items.items() if v})
    assert sorted(scope) == [
        "bundle-webapp-standard",
        "compute-eks-containerapp",
        "database-aurora-postgresql-standard",
        "security-parameterstore-standard",
    ]
    assert scope["database-aurora-postgresql-standard"]["defaultPort"] == "5432"


def _system() -> SystemValues:
    config = PacConfig(platform={"region": "eu-west-1", "apiKey": {"secretRef": "PLATFORM"}})
    return SystemValues.generate(
        "payments-db",
        "dana.dev@company.com",
        "Dana Dev",
        "payments",
        config,
        "abc123",
        now=dt.datetime(2026, 11, 22, 9, 30, 5, 123, tzinfo=dt.UTC),
        new_uuid="0f3c2a9e-1111-4222-8333-444455556666",
    )


def test_system_values_cover_every_documented_key() -> None:
    namespace = _system().as_namespace(lambda name: "k3y")
    assert {k: v for k, v in namespace.items() if k not in ("user", "platform")} == {
        "requestId": "payments-db",
        "correlationId": "pac-payments-db-0f3c2a9e",
        "timestamp": "2026-11-22T09:30:05Z",
        "date": "2026-11-22",
        "time": "09:30:05",
        "uuid": "0f3c2a9e-1111-4222-8333-444455556666",
        "shortId": "0f3c2a9e",
        "catalogRevision": "abc123",
        "operation": "create",
        "revision": 0,
        "changedFields": [],
        "reason": "",
    }
    assert set(namespace) == SYSTEM_KEYS
    assert namespace["user"] == {
        "email": "dana.dev@company.com",
        "name": "Dana Dev",
        "id": "dana.dev",
        "teams": ["payments"],
    }
    assert namespace["platform"]["region"] == "eu-west-1"
    assert str(namespace["platform"]["apiKey"]) == "***"


def test_system_values_survive_the_status_file() -> None:
    system = _system()
    record = system.to_record()
    assert "apiKey" not in str(record)
    again = SystemValues.from_record(record, PacConfig(platform=dict(system.platform)))
    assert again == system


def test_overrides_for_previews() -> None:
    changed = _system().with_overrides({"platform.region": "us-east-1", "user.teams": "a, b"})
    assert changed.platform["region"] == "us-east-1"
    assert changed.user_teams == ("a", "b")
    with pytest.raises(KeyError):
        _system().with_overrides({"nope": "x"})
