"""`form.json`: an offering's request form as one document — the JSON Schema pac validates
request input with, and the UI schema a form renderer needs."""

from __future__ import annotations

from typing import Any

from pac.documents.model import Offering
from pac.forms.schema import form_schema, ui_schema


def form_document(offering: Offering) -> dict[str, Any]:
    """`form.json`: the request input's JSON Schema (what pac validates) and the UI schema."""
    return {
        "offering": {"id": offering.id, "kind": offering.kind, "name": offering.name},
        "schema": form_schema(offering.form, offering.name, " ".join(offering.description.split())),
        "uiSchema": ui_schema(offering.form),
    }
