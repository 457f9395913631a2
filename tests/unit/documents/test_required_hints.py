"""Snippets for a missing required key: valid YAML that gives the key (issue 11)."""

from __future__ import annotations

import pytest
import yaml

from pac.documents import required_hints
from pac.documents.required_hints import required_snippet


def _written(hint: str) -> object:
    assert hint.startswith("Add `"), hint
    return yaml.safe_load(hint[len("Add `") : hint.index("`", len("Add `"))])


@pytest.mark.parametrize("where", sorted(required_hints._SNIPPETS))
def test_every_snippet_is_yaml_giving_its_key(where: tuple[str, str]) -> None:
    parent, key = where
    written = _written(required_snippet((parent,) if parent else (), key, {}, {}))
    assert isinstance(written, dict) and list(written) == [key]


@pytest.mark.parametrize("kind", ["CatalogItem", "CatalogBundle"])
def test_the_top_level_fulfillment_follows_the_kind(kind: str) -> None:
    hint = required_snippet((), "fulfillment", {"kind": kind}, {})
    fulfillment = _written(hint)
    assert isinstance(fulfillment, dict)
    assert ("orchestration" in fulfillment["fulfillment"]) is (kind == "CatalogBundle")


def test_a_group_is_named_after_its_id() -> None:
    hint = required_snippet(("input", "form", "groups", 0), "name", {"id": "dbSettings"}, {})
    assert hint == "Add `name: Db Settings`."


def test_a_const_or_enum_is_written_out_and_anything_else_left_to_the_key() -> None:
    assert required_snippet((), "kind", {}, {"const": "CatalogItem"}) == "Add `kind: CatalogItem`."
    assert required_snippet(("x",), "mode", {}, {"enum": ["a", "b"]}) == (
        "Add `mode: a` (one of a, b)."
    )
    assert required_snippet(("x",), "other", {}, {"type": "string"}) == ""
