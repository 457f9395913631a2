"""Which input paths an item's templates read: what a bundle's change touches."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.documents.model import Bundle
from pac.documents.repository import Repository
from pac.validation.checks.reads import components_reading, paths_read, reads
from tests.day_two import MEMCACHE, REDIS, day_two_catalog, write_item


@pytest.mark.parametrize(
    ("read", "changed", "touched"),
    [
        ({("cache", "nodeType")}, "cache.nodeType", True),
        ({("cache", "nodeType")}, "cache.memory", False),
        ({("cache",)}, "cache.memory", True),  # the whole group
        ({()}, "name", True),  # the whole input
        ({("name",)}, "name", True),
        ({("cache", "nodeType", "x")}, "cache.nodeType", True),
        ({("cache", "nodeType")}, "cache", True),  # a group the form no longer has
    ],
)
def test_a_path_is_read_by_itself_its_group_or_the_whole_input(
    read: set[tuple[str, ...]], changed: str, touched: bool
) -> None:
    assert reads(frozenset(read), changed) is touched


def test_every_list_of_both_strategies_counts(sample_root: Path) -> None:
    day_two_catalog(sample_root)
    write_item(sample_root, REDIS, update=True)  # its update reads .previous.name too
    repo = Repository(sample_root)
    item = repo.item("database-redis-cache")
    assert item is not None
    assert paths_read(repo, item) == {("name",), ("cache", "nodeType")}


def test_components_reading_a_path_in_declaration_order(sample_root: Path) -> None:
    day_two_catalog(sample_root)
    write_item(sample_root, MEMCACHE, update=True)
    repo = Repository(sample_root)
    bundle = repo.bundle("bundle-caches-standard")
    assert isinstance(bundle, Bundle)
    assert [c.id for c in components_reading(repo, bundle, "name")] == ["redis", "memcache"]
    assert [c.id for c in components_reading(repo, bundle, "cache.memory")] == ["memcache"]
    assert components_reading(repo, bundle, "cache.engine") == []
