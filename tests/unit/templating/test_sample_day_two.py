"""The sample catalog's day-2 templates, rendered by pac's engine for a changed request:
the Kafka change ticket lists old -> new, the Aurora resize is a PATCH of the cluster id
the create call returned, and every update and decommission template of every sample
item renders (SPEC §6.6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pac.documents.layout import JIRA_TEMPLATES
from pac.documents.model import CatalogItem
from pac.documents.repository import Repository, read_template_file
from pac.forms.changes import changed_paths, effective_input
from pac.templating.encoders import Target
from pac.templating.engine import render
from pac.templating.namespaces import metadata_scope
from tests.sample import sample_source

KAFKA = "messaging-kafka-topic"
AURORA = "database-aurora-postgresql-standard"


def _system(operation: str, changed: list[str], reason: str = "") -> dict[str, Any]:
    user = {"email": "dana.dev@company.com", "name": "Dana Dev", "id": "dana", "teams": ["x"]}
    return {
        "requestId": "r",
        "correlationId": "pac-r-1",
        "timestamp": "2026-11-30T10:00:00Z",
        "date": "2026-11-30",
        "time": "10:00:00",
        "uuid": "u",
        "shortId": "s",
        "user": user,
        "platform": {"account": "1", "region": "eu-west-1", "environment": "prod", "apiKey": ""},
        "catalogRevision": "abc",
        "operation": operation,
        "revision": 1,
        "changedFields": changed,
        "reason": reason,
    }


def _scope(
    repo: Repository, item: CatalogItem, before: dict[str, Any], after: dict[str, Any]
) -> dict[str, Any]:
    changed = changed_paths(item.form, before, after)
    return {
        "current": effective_input(item.form, after),
        "previous": effective_input(item.form, before),
        "output": {"clusterId": "cluster-7", "topicTicket": "MSG-1187", "namespace": "ns-1"},
        "metadata": metadata_scope(item, {item.id: item}),
        "system": _system("update", changed, "retired"),
    }


@pytest.fixture(scope="module")
def repo() -> Repository:
    return Repository(sample_source())


def _item(repo: Repository, item_id: str) -> CatalogItem:
    item = repo.item(item_id)
    assert item is not None
    return item


KAFKA_INPUT = {
    "name": "payments-refunds",
    "environment": {"stage": "prod", "costCenter": "CC-4521"},
    "topic": {"partitions": 6, "consumers": ["analytics"], "contactEmail": "d@company.com"},
}


def test_the_kafka_change_ticket_lists_old_and_new(repo: Repository) -> None:
    item = _item(repo, KAFKA)
    after = {**KAFKA_INPUT, "topic": {**KAFKA_INPUT["topic"], "partitions": 12, "retention": "30d"}}
    scope = _scope(repo, item, KAFKA_INPUT, after)
    (action,) = item.day_two[("manual", "update")]
    ticket = action.config["ticket"]
    summary = render(ticket["summaryTemplate"], scope, Target.SUMMARY)
    assert summary == (
        "Change Kafka topic prod.payments-refunds: topic.partitions, topic.retention"
    )
    source = read_template_file(repo, JIRA_TEMPLATES, ticket["descriptionTemplateFile"])
    assert source is not None
    description = render(source, scope, Target.JIRA)
    assert "|Partitions|6|12|" in description
    assert "|Retention|7d|30d|" in description
    assert "Consumer groups" not in description  # unchanged fields are not listed
    assert "Created by ticket: MSG-1187" in description


def test_the_aurora_resize_patches_the_cluster_the_create_returned(repo: Repository) -> None:
    item = _item(repo, AURORA)
    create = item.actions("automatic")[0]
    assert create.outputs["clusterId"] == "{{ .response.body.id }}"
    before = {
        "name": "payments-db",
        "environment": {"stage": "prod", "costCenter": "CC-4521"},
        "database": {},
        "credentials": {"adminPassword": {"secretRef": "PAYMENTS_DB_ADMIN"}},
    }
    after = {**before, "database": {"instanceClass": "db.r6g.large", "storageGb": 100}}
    scope = _scope(repo, item, before, after)
    assert scope["system"]["changedFields"] == ["database.instanceClass", "database.storageGb"]
    (patch,) = item.day_two[("automatic", "update")]
    endpoint = patch.config["endpoint"]
    assert endpoint["method"] == "PATCH"
    url = render(endpoint["url"], scope, Target.URL)
    assert url == "https://dbaas.platform.internal/api/v1/clusters/cluster-7"
    body = json.loads(render(patch.config["body"]["contentTemplate"], scope, Target.JSON))
    assert (body["instanceClass"], body["storageGb"]) == ("db.r6g.large", 100)
    (delete,) = item.day_two[("automatic", "decommission")]
    assert delete.config["endpoint"]["method"] == "DELETE"
    assert "/clusters/cluster-7?" in render(delete.config["endpoint"]["url"], scope, Target.URL)


def test_every_sample_item_has_day_two_lists_for_every_strategy(repo: Repository) -> None:
    for item in repo.items():
        modes = ("manual", "automatic") if item.mode == "automatic" else ("manual",)
        for mode in modes:
            for kind in ("update", "decommission"):
                assert item.day_two.get((mode, kind)), f"{item.id}: no {mode} {kind} actions"
