"""Change freezes (SPEC §7): which freeze holds a request, the day apply rehearses, holding
a request once per window, and why one passes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from pac.documents.config import FreezeWindow
from pac.documents.model import Priority
from pac.documents.repository import Repository
from pac.errors import UsageError
from pac.fulfilment.freeze import defer, freeze_window, pass_freeze, today_in, touched_categories
from pac.fulfilment.revision import new_status
from pac.records.states import RequestState
from pac.records.store import StatusStore
from tests.unit.fulfilment.test_apply import WEBAPP

FROZEN = dt.date(2026, 12, 24)  # inside the sample's 'Retail peak season' (databases, compute)


def _scoped_to(root: Path, categories: str) -> None:
    path = root / "pac.yaml"
    path.write_text(path.read_text().replace("[databases, compute]", f"[{categories}]"))


def test_a_bundle_touches_its_own_and_its_components_categories(
    sample_repo: Repository,
) -> None:
    bundle = sample_repo.offering("bundle-webapp-standard")
    assert bundle is not None
    assert touched_categories(sample_repo, bundle) == [
        "bundles",
        "databases",
        "security",
        "compute",
    ]


def test_a_freeze_on_one_components_category_holds_the_whole_bundle(
    sample_root: Path,
) -> None:
    _scoped_to(sample_root, "security")
    repo = Repository(sample_root)
    bundle, topic = repo.offering("bundle-webapp-standard"), repo.offering("messaging-kafka-topic")
    assert bundle is not None and topic is not None
    window = freeze_window(repo, bundle, FROZEN)
    assert window is not None and window.name == "Retail peak season"
    assert freeze_window(repo, topic, FROZEN) is None
    assert freeze_window(repo, bundle, dt.date(2026, 6, 1)) is None


def test_pac_today_rehearses_a_day_and_a_bad_one_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAC_TODAY", " 2026-12-24 ")
    assert today_in("Europe/Berlin") == FROZEN
    monkeypatch.setenv("PAC_TODAY", "24.12.2026")
    with pytest.raises(UsageError, match=r"PAC_TODAY='24.12.2026' is not a date"):
        today_in("UTC")
    monkeypatch.delenv("PAC_TODAY")
    assert abs((today_in("No/Such_Zone") - dt.date.today()).days) <= 1  # falls back to UTC


def test_a_request_is_held_and_noted_once_per_window(sample_repo: Repository) -> None:
    request, offering = sample_repo.request(WEBAPP), sample_repo.offering("bundle-webapp-standard")
    assert request is not None and offering is not None
    window = freeze_window(sample_repo, offering, FROZEN)
    assert window is not None
    store = StatusStore(sample_repo.root)
    status = new_status(sample_repo, request, offering)
    state, summary = defer(sample_repo, store, status, request, offering, window, FROZEN)
    assert state is RequestState.DEFERRED
    assert summary == "deferred: change freeze 'Retail peak season' until 2027-01-15"
    assert [t.state.value for t in status.tasks] == ["pending"] * 4  # shown while it waits
    noted = len(status.history)
    later = FROZEN + dt.timedelta(days=7)
    assert defer(sample_repo, store, status, request, offering, window, later)[0] is (
        RequestState.DEFERRED
    )
    assert len(status.history) == noted  # the same window: nothing new to say
    saved = store.load(WEBAPP)
    assert saved is not None and saved.deferred_until == "2027-01-15"


def test_why_a_request_goes_through_a_freeze_is_noted(sample_repo: Repository) -> None:
    request, offering = sample_repo.request(WEBAPP), sample_repo.offering("bundle-webapp-standard")
    assert request is not None and offering is not None
    window = FreezeWindow("Peak", "12-01", "12-31")
    status = new_status(sample_repo, request, offering)
    line = pass_freeze(status, request, window)
    assert line == "finishing a run begun before the change freeze 'Peak'"
    assert status.history[-1]["event"] == line
    assert pass_freeze(status, replace(request, priority=Priority.EMERGENCY), window) == (
        "emergency: passing the change freeze 'Peak'"
    )
    assert status.history[-1]["event"] == "emergency request: passed the change freeze 'Peak'"
