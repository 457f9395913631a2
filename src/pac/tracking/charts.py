"""Charts as inline SVG, drawn by pac for the report's HTML page: horizontal bars with
their values written next to them, and lines over weeks with a target line.

No script and nothing fetched: each chart is a `<figure>` holding an `<svg role="img">`
with a `<title>` and a `<desc>` saying in words what it shows, so a screen reader (and a
leader without the colours) reads the same figures the drawing shows. Every text that
comes from files (team and offering names) is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from hashlib import sha256
from html import escape

WIDTH = 720  # lines; bars are narrower, to stand two side by side at the same text size
BAR_WIDTH = 520
_LABEL = 200  # room for names left of the bars
_VALUE = 120  # room for the value written right of a bar
_ROW = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # in the chart's unit; the bar's length
    text: str  # the value as people read it, written next to the bar


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per point; None: nothing measured
    css: str  # its class: colour and dashes come from the page's style


def _frame(title: str, desc: str, height: int, body: str, kind: str, width: int = WIDTH) -> str:
    # From the title: the same page every time, and titles differ on one page.
    ident = "chart-" + sha256(title.encode()).hexdigest()[:10]
    return (
        f'<figure class="chart {kind}">'
        f'<svg role="img" aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>{body}</svg>'
        f"<figcaption>{escape(title)}</figcaption></figure>"
    )


def bars(title: str, bars_: Sequence[Bar], scale: float | None = None) -> str:
    """Horizontal bars, longest first as given; `scale` is the value of a full bar (the
    largest value when not given, e.g. 1.0 for shares)."""
    top = scale or max((b.value for b in bars_), default=0.0) or 1.0
    room = BAR_WIDTH - _LABEL - _VALUE
    rows = []
    for index, bar in enumerate(bars_):
        y = 8 + index * _ROW
        length = max(bar.value / top * room, 0.0)
        rows.append(
            f'<g class="row"><text class="label" x="{_LABEL - 8}" y="{y + 15}"'
            f' text-anchor="end">{escape(_short(bar.label))}</text>'
            f'<rect class="bar" x="{_LABEL}" y="{y + 3}" width="{length:.1f}" height="{_ROW - 8}">'
            f"<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>"
            f'<text class="value" x="{_LABEL + length + 6:.1f}" y="{y + 15}">'
            f"{escape(bar.text)}</text></g>"
        )
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars_) or "nothing to show"
    return _frame(title, desc, 16 + len(bars_) * _ROW, "".join(rows), "bars", BAR_WIDTH)


def _short(label: str, most: int = 28) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


def lines(
    title: str,
    points: Sequence[str],
    series: Sequence[Series],
    words: Callable[[float], str],
    target: float | None = None,
    target_name: str = "target",
    width: int = WIDTH,
) -> str:
    """Lines over `points` (week labels), with a dashed horizontal target line; `words`
    writes a value as people read it (for the axis, the dots' tips and the description)."""
    height, left, right, top_pad, bottom = 300, 70, 20, 20, 50
    measured = [v for s in series for v in s.values if v is not None]
    step = _step(max([*measured, target or 0.0, 1.0]))
    top = step * 4 * 1.05
    span_x = max(len(points) - 1, 1)
    inner_w, inner_h = width - left - right, height - top_pad - bottom

    def x(index: int) -> float:
        return left + (index / span_x * inner_w if len(points) > 1 else inner_w / 2)

    def y(value: float) -> float:
        return top_pad + inner_h - value / top * inner_h

    parts = [_axes(points, words, step, x, y, (left, width - right), height - bottom)]
    if target is not None:
        parts.append(
            f'<line class="target" x1="{left}" x2="{width - right}" y1="{y(target):.1f}"'
            f' y2="{y(target):.1f}"><title>{escape(target_name)}: {escape(words(target))}'
            f"</title></line>"
            f'<text class="target-label" x="{width - right}" y="{y(target) - 5:.1f}"'
            f' text-anchor="end">{escape(target_name)} {escape(words(target))}</text>'
        )
    for s in series:
        parts.append(_series(s, points, words, x, y))
    parts.append(_legend(series, left, height - 12))
    desc = _lines_desc(points, series, words, target, target_name)
    return _frame(title, desc, height, "".join(parts), "lines", width)


# Grid steps people read at a glance: minutes, hours, days, weeks (in seconds).
_STEPS = (
    *(60 * m for m in (1, 5, 10, 15, 30)),
    *(3600 * h for h in (1, 2, 3, 6, 12)),
    *(86400 * d for d in (1, 2, 3, 5, 7, 14, 30, 60, 90)),
)


def _step(highest: float) -> float:
    """The smallest round step of which four reach `highest`."""
    return float(
        next((s for s in _STEPS if s * 4 >= highest), _STEPS[-1] * (highest // _STEPS[-1] // 4 + 1))
    )


def _axes(
    points: Sequence[str],
    words: Callable[[float], str],
    step: float,
    x: Callable[[int], float],
    y: Callable[[float], float],
    across: tuple[int, int],
    base: int,
) -> str:
    left, end = across
    parts = [f'<line class="axis" x1="{left}" x2="{end}" y1="{base}" y2="{base}"/>']
    for index in range(5):
        value = step * index
        parts.append(
            f'<line class="grid" x1="{left}" x2="{end}" y1="{y(value):.1f}"'
            f' y2="{y(value):.1f}"/><text class="tick" x="{left - 6}" y="{y(value) + 4:.1f}"'
            f' text-anchor="end">{escape(words(value))}</text>'
        )
    every = -(-len(points) // 7)  # at most seven labels under the axis
    for index, point in enumerate(points):
        if index % every == 0:
            parts.append(
                f'<text class="tick" x="{x(index):.1f}" y="{base + 16}"'
                f' text-anchor="middle">{escape(point)}</text>'
            )
    return "".join(parts)


def _series(
    s: Series,
    points: Sequence[str],
    words: Callable[[float], str],
    x: Callable[[int], float],
    y: Callable[[float], float],
) -> str:
    known = [(i, v) for i, v in enumerate(s.values) if v is not None]
    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in known)
    dots = "".join(
        f'<circle class="dot {s.css}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5">'
        f"<title>{escape(points[i])} {escape(s.name)}: {escape(words(v))}</title></circle>"
        for i, v in known
    )
    return f'<polyline class="line {s.css}" points="{path}"/>{dots}'


def _legend(series: Sequence[Series], left: int, y: int) -> str:
    parts = []
    for index, s in enumerate(series):
        at = left + index * 120
        parts.append(
            f'<line class="line {s.css}" x1="{at}" x2="{at + 24}" y1="{y - 4}" y2="{y - 4}"/>'
            f'<text class="legend" x="{at + 30}" y="{y}">{escape(s.name)}</text>'
        )
    return "".join(parts)


def _lines_desc(
    points: Sequence[str],
    series: Sequence[Series],
    words: Callable[[float], str],
    target: float | None,
    target_name: str,
) -> str:
    if not points:
        return "nothing to show"
    said = []
    for index, point in enumerate(points):
        values = [
            f"{s.name} {words(v)}"
            for s in series
            if (v := s.values[index] if index < len(s.values) else None) is not None
        ]
        said.append(f"{point}: {', '.join(values) or 'nothing measured'}")
    if target is not None:
        said.append(f"{target_name}: {words(target)}")
    return "; ".join(said)
