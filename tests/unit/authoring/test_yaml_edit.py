"""Setting `operations.<key>` in a request file's text: one line changes, nothing else."""

from __future__ import annotations

import pytest
import yaml

from pac.authoring.yaml_edit import EditRefused, set_operation

HEAD = "# a comment that stays\nschemaVersion: catalog/v1   # trailing\ninput:\n  name: x\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (HEAD, HEAD + "operations: {upgrade: 1.3.0}\n"),
        (HEAD.rstrip("\n"), HEAD + "operations: {upgrade: 1.3.0}\n"),
        (
            HEAD + "operations:\n  retry: 1  # why\n# after\n",
            HEAD + "operations:\n  retry: 1  # why\n  upgrade: 1.3.0\n# after\n",
        ),
        (
            "operations:\n    retry: 2\ninput: {name: x}\n",
            "operations:\n    retry: 2\n    upgrade: 1.3.0\ninput: {name: x}\n",
        ),
        (HEAD + "operations: {retry: 1}\n", HEAD + "operations: {retry: 1, upgrade: 1.3.0}\n"),
        (HEAD + "operations: {}\n", HEAD + "operations: {upgrade: 1.3.0}\n"),
        (
            HEAD + "operations: {\n  retry: 1\n}\n",
            HEAD + "operations: {\n  retry: 1, upgrade: 1.3.0\n}\n",
        ),
        (
            HEAD + "operations: {retry: 1, upgrade: '1.2.0'}\n",
            HEAD + "operations: {retry: 1, upgrade: 1.3.0}\n",
        ),
        (
            "# café — née\noperations:\n  retry: 1  # ça\ninput: {name: é}\n",
            "# café — née\noperations:\n  retry: 1  # ça\n  upgrade: 1.3.0\ninput: {name: é}\n",
        ),
        (
            "input:\r\n  name: x\r\n",
            "input:\r\n  name: x\r\noperations: {upgrade: 1.3.0}\r\n",
        ),
    ],
)
def test_one_key_is_set_and_every_other_byte_stays(before: str, after: str) -> None:
    assert set_operation(before, "upgrade", "1.3.0") == after
    data = yaml.safe_load(after)
    assert data["operations"]["upgrade"] == "1.3.0"


def test_a_value_that_would_read_as_a_number_is_quoted() -> None:
    edited = set_operation("input: {}\n", "upgrade", "1.3")
    assert yaml.safe_load(edited)["operations"] == {"upgrade": "1.3"}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("input: {}\noperations:\n", "not a mapping"),
        ("input: {}\noperations: [upgrade]\n", "not a mapping"),
        ("input: {}\n...\n", "document marker"),
        ("input: {}\noperations: {upgrade: [1]}\n", "not a plain value"),
        ("input: [\n", "not valid YAML"),
        ("- a\n", "not a request document"),
    ],
)
def test_what_cannot_be_edited_safely_is_refused_with_what_to_do(text: str, why: str) -> None:
    with pytest.raises(EditRefused) as caught:
        set_operation(text, "upgrade", "1.3.0")
    assert why in caught.value.message
    assert caught.value.hint
