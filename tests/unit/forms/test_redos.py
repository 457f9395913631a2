"""Form patterns that backtrack catastrophically: refused by validate, time-boxed anyway."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.forms.inputs import InputChecker
from pac.forms.redos import catastrophic_backtracking
from pac.forms.validators import validator_for
from tests.conftest import invoke

CATASTROPHIC = [
    "^(a+)+$",
    "(a|a)*",
    "(a*)*",
    r"^(\w+\s?)*$",
    "(x+x+)+y",
    "^(a|aa)+$",
    "(?:a+)+",
    r"^(\d|\w)+$",
    "(a{1,3})+",
    "^(([a-z])+.)+[A-Z]([a-z])+$",
]
SAFE = [
    "^[a-z][a-z0-9-]{2,28}[a-z0-9]$",
    "^([a-z0-9]+-)*[a-z0-9]+$",
    "^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+:[A-Za-z0-9._-]+$",
    r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$",
    "^(ab+)+$",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "^(?<env>[a-z]+)-cache$",
    "^(a|b)+$",
    r"^([a-z]+)\1$",
    r"(\d{3}-){2}\d{4}",
    "^CC-[0-9]{4}$",
]
HOSTILE_VALUE = "a" * 40 + "!"  # 41 characters


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_are_found(pattern: str) -> None:
    assert catastrophic_backtracking(pattern) is not None


@pytest.mark.parametrize("pattern", SAFE)
def test_patterns_that_match_one_way_pass(pattern: str) -> None:
    assert catastrophic_backtracking(pattern) is None


def _with_pattern(root: Path, pattern: str, value: str) -> None:
    item = root / "catalog/messaging/messaging-kafka-topic.yaml"
    item.write_text(item.read_text().replace("^CC-[0-9]{4}$", pattern))
    request = root / "requests/payments/payments-events.yaml"
    request.write_text(request.read_text().replace("CC-4521", value))


def test_validate_refuses_the_pattern_and_finishes(sample_root: Path) -> None:
    _with_pattern(sample_root, "^(a+)+$", HOSTILE_VALUE)
    code, out = invoke(sample_root, "validate")
    assert code == 1
    assert "error[form-pattern-backtracking] validation.pattern can take exponential time" in out


@pytest.mark.parametrize(
    ("pattern", "value"), [("^(a|a)*$", HOSTILE_VALUE), ("^(a|aa)+$", HOSTILE_VALUE)]
)
def test_matching_is_time_boxed_where_input_is_checked(
    sample_root: Path, pattern: str, value: str
) -> None:
    """Patterns the static rule might miss still cannot hang a check of request input."""
    _with_pattern(sample_root, pattern, value)
    item = Repository(sample_root).item("messaging-kafka-topic")
    assert item is not None
    checker = InputChecker(item.form)
    values = {"environment": {"stage": "prod", "costCenter": value}}
    findings = [f for f in checker.check(values) if f.path == ("environment", "costCenter")]
    assert [f.code for f in findings] == ["input-format"]
    assert "could not be checked" in findings[0].message
    assert "simplify" in findings[0].hint
    field = item.form.group("environment")
    assert field is not None
    cost = field.field("costCenter")
    assert cost is not None
    from pac.forms.schema import field_schema

    # `pac request new` checks each value alone with the reference validator.
    error = next(iter(validator_for(field_schema(cost)).iter_errors(value)), None)
    assert error is not None
