"""The validators of form schemas: the fast check agrees with jsonschema; decimal steps."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pac.documents.repository import Repository
from pac.forms.inputs import InputChecker
from pac.forms.schema import form_schema
from pac.forms.validators import compile_check, validator_for
from tests.sample import sample_source

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-100, 5000) | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _plausible(field_schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = [_JSON]
    if "enum" in field_schema:
        options.append(st.sampled_from(field_schema["enum"]))
    if field_schema.get("type") == "array" and "enum" in field_schema.get("items", {}):
        options.append(st.lists(st.sampled_from(field_schema["items"]["enum"]), max_size=5))
    if field_schema.get("type") == "number":
        low, high = field_schema.get("minimum", -10), field_schema.get("maximum", 10_000)
        options.append(st.integers(low - 2, high + 2) | st.floats(low - 1, high + 1))
    if field_schema.get("format") == "date":
        options.append(st.dates().map(lambda d: d.isoformat()) | st.just("2026-02-30"))
    if "pattern" in field_schema:
        options.append(st.from_regex(field_schema["pattern"], fullmatch=True))
    if field_schema.get("type") == "object":  # a password field's secretRef
        options.append(st.fixed_dictionaries({"secretRef": st.sampled_from(["OK_NAME", "bad"])}))
    return st.one_of(options)


def _inputs(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    groups = {}
    for group_id, group in schema["properties"].items():
        if group_id == "name":
            continue
        fields = {f: _plausible(s) for f, s in group["properties"].items()}
        groups[group_id] = st.fixed_dictionaries({}, optional=fields)
    return st.fixed_dictionaries(
        {"name": _plausible(schema["properties"]["name"])},
        optional={**groups, "unknown": _JSON},
    )


def _sample_forms() -> list[dict[str, Any]]:
    repo = Repository(sample_source())
    return [form_schema(o.form) for o in [*repo.items(), *repo.bundles()]]


@pytest.mark.parametrize("schema", _sample_forms(), ids=lambda s: ",".join(s["properties"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_fast_check_agrees_with_jsonschema(schema: dict[str, Any], data: st.DataObject) -> None:
    values = data.draw(_inputs(schema))
    assert compile_check(schema)(values) == validator_for(schema).is_valid(values)


def _cpu_form() -> Any:
    from pac.documents.model import build_form

    field = {"id": "cpu", "name": "CPU", "type": "number"}
    field["validation"] = {"min": 0.1, "max": 4, "step": 0.1}
    group = {"id": "size", "name": "Size", "fields": [field]}
    return build_form({"name": "App Name", "groups": [group]}, ("input", "form"))


@pytest.mark.parametrize(
    ("cpu", "accepted"),
    [
        *[(0.3, True), (0.7, True), (2.3, True), (4, True), (0.1, True), (1, True)],
        *[(0.35, False), (0.30000000000000004, False), (1.05, False), (4.1, False)],
    ],
)
def test_a_fractional_step_counts_in_decimal(cpu: float, accepted: bool) -> None:
    """0.3 is three steps of 0.1, although 0.3 / 0.1 is 2.9999999999999996 in binary."""
    form = _cpu_form()
    values = {"name": "my-app", "size": {"cpu": cpu}}
    findings = InputChecker(form).check(values)
    assert (not findings) is accepted, findings
    # The detailed validator (error messages) and the fast check agree.
    assert validator_for(form_schema(form)).is_valid(values) is accepted
    assert compile_check(form_schema(form))(values) is accepted


def test_stock_validators_differ_from_pac_only_on_float_artefacts() -> None:
    """The one documented difference between form.json in a stock validator and pac: a
    binary-floating-point validator refuses 0.3 for step 0.1. With ajv's
    `multipleOfPrecision` (a tolerance on the quotient, emulated here) they agree again."""
    from jsonschema import Draft7Validator

    schema = form_schema(_cpu_form())
    assert schema["properties"]["size"]["properties"]["cpu"]["multipleOf"] == 0.1
    stock = Draft7Validator(schema)

    def ajv_with_precision(value: float, step: float, digits: int = 8) -> bool:
        quotient = value / step
        return abs(round(quotient) - quotient) <= 10**-digits

    differ = []
    for cpu in (0.3, 0.7, 2.3, 0.35, 1.05, 1.0, 0.5, 3.9):
        values = {"name": "my-app", "size": {"cpu": cpu}}
        by_pac = not InputChecker(_cpu_form()).check(values)
        assert ajv_with_precision(cpu, 0.1) is by_pac, cpu
        if stock.is_valid(values) is not by_pac:
            assert by_pac, cpu  # a stock validator is only ever stricter
            differ.append(cpu)
    assert 0.3 in differ and 0.35 not in differ
