"""Forms as JSON Schema, defaults, and checking request input."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pac.documents.model import CatalogItem
from pac.documents.repository import Repository
from pac.forms.schema import EMAIL_PATTERN, InputChecker, apply_defaults, form_schema, validator_for


def _item(repo: Repository, item_id: str) -> CatalogItem:
    item = repo.item(item_id)
    assert item is not None
    return item


def test_form_schema_nests_groups_and_lists_what_is_required(sample_repo: Repository) -> None:
    schema = form_schema(_item(sample_repo, "database-aurora-postgresql-standard").form)
    assert schema["additionalProperties"] is False
    # `environment.stage` is required but has a default, so only costCenter is needed.
    assert schema["required"] == ["name", "environment", "credentials"]
    assert schema["properties"]["environment"]["required"] == ["costCenter"]
    storage = schema["properties"]["database"]["properties"]["storageGb"]
    assert storage == {
        "type": "number",
        "minimum": 20,
        "maximum": 2000,
        "multipleOf": 10,
        "title": "Storage (GiB)",
        "description": "Initial allocated storage; it grows automatically.",
        "default": 20,
    }
    password = schema["properties"]["credentials"]["properties"]["adminPassword"]
    assert password["required"] == ["secretRef"]


def test_every_field_type_maps_to_json_schema(sample_repo: Repository) -> None:
    topic = form_schema(_item(sample_repo, "messaging-kafka-topic").form)["properties"]["topic"]
    fields = topic["properties"]
    assert fields["consumers"]["type"] == "array"
    assert fields["consumers"]["items"]["enum"] == ["analytics", "fraud", "search", "notifications"]
    assert fields["goLiveDate"]["format"] == "date"
    assert fields["goLiveDate"]["formatMinimum"] == "2026-01-01"
    assert fields["schemaFile"]["pattern"] == r"\.(avsc|json)$"
    assert fields["purpose"] == {
        "type": "string",
        "minLength": 10,
        "maxLength": 2000,
        "title": "Purpose",
        "description": "What flows through the topic and who produces it.",
    }
    assert fields["contactEmail"] == {
        "type": "string",
        "pattern": EMAIL_PATTERN,
        "title": "Technical Contact",
    }
    assert fields["compacted"]["type"] == "boolean"


def test_apply_defaults_fills_missing_fields_only(sample_repo: Repository) -> None:
    form = _item(sample_repo, "database-aurora-postgresql-standard").form
    values = {"name": "x-db1", "database": {"storageGb": 50}}
    filled = apply_defaults(form, values)
    assert filled["database"]["storageGb"] == 50
    assert filled["database"]["instanceClass"] == "db.t3.medium"
    assert filled["database"]["extensions"] == ["pg_stat_statements"]
    assert filled["environment"] == {"stage": "dev"}
    assert "credentials" not in filled  # no defaults there
    assert values == {"name": "x-db1", "database": {"storageGb": 50}}  # input untouched


VALID: dict[str, Any] = {
    "name": "orders-events",
    "environment": {"stage": "prod", "costCenter": "CC-0001"},
    "topic": {"consumers": ["fraud"], "contactEmail": "a@b.co", "goLiveDate": "2026-05-05"},
}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "Orders"}, "input-format"),
        ({"topic": {**VALID["topic"], "partitions": 0}}, "input-range"),
        ({"topic": {**VALID["topic"], "partitions": 2.5}}, "input-range"),
        ({"topic": {**VALID["topic"], "retention": "2d"}}, "input-choice"),
        ({"topic": {**VALID["topic"], "consumers": []}}, "input-range"),
        ({"topic": {**VALID["topic"], "consumers": ["fraud", "fraud"]}}, "input-choice"),
        ({"topic": {**VALID["topic"], "contactEmail": "nobody"}}, "input-format"),
        ({"topic": {**VALID["topic"], "goLiveDate": "2031-01-01"}}, "input-range"),
        ({"topic": {**VALID["topic"], "goLiveDate": "05/05/2026"}}, "input-format"),
        ({"topic": {**VALID["topic"], "compacted": "yes"}}, "input-type"),
        ({"topic": {**VALID["topic"], "purpose": "short"}}, "input-range"),
        ({"topic": {**VALID["topic"], "schemaFile": "schema.xml"}}, "input-file"),
        ({"topic": {"consumers": ["fraud"]}}, "input-required"),
        ({"extra": 1}, "input-unknown-field"),
        ({"environment": "prod"}, "input-type"),
    ],
)
def test_input_mistakes_get_their_codes(
    sample_repo: Repository, change: dict[str, Any], code: str
) -> None:
    checker = InputChecker(_item(sample_repo, "messaging-kafka-topic").form)
    assert checker.check(VALID) == []
    findings = checker.check({**VALID, **change})
    assert [f.code for f in findings] == [code]


@pytest.mark.parametrize(
    ("topic", "message", "hint"),
    [
        ({"partitions": 2.5}, "Partitions (topic.partitions) 2.5 must be a whole number", ""),
        ({"consumers": []}, "Consumer Teams (topic.consumers) must have at least 1 choice", ""),
        (
            {"contactEmail": "nobody"},
            "Technical Contact (topic.contactEmail) 'nobody' must be an email address",
            "Write one address, such as name@company.com.",
        ),
        ({"consumers": ["fraud", "fraud"]}, "lists a choice twice", "team (t@c.com)"),
        (
            {"consumers": ["fraud", "frud"]},
            "Consumer Teams (topic.consumers) entry 2 is 'frud'; choose one of:",
            "Did you mean 'fraud'?",
        ),
    ],
)
def test_input_findings_read_naturally(
    sample_repo: Repository, topic: dict[str, Any], message: str, hint: str
) -> None:
    checker = InputChecker(_item(sample_repo, "messaging-kafka-topic").form, "team (t@c.com)")
    [finding] = checker.check({**VALID, "topic": {**VALID["topic"], **topic}})
    assert message in finding.message
    assert hint in finding.hint


def test_unknown_fields_suggest_the_closest(sample_repo: Repository) -> None:
    checker = InputChecker(_item(sample_repo, "messaging-kafka-topic").form, "team (t@c.com)")
    [finding] = checker.check({**VALID, "topic": {**VALID["topic"], "partitons": 3}})
    assert finding.path == ("topic", "partitons")
    assert finding.at_key
    assert "Did you mean 'partitions'?" in finding.hint
    assert "team (t@c.com)" in finding.hint


def test_pac_and_the_published_schema_agree_on_a_corpus(sample_repo: Repository) -> None:
    """One source of truth: pac's verdict is the form schema's verdict."""
    form = _item(sample_repo, "messaging-kafka-topic").form
    checker = InputChecker(form)
    published = validator_for(form_schema(form))
    corpus = [VALID, {}, {"name": "x"}, {**VALID, "topic": {**VALID["topic"], "partitions": 49}}]
    corpus += [{**VALID, "environment": {"stage": "qa", "costCenter": "CC-1"}}]
    for values in corpus:
        assert (checker.check(values) == []) == published.is_valid(values)


# --- the fast check agrees with jsonschema -----------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pac.forms.schema import compile_check  # noqa: E402
from tests.conftest import PROJECT  # noqa: E402

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
    repo = Repository(PROJECT)
    return [form_schema(o.form) for o in [*repo.items(), *repo.bundles()]]


@pytest.mark.parametrize("schema", _sample_forms(), ids=lambda s: ",".join(s["properties"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_fast_check_agrees_with_jsonschema(schema: dict[str, Any], data: st.DataObject) -> None:
    values = data.draw(_inputs(schema))
    assert compile_check(schema)(values) == validator_for(schema).is_valid(values)


# --- one source of truth: the published form.json and `pac validate` agree -----------------

_BATCH_VALID: dict[str, Any] = {
    "name": "nightly-job",
    "job": {
        "image": "registry/job:1.0",
        "command": "run --all",
        "parallelism": 4,
        "retryOnFailure": False,
        "schedule": "weekly",
        "weekdays": ["mon", "fri"],
        "startDate": "2027-01-04",
        "alertEmail": "oncall@company.com",
        "registryPassword": {"secretRef": "REGISTRY_TOKEN"},
        "config": "job-config.yaml",
    },
}


def _job(**changes: Any) -> dict[str, Any]:
    job = {**_BATCH_VALID["job"], **changes}
    return {**_BATCH_VALID, "job": {k: v for k, v in job.items() if v is not _DROP}}


_DROP = object()

# (input, what a reader expects); the test checks both verdicts against each other and
# against this expectation, so a corpus that is all-valid or all-invalid cannot pass.
_CORPUS: list[tuple[dict[str, Any], bool]] = [
    (_BATCH_VALID, True),
    ({"name": "nightly-job", "job": {"image": "registry/job:1.0"}}, True),  # defaults apply
    ({"name": "nightly-job"}, False),  # the group with a required field is missing
    ({"job": _BATCH_VALID["job"]}, False),  # no name
    ({"name": "Nightly", "job": _BATCH_VALID["job"]}, False),
    ({**_BATCH_VALID, "extra": 1}, False),
    (_job(unknownField="x"), False),
    (_job(image="0123/x"), True),
    (_job(image="UPPER/x"), False),
    (_job(image="a/b"), False),  # minLength 5
    (_job(image="a" * 201), False),
    (_job(image=123456), False),
    (_job(command=""), False),  # minLength 1
    (_job(command="  leading spaces\nand # a second: line\n"), True),
    (_job(command="é" * 500), True),  # 500 characters, whatever their bytes
    (_job(command="é" * 501), False),
    (_job(parallelism=1), True),
    (_job(parallelism=64), True),
    (_job(parallelism=64.0), True),
    (_job(parallelism=0), False),
    (_job(parallelism=65), False),
    (_job(parallelism=1.5), False),  # step 1
    (_job(parallelism="4"), False),
    (_job(parallelism=True), False),
    (_job(retryOnFailure="yes"), False),
    (_job(retryOnFailure=1), False),
    (_job(schedule="monthly"), False),
    (_job(schedule=None), False),
    (_job(weekdays=[]), False),  # minItems 1
    (_job(weekdays=["mon", "tue", "wed", "thu", "fri"]), True),
    (_job(weekdays=["mon", "mon"]), False),
    (_job(weekdays=["mon", "tue", "wed", "thu", "fri", "mon"]), False),  # maxItems 5
    (_job(command=None), False),  # null is not "left out"
    (_job(command="null"), True),
    (_job(image="yes/no:1"), True),
    (_job(weekdays=["sun"]), False),
    (_job(weekdays="mon"), False),
    (_job(startDate="2026-01-01"), True),  # bounds are inclusive
    (_job(startDate="2030-12-31"), True),
    (_job(startDate="2028-02-29"), True),
    (_job(startDate="2027-02-29"), False),
    (_job(startDate="2025-12-31"), False),
    (_job(startDate="2031-01-01"), False),
    (_job(startDate="2027-1-04"), False),
    (_job(startDate="04/01/2027"), False),
    (_job(alertEmail="a@b.co"), True),
    (_job(alertEmail="ünïcode@company.com"), True),
    (_job(alertEmail="a@b"), False),
    (_job(alertEmail="a b@c.de"), False),
    (_job(registryPassword={"secretRef": "OK_NAME_2"}), True),
    (_job(registryPassword="hunter2"), False),
    (_job(registryPassword={"secretRef": "lower"}), False),
    (_job(registryPassword={"secretRef": "OK", "value": "x"}), False),
    (_job(registryPassword={}), False),
    (_job(config="job-config.yaml"), True),
    (_job(config="job-config.txt"), False),
    (_job(config=""), False),
    (_job(config=_DROP, registryPassword=_DROP, alertEmail=_DROP), True),
]


def _portal_validator(schema: dict[str, Any]) -> Any:
    """What a portal runs: a stock draft-07 validator with formats, plus the date bounds of
    ajv-formats (written here independently of pac's own implementation)."""
    import datetime as dt

    from jsonschema import Draft7Validator, FormatChecker, ValidationError, validators

    def bound(earliest: bool) -> Any:
        def check(validator: Any, limit: str, instance: Any, schema: Any) -> Any:
            try:
                day = dt.date.fromisoformat(instance)
            except (TypeError, ValueError):
                return
            if (
                (day < dt.date.fromisoformat(limit))
                if earliest
                else (day > dt.date.fromisoformat(limit))
            ):
                yield ValidationError(f"{instance} out of bounds")

        return check

    portal = validators.extend(
        Draft7Validator, {"formatMinimum": bound(True), "formatMaximum": bound(False)}
    )
    return portal(schema, format_checker=FormatChecker())


def test_the_published_form_and_pac_validate_agree_on_a_corpus(sample_root: Path) -> None:
    """One source of truth: `pac form`'s schema, run through a stock JSON Schema validator,
    gives the verdict `pac validate` gives the same input in a request file. (Fractional
    steps are the documented exception, tested on their own: stock validators refuse
    0.3 for step 0.1, pac does not.)"""
    import json

    import yaml

    from pac.validation.run import validate
    from tests.acceptance.test_cli import invoke
    from tests.conftest import FIXTURES

    shutil.copy(
        FIXTURES / "valid/item-every-field-type.yaml",
        sample_root / "catalog/compute/compute-batch-job.yaml",
    )
    code, out = invoke(sample_root, "form", "compute-batch-job")
    assert code == 0
    portal = _portal_validator(json.loads(out)["schema"])
    folder = sample_root / "requests/search"
    folder.mkdir(parents=True)
    (folder / "job-config.yaml").write_text("jobs: []\n")  # the file field's file exists
    verdicts = []
    for number, (values, expected) in enumerate(_CORPUS):
        target = folder / f"corpus-{number}.yaml"
        request = {
            "schemaVersion": "catalog/v1",
            "kind": "Request",
            "metadata": {
                "id": f"corpus-{number}",
                "requester": {"email": "ana@company.com", "name": "Ana", "team": "search"},
            },
            "catalogItemId": "compute-batch-job",
            "input": values,
        }
        target.write_text(yaml.safe_dump(request, allow_unicode=True), encoding="utf-8")
        result = validate(Repository(sample_root), paths=[target])
        errors = [d for d in result.diagnostics if d.is_error]
        assert all(d.code.startswith(("input-", "schema-")) for d in errors), errors
        by_pac = not errors
        by_portal = portal.is_valid(values)
        assert by_pac == by_portal == expected, (number, values, errors)
        verdicts.append(by_pac)
        target.unlink()
    assert verdicts.count(True) >= 15 and verdicts.count(False) >= 30


PATTERN_CASES = [
    ("^[a-z][a-z0-9-]+$", "nightly-job", True),
    ("^[a-z][a-z0-9-]+$", "nightly-job\n", False),  # Python's `$` would accept it
    ("^CC-\\d{4}$", "CC-1234", True),
    ("^CC-\\d{4}$", "CC-\u0661\u0662\u0663\u0664", False),  # Arabic-Indic digits
    ("^\\w+$", "na\u00efve", False),
    ("^[^@\\s]+@[^@\\s]+$", "a\u00a0b@c", False),  # a no-break space is a space
    ("^\\S+$", "a\ufeffb", False),
    ("^[$]+$", "$$", True),  # inside a class, `$` is itself
    ("^a\\$$", "a$", True),
    ("^a.b$", "a\rb", False),  # JavaScript's `.` stops at \r too
    ("^a.b$", "a\u2028b", False),
    ("^a.b$", "a-b", True),
    ("^(?<env>[a-z]+)-\\k<env>$", "qa-qa", True),  # JavaScript's named groups
    ("^(?<env>[a-z]+)-\\k<env>$", "qa-prod", False),
    ("^\\u{1F600}$", "\U0001f600", True),
    ("^\\cJ$", "\n", True),
]

# (pattern, whether JavaScript compiles it with the unicode flag, as ajv and browsers do);
# the browser test checks the second column against Chromium itself.
ECMA_SYNTAX_CASES = [
    ("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", True),
    ("^(?<env>[a-z]+)-\\k<env>$", True),
    ("^(?P<env>[a-z]+)$", False),
    ("^(?P<env>[a-z]+)-(?P=env)$", False),
    ("(?i)^yes$", False),
    ("\\A[a-z]+\\Z", False),
    ("^[a-z]++$", False),
    ("^[a-z]{2}+$", False),
    ("^(?>[a-z]+)$", False),
    ("^(a)?(?(1)b|c)$", False),
    ("^a(?#comment)$", False),
    ("^[a-z]*?x$", True),
    ("^[a-z]{2,3}?$", True),
    ("^a{,3}$", False),
    ("^{a}$", False),
    ("^a]$", False),
    ("^[]a]$", False),
    ("^\\-$", False),
    ("^[\\-a]$", True),
    ("^\\_$", False),
    ("^[\\w.\\@]+$", False),
    ("^\\/$", True),
    ("^\\012$", False),
    ("^\\x41\\u0041\\u{41}$", True),
    ("^\\U00000041$", False),
    ("^\\a$", False),
    ("^(?=a)+a$", False),
    ("^(?:ab)+$", True),
    ("^[a-z(+$", False),
]


@pytest.mark.parametrize(("pattern", "valid"), ECMA_SYNTAX_CASES)
def test_pac_accepts_exactly_the_patterns_javascript_compiles(pattern: str, valid: bool) -> None:
    from pac.forms.schema import ecma_pattern_problem

    assert (ecma_pattern_problem(pattern) is None) is valid


def test_a_python_only_pattern_is_located_and_gets_the_javascript_spelling() -> None:
    from pac.forms.schema import ecma_pattern_problem

    problem = ecma_pattern_problem("^[a-z]+-(?P<env>qa|prod)$")
    assert problem is not None
    assert problem.index == 8
    assert "(?<env>...)" in problem.hint
    flags = ecma_pattern_problem("^(?i)yes$")
    assert flags is not None and flags.index == 1 and "[Yy]es" in flags.hint
    # Chromium has learnt modifier groups, but ajv on Node.js 20 and older browsers refuse
    # them, so a portable form does without.
    scoped = ecma_pattern_problem("^(?i:yes)$")
    assert scoped is not None and "newest" in scoped.message


def test_every_pattern_pac_publishes_compiles_in_javascript(sample_repo: Repository) -> None:
    """The request name's fixed pattern, the email, date, secret-name and file patterns
    pac writes itself, and every item's patterns: all valid ECMA-262."""
    from pac.documents.model import NAME_PATTERN
    from pac.forms.schema import DATE_PATTERN, SECRET_NAME_PATTERN, ecma_pattern_problem

    def patterns(schema: Any) -> Iterator[str]:
        if isinstance(schema, dict):
            if isinstance(schema.get("pattern"), str):
                yield schema["pattern"]
            for value in schema.values():
                yield from patterns(value)

    found = {NAME_PATTERN, EMAIL_PATTERN, DATE_PATTERN, SECRET_NAME_PATTERN}
    for offering in [*sample_repo.items(), *sample_repo.bundles()]:
        found.update(patterns(form_schema(offering.form)))
    assert len(found) > 5
    assert {p: ecma_pattern_problem(p) for p in found} == dict.fromkeys(found)


@pytest.mark.parametrize(("pattern", "text", "matches"), PATTERN_CASES)
def test_patterns_mean_what_they_mean_in_json_schema(
    pattern: str, text: str, matches: bool
) -> None:
    """Patterns are ECMA-262 regular expressions, as browsers and ajv run them."""
    from pac.forms.schema import ecma_regex

    assert (ecma_regex(pattern).search(text) is not None) is matches


def test_a_name_with_a_trailing_newline_is_refused(sample_repo: Repository) -> None:
    checker = InputChecker(_item(sample_repo, "messaging-kafka-topic").form)
    findings = checker.check({**VALID, "name": "orders-events\n"})
    assert [f.code for f in findings] == ["input-format"]
    assert checker.check({**VALID, "topic": {**VALID["topic"], "contactEmail": "a@b.co\n"}})


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
