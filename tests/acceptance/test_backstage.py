"""`pac export --backstage` checked by Backstage's own packages (tools/backstage/check.mjs).

The entities pass @backstage/catalog-model's policies and kind validators and the
scaffolder's Template v1beta3 schema; every parameter page renders in @rjsf/core; and on a
corpus of good and bad inputs @rjsf/validator-ajv8's verdict equals `pac validate`'s on the
request file the template's fetch:template step writes. `.ci/run` installs the packages
(`npm ci --prefix tools/backstage`); elsewhere, without them, the tests are skipped unless
PAC_REQUIRE_BROWSER is set (as CI sets it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from pac.authoring.discovery import offerings
from pac.documents.repository import Repository
from tests.conftest import PROJECT, invoke

TOOL = PROJECT / "tools" / "backstage"
REPOSITORY = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/catalog"}
# Markup, quotes, YAML and nunjucks syntax, line breaks YAML readers disagree on, and
# characters from beyond the Basic Multilingual Plane.
HOSTILE = (
    '<script>alert("x")</script> it\'s "quoted" & {{ parameters.pac_id }} ${{ parameters.name }}'
    " {% raw %}{# c #} #: - [a, b] \n second line\u2028LS\u0085NEL\x7fDEL é 漢字 🚀"
)
SHORT = '<b>"it\'s"</b> ${{ parameters.x }} {% raw %} é 漢字 🚀'  # names are at most 80


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None or not (TOOL / "node_modules" / "@backstage" / "catalog-model").is_dir():
        if os.environ.get("PAC_REQUIRE_BROWSER"):
            pytest.fail("node and tools/backstage/node_modules are required (PAC_REQUIRE_BROWSER)")
        pytest.skip("Backstage's packages are not installed (npm ci --prefix tools/backstage)")
    return found


def export(root: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in REPOSITORY.items():
        monkeypatch.setenv(name, value)
    code, output = invoke(
        root, "export", "--out", str(out), "--backstage", "--site-url", "https://acme.github.io/c"
    )
    assert code == 0, output


def check(
    node: str, site: Path, corpus: list[dict[str, Any]] | None = None, into: Path | None = None
) -> Any:
    args = [node, str(TOOL / "check.mjs"), str(site)]
    if corpus is not None and into is not None:
        (site / "corpus.json").write_text(json.dumps(corpus), encoding="utf-8")
        args += ["--corpus", str(site / "corpus.json"), "--into", str(into)]
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sample_entities_pass_backstages_validators(
    node: str, sample_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export(sample_root, tmp_path / "site", monkeypatch)
    report = check(node, tmp_path / "site")
    found = offerings(Repository(sample_root))
    assert report["entities"] == {"Location": 1, "Resource": 2, "Template": len(found)}
    # For each offering the request page, then one page per group of its form.
    assert report["renderedPages"] == sum(1 + len(o.form.groups) for o in found)


REQUESTER = {"pac_email": "dana@company.com", "pac_requester": "Dana Dev", "pac_team": "payments"}
TOPIC_OK = {
    "name": "orders-events",
    "environment": {"stage": "prod", "costCenter": "CC-1234"},
    "topic": {"contactEmail": "a@b.io", "consumers": ["fraud"], "goLiveDate": "2027-05-01"},
}
DB_OK = {
    "name": "orders-db",
    "environment": {"costCenter": "CC-0001"},
    "database": {"storageGb": 100, "notes": 'Line one\nline "two" <b>é</b> 🚀'},
    "credentials": {"adminPassword": {"secretRef": "ORDERS_DB_ADMIN"}},
}


def _with(base: dict[str, Any], group: str, changes: dict[str, Any]) -> dict[str, Any]:
    copied = json.loads(json.dumps(base))
    copied[group] = {**copied.get(group, {}), **changes}
    return copied


CORPUS: list[tuple[str, dict[str, Any]]] = [
    ("messaging-kafka-topic", TOPIC_OK),
    ("messaging-kafka-topic", _with(TOPIC_OK, "environment", {"costCenter": "1234"})),
    ("messaging-kafka-topic", _with(TOPIC_OK, "topic", {"partitions": 49})),
    ("messaging-kafka-topic", _with(TOPIC_OK, "topic", {"partitions": 2.5})),
    ("messaging-kafka-topic", _with(TOPIC_OK, "topic", {"retention": "2d"})),
    ("messaging-kafka-topic", _with(TOPIC_OK, "topic", {"consumers": []})),
    ("messaging-kafka-topic", _with(TOPIC_OK, "topic", {"goLiveDate": "2025-12-31"})),
    ("messaging-kafka-topic", _with(TOPIC_OK, "topic", {"contactEmail": "not-an-email"})),
    ("messaging-kafka-topic", _with(TOPIC_OK, "topic", {"purpose": "short"})),
    ("messaging-kafka-topic", _with(TOPIC_OK, "topic", {"colour": "blue"})),
    ("messaging-kafka-topic", {**TOPIC_OK, "name": "Bad Name"}),
    ("messaging-kafka-topic", {k: v for k, v in TOPIC_OK.items() if k != "environment"}),
    ("database-aurora-postgresql-standard", DB_OK),
    ("database-aurora-postgresql-standard", {k: v for k, v in DB_OK.items() if k != "database"}),
    (
        "database-aurora-postgresql-standard",
        _with(DB_OK, "credentials", {"adminPassword": {"secretRef": "lower_case"}}),
    ),
    ("database-aurora-postgresql-standard", _with(DB_OK, "database", {"storageGb": 25})),
    ("database-aurora-postgresql-standard", _with(DB_OK, "database", {"notes": "x" * 1001})),
    (
        "bundle-webapp-standard",
        {
            "name": "shop-web",
            "environment": {"costCenter": "CC-4521"},
            "app": {"image": "registry.company.com/shop/web:1.0.0"},
            "credentials": {"adminPassword": {"secretRef": "SHOP_DB"}},
            "secrets": {"notifyEmail": "shop@company.com"},
        },
    ),
    (
        "bundle-webapp-standard",
        {
            "name": "shop-web",
            "environment": {"costCenter": "CC-4521"},
            "app": {"image": "not an image"},
            "credentials": {"adminPassword": {"secretRef": "SHOP_DB"}},
        },
    ),
]


def _verdicts(root: Path, files: list[str]) -> dict[str, list[str]]:
    """pac validate's errors on each request file the corpus wrote, by file."""
    code, output = invoke(root, "validate", "--format", "json", *(str(root / f) for f in files))
    assert code in (0, 1), output
    errors: dict[str, list[str]] = {path: [] for path in files}
    for finding in json.loads(output):
        if finding["severity"] == "error":
            for path in files:
                if finding["path"].endswith(path):
                    errors[path].append(f"{finding.get('code')}: {finding['message']}")
    return errors


def test_rjsf_verdicts_equal_pac_validates_on_the_rendered_request_files(
    node: str, sample_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export(sample_root, tmp_path / "site", monkeypatch)
    corpus = [
        {
            "id": f"case-{n}",
            "template": f"pac-{item}",
            "parameters": {"pac_id": f"case-{n}", **REQUESTER, **values},
        }
        for n, (item, values) in enumerate(CORPUS)
    ]
    report = check(node, tmp_path / "site", corpus, sample_root)
    files = [case["files"][0] for case in report["cases"]]
    assert files[0] == "requests/payments/case-0.yaml"
    pac_errors = _verdicts(sample_root, files)
    for case, path in zip(report["cases"], files, strict=True):
        pac_valid = not pac_errors[path]
        assert case["valid"] == pac_valid, (case, pac_errors[path])
    valid = [case["id"] for case in report["cases"] if case["valid"]]
    # The good ones; case-13 leaves out a group whose fields all have defaults.
    assert valid == ["case-0", "case-12", "case-13", "case-17"], report["cases"]
    written = yaml.safe_load((sample_root / files[12]).read_text(encoding="utf-8"))
    assert written["input"]["database"]["notes"] == DB_OK["database"]["notes"]
    assert written["catalogItemId"] == "database-aurora-postgresql-standard"


def _hostile(root: Path) -> None:
    """Every text of an item and of a request hostile; one status file broken."""
    path = root / "catalog" / "messaging" / "messaging-kafka-topic.yaml"
    item = yaml.safe_load(path.read_text(encoding="utf-8"))
    item["metadata"]["name"] = SHORT
    item["metadata"]["description"] = HOSTILE
    item["input"]["form"]["description"] = HOSTILE
    for group in item["input"]["form"]["groups"]:
        group["name"] = SHORT
        group["description"] = HOSTILE
        for field in group["fields"]:
            field["name"] = SHORT
            field["description"] = HOSTILE
    path.write_text(yaml.safe_dump(item, allow_unicode=True), encoding="utf-8")
    request = root / "requests" / "payments" / "payments-events.yaml"
    data = yaml.safe_load(request.read_text(encoding="utf-8"))
    data["metadata"]["description"] = HOSTILE
    request.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # An id a URL must escape: refused by pac validate, so no resource, and no broken file.
    data["metadata"]["id"] = "a b/%3F?#&é"
    odd = root / "requests" / "payments" / "a b%3F#é.yaml"
    odd.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    status = root / "requests" / ".status"
    status.mkdir(exist_ok=True)
    (status / "payments-webapp.yaml").write_text("state: [broken\n", encoding="utf-8")


def test_a_hostile_catalog_still_gives_valid_entities_and_exact_request_files(
    node: str, sample_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hostile(sample_root)
    export(sample_root, tmp_path / "site", monkeypatch)
    values = _with(TOPIC_OK, "topic", {"purpose": HOSTILE})
    corpus = [
        {
            "id": "hostile",
            "template": "pac-messaging-kafka-topic",
            "parameters": {"pac_id": "hostile-values", **REQUESTER, **values},
        }
    ]
    report = check(node, tmp_path / "site", corpus, sample_root)
    assert report["entities"]["Template"] == len(offerings(Repository(sample_root)))
    assert report["entities"]["Resource"] == 2
    (case,) = report["cases"]
    assert case["valid"], case
    assert _verdicts(sample_root, case["files"]) == {case["files"][0]: []}
    written = yaml.safe_load((sample_root / case["files"][0]).read_text(encoding="utf-8"))
    assert written["input"]["topic"]["purpose"] == HOSTILE
    template = tmp_path / "site" / "backstage" / "templates" / "pac-messaging-kafka-topic"
    entity = yaml.safe_load((template / "template.yaml").read_text(encoding="utf-8"))
    assert entity["metadata"]["title"] == SHORT
    assert entity["metadata"]["description"] == " ".join(HOSTILE.split())
    purpose = entity["spec"]["parameters"][2]["properties"]["topic"]["properties"]["purpose"]
    assert purpose["title"] == SHORT and purpose["description"] == HOSTILE
    # Backstage's YAML reader (the `yaml` package) and pac's read the same entity.
    assert report["templates"]["pac-messaging-kafka-topic"] == entity
    broken = tmp_path / "site" / "backstage" / "resources" / "pac-request-payments-webapp.yaml"
    annotations = yaml.safe_load(broken.read_text(encoding="utf-8"))["metadata"]["annotations"]
    assert "payments-webapp" in annotations["pac.catalog/status-problem"]
