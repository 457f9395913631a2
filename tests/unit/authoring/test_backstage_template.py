"""An offering as a Backstage Software Template: parameter pages, steps, the request file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pac.authoring.backstage import publishing
from pac.authoring.backstage_template import (
    API_VERSION,
    REQUEST_ID,
    parameters,
    request_file,
    template_files,
)
from pac.documents.model import Offering
from pac.documents.repository import Repository
from pac.forms.schema import form_schema

PUB = publishing("https://github.com/acme/catalog", "main", {}, "https://acme.github.io/c")


def _offering(repo: Repository, offering_id: str) -> Offering:
    found = repo.offering(offering_id)
    assert found is not None
    return found


def _strip_ui(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip_ui(v) for k, v in schema.items() if not k.startswith("ui:")}
    return schema


def test_a_page_per_group_after_the_request_page(sample_repo: Repository) -> None:
    topic = _offering(sample_repo, "messaging-kafka-topic")
    pages = parameters(topic)
    assert [page["title"] for page in pages] == ["Request", "Environment", "Topic"]
    assert pages[0]["required"] == [REQUEST_ID, "pac_email", "pac_requester", "pac_team", "name"]
    # Without its ui: hints, each group is the schema pac validate checks input with.
    schema = form_schema(topic.form)
    assert _strip_ui(pages[2]["properties"]["topic"]) == schema["properties"]["topic"]
    assert pages[1]["required"] == ["environment"]
    assert _strip_ui(pages[0]["properties"]["name"]) == schema["properties"]["name"]


def test_ui_hints_sit_inside_the_schema_as_backstage_reads_them(sample_repo: Repository) -> None:
    topic = parameters(_offering(sample_repo, "messaging-kafka-topic"))[2]["properties"]["topic"]
    assert topic["ui:order"][0] == "partitions"
    fields = topic["properties"]
    assert fields["retention"]["ui:widget"] == "select"
    # Help said once: the description shows under the title, no ui:help repeating it.
    assert "description" in fields["consumers"] and "ui:help" not in fields["consumers"]
    # A file field holds a path in the repository, typed in, never uploaded content.
    assert fields["schemaFile"]["ui:widget"] == "text"


def test_a_password_field_asks_for_the_name_of_a_secret(sample_repo: Repository) -> None:
    db = parameters(_offering(sample_repo, "database-aurora-postgresql-standard"))
    password = db[3]["properties"]["credentials"]["properties"]["adminPassword"]
    secret = password["properties"]["secretRef"]
    assert secret["ui:placeholder"] == "NAME_OF_THE_CI_SECRET"
    # What to type is said once: the owners' description here, pac's own help otherwise.
    assert secret["title"] == "Secret name" and "PAC_SECRET_<NAME>" in secret["description"]
    assert "never the secret itself" in secret.get("ui:help", "never the secret itself")
    assert secret["pattern"] == "^[A-Z][A-Z0-9_]*$"


def test_the_steps_write_the_file_and_open_a_rerunnable_pull_request(
    sample_repo: Repository,
) -> None:
    built = template_files(
        _offering(sample_repo, "bundle-webapp-standard"),
        "pac-bundle-webapp-standard",
        PUB,
        ["@acme/dba", "@acme/k8s", "@alice"],
        ["pac"],
    )
    entity = built.entity
    assert entity["apiVersion"] == API_VERSION and entity["kind"] == "Template"
    assert entity["spec"]["type"] == "pac-bundle"
    fetch, publish = entity["spec"]["steps"]
    assert fetch["action"] == "fetch:template" and fetch["input"]["url"] == "./request"
    assert fetch["input"]["values"]["input"]["app"] == "${{ parameters.app }}"
    step = publish["input"]
    assert publish["action"] == "publish:github:pull-request"
    assert step["repoUrl"] == "github.com?owner=acme&repo=catalog"
    assert step["branchName"] == "pac/request-${{ parameters.pac_id }}"
    assert step["update"] is True and step["targetBranchName"] == "main"
    assert step["teamReviewers"] == ["dba", "k8s"] and step["reviewers"] == ["alice"]
    links = entity["spec"]["output"]["links"]
    assert links[0]["url"] == "${{ steps['publish'].output.remoteUrl }}"
    assert links[1]["url"] == "https://acme.github.io/c/requests/${{ parameters.pac_id }}.html"
    (path,) = built.content
    assert path == "request/requests/${{values.team}}/${{values.id}}.yaml"


def test_the_request_file_holds_ids_and_dumped_values_never_catalog_text(
    sample_root: Path,
) -> None:
    item = sample_root / "catalog" / "messaging" / "messaging-kafka-topic.yaml"
    item.write_text(item.read_text().replace("name: Kafka Topic", "name: '${{ evil }} {% x %}'"))
    topic = _offering(Repository(sample_root), "messaging-kafka-topic")
    text = request_file(topic)
    assert "evil" not in text
    assert 'catalogItemId: "messaging-kafka-topic"' in text
    assert "  name: ${{ yaml(values.input.name) }}" in text
    assert '{% if values.input["topic"] is defined %}' in text
    assert "{% macro yaml(value) %}${{ value | dump" in text
    assert '| replace("\u2028", "\\\\u2028")' in text


@pytest.mark.parametrize("offering_id", ["bundle-webapp-standard", "messaging-kafka-topic"])
def test_template_names_its_offering_and_owner(sample_repo: Repository, offering_id: str) -> None:
    offering = _offering(sample_repo, offering_id)
    built = template_files(offering, f"pac-{offering_id}", PUB, [], ["pac"])
    metadata = built.entity["metadata"]
    assert metadata["title"] == offering.name
    assert metadata["annotations"]["pac.catalog/offering-id"] == offering_id
    assert metadata["links"][0]["url"] == f"https://acme.github.io/c/items/{offering_id}.html"
    assert built.entity["spec"]["owner"] == f"group:{offering.owner.team}"
    assert "teamReviewers" not in built.entity["spec"]["steps"][1]["input"]
