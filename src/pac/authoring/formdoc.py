"""`form.json`: an offering's request form as one document — the JSON Schema pac validates
request input with, the UI schema a form renderer needs, and the messages pac speaks."""

from __future__ import annotations

from typing import Any

from pac.documents.model import Offering
from pac.forms.messages import form_messages, requester_messages
from pac.forms.schema import form_schema, ui_schema


def form_document(offering: Offering) -> dict[str, Any]:
    """`form.json`: the request input's JSON Schema (what pac validates) and the UI schema."""
    schema = form_schema(offering.form, offering.name, " ".join(offering.description.split()))
    return {
        "offering": {"id": offering.id, "kind": offering.kind, "name": offering.name},
        "schema": schema,
        "uiSchema": ui_schema(offering.form),
        # The words pac validate uses, per field and check: the site's form fills in values.
        "messages": {**form_messages(offering.form, schema), **requester_messages()},
    }
