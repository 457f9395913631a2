"""Translating leading-dot references into Jinja: positions, string literals, tag ends."""

from __future__ import annotations

import json

import pytest

from pac.templating.encoders import Target
from pac.templating.engine import compile_template, render
from pac.templating.errors import TemplateError
from pac.templating.translation import translate
from tests.unit.templating.test_engine import spaces


def test_leading_dot_variables_with_hyphenated_ids() -> None:
    ns = spaces(name="orders")
    assert render("{{ .metadata.database-aurora-postgresql-standard.defaultPort }}", ns) == "5432"
    assert render("db {{ .current.name }} for {{ .system.user.email }}", ns) == (
        "db orders for dana@company.com"
    )


def test_variables_in_statements_filters_and_method_calls() -> None:
    ns = spaces(name="orders", basic={"encrypted": True, "tags": ["a", "b"]})
    assert render("{% if .current.basic.encrypted %}yes{% endif %}", ns) == "yes"
    assert render("{{ .current.name | upper }}", ns) == "ORDERS"
    assert render("{% for k, v in .current.items() if v is string %}{{ k }}{% endfor %}", ns) == (
        "name"
    )
    assert render("{{ .current.basic.tags | join('+') }}", ns) == "a+b"


def test_only_leading_dots_are_variables() -> None:
    source = "{{ 1.5 }} {{ 'see .current.name' }} {{ x.y }}"
    translated = translate(source).source
    assert "'see .current.name'" in translated
    assert "1.5" in translated and "x.y" in translated
    assert translate(source).references == ()


def test_references_carry_their_positions() -> None:
    refs = translate("a\n  {{ .current.name }} {% if .output.x is defined %}{% endif %}").references
    assert [(r.text(), r.line, r.column) for r in refs] == [
        (".current.name", 2, 5),
        (".output.x", 2, 28),
    ]


def test_raw_blocks_count_as_json_text() -> None:
    body = render(
        '{"a": {% raw %}"{{x}} {% endraw %}{{ .current.v }}", "b": {{ .current.v }}}',
        spaces(v='q"'),
        Target.JSON,
    )
    assert json.loads(body) == {"a": '{{x}} q"', "b": 'q"'}


def test_tag_ends_inside_string_literals_belong_to_the_string() -> None:
    ns = spaces(name="x")
    assert render("{{ .current.name ~ '}}' }}", ns) == "x}}"
    assert render("{% if '%}' != .current.name %}ok{% endif %}", ns) == "ok"
    assert render('{{ "a\\"}}" }}', ns) == 'a"}}'


def test_a_number_step_indexes_a_list() -> None:
    ns = spaces(tags=["a", "b"])
    assert render("{{ .current.tags.0 }}-{{ .current.tags.1 }}-{{ .current.tags.2 }}", ns) == "a-b-"


def test_unclosed_tags_are_errors_with_positions() -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template("line\n  {{ .current.name")
    assert (caught.value.line, caught.value.column) == (2, 2)
