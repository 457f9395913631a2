"""Limits: no template exhausts memory or time, ordinary ones still work."""

from __future__ import annotations

import pytest

from pac.templating.engine import render
from pac.templating.errors import TemplateError
from tests.unit.templating.test_engine import spaces


@pytest.mark.parametrize(
    "source",
    [
        "{{ .current.name | center(10**9) }}",
        "{{ .current.name | indent(10**9) }}",
        "{{ '%0999999999d' | format(1) }}",
        "{{ '%*d' | format(999999999, 1) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '{0:>{1}}'.format(1, 999999999) }}",
        "{{ 'x'.zfill(10**9) }}",
        "{{ ('x' * 99999) | replace('x', 'x' * 99999) }}",
        "{{ ('x' * 99999).replace('x', 'x' * 99999) }}",
        "{{ ('x' * 99999) | list | join('y' * 99999) }}",
        "{{ ('y' * 99999).join('x' * 99999) }}",
        "{{ ('x' * 99999) | map('upper') | join('y' * 99999) }}",
        "{{ ['x' * 99999] * 99999 }}",
        "{{ ['x' * 9999] * 999 | join }}",
        "{% set a = ['x' * 99999] * 9 %}{% set b = [a, a, a, a, a, a, a, a, a] %}{{ b }}",
        "{% set a = ['x' * 99999] * 9 %}{% set b = [a, a, a, a, a, a, a, a, a] %}{{ b | tojson }}",
        "{% set a = ['x' * 99999] * 9 %}{% set b = [a, a, a, a, a, a, a, a, a] %}"
        "{{ b | string | length }}",
        "{% set a = ['x' * 99999] * 9 %}{% set b = [a, a, a, a, a, a, a, a, a] %}"
        "{{ (b ~ '') | length }}",
        "{{ ('y' * 99999).join(('x' * 99999) | map('upper')) }}",
        "{{ [1] | batch(10**9, 'x') | list }}",
        "{{ [1] | slice(10**9) | list }}",
        "{{ ((10**100)**100)**100 }}",
        "{% set l = [1] %}{% for c in 'x' * 40 %}{{ l.extend(l) }}{% endfor %}",
        "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{% for a in 'x' * 99999 %}{% for b in 'x' * 99999 %}xx{% endfor %}{% endfor %}",
        "{% for a in 'x' * 99999 %}{% for b in 'x' * 99999 %}{% endfor %}{% endfor %}",
    ],
)
def test_templates_cannot_exhaust_memory(source: str) -> None:
    with pytest.raises(TemplateError):
        render(source, spaces(name="x"))


def test_ordinary_widths_counts_and_formats_still_work() -> None:
    ns = spaces(name="ab", tags=["x", "y", "z"])
    assert render("{{ .current.name | center(6) }}|", ns) == "  ab  |"
    assert render("{{ '%-4s|%.1f' | format(.current.name, 2.25) }}", ns) == "ab  |2.2"
    assert render("{{ '{:>4}'.format(.current.name) }}", ns) == "  ab"
    assert render("{{ .current.tags | batch(2) | list | length }}", ns) == "2"
    assert render("{{ .current.name | replace('a', 'A') }}", ns) == "Ab"
    assert render("{{ .current.tags | map('upper') | join('-') }}", ns) == "X-Y-Z"
    assert render("{{ '+'.join(.current.tags | map('upper')) }}", ns) == "X+Y+Z"
    assert render("{{ .current.name ~ '-' ~ 3 ~ .current.tags }}", ns) == "ab-3['x', 'y', 'z']"
    loop = "{% for t in .current.tags %}{{ loop.index }}{{ t }}{% if loop.last %}.{% endif %}"
    assert render(loop + "{% else %}none{% endfor %}", ns) == "1x2y3z."
    assert render("{% for t in .current.none %}x{% else %}none{% endfor %}", ns) == "none"
