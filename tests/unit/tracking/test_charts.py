"""The report's inline SVG charts: values written next to bars, a title and a description
for screen readers, names from files escaped, round grid steps, a dashed target line."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pac.tracking.charts import Bar, Series, bars, lines
from pac.tracking.metrics import humanise

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(figure: str) -> ET.Element:
    root = ET.fromstring(figure)  # well-formed: a browser and an XML parser agree on it
    svg = root.find(f"{SVG}svg")
    assert svg is not None
    return svg


def test_bars_say_their_values_in_text_and_escape_names() -> None:
    figure = bars(
        "Promises kept per team",
        [Bar("<script>alert(1)</script>", 0.5, "1 of 2 (50%)"), Bar("db & co", 1.0, "3 of 3")],
        1.0,
    )
    assert "<script>" not in figure
    svg = svg_of(figure)
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None and title.text == "Promises kept per team"
    assert desc is not None
    assert desc.text == "<script>alert(1)</script>: 1 of 2 (50%); db & co: 3 of 3"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "value"]
    assert values == ["1 of 2 (50%)", "3 of 3"]
    widths = [float(r.get("width", "0")) for r in svg.iter(f"{SVG}rect")]
    assert widths[1] == 2 * widths[0] > 0  # half a share, half a bar


def test_lines_have_round_steps_a_target_and_say_every_point() -> None:
    figure = lines(
        "Lead time per week",
        ["5 Jan", "12 Jan", "19 Jan"],
        [Series("median", [3600, None, 7200], "median"), Series("p90", [7200, 9000, 1e4], "p90")],
        humanise,
        target=4 * 3600,
        target_name="promise",
    )
    svg = svg_of(figure)
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert ticks[:5] == ["0 s", "60 min", "2.0 h", "3.0 h", "4.0 h"]
    target = next(e for e in svg.iter(f"{SVG}line") if e.get("class") == "target")
    assert target.find(f"{SVG}title") is not None
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None
    assert "12 Jan: p90 2.5 h" in desc.text  # the week the median has no value
    assert desc.text.endswith("promise: 4.0 h")
    dots = list(svg.iter(f"{SVG}circle"))
    assert len(dots) == 5  # a gap where nothing was measured


def test_nothing_to_show_is_said_not_drawn_as_an_error() -> None:
    assert "nothing to show" in bars("Empty", [])
    assert "nothing to show" in lines("Empty", [], [], humanise)
