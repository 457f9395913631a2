"""What changed between two inputs of a request: effective values, `group.field` paths."""

from __future__ import annotations

from pac.documents.model import Form
from pac.documents.repository import Repository
from pac.forms.changes import changed_paths, effective_input, immutable_changes

AURORA = "database-aurora-postgresql-standard"
BEFORE = {"name": "pay-db", "credentials": {"adminPassword": {"secretRef": "PAY"}}}


def _form(repo: Repository) -> Form:
    item = repo.item(AURORA)
    assert item is not None
    return item.form


def test_writing_a_default_out_changes_nothing(sample_repo: Repository) -> None:
    form = _form(sample_repo)
    spelled = effective_input(form, BEFORE)
    assert changed_paths(form, BEFORE, spelled) == []


def test_a_changed_field_and_the_name_are_named_in_form_order(sample_repo: Repository) -> None:
    form = _form(sample_repo)
    group, field = form.fields()[0]
    after = effective_input(form, BEFORE)
    after["name"] = "pay-db2"
    after[group.id][field.id] = "something-else"
    assert changed_paths(form, BEFORE, after) == ["name", f"{group.id}.{field.id}"]
    assert [path for path, _ in immutable_changes(form, ["name"])] == ["name"]


def test_keys_the_form_does_not_know_are_named_too(sample_repo: Repository) -> None:
    form = _form(sample_repo)
    after = {**BEFORE, "retired": {"old": 1}}
    assert changed_paths(form, BEFORE, after) == ["retired"]
