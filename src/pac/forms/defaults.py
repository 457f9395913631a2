"""Defaults: a request's input with every missing field that has a default filled in."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pac.documents.model import Form


def apply_defaults(form: Form, values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `values` with every missing field that has a default filled in."""
    result = copy.deepcopy(dict(values))
    for group in form.groups:
        defaults = {f.id: copy.deepcopy(f.default) for f in group.fields if f.has_default}
        if not defaults:
            continue
        current = result.get(group.id)
        if current is None:
            result[group.id] = defaults
        elif isinstance(current, dict):
            for key, value in defaults.items():
                current.setdefault(key, value)
    return result
