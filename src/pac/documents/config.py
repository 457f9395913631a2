"""`pac.yaml`: the repository's non-secret settings, and the change calendar in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pac.documents.notifications import Notifications, build_notifications

DEFAULT_LINK_TYPE = "Blocks"
DEFAULT_CONCURRENCY = 8
# How far ahead `pac plan` looks for a freeze: a pull request is often merged days after
# it was planned, and a freeze starting in between would defer it without warning.
DEFAULT_FREEZE_WARN_DAYS = 14
# How long JIRA's search index may lag behind a create: a ticket whose create answer was
# lost is looked for this long before pac concludes it was never made.
DEFAULT_SEARCH_LAG = 60.0
# JIRA resolutions (SPEC §6.7) when pac.yaml names none: what completes a task, what fails it.
DEFAULT_DONE = ("Done", "Fixed")
DEFAULT_NOT_DONE = (
    "Won't Do",
    "Won't Fix",
    "Declined",
    "Duplicate",
    "Cannot Reproduce",
    "Incomplete",
)
# Runs in a row a task may meet a transient fault before it fails: a day of hourly runs.
DEFAULT_TRANSIENT_RETRIES = 24


def _parse_day(text: str) -> tuple[int | None, int, int]:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return None, parts[0], parts[1]


@dataclass(frozen=True, slots=True)
class FreezeWindow:
    """A change freeze: absolute (YYYY-MM-DD) or recurring every year (MM-DD)."""

    name: str
    start: str
    end: str
    categories: tuple[str, ...] | None = None  # None: every category

    @property
    def recurring(self) -> bool:
        return len(self.start.split("-")) == 2

    def validate(self) -> str:
        """An explanation when the window cannot be used, else ''."""
        try:
            start_year, sm, sd = _parse_day(self.start)
            end_year, em, ed = _parse_day(self.end)
            dt.date(start_year or 2000, sm, sd)
            dt.date(end_year or 2000, em, ed)
        except ValueError as exc:
            return f"not a real date ({exc})"
        if (start_year is None) != (end_year is None):
            return "start and end must both be YYYY-MM-DD or both MM-DD"
        if start_year is not None and self.start > self.end:
            return "the window ends before it starts"
        return ""

    def applies_to(self, category: str) -> bool:
        return self.categories is None or category in self.categories

    def contains(self, day: dt.date) -> bool:
        if not self.recurring:
            return self.start <= day.isoformat() <= self.end
        key = (day.month, day.day)
        _, sm, sd = _parse_day(self.start)
        _, em, ed = _parse_day(self.end)
        if (sm, sd) <= (em, ed):
            return (sm, sd) <= key <= (em, ed)
        return key >= (sm, sd) or key <= (em, ed)  # wraps over the new year

    def next_start(self, day: dt.date) -> dt.date | None:
        """The first day of the next occurrence starting after `day`, if there is one."""
        if not self.recurring:
            start = dt.date.fromisoformat(self.start)
            return start if start > day else None
        _, sm, sd = _parse_day(self.start)
        candidate = _safe_date(day.year, sm, sd)
        return candidate if candidate > day else _safe_date(day.year + 1, sm, sd)

    def ends_on(self, day: dt.date) -> dt.date:
        """The last day of the occurrence of this window that contains `day`."""
        if not self.recurring:
            return dt.date.fromisoformat(self.end)
        _, em, ed = _parse_day(self.end)
        candidate = _safe_date(day.year, em, ed)
        return candidate if candidate >= day else _safe_date(day.year + 1, em, ed)


def _safe_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 02-29 in a common year
        return dt.date(year, month, 28)


@dataclass(frozen=True)
class PacConfig:
    architecture_team: tuple[str, ...] = ()
    requests_owners: tuple[str, ...] = ()
    jira_url: str = ""
    jira_browse_url: str = ""
    jira_link_type: str = DEFAULT_LINK_TYPE
    jira_epic_field: str = "customfield_10014"
    jira_search_lag: float = DEFAULT_SEARCH_LAG
    transient_retries: int = DEFAULT_TRANSIENT_RETRIES
    platform: Mapping[str, Any] = field(default_factory=dict)
    concurrency: int = DEFAULT_CONCURRENCY
    commit_name: str = "pac-bot"
    commit_email: str = "pac-bot@users.noreply.github.com"
    timezone: str = "UTC"
    freezes: tuple[FreezeWindow, ...] = ()
    freeze_warn_days: int = DEFAULT_FREEZE_WARN_DAYS
    jira_link_types: tuple[str, ...] = ()
    validate_ignore: tuple[str, ...] = ()
    repository_url: str = ""  # `repository.url`; checked where it is used (pac export)
    repository_branch: str = ""
    resolutions_done: tuple[str, ...] = DEFAULT_DONE
    resolutions_not_done: tuple[str, ...] = DEFAULT_NOT_DONE
    notifications: Notifications = field(default_factory=Notifications)

    @property
    def link_types(self) -> tuple[str, ...]:
        """Every JIRA link type bundles may name: `jira.linkType` first, then `linkTypes`."""
        rest = tuple(t for t in self.jira_link_types if t != self.jira_link_type)
        return (self.jira_link_type, *rest)

    def freeze_for(self, category: str, day: dt.date) -> FreezeWindow | None:
        return next((w for w in self.freezes if w.applies_to(category) and w.contains(day)), None)

    def freezes_ahead(
        self, categories: list[str], day: dt.date
    ) -> list[tuple[FreezeWindow, dt.date, dt.date]]:
        """Windows covering any of `categories` that start within `freeze_warn_days` after
        `day`, each with the first and last day of that occurrence, soonest first."""
        ahead = []
        for window in self.freezes:
            if not any(window.applies_to(c) for c in categories):
                continue
            start = window.next_start(day)
            if start is not None and (start - day).days <= self.freeze_warn_days:
                ahead.append((window, start, window.ends_on(start)))
        return sorted(ahead, key=lambda found: found[1])


def build_config(data: Mapping[str, Any]) -> PacConfig:
    governance = data.get("governance") or {}
    repository = data.get("repository") or {}
    return PacConfig(
        architecture_team=tuple(governance.get("architectureTeam") or ()),
        requests_owners=tuple(governance.get("requestsOwners") or ()),
        platform=data.get("platform") or {},
        validate_ignore=tuple(
            str(p).rstrip("/") for p in (data.get("validate") or {}).get("ignore") or ()
        ),
        repository_url=str(repository.get("url", "")),
        repository_branch=str(repository.get("branch", "")),
        notifications=build_notifications(data.get("notifications")),
        **_jira(data.get("jira") or {}),
        **_apply(data.get("apply") or {}),
        **_calendar(data.get("changeCalendar") or {}),
    )


def _jira(jira: Mapping[str, Any]) -> dict[str, Any]:
    resolutions = jira.get("resolutions") or {}
    return {
        "jira_url": jira.get("url", ""),
        "jira_browse_url": jira.get("browseUrl", ""),
        "jira_link_type": jira.get("linkType", DEFAULT_LINK_TYPE),
        "jira_epic_field": jira.get("epicLinkField", PacConfig.jira_epic_field),
        "jira_search_lag": float(jira.get("searchLag", DEFAULT_SEARCH_LAG)),
        "jira_link_types": tuple(jira.get("linkTypes") or ()),
        "resolutions_done": tuple(resolutions.get("done") or DEFAULT_DONE),
        "resolutions_not_done": tuple(resolutions.get("notDone") or DEFAULT_NOT_DONE),
    }


def _apply(apply: Mapping[str, Any]) -> dict[str, Any]:
    author = apply.get("commitAuthor") or {}
    return {
        "transient_retries": int(apply.get("transientRetries", DEFAULT_TRANSIENT_RETRIES)),
        "concurrency": int(apply.get("concurrency", DEFAULT_CONCURRENCY)),
        "commit_name": author.get("name", PacConfig.commit_name),
        "commit_email": author.get("email", PacConfig.commit_email),
    }


def _calendar(calendar: Mapping[str, Any]) -> dict[str, Any]:
    freezes = []
    for window in calendar.get("freezes") or []:
        scope = window.get("scope", "all")
        freezes.append(
            FreezeWindow(
                name=window["name"],
                start=window["start"],
                end=window["end"],
                categories=None if scope == "all" else tuple(scope["categories"]),
            )
        )
    return {
        "timezone": calendar.get("timezone", "UTC"),
        "freezes": tuple(freezes),
        "freeze_warn_days": int(calendar.get("warnDays", DEFAULT_FREEZE_WARN_DAYS)),
    }
