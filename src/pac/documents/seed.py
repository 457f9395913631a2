"""The seed's spellings of pac's keys, read as pac's so the rest of a document is checked.

A team migrating from the seed (docs/migration.md) writes `apiVersion` for
`schemaVersion` and `input.form-data` for `input.form`. Each is reported where the header
and schema checks find it; reading past it lets the same run report everything else in
the document, instead of one more round after the rename.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from yaml.nodes import MappingNode, ScalarNode

from pac.documents.loader import Document

# Not a rule: marks a document read past a seed spelling, which is reported on its own.
SEED_RENAMED = "seed-renamed"
SEED_FORM = "form-data"


def schema_data(data: dict[str, Any]) -> dict[str, Any]:
    """The data with the seed's `apiVersion` as `schemaVersion` (the same data without)."""
    if "schemaVersion" in data or "apiVersion" not in data:
        return data
    return {"schemaVersion": data["apiVersion"]} | {
        key: value for key, value in data.items() if key != "apiVersion"
    }


def with_form_renamed(doc: Document) -> Document | None:
    """The document with the seed's `input.form-data` named `input.form`, data and nodes
    alike, so positions stay the file's own; None when the document has no such key."""
    data = doc.data.get("input")
    if not isinstance(data, dict) or SEED_FORM not in data or "form" in data:
        return None
    renamed_input = {("form" if k == SEED_FORM else k): v for k, v in data.items()}
    root = copy.copy(doc.root)
    root.value = [
        (key, _renamed_node(value) if _named(key, "input") else value) for key, value in root.value
    ]
    return replace(doc, root=root, data=doc.data | {"input": renamed_input})


def _named(node: Any, name: str) -> bool:
    return isinstance(node, ScalarNode) and node.value == name


def _renamed_node(node: Any) -> Any:
    if not isinstance(node, MappingNode):
        return node
    renamed = copy.copy(node)
    renamed.value = []
    for key, value in node.value:
        name = key
        if _named(key, SEED_FORM):
            name = copy.copy(key)
            name.value = "form"
        renamed.value.append((name, value))
    return renamed
