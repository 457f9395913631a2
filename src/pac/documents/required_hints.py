"""What to write for a required key a document lacks: a minimal correct snippet.

"Add `fulfillment:`." tells a team migrating a catalog what is missing but not what goes
there, and a guess costs another round of `pac validate`. These snippets are the smallest
valid content, taken from the starters under templates/ (which have the whole of it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pac.documents.loader import JsonPath
from pac.documents.model import NAME_PATTERN

_TICKET = '{project: KEY, issueType: Task, summaryTemplate: "Create {{ .current.name }}"}'
_MANUAL_TICKET = f"{{actions: [{{type: jira-ticket, config: {{ticket: {_TICKET}}}}}]}}"
_FIELD = "{id: size, name: Size, type: string}"
_GROUP = f"{{id: settings, name: Settings, fields: [{_FIELD}]}}"

# (the last key of the parent's path, "" at the top; the missing key) -> what to write.
_SNIPPETS: Mapping[tuple[str, str], str] = {
    ("", "components"): "components: [{id: database, catalogItem: <item id>, dependsOn: []}]",
    ("form", "type"): "type: string",
    ("form", "required"): "required: true",
    ("form", "validation"): f'validation: {{pattern: "{NAME_PATTERN}"}}',
    ("form", "groups"): f"groups: [{_GROUP}]",
    ("groups", "fields"): f"fields: [{_FIELD}]",
    ("fields", "type"): "type: string",
    ("fulfillment", "strategy"): "strategy: {mode: manual}",
    ("fulfillment", "manual"): f"manual: {_MANUAL_TICKET}",
    ("fulfillment", "orchestration"): "orchestration: {mode: sequential}",
    ("config", "ticket"): f"ticket: {_TICKET}",
    ("ticket", "issueType"): "issueType: Task",
    ("ticket", "project"): "project: KEY",
    ("ticket", "summaryTemplate"): 'summaryTemplate: "Create {{ .current.name }}"',
    (
        "config",
        "endpoint",
    ): 'endpoint: {url: "https://api.example.internal/v1/things", method: POST}',
    ("endpoint", "method"): "method: POST",
    ("body", "type"): "type: json",
    ("authentication", "token"): "token: {secretRef: NAME}",
    ("authentication", "password"): "password: {secretRef: NAME}",
    ("authentication", "key"): "key: {secretRef: NAME}",
}
# The top-level `fulfillment` differs by kind: an item's actions, a bundle's order.
_FULFILLMENT = {
    "CatalogItem": f"fulfillment: {{strategy: {{mode: manual}}, manual: {_MANUAL_TICKET}}}",
    "CatalogBundle": "fulfillment: {orchestration: {mode: sequential}}",
}
_STARTERS = {
    "CatalogItem": "templates/catalog-item.yaml",
    "CatalogBundle": "templates/catalog-bundle.yaml",
}


def required_snippet(path: JsonPath, key: str, instance: Any, schema: Mapping[str, Any]) -> str:
    """What to write for `key`, missing from `instance`, the mapping at `path` ("" when
    there is nothing better than the key itself); `schema` is the missing key's own."""
    steps = [step for step in path if isinstance(step, str)]
    parent = steps[-1] if steps else ""
    kind = instance.get("kind") if isinstance(instance, Mapping) and not path else None
    if (parent, key) == ("", "fulfillment") and kind in _FULFILLMENT:
        return f"Add `{_FULFILLMENT[kind]}` (the whole of it in {_STARTERS[kind]})."
    if (parent, key) == ("groups", "name") and isinstance(instance, Mapping):
        group = str(instance.get("id") or "settings")  # its title, from its camelCase id
        return f"Add `name: {re.sub(r'(?<=[a-z0-9])(?=[A-Z])', ' ', group).title()}`."
    if (parent, key) in _SNIPPETS:
        return f"Add `{_SNIPPETS[(parent, key)]}`."
    if "const" in schema:
        return f"Add `{key}: {schema['const']}`."
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        choices = ", ".join(str(member) for member in enum)
        return f"Add `{key}: {enum[0]}` (one of {choices})."
    return ""
