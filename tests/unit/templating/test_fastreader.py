"""The fast reader and Jinja's parser agree on every template the fast reader accepts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pac.documents.repository import Repository
from pac.templating.analysis import analyse, parsed_analysis
from pac.templating.fastreader import fast_uses
from pac.validation.checks.templates import template_fields
from tests.sample import sample_source

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
    # What a failed `elif` test proves holds in the later branches too.
    "{% if .output.k is defined %}{% elif .output.k is not defined %}"
    "{% elif .output.k is not defined %}{{ .output.k | upper | d('') }}{% endif %}",
    "{% if .output.a is defined %}{% elif .output.b is not defined %}{% else %}"
    "{{ .output.a }}{{ .output.b }}{% endif %}",
    # Day-2 templates compare the input as last fulfilled with the new one.
    "{% if .previous.g.size != .current.g.size %}|{{ .previous.g.size }}|\n{% endif %}",
    "{%- if .current.n>=.output.k -%}a{% elif .output.k is defined %}{{ .output.k }}{% endif %}",
    # A companion's metadata is guarded as `.output` is (docs/templates.md).
    "{% if .metadata.db.port is defined %}{{ .metadata.db.port }}{{ .metadata.db.x }}"
    "{% else %}{{ .metadata.db.port }}{% endif %}{{ .metadata.db.port }}",
    "{% if .metadata.db.port is not defined %}{% else %}{{ .metadata.db.port.n }}{% endif %}",
]


def _sample_templates() -> list[str]:
    repo = Repository(sample_source())
    sources = []
    for item in repo.items():
        day_two = [action for actions in item.day_two.values() for action in actions]
        for action in (*item.manual, *item.automatic, *day_two):
            sources.extend(f.source for f in template_fields(repo, action))
    return sources


def _agrees_with_jinja(source: str) -> None:
    fast = fast_uses(source)
    if fast is None:
        return  # not a shape the fast reader handles: Jinja decides alone
    parsed, quick = parsed_analysis(source), analyse(source)
    assert quick.problems == parsed.problems
    assert sorted(quick.uses) == sorted(parsed.uses)  # names, positions and guards alike


@pytest.mark.parametrize("source", CRAFTED + _sample_templates())
def test_the_fast_reader_agrees_with_jinja(source: str) -> None:
    _agrees_with_jinja(source)


# Pieces of templates, whole and broken, put together at random below.
_PIECES = [
    "{{ .current.name }}",
    "{{- .current.g.f -}}",
    "{{ .output.k }}",
    "{{ .output.k | default('x') }}",
    "{{ .output.k.sub | upper | d(1) }}",
    "{{ .metadata.item-a.key }}",
    "{{ .metadata.item-a.key.sub | upper }}",
    "{% if .metadata.item-a.key is defined %}",
    "{% elif .metadata.item-a.key is not defined %}",
    "{{ .current.g.list.0 }}",
    "{{ .current._x }}",
    "{% if .output.k is defined %}",
    "{% if not .current.flag %}",
    "{%- if .current.n >= 3 -%}",
    "{% elif .output.k is not defined %}",
    "{% else %}",
    "{% endif %}",
    "{# note {{ .x }} #}",
    "{{ '}}' }}",
    "{{ .current.name ",
    "{%",
    "{#",
    "}}",
    "%}",
    "{",
    "}",
    "'",
    '"',
    "\n",
    "  text ",
    "{{ range(3) }}",
    "{% if .current.stage == 'prod' %}",
    "{{ .output.k | upper | d('') }}",
    "{%- else -%}",
    "{%- endif %}",
    "{{ .current.g.f | replace('a', \"b\") }}",
    "{{\n.current.name\n}}",
    "{% if .previous.g.f != .current.g.f %}",
    "{%- elif .output.k == .current.name -%}",
    "{% if .current.n <.output.k.sub %}",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_the_fast_reader_agrees_with_jinja_on_any_mix(pieces: list[str]) -> None:
    _agrees_with_jinja("".join(pieces))
