"""Every task of a request rendered in order, sent nowhere: outputs and ticket links."""

from __future__ import annotations

import json

import pytest
import yaml

from pac.documents.repository import Repository
from pac.fulfilment.backends import RenderedTicket
from pac.fulfilment.backends.rest import RenderedCall
from pac.fulfilment.preview import preview
from tests.conftest import FIXTURES
from tests.unit.fulfilment.test_tasks import _system


def _inputs(offering_id: str) -> dict[str, object]:
    data = yaml.safe_load((FIXTURES / "inputs" / f"{offering_id}.yaml").read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    "offering_id",
    [
        "database-aurora-postgresql-standard",
        "compute-eks-containerapp",
        "security-parameterstore-standard",
        "messaging-kafka-topic",
        "bundle-webapp-standard",
    ],
)
@pytest.mark.parametrize("strategy", ["", "manual"])
def test_every_sample_offering_renders(
    sample_repo: Repository, offering_id: str, strategy: str
) -> None:
    offering = sample_repo.offering(offering_id)
    assert offering is not None
    modes = None
    if strategy:
        ids = [c.id for c in getattr(offering, "components", ())] or [offering.id]
        modes = dict.fromkeys(ids, strategy)
    tasks = preview(
        sample_repo, offering, _inputs(offering_id), _system(sample_repo), "Blocks", modes
    )
    assert tasks
    for task in tasks:
        if isinstance(task.rendered, RenderedCall) and task.rendered.body_type == "json":
            assert isinstance(json.loads(task.rendered.body or ""), dict)
        if isinstance(task.rendered, RenderedTicket):
            assert task.rendered.summary and "\n" not in task.rendered.summary


def test_later_actions_see_earlier_outputs(sample_repo: Repository) -> None:
    bundle = sample_repo.bundle("bundle-webapp-standard")
    assert bundle is not None
    tasks = preview(sample_repo, bundle, _inputs(bundle.id), _system(sample_repo), "Blocks")
    deploy = tasks[-1].rendered
    assert isinstance(deploy, RenderedCall)
    assert deploy.url == "https://k8s.platform.internal/api/v1/namespaces/<namespace from app>/apps"
    body = json.loads(deploy.body or "")
    assert body["env"] == {
        "DATABASE_HOST": "<databaseEndpoint from database>",
        "SECRETS_PATH": "<secretsPath from secrets>",
    }


def test_tickets_of_dependent_components_are_blocked_by_their_dependencies(
    sample_repo: Repository,
) -> None:
    bundle = sample_repo.bundle("bundle-webapp-standard")
    assert bundle is not None
    modes = {"database": "manual", "secrets": "manual", "app": "manual"}
    tasks = preview(sample_repo, bundle, _inputs(bundle.id), _system(sample_repo), "Blocks", modes)
    assert [t.blocked_by for t in tasks] == [
        [],
        ["r-1/database/manual/0"],
        ["r-1/database/manual/0", "r-1/secrets/manual/0"],
    ]
    assert {t.link_type for t in tasks} == {"Blocks"}
