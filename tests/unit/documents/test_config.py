"""The change calendar of `pac.yaml`: which freeze holds a day, when it ends, and which
freezes `pac plan` warns of, at the edges of the calendar (SPEC §7)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from pac.documents.config import FreezeWindow, PacConfig, build_config
from tests.conftest import FIXTURES

D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def config() -> PacConfig:
    return build_config(yaml.safe_load((FIXTURES / "calendar/freezes.yaml").read_text()))


def _window(config: PacConfig, name: str) -> FreezeWindow:
    return next(w for w in config.freezes if w.name == name)


def test_the_calendar_is_read_with_its_scopes(config: PacConfig) -> None:
    assert config.timezone == "Europe/Berlin" and config.freeze_warn_days == 21
    assert [(w.name, w.recurring, w.categories) for w in config.freezes] == [
        ("Year end", True, None),
        ("Leap day", True, ("databases",)),
        ("Migration", False, ("compute",)),
    ]
    assert all(w.validate() == "" for w in config.freezes)


@pytest.mark.parametrize(
    ("day", "held"),
    [
        ("2026-12-19", False),
        ("2026-12-20", True),
        ("2026-12-31", True),
        ("2027-01-01", True),
        ("2027-01-05", True),
        ("2027-01-06", False),
    ],
)
def test_a_freeze_over_the_new_year_holds_both_ends(
    config: PacConfig, day: str, held: bool
) -> None:
    found = config.freeze_for("payments", D(day))
    assert (found is not None and found.name == "Year end") is held


@pytest.mark.parametrize(
    ("day", "ends"),
    [("2026-12-24", "2027-01-05"), ("2027-01-02", "2027-01-05"), ("2026-12-20", "2027-01-05")],
)
def test_it_ends_in_the_next_year_when_it_began_in_this_one(
    config: PacConfig, day: str, ends: str
) -> None:
    assert _window(config, "Year end").ends_on(D(day)) == D(ends)


def test_while_in_a_freeze_the_next_one_starts_a_year_later(config: PacConfig) -> None:
    window = _window(config, "Year end")
    assert window.next_start(D("2026-12-10")) == D("2026-12-20")
    assert window.next_start(D("2026-12-20")) == D("2027-12-20")  # after, not on, the day
    assert window.next_start(D("2027-01-02")) == D("2027-12-20")


def test_a_freeze_ending_on_feb_29_ends_on_feb_28_in_a_common_year(config: PacConfig) -> None:
    window = _window(config, "Leap day")
    assert window.contains(D("2028-02-29"))
    assert window.contains(D("2027-02-28")) and not window.contains(D("2027-03-01"))
    assert window.ends_on(D("2027-02-26")) == D("2027-02-28")
    assert window.ends_on(D("2028-02-26")) == D("2028-02-29")
    assert config.freeze_for("databases", D("2027-02-26")) == window
    assert config.freeze_for("compute", D("2027-02-26")) is None  # out of its scope


def test_an_absolute_freeze_happens_once(config: PacConfig) -> None:
    window = _window(config, "Migration")
    assert window.contains(D("2027-03-10")) and window.contains(D("2027-03-12"))
    assert not window.contains(D("2028-03-11"))
    assert window.ends_on(D("2027-03-11")) == D("2027-03-12")
    assert window.next_start(D("2027-03-01")) == D("2027-03-10")
    assert window.next_start(D("2027-03-10")) is None


def test_freezes_ahead_are_those_within_warn_days_soonest_first(config: PacConfig) -> None:
    ahead = config.freezes_ahead(["databases", "compute"], D("2027-02-20"))
    assert [(w.name, start, end) for w, start, end in ahead] == [
        ("Leap day", D("2027-02-25"), D("2027-02-28")),
        ("Migration", D("2027-03-10"), D("2027-03-12")),  # 18 days: within 21
    ]
    assert [w.name for w, _, _ in config.freezes_ahead(["payments"], D("2027-02-20"))] == []


def test_freezes_ahead_crosses_the_new_year_and_stops_at_warn_days(config: PacConfig) -> None:
    ahead = config.freezes_ahead(["payments"], D("2026-12-01"))  # 19 days ahead
    assert [(w.name, start, end) for w, start, end in ahead] == [
        ("Year end", D("2026-12-20"), D("2027-01-05"))
    ]
    assert config.freezes_ahead(["payments"], D("2026-11-28")) == []  # 22 days ahead
    # Inside the freeze, the next one is a year away: nothing to warn of.
    assert config.freezes_ahead(["payments"], D("2026-12-24")) == []


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        ("02-30", "03-01", "not a real date"),
        ("2027-03-12", "2027-03-10", "the window ends before it starts"),
        ("12-20", "2027-01-05", "start and end must both be YYYY-MM-DD or both MM-DD"),
    ],
)
def test_windows_that_cannot_be_used_say_why(start: str, end: str, problem: str) -> None:
    assert FreezeWindow("x", start, end).validate().startswith(problem)


def test_resolutions_default_and_from_pac_yaml() -> None:
    from pac.documents.config import DEFAULT_DONE, DEFAULT_NOT_DONE, build_config

    plain = build_config({})
    assert (plain.resolutions_done, plain.resolutions_not_done) == (DEFAULT_DONE, DEFAULT_NOT_DONE)
    named = build_config(
        {"jira": {"resolutions": {"done": ["Done", "Delivered"], "notDone": ["Rejected"]}}}
    )
    assert named.resolutions_done == ("Done", "Delivered")
    assert named.resolutions_not_done == ("Rejected",)
