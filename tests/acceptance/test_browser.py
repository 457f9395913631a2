"""The exported site in a real browser: headless Chromium driven through Selenium.

Opened from disk (file://): filter the index, open an offering, submit an invalid form
and read the messages, fill it in validly, and check that `pac validate` accepts the
request file the page produced. `.ci/run` installs Chromium; elsewhere, without it, the
test is skipped unless PAC_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pac.authoring.export import export
from pac.documents.repository import Repository
from pac.validation.run import validate
from tests.chromium import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        driver.implicitly_wait(2)
        yield driver


@pytest.fixture
def site(sample_root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    export(Repository(sample_root), out)
    return out


def cards(browser: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [
        c.get_attribute("data-id") for c in browser.find_elements(By.CSS_SELECTOR, "#cards .card")
    ]


def test_the_index_filters_as_you_type(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get((site / "index.html").as_uri())
    assert len(cards(browser)) == len(list((site / "items").glob("*.html")))
    browser.find_element(By.ID, "filter-text").send_keys("postgres")
    assert cards(browser) == ["bundle-webapp-standard", "database-aurora-postgresql-standard"]
    Select(browser.find_element(By.ID, "filter-category")).select_by_value("databases")
    assert cards(browser) == ["database-aurora-postgresql-standard"]
    Select(browser.find_element(By.ID, "filter-owner")).select_by_value("platform-messaging-team")
    assert cards(browser) == []
    assert "No offering matches." in browser.find_element(By.ID, "cards").text


def _field(browser: Any, name: str) -> Any:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, name)


def _errors(browser: Any) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    return {
        block.get_attribute("data-field"): block.find_element(By.CSS_SELECTOR, ".error").text
        for block in browser.find_elements(By.CSS_SELECTOR, ".field.invalid")
    }


def test_the_request_form_validates_and_makes_a_valid_request(
    browser: Any, site: Path, sample_root: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get((site / "index.html").as_uri())
    browser.find_element(By.LINK_TEXT, "Kafka Topic").click()
    assert browser.title.startswith("Kafka Topic")

    browser.find_element(By.ID, "make-request").click()
    errors = _errors(browser)
    assert errors["input-name"] == "Required field Topic Name (name) is missing."
    assert errors["input-environment-costCenter"] == (
        "Required field Cost Center (environment.costCenter) is missing."
    )
    assert "1 field" not in browser.find_element(By.ID, "form-summary").text
    assert not browser.find_element(By.ID, "request-output").is_displayed()

    _field(browser, "meta-email").send_keys("not-an-email")
    _field(browser, "input-name").send_keys("Search Clicks")
    _field(browser, "input-environment-costCenter").send_keys("1234")
    _field(browser, "input-topic-partitions").clear()
    _field(browser, "input-topic-partitions").send_keys("64")
    browser.find_element(By.ID, "make-request").click()
    errors = _errors(browser)
    assert errors["meta-email"] == (
        "Your email 'not-an-email' must be an email address. "
        "Write one address, such as name@company.com."
    )
    assert "'Search Clicks' must be 4 to 30 lower-case letters" in errors["input-name"]
    assert errors["input-environment-costCenter"] == (
        "Cost Center (environment.costCenter) '1234' does not have the required form. "
        "It must match ^CC-[0-9]{4}$."
    )
    assert errors["input-topic-partitions"] == (
        "Partitions (topic.partitions) 64 must be at most 48. Choose a value in range."
    )
    schema_file = _field(browser, "input-topic-schemaFile")
    assert schema_file.get_attribute("placeholder") == "file name, e.g. schema.avsc"
    schema_file.send_keys("schema.xml")
    browser.find_element(By.ID, "make-request").click()
    assert _errors(browser)["input-topic-schemaFile"] == (
        "Schema File (topic.schemaFile) 'schema.xml' must be a file of type avsc, json. "
        "Name a file ending in .avsc or .json, committed next to the request."
    )
    schema_file.clear()

    for name, value in {
        "meta-email": "ana@company.com",
        "meta-name": "Ana Search",
        "meta-team": "search",
        "input-name": "search-clicks",
        "input-environment-costCenter": "CC-0042",
        "input-topic-partitions": "24",
        "input-topic-contactEmail": "ana@company.com",
        "input-topic-goLiveDate": "2027-03-01",
    }.items():
        field = _field(browser, name)
        field.clear()
        if field.get_attribute("type") == "date":
            browser.execute_script("arguments[0].value = arguments[1]", field, value)
        else:
            field.send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "#input-topic-consumers input[value=analytics]").click()
    go_live = _field(browser, "input-topic-goLiveDate")
    assert (go_live.get_attribute("min"), go_live.get_attribute("max")) == (
        "2026-01-01",
        "2030-12-31",
    )
    browser.find_element(By.ID, "make-request").click()
    assert _errors(browser) == {}
    assert browser.find_element(By.ID, "request-path").text == "requests/search/search-clicks.yaml"
    text = browser.find_element(By.ID, "request-yaml").text + "\n"

    target = sample_root / "requests/search/search-clicks.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(text)
    result = validate(Repository(sample_root), paths=[target])
    assert result.diagnostics == [], text
    assert 'catalogItemId: "messaging-kafka-topic"' in text
    assert 'consumers: ["analytics"]' in text


def test_a_bundle_form_asks_for_secret_names(browser: Any, site: Path, sample_root: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get((site / "items/bundle-webapp-standard.html").as_uri())
    for name, value in {
        "meta-email": "sam@company.com",
        "meta-name": "Sam Shop",
        "meta-team": "checkout",
        "input-name": "checkout-api",
        "input-environment-costCenter": "CC-1234",
        "input-app-image": "registry.company.com/checkout/api:1.0.0",
        "input-credentials-adminPassword": "hunter2",
        "input-secrets-notifyEmail": "oncall@company.com",
    }.items():
        _field(browser, name).send_keys(value)
    browser.find_element(By.ID, "make-request").click()
    secret_help = (
        "Database Admin Password (credentials.adminPassword): the secret name 'hunter2' must "
        "be upper-case letters, digits and underscores. For example `{secretRef: "
        "PAYMENTS_DB_ADMIN}`, stored as the CI secret PAC_SECRET_PAYMENTS_DB_ADMIN."
    )
    assert _errors(browser) == {"input-credentials-adminPassword": secret_help}
    _field(browser, "input-credentials-adminPassword").clear()
    _field(browser, "input-credentials-adminPassword").send_keys("CHECKOUT_DB_ADMIN")
    browser.find_element(By.ID, "make-request").click()
    text = browser.find_element(By.ID, "request-yaml").text + "\n"
    assert 'adminPassword:\n      secretRef: "CHECKOUT_DB_ADMIN"' in text
    # Without a clipboard API (some file:// pages), Copy selects the text for Ctrl+C.
    browser.execute_script(
        "Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true})"
    )
    browser.find_element(By.ID, "request-copy").click()
    assert browser.execute_script("return window.getSelection().toString()") + "\n" == text
    target = sample_root / "requests/checkout/checkout-api.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(text)
    assert validate(Repository(sample_root), paths=[target]).diagnostics == []


HOSTILE = [
    "yes",
    "0123",
    "1e3",
    "null",
    "~",
    "  two leading spaces",
    "key: value # not a comment",
    "'single' and \"double\" quotes",
    "line one\n  line two, indented\nlast: line\n",
    "unicode é ü 😀, a line separator\u2028and a next-line\u0085mark",
    "- looks like a list",
    "{looks: like a mapping}",
]


def test_hostile_text_round_trips_as_the_same_string(
    browser: Any, sample_root: Path, tmp_path: Path
) -> None:
    """Whatever is typed reaches the request file unchanged and still a string."""
    from selenium.webdriver.common.by import By

    from pac.documents.loader import load_file
    from tests.conftest import FIXTURES

    shutil.copy(
        FIXTURES / "valid/item-every-field-type.yaml",
        sample_root / "catalog/compute/compute-batch-job.yaml",
    )
    site = tmp_path / "site"
    export(Repository(sample_root), site)
    browser.get((site / "items/compute-batch-job.html").as_uri())
    for name, value in {
        "meta-email": "ana@company.com",
        "meta-team": "search",
        "input-name": "nightly-job",
        "input-job-image": "1e300",
    }.items():
        _field(browser, name).send_keys(value)
    target = sample_root / "requests/search/nightly-job.yaml"
    target.parent.mkdir(parents=True)
    for value in HOSTILE:
        # A one-line input cannot hold a line break; the textarea can.
        one_line = value.replace("\n", " ")
        for name, typed in (("meta-name", one_line), ("input-job-command", value)):
            browser.execute_script(
                "arguments[0].value = arguments[1]", _field(browser, name), typed
            )
        browser.find_element(By.ID, "make-request").click()
        assert _errors(browser) == {}, value
        text = browser.execute_script("return document.getElementById('request-yaml').textContent")
        target.write_text(text, encoding="utf-8")
        loaded = load_file(target, "requests/search/nightly-job.yaml")
        assert loaded.diagnostics == [] and loaded.document is not None, text
        data = loaded.document.data
        assert data["metadata"]["requester"]["name"] == one_line, text
        assert data["input"]["job"]["command"] == value, text
        assert data["input"]["job"]["image"] == "1e300", text
        result = validate(Repository(sample_root), paths=[target])
        assert result.diagnostics == [], text


def test_number_fields_check_what_pac_checks(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get((site / "items/database-aurora-postgresql-standard.html").as_uri())
    storage = _field(browser, "input-database-storageGb")
    storage.clear()
    storage.send_keys("1e")  # not a number: the browser reports it empty
    browser.find_element(By.ID, "make-request").click()
    assert _errors(browser)["input-database-storageGb"] == (
        "Storage (GiB) (database.storageGb) must be a number. "
        "Write it in digits, such as 42 or 2.5."
    )
    storage.clear()
    storage.send_keys("25")
    browser.find_element(By.ID, "make-request").click()
    assert _errors(browser)["input-database-storageGb"] == (
        "Storage (GiB) (database.storageGb) 25 must be a multiple of 10. Choose a value in range."
    )


def test_catalog_text_cannot_inject_markup(browser: Any, sample_root: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    hostile = '<!--<script> "quoted" </script><script>window.pwned = 1</script><b>bold</b>'
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    text = item.read_text().replace(
        "    you need. Fulfilled", f"    you need. {hostile} Fulfilled", 1
    )
    item.write_text(text.replace("name: Kafka Topic", "name: 'Kafka <i>Topic</i> \"x\"'", 1))
    site = tmp_path / "site"
    export(Repository(sample_root), site)
    for page in ("index.html", "items/messaging-kafka-topic.html"):
        browser.get((site / page).as_uri())
        assert browser.execute_script("return window.pwned === undefined")
        assert hostile in browser.find_element(By.TAG_NAME, "main").text
        assert 'Kafka <i>Topic</i> "x"' in browser.find_element(By.TAG_NAME, "main").text
    # The page's script still ran: the form was built from the embedded data.
    assert browser.find_elements(By.ID, "input-topic-partitions")


def test_pac_reads_patterns_as_the_browser_does(browser: Any, site: Path) -> None:
    from pac.forms.ecma import ecma_regex
    from tests.unit.forms.test_ecma import PATTERN_CASES

    browser.get((site / "index.html").as_uri())
    for pattern, text, expected in PATTERN_CASES:
        in_browser = browser.execute_script(
            "return new RegExp(arguments[0], 'u').test(arguments[1])", pattern, text
        )
        assert in_browser is expected, (pattern, text)
        assert (ecma_regex(pattern).search(text) is not None) is expected, (pattern, text)


def test_pac_refuses_exactly_the_patterns_the_browser_cannot_compile(
    browser: Any, site: Path
) -> None:
    from pac.forms.ecma_syntax import ecma_pattern_problem
    from tests.unit.forms.test_ecma_syntax import ECMA_SYNTAX_CASES

    browser.get((site / "index.html").as_uri())
    for pattern, expected in ECMA_SYNTAX_CASES:
        compiles = browser.execute_script(
            "try { new RegExp(arguments[0], 'u'); return true; } catch (e) { return false; }",
            pattern,
        )
        assert compiles is expected, pattern
        assert (ecma_pattern_problem(pattern) is None) is expected, pattern


STEP_0_1 = (
    "Storage (GiB) (database.storageGb) 0.35 must be a multiple of 0.1. Choose a value in range."
)


def test_a_fractional_step_counts_in_decimal_on_the_page(
    browser: Any, sample_root: Path, tmp_path: Path
) -> None:
    """0.3 is three steps of 0.1 on the page too, as pac decides; 0.35 is not."""
    from selenium.webdriver.common.by import By

    item = sample_root / "catalog/databases/database-aurora-postgresql-standard.yaml"
    text = item.read_text(encoding="utf-8")
    old = "default: 20\n            validation: {min: 20, max: 2000, step: 10}"
    assert old in text
    item.write_text(text.replace(old, "default: 0.2\n            validation: {step: 0.1}"))
    site = tmp_path / "site"
    export(Repository(sample_root), site)
    browser.get((site / "items/database-aurora-postgresql-standard.html").as_uri())
    storage = _field(browser, "input-database-storageGb")
    for typed, error in (("0.3", None), ("2.3", None), ("0.35", STEP_0_1)):
        storage.clear()
        storage.send_keys(typed)
        browser.find_element(By.ID, "make-request").click()
        assert _errors(browser).get("input-database-storageGb") == error, typed
