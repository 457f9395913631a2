"""`pac new`: scaffolded documents are valid and never overwrite."""

from __future__ import annotations

import pytest

from pac.authoring.scaffold import new_bundle, new_item
from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.validation.run import check_file


def test_new_item_is_valid_and_filled_from_the_registry(sample_repo: Repository) -> None:
    made = new_item(sample_repo, "databases", "redis", "cache")
    assert made.path == sample_repo.root / "catalog/databases/database-redis-cache.yaml"
    text = made.path.read_text()
    assert "id: database-redis-cache" in text
    assert "team: platform-databases-team, contact: dba@company.com" in text
    assert "# yaml-language-server: $schema=../../schema/catalog-item.json" in text
    assert "TODO" in text
    # Valid in every way but its placeholders, which are the author's to-do list.
    found = check_file(Repository(sample_repo.root), made.path)
    assert {d.code for d in found} == {"starter-placeholder"}
    assert any(d.message.startswith("metadata.description still holds") for d in found)


def test_new_item_refuses_to_overwrite(sample_repo: Repository) -> None:
    new_item(sample_repo, "databases", "redis", "cache")
    before = (sample_repo.root / "catalog/databases/database-redis-cache.yaml").read_text()
    with pytest.raises(UsageError, match="never overwrites"):
        new_item(sample_repo, "databases", "redis", "cache")
    after = (sample_repo.root / "catalog/databases/database-redis-cache.yaml").read_text()
    assert before == after


def test_new_bundle_refuses_to_overwrite_and_says_which_words_to_change(
    sample_repo: Repository,
) -> None:
    with pytest.raises(UsageError) as raised:
        new_bundle(sample_repo, "webapp", "standard")
    assert raised.value.message.startswith("catalog/bundles/bundle-webapp-standard.yaml already")
    assert "another NAME or VARIANT" in raised.value.hint


def test_a_mistyped_category_gets_a_suggestion_and_the_reviewers(
    sample_repo: Repository,
) -> None:
    with pytest.raises(UsageError) as raised:
        new_item(sample_repo, "database", "redis", "cache")
    assert raised.value.hint.startswith("Did you mean 'databases'?")
    assert "@acme/architecture" in raised.value.hint


@pytest.mark.parametrize(
    ("category", "service", "variant", "message"),
    [
        ("networking", "dns", "record", "not a registered category"),
        ("bundles", "x", "y", "not a registered category"),
        ("databases", "Redis", "cache", "SERVICE 'Redis'"),
        ("databases", "redis", "cache_1", "VARIANT 'cache_1'"),
    ],
)
def test_new_item_rejects_bad_arguments(
    sample_repo: Repository, category: str, service: str, variant: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        new_item(sample_repo, category, service, variant)


def test_new_bundle_from_the_template_is_valid(sample_repo: Repository) -> None:
    made = new_bundle(sample_repo, "data", "starter")
    assert made.doc_id == "bundle-data-starter"
    found = check_file(Repository(sample_repo.root), made.path)
    assert {d.code for d in found} == {"starter-placeholder"}


def test_new_bundle_with_components_builds_its_form_from_theirs(sample_repo: Repository) -> None:
    made = new_bundle(
        sample_repo,
        "events",
        "standard",
        ["messaging-kafka-topic", "security-parameterstore-standard"],
    )
    repo = Repository(sample_repo.root)
    assert {d.code for d in check_file(repo, made.path)} == {"starter-placeholder"}
    bundle = repo.bundle("bundle-events-standard")
    assert bundle is not None
    assert [(c.id, c.catalog_item, c.depends_on) for c in bundle.components] == [
        ("messagingKafka", "messaging-kafka-topic", ()),
        ("securityParameterstore", "security-parameterstore-standard", ("messagingKafka",)),
    ]
    assert [g.id for g in bundle.form.groups] == ["environment", "topic", "secrets"]


def test_new_bundle_rejects_unknown_components(sample_repo: Repository) -> None:
    with pytest.raises(UsageError, match="not a valid catalog item"):
        new_bundle(sample_repo, "x", "y", ["nothing-here-at-all"])
