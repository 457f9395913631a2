"""Backstage entities of `pac export --backstage`: names, the repository, resources, location."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pac.authoring.backstage import (
    LOCATION_FILE,
    backstage_files,
    entity_name,
    publishing,
    resource_entity,
    tags,
)
from pac.authoring.discovery import offerings
from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.records.store import StatusStore
from tests.conftest import invoke

# Backstage's rule for metadata.name (catalog-model's KubernetesValidatorFunctions).
NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
TAG = re.compile(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$")
PUB = publishing("https://github.com/acme/catalog", "", {}, "https://acme.github.io/catalog")


@pytest.mark.parametrize(
    "text",
    ["payments-db", "a" * 80, "x y/z%20?#&é漢字", "--edge--", "___", "", "🚀", "a.b_c-d"],
)
def test_entity_names_satisfy_backstages_rule(text: str) -> None:
    name = entity_name("pac-request-", text)
    assert NAME.match(name) and len(name) <= 63, name


def test_an_entity_name_is_kept_when_it_can_be_and_told_apart_when_it_cannot() -> None:
    assert entity_name("pac-", "messaging-kafka-topic") == "pac-messaging-kafka-topic"
    long_a, long_b = "a" * 70 + "-one", "a" * 70 + "-two"
    assert entity_name("pac-", long_a) != entity_name("pac-", long_b)
    assert entity_name("", "a b") != entity_name("", "a/b")


def test_tags_follow_backstages_format() -> None:
    found = tags(["pac", "Kafka Events", "c++", "pac", "ünïcode", "a" * 80, "--"])
    assert found[:3] == ["pac", "kafka-events", "c++"]
    assert all(TAG.match(tag) and len(tag) <= 63 for tag in found)
    assert found.count("pac") == 1


def test_the_repository_comes_from_pac_yaml_then_from_github_actions() -> None:
    pub = publishing("https://github.example.com/acme/catalog.git/", "main", {})
    assert pub.repo_url == "github.example.com?owner=acme&repo=catalog"
    assert pub.branch == "main" and pub.url == "https://github.example.com/acme/catalog"
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r"}
    assert publishing("", "", env).repo_url == "github.com?owner=o&repo=r"
    assert publishing("https://github.com/a/b", "", env).owner == "a"


@pytest.mark.parametrize(
    ("url", "site", "words"),
    [
        ("", "", "none is set"),
        ("git@github.com:acme/catalog.git", "", "not the http(s) address"),
        ("javascript:alert(1)", "", "not the http(s) address"),
        ("https://github.com/acme", "", "not the http(s) address"),
        ("https://github.com/acme/catalog", "file:///tmp/site", "--site-url"),
    ],
)
def test_a_missing_or_unusable_address_is_a_usage_error(url: str, site: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        publishing(url, "", {}, site)
    assert words in str(caught.value)
    assert "repository.url" in caught.value.hint or "published" in caught.value.hint


def test_a_request_without_status_is_a_submitted_resource_of_its_team(
    sample_repo: Repository,
) -> None:
    request = sample_repo.request("payments-webapp")
    assert request is not None
    entity = resource_entity(PUB, request, None)
    assert entity["kind"] == "Resource" and entity["spec"]["type"] == "pac-request"
    assert entity["spec"]["owner"] == "group:payments"
    assert entity["metadata"]["annotations"]["pac.catalog/state"] == "submitted"
    links = {link["title"]: link["url"] for link in entity["metadata"]["links"]}
    assert links["Request page"] == "https://acme.github.io/catalog/requests/payments-webapp.html"
    assert links["Request file"].endswith("/blob/HEAD/requests/payments/payments-webapp.yaml")


def test_a_resource_names_its_tickets_with_their_teams(sample_repo: Repository) -> None:
    request = sample_repo.request("payments-webapp")
    assert request is not None
    status = RequestStatus(request="payments-webapp", state=RequestState.PROCESSING, revision=1)
    status.tasks = [
        TaskStatus(
            key="k1", component="db", catalog_item="x", action="jira-ticket", strategy="manual",
            index=0, owner_team="dba", ticket_key="DBA-7", ticket_url="https://jira/browse/DBA-7",
            state=TaskState.PROCESSING,
        ),
        TaskStatus(
            key="k2", component="app", catalog_item="y", action="jira-ticket", strategy="manual",
            index=0, owner_team="k8s", ticket_key="K8S-1", ticket_url="javascript:alert(1)",
        ),
    ]  # fmt: skip
    entity = resource_entity(PUB, request, status)
    annotations = entity["metadata"]["annotations"]
    assert annotations["pac.catalog/state"] == "processing"
    assert annotations["pac.catalog/tickets"] == "DBA-7, K8S-1"
    assert annotations["pac.catalog/revision"] == "1"
    urls = [link["url"] for link in entity["metadata"]["links"]]
    assert "https://jira/browse/DBA-7" in urls
    assert not any(url.startswith("javascript:") for url in urls)
    titles = [link["title"] for link in entity["metadata"]["links"]]
    assert "DBA-7 (dba)" in titles


def test_the_location_lists_every_template_and_live_request(
    sample_repo: Repository, sample_root: Path
) -> None:
    StatusStore(sample_root).save(
        RequestStatus(request="payments-events", state=RequestState.DECOMMISSIONED)
    )
    files = backstage_files(sample_repo, offerings(sample_repo), PUB)
    location = yaml.safe_load(files[LOCATION_FILE])
    assert location["kind"] == "Location"
    targets = location["spec"]["targets"]
    assert "./resources/pac-request-payments-webapp.yaml" in targets
    assert not any("payments-events" in target for target in targets)  # decommissioned
    assert sum(target.startswith("./templates/") for target in targets) == len(
        offerings(sample_repo)
    )
    for target in targets:
        assert f"backstage/{target[2:]}" in files


def test_export_backstage_needs_the_repository_address(
    sample_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_SERVER_URL", raising=False)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    code, out = invoke(sample_root, "export", "--out", str(tmp_path / "site"), "--backstage")
    assert code == 2 and "Traceback" not in out
    assert "repository.url" in out
    assert not (tmp_path / "site").exists()


def test_export_backstage_writes_the_entities_beside_the_site(
    sample_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sample_root / "pac.yaml"
    config.write_text(config.read_text() + "repository: {url: 'https://github.com/acme/catalog'}\n")
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    code, out = invoke(sample_root, "export", "--out", str(tmp_path / "site"), "--backstage")
    assert code == 0, out
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "backstage" / "catalog-info.yaml").is_file()
    manifest = (tmp_path / "site" / ".pac-export").read_text()
    assert "backstage/catalog-info.yaml" in manifest
    # Exporting again without --backstage removes what the earlier export wrote for it.
    code, out = invoke(sample_root, "export", "--out", str(tmp_path / "site"))
    assert code == 0 and not (tmp_path / "site" / "backstage").exists()
