from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pac.documents.repository import Repository
from pac.fulfilment.notify import tell
from pac.fulfilment.notify.dispatch import GIVEN_UP, owning_teams, status_link
from pac.records.events import EventKind
from pac.records.states import RequestState
from pac.records.status import RequestStatus
from pac.records.store import StatusStore
from tests.fakes.server import FakeServer, Received, Response

ROUTES = """notifications:
  channels:
    hook: {url: {secretRef: NOTIFY_HOOK}}
  routes:
    - {events: [completed, failed, target-missed], channels: [hook]}
"""


class Hook(FakeServer):
    def respond(self, request: Received) -> Response:
        return Response(200, {})


@pytest.fixture
def hook() -> Iterator[Hook]:
    with Hook() as server:
        yield server  # type: ignore[misc]


def _repo(root: Path) -> Repository:
    (root / "pac.yaml").write_text((root / "pac.yaml").read_text() + ROUTES)
    return Repository(root)


def _save(root: Path, status: RequestStatus) -> None:
    StatusStore(root).folder.mkdir(parents=True, exist_ok=True)
    StatusStore(root).save(status)


def _open(request: str = "payments-events", created: str = "2020-01-01T00:00:00Z") -> RequestStatus:
    status = RequestStatus(request, target_kind="CatalogItem", target_id="messaging-kafka-topic")
    status.created_at = created
    status.become(RequestState.PROCESSING)
    return status


def test_an_open_request_past_its_target_records_target_missed_once(
    sample_root: Path, hook: Hook
) -> None:
    repo = _repo(sample_root)
    _save(sample_root, _open())
    env = {"PAC_SECRET_NOTIFY_HOOK": f"{hook.url.replace('http://', 'json://')}/x"}
    first = tell(repo, environ=env)
    tell(repo, environ=env)
    status = StatusStore(sample_root).load("payments-events")
    assert status is not None
    missed = [e for e in status.events if e.kind is EventKind.TARGET_MISSED]
    assert len(missed) == 1 and "hook" in missed[0].sent
    assert first.sent == 1 and len(hook.log) == 1
    assert "has been open" in hook.log[0].json()["message"]


def test_old_events_are_not_sent_and_failed_ones_are_given_up(sample_root: Path) -> None:
    repo = _repo(sample_root)
    status = _open(created="2026-11-30T00:00:00Z")
    failed = status.record_event(EventKind.FAILED)
    completed = status.record_event(EventKind.COMPLETED)
    failed.at = completed.at = "2020-01-01T00:00:00Z"
    failed.errors["hook"] = "2020-01-01T00:00:00Z: error=500"
    _save(sample_root, status)
    told = tell(repo, environ={"PAC_SECRET_NOTIFY_HOOK": "json://127.0.0.1:1/never"})
    saved = StatusStore(sample_root).load("payments-events")
    assert saved is not None
    assert saved.events[-2].errors["hook"].startswith(f"{GIVEN_UP} after 24 hours")
    assert saved.events[-1].sent == {} and saved.events[-1].errors == {}
    assert told.given_up == 1 and told.sent == 0 and told.failed == 0
    assert any("given up" in line for line in told.lines)


def test_a_channel_whose_secret_is_not_set_here_is_left_for_another_run(
    sample_root: Path,
) -> None:
    repo = _repo(sample_root)
    status = _open(created="2099-01-01T00:00:00Z")
    status.become(RequestState.COMPLETED)
    _save(sample_root, status)
    told = tell(repo, environ={})
    assert told.lines == [
        "notifications: channel hook not sent here: PAC_SECRET_NOTIFY_HOOK is not set "
        "(1 message(s) left for a run that has it)"
    ]
    saved = StatusStore(sample_root).load("payments-events")
    assert saved is not None and saved.events[-1].sent == {} and saved.events[-1].errors == {}


def test_owning_teams_and_the_status_link(sample_repo: Repository) -> None:
    bundle = sample_repo.offering("bundle-webapp-standard")
    assert bundle is not None
    status = RequestStatus("payments-webapp", target_id=bundle.id)
    teams = owning_teams(sample_repo, status, bundle)
    assert {"platform-databases-team", bundle.owner.team} <= teams
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/catalog"}
    assert status_link(sample_repo, env) == (
        "https://github.com/acme/catalog/blob/main/requests/.status/{id}.yaml"
    )
    assert status_link(sample_repo, {}) == ""
