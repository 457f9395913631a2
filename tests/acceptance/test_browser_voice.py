"""One voice: the site's form, in headless Chromium, says what `pac validate` says.

A corpus of good and bad values, one field at a time on an otherwise valid form: the
browser's verdict is the same as `pac validate`'s on the request file holding the value,
and its message is pac's message (capitalised, with pac's "how to put it right").
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from pac.documents.repository import Repository
from pac.validation.run import validate
from tests.acceptance.test_browser import _errors, _field, browser, site

__all__ = ["browser", "site"]

KAFKA: dict[str, Any] = {
    "name": "search-clicks",
    "environment": {"costCenter": "CC-0042"},
    "topic": {"contactEmail": "ana@company.com"},
}
AURORA: dict[str, Any] = {
    "name": "orders-db",
    "environment": {"costCenter": "CC-0042"},
    "credentials": {"adminPassword": {"secretRef": "ORDERS_DB_ADMIN"}},
}

# (offering, field path, the value typed, as written to the file)
CORPUS: list[tuple[str, tuple[str, ...], Any]] = [
    ("messaging-kafka-topic", ("name",), "Search Clicks"),
    ("messaging-kafka-topic", ("name",), "ab"),
    ("messaging-kafka-topic", ("name",), "it's-mine"),
    ("messaging-kafka-topic", ("name",), "café-topic"),
    ("messaging-kafka-topic", ("name",), "search-clicks-two"),
    ("messaging-kafka-topic", ("environment", "costCenter"), "1234"),
    ("messaging-kafka-topic", ("environment", "costCenter"), 'CC-"12"'),
    ("messaging-kafka-topic", ("environment", "costCenter"), "CC-0042 "),
    ("messaging-kafka-topic", ("environment", "costCenter"), "CC-1234"),
    ("messaging-kafka-topic", ("topic", "partitions"), 64),
    ("messaging-kafka-topic", ("topic", "partitions"), 0),
    ("messaging-kafka-topic", ("topic", "partitions"), 2.5),
    ("messaging-kafka-topic", ("topic", "partitions"), 24),
    ("messaging-kafka-topic", ("topic", "goLiveDate"), "2025-12-31"),
    ("messaging-kafka-topic", ("topic", "goLiveDate"), "2031-01-01"),
    ("messaging-kafka-topic", ("topic", "goLiveDate"), "2027-03-01"),
    ("messaging-kafka-topic", ("topic", "schemaFile"), "schema.xml"),
    ("messaging-kafka-topic", ("topic", "schemaFile"), "schema.avsc"),
    ("messaging-kafka-topic", ("topic", "purpose"), "short"),
    ("messaging-kafka-topic", ("topic", "purpose"), "tab\there, long enough"),
    ("messaging-kafka-topic", ("topic", "contactEmail"), "not-an-email"),
    ("messaging-kafka-topic", ("topic", "contactEmail"), "a b@c.de"),
    ("messaging-kafka-topic", ("topic", "contactEmail"), "ana@company.com"),
    ("database-aurora-postgresql-standard", ("database", "storageGb"), 25),
    ("database-aurora-postgresql-standard", ("database", "storageGb"), 10),
    ("database-aurora-postgresql-standard", ("database", "storageGb"), 2010),
    ("database-aurora-postgresql-standard", ("database", "storageGb"), 130),
    ("database-aurora-postgresql-standard", ("credentials", "adminPassword"), "hunter2"),
    ("database-aurora-postgresql-standard", ("credentials", "adminPassword"), "ORDERS_DB"),
]


def _set(browser: Any, path: tuple[str, ...], value: Any) -> None:
    element = _field(browser, "input-" + "-".join(path))
    # Set as a value, not typed: typing a tab or newline would leave the field.
    browser.execute_script("arguments[0].value = arguments[1]", element, str(value))


def _input(offering: str, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    values = copy.deepcopy(KAFKA if offering == "messaging-kafka-topic" else AURORA)
    if path[-1] == "adminPassword":
        value = {"secretRef": value}
    if len(path) == 1:
        values["name"] = value
    else:
        values.setdefault(path[0], {})[path[1]] = value
    return values


def _pac_says(root: Path, offering: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(message, hint) of each error `pac validate` finds in a request with this input."""
    target = root / "requests/search/voice-check.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "schemaVersion": "catalog/v1",
        "kind": "Request",
        "metadata": {
            "id": "voice-check",
            "requester": {"email": "ana@company.com", "name": "Ana", "team": "search"},
        },
        "catalogItemId": offering,
        "input": values,
    }
    target.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    # The file a file field names is committed next to the request: the page cannot look.
    (target.parent / "schema.avsc").write_text('{"type": "string"}', encoding="utf-8")
    result = validate(Repository(root), paths=[target])
    return [(d.message, d.hint) for d in result.diagnostics if d.is_error]


def _fill_baseline(browser: Any, offering: str) -> None:
    people = {"meta-email": "ana@company.com", "meta-name": "Ana", "meta-team": "search"}
    people["meta-id"] = "voice-check"
    values = KAFKA if offering == "messaging-kafka-topic" else AURORA
    for name, value in people.items():
        browser.execute_script("arguments[0].value = arguments[1]", _field(browser, name), value)
    _set(browser, ("name",), values["name"])
    _set(browser, ("environment", "costCenter"), "CC-0042")
    if offering == "messaging-kafka-topic":
        _set(browser, ("topic", "contactEmail"), "ana@company.com")
    else:
        _set(browser, ("credentials", "adminPassword"), "ORDERS_DB_ADMIN")


@pytest.mark.slow
def test_the_form_and_pac_validate_give_the_same_verdicts_in_the_same_words(
    browser: Any, site: Path, sample_root: Path
) -> None:
    from selenium.webdriver.common.by import By

    for offering, path, value in CORPUS:
        browser.get((site / f"items/{offering}.html").as_uri())
        _fill_baseline(browser, offering)
        _set(browser, path, value)
        browser.find_element(By.ID, "make-request").click()
        shown = _errors(browser)
        said = _pac_says(sample_root, offering, _input(offering, path, value))
        case = (offering, path, value, shown, said)
        assert bool(shown) == bool(said), case
        if not said:
            continue
        assert list(shown) == ["input-" + "-".join(path)], case
        text = next(iter(shown.values()))
        message, hint = said[0]
        head = message[0].upper() + message[1:] + "."
        assert text.startswith(head), case
        # The browser gives pac's "how to put it right", without the field's help (shown
        # under the field) and the owners (named on the page).
        how = text[len(head) :].strip()
        assert how and hint.startswith(how), case


def test_the_page_shows_the_plain_words_not_the_raw_schema(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get((site / "items/messaging-kafka-topic.html").as_uri())
    _fill_baseline(browser, "messaging-kafka-topic")
    _set(browser, ("topic", "contactEmail"), "ana-at-company")
    _set(browser, ("name",), "Search Clicks")
    _field(browser, "meta-email").clear()
    browser.find_element(By.ID, "make-request").click()
    errors = _errors(browser)
    assert errors == {
        "meta-email": "Your email is missing.",
        "input-name": "Topic Name (name) 'Search Clicks' must be 4 to 30 lower-case letters, "
        "digits and hyphens, starting with a letter and not ending with a hyphen. "
        "For example payments-db.",
        "input-topic-contactEmail": "Technical Contact (topic.contactEmail) 'ana-at-company' must "
        "be an email address. Write one address, such as name@company.com.",
    }
    assert not any("^" in text or "does not match" in text for text in errors.values())


def test_a_bundle_card_says_bundle_once(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get((site / "index.html").as_uri())
    card = browser.find_element(By.CSS_SELECTOR, '.card[data-id="bundle-webapp-standard"]')
    assert [b.text for b in card.find_elements(By.CSS_SELECTOR, ".badge")] == ["bundle"]
    item = browser.find_element(By.CSS_SELECTOR, '.card[data-id="messaging-kafka-topic"]')
    assert [b.text for b in item.find_elements(By.CSS_SELECTOR, ".badge")] == [
        "messaging",
        "manual",
    ]


def test_a_password_field_gives_its_help_once(
    browser: Any, site: Path, sample_root: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    from pac.authoring.export import export

    browser.get((site / "items/database-aurora-postgresql-standard.html").as_uri())
    block = browser.find_element(By.CSS_SELECTOR, '[data-field="input-credentials-adminPassword"]')
    helps = [h.text for h in block.find_elements(By.CSS_SELECTOR, ".help")]
    assert helps == ["The name of the CI secret holding the admin password (PAC_SECRET_<NAME>)."]
    # Where the owners wrote no help, pac's own line says what the field takes.
    item = sample_root / "catalog/databases/database-aurora-postgresql-standard.yaml"
    text = item.read_text(encoding="utf-8")
    help_line = (
        "            description: The name of the CI secret holding the admin password "
        "(PAC_SECRET_<NAME>).\n"
    )
    assert help_line in text
    item.write_text(text.replace(help_line, ""), encoding="utf-8")
    bare = tmp_path / "bare-site"
    export(Repository(sample_root), bare)
    browser.get((bare / "items/database-aurora-postgresql-standard.html").as_uri())
    block = browser.find_element(By.CSS_SELECTOR, '[data-field="input-credentials-adminPassword"]')
    assert [h.text for h in block.find_elements(By.CSS_SELECTOR, ".help")] == [
        "The name of the CI secret (PAC_SECRET_<NAME>), never the secret itself."
    ]
