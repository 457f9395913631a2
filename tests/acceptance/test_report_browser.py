"""`pac report --format html` in real headless Chromium (SPEC §6.7): on a synthetic history
of requests, the charts are drawn and visible, the figures shown are the JSON report's,
the page asks nothing of any network address and logs no console error.

Skipped without Chromium unless PAC_REQUIRE_BROWSER is set (as CI sets it).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pac.tracking.metrics import humanise, percent
from tests.chromium import chromium
from tests.conftest import pac
from tests.fakes.history import build_history
from tests.sample import sample_source

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium that keeps its console and network logs for the test to read."""
    with chromium("--window-size=1200,1600", logs=True) as driver:
        yield driver


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The page and the JSON of the same history, both made by the command line."""
    root = tmp_path_factory.mktemp("history")
    build_history(root, requests=300)
    page = root / "report.html"
    made = pac("report", "--format", "html", "--out", str(page), cwd=root)
    assert made.returncode == 0, made.stdout + made.stderr
    figures = pac("report", "--format", "json", cwd=root)
    assert figures.returncode == 0, figures.stderr
    return page, json.loads(figures.stdout)


def requests_made(driver: Any) -> list[str]:
    """Every URL the browser asked for since the last look (from its network log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_the_page_draws_its_charts_shows_the_jsons_figures_and_fetches_nothing(
    browser: Any, report: tuple[Path, dict[str, Any]]
) -> None:
    from selenium.webdriver.common.by import By

    page, data = report
    browser.get_log("performance")  # forget what an earlier page asked for
    browser.get(page.as_uri())

    charts = browser.find_elements(By.CSS_SELECTOR, "figure.chart svg")
    assert len(charts) >= 6
    for chart in charts:
        assert chart.is_displayed()
        assert chart.size["width"] > 100 and chart.size["height"] > 20
        assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent")
        assert chart.find_element(By.TAG_NAME, "desc").get_attribute("textContent")
    bars = browser.find_elements(By.CSS_SELECTOR, "svg rect.bar")
    assert any(bar.size["width"] > 0 for bar in bars)
    assert browser.find_elements(By.CSS_SELECTOR, "svg polyline.line.median")
    assert browser.find_elements(By.CSS_SELECTOR, "svg line.target")

    def shown(name: str) -> str:
        figure = browser.find_element(By.CSS_SELECTOR, f'[data-figure="{name}"] .value')
        return str(figure.text)

    lead = data["leadTime"]
    assert shown("requests") == str(data["requests"]["total"]) == "300"
    assert shown("lead-median") == humanise(lead["medianSeconds"])
    assert shown("lead-p90") == humanise(lead["p90Seconds"])
    assert shown("targets") == percent(data["targets"]["share"])
    assert shown("automation") == percent(data["automation"])
    assert shown("failure-rate") == percent(data["failures"]["rate"])
    rows = {
        row.find_elements(By.TAG_NAME, "td")[0].text: row
        for row in browser.find_elements(By.CSS_SELECTOR, "#teams tbody tr")
    }
    for team in data["teams"]:
        cells = [c.text for c in rows[team["team"]].find_elements(By.TAG_NAME, "td")]
        asked = team["requests"]
        assert cells[1] == str(asked["takenUp"])
        assert cells[2] == humanise(asked["leadTime"]["medianSeconds"])
        assert cells[-1] == percent(asked["failureRate"])

    # Self-contained: nothing but the page itself asked for, no outside reference at all.
    assert requests_made(browser) == [page.as_uri()]
    outside = browser.execute_script(
        "return [...document.querySelectorAll('[src],[href]')].length"
        " + performance.getEntriesByType('resource').length"
    )
    assert outside == 0
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_an_empty_history_is_a_page_that_says_so(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    root = tmp_path / "empty"
    root.mkdir()
    for part in ("catalog", "templates", "pac.yaml"):
        source = sample_source() / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copy2(source, root / part)
    page = root / "report.html"
    made = pac("report", "--format", "html", "--out", str(page), cwd=root)
    assert made.returncode == 0, made.stderr
    browser.get(page.as_uri())
    said = browser.find_element(By.ID, "empty")
    assert said.is_displayed() and "No requests yet" in said.text
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
