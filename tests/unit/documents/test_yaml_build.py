"""Building YAML data: the YAML 1.2 core schema, YAML 1.1 surprises, tags, merges, aliases."""

from __future__ import annotations

import pytest

from tests.unit.documents.test_loader import codes, load


def test_scalars_follow_the_yaml_1_2_core_schema() -> None:
    doc = load(
        "a: 1\nb: -2.5\nc: true\nd: ~\ne: 0x1f\nf: 0o17\ng: .inf\nh: 2024-01-01\n"
        "i: 1.2.0\nj: '3'\nk: null\nl:\nm: 1e3\n"
    ).document
    assert doc is not None
    assert doc.data == {
        "a": 1,
        "b": -2.5,
        "c": True,
        "d": None,
        "e": 31,
        "f": 15,
        "g": float("inf"),
        "h": "2024-01-01",
        "i": "1.2.0",
        "j": "3",
        "k": None,
        "l": None,
        "m": 1000.0,
    }


@pytest.mark.parametrize("text", ["a: .nan\n", "a: -.inf\n", "a: !!float .inf\n", "a: 1e400\n"])
def test_numbers_json_cannot_hold_are_refused(text: str) -> None:
    assert codes(text) == [("schema-type", 1, 4)]


def test_yaml_1_1_booleans_stay_strings_with_a_warning() -> None:
    result = load("enabled: yes\nmode: on\nquoted: 'no'\n")
    assert result.document is not None
    assert result.document.data == {"enabled": "yes", "mode": "on", "quoted": "no"}
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [
        ("yaml-ambiguous-value", "warning"),
        ("yaml-ambiguous-value", "warning"),
    ]


@pytest.mark.parametrize(
    ("value", "data", "yaml11"),
    [
        ("012", 12, "the octal number 10"),
        ("019", 19, "a string"),
        ("1_000", "1_000", "the number 1000"),
        ("12:30", "12:30", "the number 750"),
    ],
)
def test_numbers_yaml_1_1_reads_differently_get_a_warning(
    value: str, data: object, yaml11: str
) -> None:
    result = load(f"a: {value}\n")
    assert result.document is not None
    assert result.document.data == {"a": data}
    [finding] = result.diagnostics
    assert (finding.code, finding.severity.value) == ("yaml-ambiguous-value", "warning")
    assert finding.message.endswith(f"YAML 1.1 tools read it as {yaml11}")


def test_plain_numbers_and_versions_get_no_warning() -> None:
    assert codes("a: 0\nb: 10\nc: 0.5\nd: 1.2.0\ne: 09:30\nf: 0x1F\n") == []


def test_explicit_core_tags_are_honoured_and_checked() -> None:
    result = load("a: !!str 12\nb: !!int '7'\nc: !!int seven\n")
    assert result.document is not None
    assert result.document.data["a"] == "12"
    assert result.document.data["b"] == 7
    assert [(d.code, d.line) for d in result.diagnostics] == [("yaml-tag", 3)]


def test_duplicate_keys_are_reported_at_the_second_key() -> None:
    assert codes("a: 1\nb:\n  c: 1\n  c: 2\n") == [("yaml-duplicate-key", 4, 3)]


def test_merge_keys_fill_but_never_override() -> None:
    doc = load("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n").document
    assert doc is not None
    assert doc.data["child"] == {"x": 1, "y": 3}


def test_aliases_are_deep_copies() -> None:
    doc = load("a: &x {k: [1]}\nb: *x\n").document
    assert doc is not None
    doc.data["a"]["k"].append(2)
    assert doc.data["b"] == {"k": [1]}
