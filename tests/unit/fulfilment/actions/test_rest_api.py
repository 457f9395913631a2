"""`rest-api` actions rendered: the URL's host, a JSON body that stays JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.fulfilment.preview import preview
from pac.fulfilment.rendering import RenderError
from tests.unit.fulfilment.test_preview import _inputs
from tests.unit.fulfilment.test_tasks import _system


def test_a_body_that_is_not_json_is_an_error(sample_root: Path) -> None:
    path = sample_root / "catalog/compute/compute-eks-containerapp.yaml"
    path.write_text(
        path.read_text().replace(
            '"costCenter": "{{ .current.environment.costCenter }}"}',
            '"costCenter": "{{ .current.environment.costCenter }}",}',
        )
    )
    repo = Repository(sample_root)
    item = repo.item("compute-eks-containerapp")
    assert item is not None
    with pytest.raises(RenderError, match="the body is not valid JSON"):
        preview(repo, item, _inputs(item.id), _system(repo), "Blocks")


@pytest.mark.parametrize("number", [float("nan"), float("inf")])
def test_a_number_json_cannot_hold_is_an_error_not_a_broken_body(
    sample_repo: Repository, number: float
) -> None:
    item = sample_repo.item("compute-eks-containerapp")
    assert item is not None
    values = _inputs(item.id)
    values["app"] = {**values["app"], "replicas": number}  # type: ignore[dict-item]
    with pytest.raises(RenderError, match="not finite"):
        preview(sample_repo, item, values, _system(sample_repo), "Blocks")


def test_a_url_whose_host_comes_from_a_value_is_an_error(sample_root: Path) -> None:
    path = sample_root / "catalog/compute/compute-eks-containerapp.yaml"
    path.write_text(
        path.read_text()
        .replace("  clusterName: eks-shared-01", "  clusterName: eks-shared-01\n  api: https://k8s")
        .replace(
            "url: https://k8s.platform.internal/api/v1/namespaces",
            'url: "{{ .metadata.compute-eks-containerapp.api }}/api/v1/namespaces"',
        )
    )
    repo = Repository(sample_root)
    item = repo.item("compute-eks-containerapp")
    assert item is not None
    with pytest.raises(RenderError, match="not an absolute http") as caught:
        preview(repo, item, _inputs(item.id), _system(repo), "Blocks")
    assert "https%3A%2F%2Fk8s/api/v1/namespaces" in caught.value.message
    assert "percent-encoded" in caught.value.hint
