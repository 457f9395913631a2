"""`form.json`: the schema pac validates request input with, beside the UI schema."""

from __future__ import annotations

from pac.authoring import discovery
from pac.authoring.formdoc import form_document
from pac.documents.repository import Repository
from pac.forms.schema import form_schema, ui_schema


def test_form_document_is_the_schema_pac_validates_with(sample_repo: Repository) -> None:
    offering = discovery.find(sample_repo, "messaging-kafka-topic")
    document = form_document(offering)
    assert document["offering"] == {
        "id": "messaging-kafka-topic",
        "kind": offering.kind,
        "name": offering.name,
    }
    assert document["schema"]["properties"] == form_schema(offering.form)["properties"]
    assert document["uiSchema"] == ui_schema(offering.form)
