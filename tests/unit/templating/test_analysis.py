"""What a template uses and what is wrong with it, as `analyse` reports it."""

from __future__ import annotations

import pytest

from pac.templating.analysis import analyse, summary_line_break


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("{{ .current.name ", "template-syntax"),
        ("{% if .current.a %}x", "template-syntax"),
        ("{{ .current.name | nosuchfilter }}", "template-syntax"),
        ("{{ self }}", "template-unsafe"),
        ("{{ .current.name | attr('__class__') }}", "template-unsafe"),
        ("{% include 'other.j2' %}", "template-unsafe"),
        ("{{ cycler.__init__.__globals__ }}", "template-unsafe"),
        ("{{ lipsum() }}", "template-unsafe"),
        ("{% for i in range(10**9) %}{% endfor %}", "template-unsafe"),
        ("{{ .current.g.tags | map(attribute='__class__') | list }}", "template-unsafe"),
        ("{{ .current.g.tags | selectattr('__class__') | list }}", "template-unsafe"),
        ("{{ current.name }}", "template-namespace"),
        ("{{ appName }}", "template-namespace"),
    ],
)
def test_problems_found_without_a_form(source: str, code: str) -> None:
    assert code in {p.code for p in analyse(source).problems}


def test_guards_are_tracked_through_filters_and_conditions() -> None:
    uses = analyse(
        "{{ .output.a }}{{ .output.b | d('x') }}{% if .output.c is defined %}{{ .output.c.x }}"
        "{% endif %}{{ .output.c }}"
    ).uses
    assert [(u.text(), u.guarded) for u in uses] == [
        (".output.a", False),
        (".output.b", True),
        (".output.c", True),
        (".output.c.x", True),
        (".output.c", False),
    ]


@pytest.mark.parametrize(
    "source",
    [
        "{% for k, v in .current.items() %}{{ k }}={{ v }} {{ loop.index }}{% endfor %}",
        "{% set label = .current.name | upper %}{{ label }}",
        "{% macro row(a) %}|{{ a }}|{% endmacro %}{{ row(.current.name) }}",
        "{{ .current.g.tags | map('upper') | join(', ') }}",
    ],
)
def test_names_the_template_defines_itself_are_not_problems(source: str) -> None:
    assert analyse(source).problems == ()


def test_an_undefined_name_is_reported_once_where_it_is_first_used() -> None:
    problems = analyse("a\n  {{ current.name }} {{ current.name }}").problems
    assert [(p.code, p.line, p.column) for p in problems] == [("template-namespace", 2, 5)]
    assert "no leading dot" in problems[0].message


def test_an_unclosed_block_points_at_its_opening_tag() -> None:
    source = (
        "a\n{% for x in .current.g.tags %}{% if x %}{{ x }}{% endif %}\n  {% if .current.b %}\nb"
    )
    (problem,) = analyse(source).problems
    assert (problem.code, problem.line, problem.column) == ("template-syntax", 3, 2)
    assert "this {% if %} is never closed" in problem.message
    assert "{% endif %}" in problem.hint


@pytest.mark.parametrize(
    ("source", "offset"),
    [
        ("Aurora {{ .current.name }}", None),
        ("\n  Aurora {{ .current.name }}\n", None),  # a stripped summary: ends do no harm
        ("Aurora\n{{ .current.name }}", 6),
        ("Aurora PostgreSQL {{ .current.name }}\n  ({{ .current.g.stage }})\n", 37),
        ("{{ .current.a }}\n{{ .current.b }}", 16),
        ("Aurora\n{{- .current.name }}", None),  # whitespace control removes it
        ("{{ .current.a -}}\n{{ .current.b }}", None),
        ("{% if .current.a %}\nHigh{% endif %}", None),  # nothing written before it
        ("Aurora {{ .current.name }} (\u2028prod)", 28),
    ],
)
def test_a_summary_line_break_counts_only_between_what_is_written(
    source: str, offset: int | None
) -> None:
    assert summary_line_break(source) == offset
