"""Forms as JSON Schema: what `pac form` publishes, and its verdicts matching `pac validate`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from pac.documents.model import CatalogItem
from pac.documents.repository import Repository
from pac.forms.schema import EMAIL_PATTERN, form_schema


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
        "maxLength": 254,
        "title": "Technical Contact",
    }
    assert fields["compacted"]["type"] == "boolean"


def test_no_text_field_takes_more_than_the_cap(sample_repo: Repository) -> None:
    from dataclasses import replace

    from pac.forms.schema import TEXT_INPUT_CAP, field_schema

    item = _item(sample_repo, "messaging-kafka-topic")
    purpose = next(f for g in item.form.groups for f in g.fields if f.id == "purpose")
    for written, expected in ((5_000_000, TEXT_INPUT_CAP), (2000, 2000)):
        field = replace(purpose, validation={"maxLength": written})
        assert field_schema(field)["maxLength"] == expected


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
    from tests.conftest import FIXTURES, invoke

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
