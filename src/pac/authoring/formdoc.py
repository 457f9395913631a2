"""`form.json`: an offering's request form as one document — the JSON Schema pac validates
request input with, the UI schema a form renderer needs, and the messages pac speaks."""

from __future__ import annotations

from typing import Any

from pac.documents.model import Offering
from pac.forms.messages import form_messages, requester_messages
from pac.forms.schema import form_schema, ui_schema

# The last offering's document: `pac export` asks for it twice in a row (form.json, then
# the page that embeds it), and its messages are the costly part.
_last: list[tuple[Offering, dict[str, Any]]] = []


def form_document(offering: Offering) -> dict[str, Any]:
    """`form.json`: the request input's JSON Schema (what pac validates) and the UI schema.

    A fresh top-level mapping each call (callers may add keys); the parts are shared.
    """
    if _last and _last[0][0] is offering:
        return dict(_last[0][1])
    document = _form_document(offering)
    _last[:] = [(offering, document)]
    return dict(document)


def _form_document(offering: Offering) -> dict[str, Any]:
    schema = form_schema(offering.form, offering.name, " ".join(offering.description.split()))
    return {
        "offering": {"id": offering.id, "kind": offering.kind, "name": offering.name},
        "schema": schema,
        "uiSchema": ui_schema(offering.form),
        # The words pac validate uses, per field and check: the site's form fills in values.
        "messages": {**form_messages(offering.form, schema), **requester_messages()},
    }
