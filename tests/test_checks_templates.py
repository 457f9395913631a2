"""Static template checks: the fast reader and Jinja's parser agree."""

from __future__ import annotations

import pytest

from pac.checks.templates import _fast_guards, analyse, template_fields
from pac.repository import Repository
from pac.templating import environment, translate
from tests.conftest import PROJECT

CRAFTED = [
    "{{ .current.name }}",
    "x {{ .current.name | upper | replace('a', 'b') }} y",
    "{{ .output.x | default('') }}",
    "{% if .output.x is defined %}{{ .output.x }}{% else %}{{ .output.x }}{% endif %}",
    "{% if .output.x is not defined %}{{ .output.x }}{% else %}{{ .output.x }}{% endif %}",
    "{% if not .current.flag %}a{% elif .output.y is defined %}{{ .output.y }}{% endif %}",
    "{%- if .current.stage == 'prod' -%}High{%- else -%}Low{%- endif -%}",
    "{# comment {{ .nothing }} #}{{ .current.name }}",
    "{% if .current.a %}{% if .output.z is defined %}{{ .output.z }}{% endif %}"
    "{{ .output.z }}{% endif %}",
]


def _sample_templates() -> list[str]:
    repo = Repository(PROJECT)
    sources = []
    for item in repo.items():
        for action in (*item.manual, *item.automatic):
            sources.extend(f.source for f in template_fields(repo, action))
    return sources


@pytest.mark.parametrize("source", CRAFTED + _sample_templates())
def test_the_fast_reader_agrees_with_jinja(source: str) -> None:
    fast = _fast_guards(source)
    if fast is None:
        return  # not a shape the fast reader handles: Jinja decides alone
    environment().parse(translate(source).source)  # accepted means valid Jinja
    analyse.cache_clear()
    slow = analyse.__wrapped__  # type: ignore[attr-defined]
    # Force the Jinja path by analysing a text the fast reader declines (a set statement).
    forced = slow("{% set _x = 1 %}" + source)
    assert [u.guarded for u in forced.uses] == fast


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
