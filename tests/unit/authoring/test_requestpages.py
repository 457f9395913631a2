"""The site's request and team pages, built from request files and status files."""

from __future__ import annotations

import html
import json
from pathlib import Path

from pac.authoring.export import export
from pac.authoring.names import page_name
from pac.authoring.requestpages import gather, state_words
from pac.documents.repository import Repository
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskError, TaskStatus
from pac.records.store import StatusStore
from tests.conftest import invoke


def _embedded(page: str, element: str) -> object:
    text = page.split(f'<script type="application/json" id="{element}">')[1].split(
        "</script>", maxsplit=1
    )[0]
    assert not set("<>&") & set(text)
    return json.loads(text)


def test_every_request_gets_a_page_and_every_team_one(sample_root: Path, tmp_path: Path) -> None:
    export(Repository(sample_root), tmp_path / "site", environ={})
    page = (tmp_path / "site/requests/payments-events.html").read_text()
    assert "Not started yet" in page
    assert 'href="../items/messaging-kafka-topic.html"' in page
    change = _embedded(page, "pac-change")
    assert isinstance(change, dict)
    assert change["path"] == "requests/payments/payments-events.yaml"
    assert change["input"]["topic"]["partitions"] == 12
    assert change["targetKey"] == "catalogItemId"
    assert '<script src="../assets/site.js"></script>' in page
    script = (tmp_path / "site/assets/site.js").read_text()
    site = json.loads(script.removeprefix("window.pacSite = ").removesuffix(";\n"))
    assert site["requestIds"] == ["payments-events", "payments-webapp"]
    assert site["host"]["whyNot"]
    team = (tmp_path / "site/teams/payments.html").read_text()
    assert 'href="../requests/payments-webapp.html"' in team
    index = (tmp_path / "site/index.html").read_text()
    assert 'href="teams/payments.html"' in index


def test_a_broken_status_file_is_named_on_its_page(sample_root: Path, tmp_path: Path) -> None:
    store = StatusStore(sample_root)
    store.folder.mkdir(parents=True)
    (store.folder / "payments-events.yaml").write_text("a: &a [*a, *a]\n")
    (store.folder / "gone-request.yaml").write_text("request: gone-request\nstate: nonsense\n")
    site = gather(Repository(sample_root))
    assert "cannot" in site.records["payments-events"].status_problem
    assert "altered" in site.records["gone-request"].status_problem
    assert site.taken == ["gone-request", "payments-events", "payments-webapp"]
    export(Repository(sample_root), tmp_path / "site", environ={})
    page = (tmp_path / "site/requests/gone-request.html").read_text()
    assert "cannot be read" in page and "no longer in the repository" in page


def test_an_id_a_url_must_escape_gets_a_page_and_a_working_link(
    sample_root: Path, tmp_path: Path
) -> None:
    store = StatusStore(sample_root)
    odd = "we ird#?&<b>é"
    store.save(RequestStatus(odd, state=RequestState.DECOMMISSIONED))
    export(Repository(sample_root), tmp_path / "site", environ={})
    name = page_name(odd)
    page = (tmp_path / f"site/requests/{name}.html").read_text()
    assert html.escape(odd) in page and "<b>é" not in page
    team = (tmp_path / f"site/teams/{page_name('(unknown team)')}.html").read_text()
    assert f'href="../requests/{name}.html"' in team
    site = (tmp_path / "site/assets/site.js").read_text()
    assert "we ird#?\\u0026\\u003cb\\u003eé" in site


def test_buttons_follow_the_state(sample_root: Path, tmp_path: Path) -> None:
    export(Repository(sample_root), tmp_path / "site", environ={})
    fresh = (tmp_path / "site/requests/payments-events.html").read_text()
    assert 'id="change-open"' in fresh and 'id="decommission-open"' not in fresh
    assert "set operations.abort: true" in fresh
    StatusStore(sample_root).save(RequestStatus("payments-events", state=RequestState.FAILED))
    export(Repository(sample_root), tmp_path / "site", environ={})
    failed = (tmp_path / "site/requests/payments-events.html").read_text()
    assert 'id="change-open"' not in failed and 'id="decommission-open"' in failed
    assert "changed once it is completed (it is failed now)" in failed


def test_hostile_ids_get_safe_page_names() -> None:
    assert page_name("payments-db") == "payments-db"
    for hostile in ("../../etc/passwd", "a b?c#d", "<script>", ".hidden", "é", "x" * 101):
        name = page_name(hostile)
        assert name.startswith("x-") and "/" not in name and len(name) == 18
    assert page_name("a?b") != page_name("a#b")


def test_hostile_status_values_are_text(sample_root: Path, tmp_path: Path) -> None:
    task = TaskStatus(
        key="payments-events/topic/manual/0",
        component="topic",
        catalog_item="messaging-kafka-topic",
        action="jira-ticket",
        strategy="manual",
        index=0,
        owner_team='<b onmouseover="x">team</b>',
        state=TaskState.FAILED,
        ticket_key="MSG-1",
        ticket_url="javascript:alert(1)",
        outputs={"url": "<script>alert(1)</script>"},
        error=TaskError("The topic <i>exists</i>", contact="msg@company.com"),
    )
    StatusStore(sample_root).save(
        RequestStatus("payments-events", state=RequestState.FAILED, tasks=[task])
    )
    export(Repository(sample_root), tmp_path / "site", environ={})
    page = (tmp_path / "site/requests/payments-events.html").read_text()
    assert "javascript:" not in page and "<script>alert" not in page and "<i>" not in page
    assert html.escape("<script>alert(1)</script>") in page
    assert "Ask msg@company.com." in page


def test_waiting_names_the_teams_and_tickets() -> None:
    task = TaskStatus(
        key="k",
        component="db",
        catalog_item="i",
        action="jira-ticket",
        strategy="manual",
        index=0,
        owner_team="platform-databases-team",
        state=TaskState.PROCESSING,
        ticket_key="DBA-12",
    )
    status = RequestStatus("r", state=RequestState.PROCESSING, tasks=[task])
    assert state_words(status) == "Waiting on platform-databases-team: DBA-12."
    status = RequestStatus("r", state=RequestState.DEFERRED, deferred_window="Peak")
    assert state_words(status).startswith("Held by a change freeze. Peak ends")


def test_export_warns_about_a_repository_address_that_is_not_http(
    sample_root: Path, tmp_path: Path
) -> None:
    with (sample_root / "pac.yaml").open("a") as config:
        config.write("repository:\n  url: file:///srv/catalog\n")
    code, out = invoke(sample_root, "export", "--out", str(tmp_path / "site"))
    assert code == 0
    assert (
        "warning: pac.yaml: repository.url 'file:///srv/catalog' is not an http(s) address" in out
    )
    assert (tmp_path / "site/items/messaging-kafka-topic.html").is_file()


def test_catalog_text_with_markup_stays_text_on_request_pages(
    sample_root: Path, tmp_path: Path
) -> None:
    item = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    hostile = "Kafka <img src=x onerror=alert(1)> \"Topic\" 'é'"
    item.write_text(item.read_text().replace("name: Kafka Topic", f"name: {json.dumps(hostile)}"))
    export(Repository(sample_root), tmp_path / "site", environ={})
    page = (tmp_path / "site/requests/payments-events.html").read_text()
    assert html.escape(f"{hostile} (messaging-kafka-topic)") in page
    assert "<img" not in page
    team = (tmp_path / "site/teams/payments.html").read_text()
    assert html.escape(hostile) in team and "<img" not in team
