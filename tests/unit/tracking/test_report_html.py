"""The report's HTML page: self-contained (nothing loaded, no script), names from files
escaped, the headline figures the same as the JSON's, and a page that says so when there
is nothing to measure."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskStatus
from pac.tracking.metrics import build_report, humanise, percent
from pac.tracking.report_html import render_html

NOW = dt.datetime(2026, 3, 31, tzinfo=dt.UTC)
EVIL = '<img src="https://evil.example/x.png" onerror="alert(1)">'


class Page(HTMLParser):
    """What a browser would load or run, and the headline figures by name."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.handlers: list[str] = []
        self.figures: dict[str, str] = {}
        self._figure = ""
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "srcset"):
                self.links.append((tag, value or ""))
            if name.startswith("on"):
                self.handlers.append(name)
        named = dict(attrs).get("data-figure")
        if named:
            self._figure = named
        if tag == "span" and self._figure:
            self.figures[self._figure] = ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._figure and self._figure in self.figures and not self.figures[self._figure]:
            self.figures[self._figure] = data
            self._figure = ""


def read(page: str) -> Page:
    parsed = Page()
    parsed.feed(page)
    return parsed


def status(request: str, team: str, finished: str, state: RequestState) -> RequestStatus:
    return RequestStatus(
        request,
        state,
        target_id="some-offering",
        created_at="2026-03-02T10:00:00Z",
        requested_at="2026-03-02T08:00:00Z",
        landed_at="2026-03-02T09:00:00Z",
        tasks=[
            TaskStatus(
                key=f"{request}/x/0",
                component="x",
                catalog_item="x",
                action="jira-ticket",
                strategy="manual",
                index=0,
                label=EVIL,
                owner_team=team,
                state=TaskState.COMPLETED if finished else TaskState.FAILED,
                started_at="2026-03-02T10:00:00Z",
                finished_at=finished,
            )
        ],
    )


def test_the_page_loads_nothing_runs_nothing_and_escapes_names() -> None:
    report = build_report(
        [],
        [],
        [
            status("a", EVIL, "2026-03-03T10:00:00Z", RequestState.COMPLETED),
            status("b", EVIL, "", RequestState.FAILED),
        ],
        now=NOW,
    )
    page = render_html(report)
    parsed = read(page)
    assert parsed.links == [] and parsed.handlers == []
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert EVIL in "".join(parsed.text)  # shown as text, in the failures table
    assert parsed.tags.count("svg") >= 5


def test_headline_figures_are_the_jsons() -> None:
    report = build_report(
        [],
        [],
        [
            status("a", "t", "2026-03-03T10:00:00Z", RequestState.COMPLETED),
            status("b", "t", "2026-03-02T12:00:00Z", RequestState.COMPLETED),
            status("c", "t", "", RequestState.FAILED),
        ],
        now=NOW,
    )
    data = report.as_dict()
    figures = read(render_html(report)).figures
    assert figures["requests"] == str(data["requests"]["total"]) == "3"
    assert figures["lead-median"] == humanise(data["leadTime"]["medianSeconds"]) == "4.0 h"
    assert figures["lead-p90"] == humanise(data["leadTime"]["p90Seconds"]) == "26.0 h"
    assert figures["failure-rate"] == percent(data["failures"]["rate"]) == "33%"
    assert figures["automation"] == percent(data["automation"]) == "0%"


def test_nothing_to_measure_says_so() -> None:
    page = render_html(build_report([], [], [], now=NOW))
    assert 'id="empty"' in page and "No requests yet" in page
    assert "<svg" not in page
