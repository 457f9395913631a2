"""Figures for leaders (`pac report`): how fast requests are fulfilled, how much of the
work is automated, and where requests fail, per owning team and offering — and the words
the report's table uses for them.

The counting is in `tally`, the figures' shapes in `figures`, lead time in `leadtime`,
live requests per version in `versions`; this module gathers what commands use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pac.tracking.figures import (
    Durations,
    Failure,
    OfferingFigures,
    Report,
    Targets,
    TeamFigures,
)
from pac.tracking.leadtime import lead_time, parse_time
from pac.tracking.tally import AWAITING_APPLY, build_report, git_times, report_of
from pac.tracking.versions import VersionUse, live_versions, live_versions_of, versions_in_use

__all__ = [
    "AWAITING_APPLY",
    "Durations",
    "Failure",
    "OfferingFigures",
    "Report",
    "Targets",
    "TeamFigures",
    "VersionUse",
    "build_report",
    "git_times",
    "humanise",
    "lead_time",
    "live_versions",
    "live_versions_of",
    "parse_time",
    "percent",
    "report_of",
    "short_ids",
    "summary_rows",
    "targets_short",
    "targets_text",
    "version_rows",
    "versions_in_use",
]


def humanise(seconds: float | None) -> str:
    """A duration as people read it: 42 s, 7 min, 3.5 h, 12 d."""
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def targets_text(targets: Targets) -> str:
    """`7 of 9 (78%)`, or `-` when no request had a target to meet."""
    if not targets.measured:
        return "-"
    return f"{targets.met} of {targets.measured} ({percent(targets.share)})"


def targets_short(targets: Targets) -> str:
    """`78% of 9` for narrow table columns, or `-`."""
    return f"{percent(targets.share)} of {targets.measured}" if targets.measured else "-"


def summary_rows(report: Report) -> Mapping[str, str]:
    """The headline figures, in the order people ask for them."""
    lead = report.lead_times
    rows = {
        "requests": str(report.requests),
        "by state": ", ".join(f"{state} {count}" for state, count in report.states.items()) or "-",
        "lead time (median / p90)": f"{humanise(lead.total.median)} / {humanise(lead.total.p90)}",
        "  review / freeze / fulfilment": " / ".join(
            humanise(part.median) for part in (lead.review, lead.freeze, lead.fulfilment)
        )
        + " (medians)",
        "targets met": targets_text(report.targets),
        "failure rate": f"{percent(report.asked.failure_rate)}"
        f" ({report.asked.failures} failures, retried ones too)",
        "work automated": percent(report.automation),
        "emergency requests": str(report.emergencies),
        "retried requests": str(report.retried),
    }
    if lead.without_git_times:
        rows["without git times"] = f"{lead.without_git_times}, measured from pac's first run"
    return rows


def short_ids(ids: Iterable[str], shown: int = 3) -> str:
    """A few request ids and how many more: `a, b, c and 4 more`."""
    ordered = sorted(ids)
    more = len(ordered) - shown
    return ", ".join(ordered[:shown]) + (f" and {more} more" if more > 0 else "")


def version_rows(use: VersionUse) -> list[tuple[str, str, str]]:
    """(version, live count, ids) per version, newest first; the catalog's marked."""
    return [
        (
            version + (" (catalog)" if version == use.catalog_version else ""),
            str(len(ids)),
            short_ids(ids),
        )
        for version, ids in use.ordered()
    ]
