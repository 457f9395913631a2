"""The site's pull-request button and request pages in headless Chromium (SPEC §9).

The exported site is served on 127.0.0.1; the pull-request links are read from the page,
decoded and their file validated by `pac validate` — never followed (no network).
"""

from __future__ import annotations

import functools
import json
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from pac.authoring.export import export
from pac.documents.lifecycle import Operation
from pac.documents.repository import Repository
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, Revision, TaskStatus
from pac.records.store import StatusStore
from pac.validation.run import validate
from tests.acceptance.test_browser import browser

__all__ = ["browser"]

HOST = "https://github.example.com/acme/catalog"
HOSTILE = "<img src=x onerror=alert(1)> \"quotes\" 'and' é 😀"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_Quiet, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _task(**extra: Any) -> TaskStatus:
    base: dict[str, Any] = {
        "key": "payments-webapp/database/manual/0",
        "component": "database",
        "catalog_item": "database-aurora-postgresql-standard",
        "action": "jira-ticket",
        "strategy": "manual",
        "index": 0,
        "label": "Create the database",
        "owner_team": "platform-databases-team",
        "state": TaskState.COMPLETED,
        "ticket_key": "DBA-12",
        "ticket_url": "https://acme.atlassian.net/browse/DBA-12",
        "outputs": {"endpoint": "db.payments.internal:5432", "password": "***"},
    }
    return TaskStatus(**(base | extra))


def _statuses(root: Path) -> None:
    store = StatusStore(root)
    first = Revision(0, Operation.CREATE, RequestState.COMPLETED, {}, {}, tasks=[_task()])
    store.save(
        RequestStatus(
            "payments-webapp",
            state=RequestState.COMPLETED,
            revision=1,
            operation=Operation.UPDATE,
            changed_fields=["app.replicas"],
            tasks=[_task(key="payments-webapp/r1/app/manual/update/0", ticket_key="APP-3")],
            revisions=[first],
        )
    )
    (store.folder / "payments-events.yaml").write_text("request: [unclosed\n")


@pytest.fixture
def repo(sample_root: Path) -> Path:
    with (sample_root / "pac.yaml").open("a") as config:
        config.write(f"repository:\n  url: {HOST}\n")
    kafka = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    kafka.write_text(
        kafka.read_text().replace(
            "            type: boolean\n",
            "            type: boolean\n            immutable: true\n",
        )
    )
    _statuses(sample_root)
    return sample_root


@pytest.fixture
def site(repo: Path, tmp_path: Path, serve: Any) -> str:
    out = tmp_path / "site"
    result = export(Repository(repo), out, environ={})
    assert result.notes == []
    return str(serve(out))


def _proposed(repo: Path, path: str, text: str) -> list[Any]:
    """`pac validate` on the file as the pull request would add it."""
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return validate(Repository(repo), paths=[target]).diagnostics


def _new_file(href: str) -> tuple[str, str]:
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{HOST}/new/main"
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    return query["filename"][0], query["value"][0]


def test_from_the_search_box_to_a_pull_request(browser: Any, site: str, repo: Path) -> None:
    """Done when: search, open, fill in, open the pull request — counted and timed."""
    from selenium.webdriver.common.by import By

    clicks = keys = 0
    started = time.perf_counter()
    browser.get(site + "index.html?email=ana%40company.com&name=Ana%20S%C3%B8rensen&team=search")

    def type_in(field: str, text: str) -> None:
        nonlocal keys
        browser.find_element(By.ID, field).send_keys(text)
        keys += len(text)

    type_in("filter-text", "kafka")
    browser.find_element(By.LINK_TEXT, "Kafka Topic").click()
    clicks += 1
    assert browser.find_element(By.ID, "meta-name").get_attribute("value") == "Ana Sørensen"
    type_in("input-name", "search-clicks")
    type_in("input-environment-costCenter", "CC-0042")
    type_in("input-topic-contactEmail", "ana@company.com")
    browser.find_element(By.ID, "make-request").click()
    clicks += 1
    button = browser.find_element(By.ID, "request-pr")
    assert button.is_displayed() and button.text == "Open pull request"
    href = button.get_attribute("href")
    clicks += 1  # the click that opens the pull request page, not made: no network here
    elapsed = time.perf_counter() - started
    path, text = _new_file(href)
    assert path == "requests/search/search-clicks.yaml"
    assert _proposed(repo, path, text) == [], text
    assert 'name: "Ana Sørensen"' in text
    print(
        f"\nsearch box to pull request: {clicks} clicks, {keys} keystrokes, "
        f"{elapsed:.2f} s in headless Chromium"
    )


def test_the_id_check_fires(browser: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "items/messaging-kafka-topic.html?email=a%40b.co&name=A&team=payments")
    browser.find_element(By.ID, "input-name").send_keys("payments-events")
    browser.find_element(By.ID, "input-environment-costCenter").send_keys("CC-0042")
    browser.find_element(By.ID, "input-topic-contactEmail").send_keys("a@b.co")
    browser.find_element(By.ID, "make-request").click()
    error = browser.find_element(By.CSS_SELECTOR, "[data-field=input-name] .error").text
    assert error.startswith("The request id payments-events is taken by an existing request")
    assert not browser.find_element(By.ID, "request-output").is_displayed()
    browser.find_element(By.ID, "meta-id").send_keys("payments-webapp")
    browser.find_element(By.ID, "make-request").click()
    error = browser.find_element(By.CSS_SELECTOR, "[data-field=meta-id] .error").text
    assert (
        error
        == "The request id payments-webapp is taken by an existing request: choose another id."
    )


def test_change_prefills_and_locks_what_cannot_change(browser: Any, site: str, repo: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "requests/payments-events.html")
    # Its status file is broken: the page says so, and the request can still change.
    assert "cannot be read" in browser.find_element(By.ID, "state").text
    browser.find_element(By.ID, "change-open").click()
    name = browser.find_element(By.ID, "input-name")
    assert name.get_attribute("value") == "payments-events"
    assert name.get_attribute("readonly") == "true"
    assert not browser.find_element(By.ID, "input-topic-compacted").is_enabled()
    assert browser.find_elements(By.ID, "meta-email") == []
    partitions = browser.find_element(By.ID, "input-topic-partitions")
    assert partitions.get_attribute("value") == "12"
    partitions.clear()
    partitions.send_keys("24")
    browser.find_element(By.ID, "make-request").click()
    button = browser.find_element(By.ID, "request-pr")
    assert button.text == "Copy and open the editor"
    assert (
        button.get_attribute("href") == f"{HOST}/edit/main/requests/payments/payments-events.yaml"
    )
    assert "select all" in browser.find_element(By.ID, "request-steps").text
    text = browser.find_element(By.ID, "request-yaml").text + "\n"
    # The file is valid; only its broken status is a finding (validate reads it for a change).
    found = _proposed(repo, "requests/payments/payments-events.yaml", text)
    assert [d.code for d in found] == ["status-unreadable"], text
    changed = Repository(repo).request("payments-events")
    assert changed is not None and changed.input["topic"]["partitions"] == 24
    assert changed.requester.email == "dana.dev@company.com"


def test_decommission_adds_the_reason_to_the_file(browser: Any, site: str, repo: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "requests/payments-webapp.html")
    state = browser.find_element(By.ID, "state").text
    assert state == "Ready: everything it asked for is there."
    tickets = browser.find_element(By.ID, "tickets").text
    assert "APP-3" in tickets
    revisions = browser.find_element(By.ID, "revisions").text
    assert "changed: app.replicas" in revisions and "create" in revisions
    assert "db.payments.internal:5432" in browser.page_source
    browser.find_element(By.ID, "decommission-open").click()
    browser.find_element(By.ID, "decommission-make").click()
    assert "Say why" in browser.find_element(By.CSS_SELECTOR, "#decommission .error").text
    browser.find_element(By.ID, "decommission-reason").send_keys(HOSTILE + "\nsecond line")
    browser.find_element(By.ID, "decommission-make").click()
    href = browser.find_element(By.ID, "request-pr").get_attribute("href")
    assert href == f"{HOST}/edit/main/requests/payments/payments-webapp.yaml"
    text = browser.find_element(By.ID, "request-yaml").text + "\n"
    assert text.startswith("# yaml-language-server")  # the file as it was, comments and all
    assert _proposed(repo, "requests/payments/payments-webapp.yaml", text) == [], text
    retired = Repository(repo).request("payments-webapp")
    assert retired is not None and retired.decommission == HOSTILE + "\nsecond line"


def test_hostile_requests_and_statuses_stay_text(
    browser: Any, repo: Path, tmp_path: Path, serve: Any
) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    request = repo / "requests/payments/payments-events.yaml"
    request.write_text(
        request.read_text().replace(
            "name: Dana Dev", "name: " + json.dumps(HOSTILE, ensure_ascii=False)
        )
    )
    store = StatusStore(repo)
    store.save(
        RequestStatus(
            "payments-events",
            state=RequestState.FAILED,
            tasks=[
                _task(
                    key="payments-events/topic/manual/0",
                    ticket_key="</td><script>alert(2)</script>",
                    ticket_url="javascript:alert(3)",
                    outputs={"<b>x</b>": HOSTILE},
                )
            ],
        )
    )
    out = tmp_path / "hostile"
    export(Repository(repo), out, environ={})
    base = serve(out)
    for page in ("requests/payments-events.html", "teams/payments.html", "index.html"):
        browser.get(base + page)
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
        assert (
            browser.find_elements(
                By.CSS_SELECTOR,
                "main img, main b, script:not([type='application/json']):not([src])",
            )
            == []
        )
    browser.get(base + "requests/payments-events.html")
    assert browser.find_element(By.LINK_TEXT, "Kafka Topic (messaging-kafka-topic)")
    assert browser.find_elements(By.CSS_SELECTOR, "#tickets a") == []  # no javascript: link
    assert "</td><script>alert(2)</script>" in browser.find_element(By.ID, "tickets").text


def test_without_a_web_address_the_page_says_why(
    browser: Any, sample_root: Path, tmp_path: Path, serve: Any
) -> None:
    from selenium.webdriver.common.by import By

    with (sample_root / "pac.yaml").open("a") as config:
        config.write("repository:\n  url: 'git@github.com:acme/catalog.git'\n")
    out = tmp_path / "site"
    result = export(Repository(sample_root), out, environ={})
    assert "is not an http(s) address" in result.notes[0]
    browser.get(serve(out) + "items/messaging-kafka-topic.html?email=a%40b.co&name=A&team=search")
    browser.find_element(By.ID, "input-name").send_keys("search-events")
    browser.find_element(By.ID, "input-environment-costCenter").send_keys("CC-0042")
    browser.find_element(By.ID, "input-topic-contactEmail").send_keys("a@b.co")
    browser.find_element(By.ID, "make-request").click()
    assert not browser.find_element(By.ID, "request-pr").is_displayed()
    fallback = browser.find_element(By.ID, "request-fallback").text
    assert "not a web (http or https) address" in fallback
    assert browser.find_element(By.ID, "request-download").is_displayed()


def test_a_request_too_long_for_a_link_falls_back(browser: Any, site: str, repo: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "items/messaging-kafka-topic.html?email=a%40b.co&name=A&team=search")
    browser.find_element(By.ID, "input-name").send_keys("long-topic")
    browser.find_element(By.ID, "input-environment-costCenter").send_keys("CC-0042")
    browser.find_element(By.ID, "input-topic-contactEmail").send_keys("a@b.co")
    purpose = browser.find_element(By.ID, "input-topic-purpose")
    browser.execute_script("arguments[0].value = arguments[1]", purpose, "é" * 1500)
    browser.find_element(By.ID, "make-request").click()
    assert not browser.find_element(By.ID, "request-pr").is_displayed()
    assert "too long to travel in a link" in browser.find_element(By.ID, "request-fallback").text
    assert (
        unquote("requests/search/long-topic.yaml")
        in browser.find_element(By.ID, "request-path").text
    )


def test_sample_site_exports_request_pages(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    export(Repository(repo), out, environ={})
    assert (out / "requests/payments-webapp.html").is_file()
    assert (out / "teams/payments.html").is_file()
    shutil.rmtree(out)
