"""`pac report --format html`: one self-contained page for leaders — the headline figures,
charts drawn by pac as inline SVG (lead time over the weeks against the promise, promises
kept, automated share and failure rate per team, volume per offering) and the tables.

Nothing is fetched: the style is inline, there is no script, and the page's content
security policy forbids loading anything, so it opens the same from a mail attachment, a
CI artifact or a laptop offline. Every name from the repository is escaped.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from html import escape

from pac.tracking.charts import BAR_WIDTH, WIDTH, Bar, Series, bars, lines
from pac.tracking.figures import Durations, LeadTimes, Report, Targets, TeamFigures, Week, weeks
from pac.tracking.leadtime import parse_time
from pac.tracking.metrics import humanise, percent, targets_text, version_rows
from pac.tracking.versions import VersionUse

_STYLE = """
:root { color-scheme: light; --ink: #1d2330; --soft: #5b6475; --line: #d9dde5;
  --bar: #2f6fdf; --median: #2f6fdf; --p90: #c2571a; --target: #1a7f4b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink); background: #f6f7f9; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; } h2 { font-size: 1.2rem; margin: 32px 0 8px; }
.period, .note { color: var(--soft); margin: 0 0 16px; }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
  gap: 12px; margin: 16px 0 0; }
.headline div { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 14px; }
.headline dt { color: var(--soft); font-size: .85rem; }
.headline dd { margin: 4px 0 0; font-size: 1.5rem; font-weight: 600; }
.headline dd small { display: block; font-size: .8rem; font-weight: 400; color: var(--soft); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 16px; }
.charts.wide { grid-template-columns: 1fr; margin-bottom: 16px; }
figure.chart { margin: 0; background: #fff; border: 1px solid var(--line);
  border-radius: 8px; padding: 12px; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--soft); font-size: .85rem; margin-top: 6px; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
svg .tick, svg .legend { fill: var(--soft); }
svg .bar { fill: var(--bar); } svg .axis { stroke: var(--soft); }
svg .grid { stroke: var(--line); }
svg .line { fill: none; stroke-width: 2.5; } svg .line.median { stroke: var(--median); }
svg .line.p90 { stroke: var(--p90); } svg .dot.median { fill: var(--median); }
svg .dot.p90 { fill: var(--p90); }
svg .target { stroke: var(--target); stroke-width: 2; stroke-dasharray: 6 4; }
svg .target-label { fill: var(--target); font-weight: 600; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 8px 0 0;
  border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th.n, td.n { text-align: right; white-space: nowrap; }
th { font-size: .85rem; color: var(--soft); font-weight: 600; }
.empty { background: #fff; border: 1px dashed var(--line); border-radius: 8px; padding: 24px; }
.retried { color: var(--soft); }
"""

# Nothing may be loaded: styles are inline, images are the inline SVG itself.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(report: Report) -> str:
    """The whole page for `report`."""
    period = f"since {report.since.isoformat()}" if report.since else "all time"
    made = report.now.strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<h1>Platform requests: how fast, how reliably, how automated</h1>",
        f'<p class="period">{escape(period)} · made {made} by <code>pac report</code></p>',
    ]
    if not report.requests:
        parts.append(
            '<p class="empty" id="empty">No requests yet: nothing has been asked of the '
            "catalog in this period, so there is nothing to measure. Requests appear here "
            "once their files are merged and <code>pac apply</code> has taken them up.</p>"
        )
    else:
        parts += [_headline(report), _charts(report), _offering_charts(report), _tables(report)]
    body = "\n".join(parts)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>pac report, {escape(period)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _figure(name: str, label: str, value: str, small: str = "") -> str:
    extra = f"<small>{escape(small)}</small>" if small else ""
    return (
        f'<div><dt>{escape(label)}</dt><dd data-figure="{name}">'
        f'<span class="value">{escape(value)}</span>{extra}</dd></div>'
    )


def _headline(report: Report) -> str:
    lead = report.lead_times
    split = " · ".join(
        f"{name} {humanise(part.median)}"
        for name, part in (
            ("review", lead.review),
            ("freeze", lead.freeze),
            ("fulfilment", lead.fulfilment),
        )
    )
    asked = report.asked
    figures = [
        _figure("requests", "Requests", str(report.requests), f"{asked.completed} completed"),
        _figure("lead-median", "Lead time, median", humanise(lead.total.median), split),
        _figure("lead-p90", "Lead time, p90", humanise(lead.total.p90)),
        _figure(
            "targets",
            "Promises kept",
            percent(report.targets.share),
            f"{report.targets.met} of {report.targets.measured} within the item's target",
        ),
        _figure("automation", "Work automated", percent(report.automation)),
        _figure(
            "failure-rate",
            "Failure rate",
            percent(asked.failure_rate),
            f"{asked.failures} failures ever, retried ones included",
        ),
    ]
    note = ""
    if lead.without_git_times:
        note = (
            f'<p class="note">{lead.without_git_times} request(s) measured from pac\'s first '
            "run: git could not tell when their files were committed (a shallow clone?).</p>"
        )
    return f'<dl class="headline">{"".join(figures)}</dl>{note}'


def _lead_chart(
    title: str,
    measures_weeks: Sequence[tuple[str, Durations]],
    target: float | None,
    target_name: str,
    width: int = WIDTH,
) -> str:
    points = [label for label, _ in measures_weeks]
    series = [
        Series("median", [d.median for _, d in measures_weeks], "median"),
        Series("p90", [d.p90 for _, d in measures_weeks], "p90"),
    ]
    return lines(title, points, series, humanise, target, target_name, width)


def _monday(week: Week) -> str:
    return f"{week.start.day} {week.start:%b}"


def _parts(lead: LeadTimes) -> str:
    """Where the lead time goes: each part's share of all of it, with its median."""
    named = (
        ("review", "review", lead.review),
        ("freeze", "freeze", lead.freeze),
        ("fulfilment", "fulfilment", lead.fulfilment),
    )
    return bars(
        "Where the lead time goes: review (pull request to main), freeze (deferred), "
        "fulfilment (main to ready); share of all of it and median",
        [
            Bar(
                label,
                lead.shares.get(key) or 0.0,
                f"{percent(lead.shares.get(key))}; {humanise(part.median)}",
            )
            for label, key, part in named
        ],
        1.0,
    )


def _charts(report: Report) -> str:
    teams = [t for t in report.teams if t.asked.taken_up or t.tickets + t.calls]
    charts = [
        _parts(report.lead_times),
        _kept_chart(teams, report.now),
        _automation_chart(teams),
        _failure_chart(teams),
        bars(
            "Requests per offering",
            [Bar(o.id, o.requests, str(o.requests)) for o in report.offerings[:15]],
        ),
    ]
    return (
        f'<h2>At a glance</h2><div class="charts wide">{_weekly_chart(report)}</div>'
        f'<div class="charts">{"".join(charts)}</div>'
    )


def _weekly_chart(report: Report) -> str:
    """Lead time per week against the typical promise; '' before any week is complete."""
    by_week = [(_monday(w), w.lead_time) for w in report.weeks]
    if not by_week:
        return ""
    targets = [m.target for m in report.measures if m.completed and m.target is not None]
    typical = statistics.median(targets) if targets else None
    return _lead_chart(
        "Lead time per week completed (week of Monday shown)",
        by_week,
        typical,
        "typical promise",
        960,
    )


def _kept_chart(teams: list[TeamFigures], now: dt.datetime) -> str:
    kept = [(t.team, Targets.of(t.asked.measures, now)) for t in teams]
    return bars(
        "Promises kept per team (lead time within the item's target)",
        [Bar(name, k.share or 0.0, targets_text(k)) for name, k in kept if k.measured],
        1.0,
    )


def _automation_chart(teams: list[TeamFigures]) -> str:
    return bars(
        "Automated share of the work per team",
        [
            Bar(t.team, t.automation or 0.0, percent(t.automation))
            for t in teams
            if t.automation is not None
        ],
        1.0,
    )


def _failure_chart(teams: list[TeamFigures]) -> str:
    return bars(
        "Failure rate per team (requests that failed at least once)",
        [
            Bar(
                t.team,
                t.asked.failure_rate or 0.0,
                f"{percent(t.asked.failure_rate)} ({t.asked.failed_ever} of {t.asked.taken_up})",
            )
            for t in teams
            if t.asked.taken_up
        ],
        1.0,
    )


def _offering_charts(report: Report) -> str:
    """Lead time per week of the most requested offerings, each against its own promise."""
    charts = []
    for offering in report.offerings:
        by_week = [(_monday(w), w.lead_time) for w in weeks(offering.asked.measures, report.now)]
        if by_week:
            charts.append(
                _lead_chart(
                    f"Lead time per week: {offering.id}",
                    by_week,
                    offering.target,
                    "promise",
                    BAR_WIDTH,
                )
            )
        if len(charts) == 4:
            break
    if not charts:
        return ""
    return '<h2>Most requested offerings</h2><div class="charts">' + "".join(charts) + "</div>"


def _table(
    caption: str,
    heads: Sequence[str],
    rows: Sequence[Sequence[str]],
    ident: str,
    text: frozenset[int] = frozenset({0}),
) -> str:
    """A table whose columns in `text` read as words (left), the rest as figures (right)."""

    def cell(tag: str, index: int, value: str) -> str:
        align = "" if index in text else ' class="n"'
        scope = ' scope="col"' if tag == "th" else ""
        return f"<{tag}{scope}{align}>{escape(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(heads))
    body = "".join(
        "<tr>" + "".join(cell("td", i, value) for i, value in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (
        f'<h2>{escape(caption)}</h2><table id="{ident}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _lead_cells(lead: LeadTimes) -> list[str]:
    return [
        humanise(lead.total.median),
        humanise(lead.total.p90),
        humanise(lead.review.median),
        humanise(lead.freeze.median),
        humanise(lead.fulfilment.median),
    ]


_LEAD_HEADS = ["lead median", "lead p90", "review", "freeze", "fulfilment"]


def _tables(report: Report) -> str:
    now = report.now
    teams = _table(
        "Owning teams",
        ["team", "requests", *_LEAD_HEADS, "promises kept", "automated", "failure rate"],
        [
            [
                t.team,
                str(t.asked.taken_up),
                *_lead_cells(LeadTimes.of(t.asked.measures, now)),
                targets_text(Targets.of(t.asked.measures, now)),
                percent(t.automation),
                percent(t.asked.failure_rate),
            ]
            for t in report.teams
        ],
        "teams",
    )
    offerings = _table(
        "Offerings",
        ["offering", "requests", *_LEAD_HEADS, "promise", "kept", "failure rate"],
        [
            [
                o.id,
                str(o.requests),
                *_lead_cells(LeadTimes.of(o.asked.measures, now)),
                humanise(o.target),
                targets_text(Targets.of(o.asked.measures, now)),
                percent(o.asked.failure_rate),
            ]
            for o in report.offerings
        ],
        "offerings",
    )
    return teams + offerings + _failures(report) + _versions(report.versions)


def _failures(report: Report) -> str:
    if not report.failures:
        return ""
    rows = [
        [_when(f.at), f.request, f.task, f.message, f.team, f.contact, "yes" if f.retried else "no"]
        for f in report.failures
    ]
    return _table(
        "Recent failures (retried ones included)",
        ["when", "request", "task", "what went wrong", "team", "ask", "retried"],
        rows,
        "failures",
        frozenset(range(7)),
    )


def _when(at: str) -> str:
    moment = parse_time(at)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else at


def _versions(uses: Sequence[VersionUse]) -> str:
    if not uses:
        return ""
    rows = [
        [use.id if index == 0 else "", version, live, ids]
        for use in uses
        for index, (version, live, ids) in enumerate(version_rows(use))
    ]
    return _table(
        "Live requests per item version",
        ["offering", "version", "live", "requests"],
        rows,
        "versions",
        frozenset({0, 1, 3}),
    )
