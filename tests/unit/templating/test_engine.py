"""The template engine: variables, encoding by target, secrets, the sandbox."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pac.templating.encoders import LINE_BREAKS, Target
from pac.templating.engine import compile_template, render
from pac.templating.errors import TemplateError
from pac.templating.jiramarkup import jira_escape
from pac.templating.translation import translate
from pac.templating.values import Placeholder, Secret


def spaces(**current: Any) -> dict[str, Any]:
    return {
        "current": current,
        "output": {},
        "metadata": {"database-aurora-postgresql-standard": {"defaultPort": "5432"}},
        "system": {"requestId": "r-1", "user": {"email": "dana@company.com"}},
    }


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


def test_text_encoding() -> None:
    ns = spaces(items=["a", "b"], pairs={"k": "v", "n": 1}, flag=False, nothing=None)
    assert render("{{ .current.items }}", ns) == "a, b"
    assert render("{{ .current.pairs }}", ns) == "k=v, n=1"
    assert render("{{ .current.flag }}|{{ .current.nothing }}|{{ .current.missing }}", ns) == (
        "false||"
    )


def test_json_encoding_depends_on_position() -> None:
    ns = spaces(name='say "hi"\\', size=20, tags=["x", "y"], on=True, missing=None)
    body = render(
        '{"name": "{{ .current.name }}", "bare": {{ .current.name }}, "size": {{ .current.size }},'
        ' "tags": {{ .current.tags }}, "joined": "{{ .current.tags }}", "on": {{ .current.on }},'
        ' "none": {{ .current.missing }}, "gone": {{ .current.absent }},'
        ' "gone2": "{{ .current.absent }}"}',
        ns,
        Target.JSON,
    )
    assert json.loads(body) == {
        "name": 'say "hi"\\',
        "bare": 'say "hi"\\',
        "size": 20,
        "tags": ["x", "y"],
        "joined": "x, y",
        "on": True,
        "none": None,
        "gone": None,
        "gone2": "",
    }


def test_raw_blocks_count_as_json_text() -> None:
    body = render(
        '{"a": {% raw %}"{{x}} {% endraw %}{{ .current.v }}", "b": {{ .current.v }}}',
        spaces(v='q"'),
        Target.JSON,
    )
    assert json.loads(body) == {"a": '{{x}} q"', "b": 'q"'}


def test_tojson_is_not_encoded_twice() -> None:
    ns = spaces(tags=["x"])
    assert json.loads(render('{"t": {{ .current.tags | tojson }}}', ns, Target.JSON)) == {
        "t": ["x"]
    }


def test_jira_escaping_keeps_text_and_removes_markup() -> None:
    text = "*bold* _it_ -del- {color:red}x{color} [link|http://evil] [~admin] !img.png! a|b \\\\"
    assert jira_escape(text) == (
        "\\*bold\\* \\_it\\_ \\-del\\- \\{color:red\\}x\\{color\\} "
        "\\[link\\|http&#58;//evil\\] \\[\\~admin\\] \\!img.png\\! a\\|b &#92;&#92;"
    )
    # Ids and ordinary words stay readable.
    assert jira_escape("payments-api db_t3 C++ a+b") == "payments-api db_t3 C\\+\\+ a+b"


def test_jira_line_start_markup_is_neutral() -> None:
    assert jira_escape("h1. Title\n bq. quote\n# item\n* item") == (
        "&#104;1. Title\n &#98;q. quote\n\\# item\n\\* item"
    )


def test_jira_descriptions_escape_values_not_the_template() -> None:
    ns = spaces(notes="*urgent* [x|y]")
    assert render("h2. Notes\n{{ .current.notes }}", ns, Target.JIRA) == (
        "h2. Notes\n\\*urgent\\* \\[x\\|y\\]"
    )


def test_summaries_are_one_line() -> None:
    assert render("DB {{ .current.name }}", spaces(name="a*b"), Target.SUMMARY) == "DB a*b"
    with pytest.raises(TemplateError, match="line break"):
        render("DB {{ .current.name }}", spaces(name="a\nb"), Target.SUMMARY)


def test_labels_urls_headers_and_forms() -> None:
    ns = spaces(name="prod env", path="../x?y=1", line="a\r\nb", q="a b&c")
    assert render("{{ .current.name }}", ns, Target.LABEL) == "prod-env"
    assert render("https://h/v1/{{ .current.path }}", ns, Target.URL) == (
        "https://h/v1/..%2Fx%3Fy%3D1"
    )
    with pytest.raises(TemplateError, match="HTTP header"):
        render("{{ .current.line }}", ns, Target.HEADER)
    assert render("q={{ .current.q }}", ns, Target.FORM) == "q=a+b%26c"


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_json_bodies_never_get_nan_or_infinity(number: float) -> None:
    ns = spaces(n=number, many=[1, number])
    for source in (
        '{"n": {{ .current.n }}}',
        '{"m": {{ .current.many }}}',
        "{{ .current.n | tojson }}",
    ):
        with pytest.raises(TemplateError, match="not finite"):
            render(source, ns, Target.JSON)
    # Inside a JSON string it is text, and the body stays valid.
    assert json.loads(render('{"n": "{{ .current.n }}"}', ns, Target.JSON))["n"] == str(number)


@pytest.mark.parametrize("value", ["a\u2028b", "a\x85b", "a\x0bb", "a\x0cb"])
def test_any_line_break_is_refused_in_summaries_and_headers(value: str) -> None:
    with pytest.raises(TemplateError, match="line break"):
        render("DB {{ .current.v }}", spaces(v=value), Target.SUMMARY)
    with pytest.raises(TemplateError, match="line break"):
        render("{{ .current.v }}", spaces(v=value), Target.HEADER)


def test_headers_carry_only_printable_latin_1() -> None:
    assert render("{{ .current.v }}", spaces(v="Zoë\tO'Neil"), Target.HEADER) == "Zoë\tO'Neil"
    with pytest.raises(TemplateError, match="control character"):
        render("{{ .current.v }}", spaces(v="a\x00b"), Target.HEADER)
    with pytest.raises(TemplateError, match="cannot carry") as caught:
        render("{{ .current.v }}", spaces(v="Dvořák"), Target.HEADER)
    assert "urlencode" in caught.value.hint
    assert render("{{ .current.v | urlencode }}", spaces(v="Dvořák"), Target.HEADER) == (
        "Dvo%C5%99%C3%A1k"
    )


def test_previews_show_output_stand_ins_readably() -> None:
    ns = spaces()
    ns["output"] = {"ep": Placeholder("<ep from database>")}
    assert (
        render("https://h/{{ .output.ep }}/x", ns, Target.URL) == "https://h/<ep from database>/x"
    )
    assert render("a={{ .output.ep }}", ns, Target.FORM) == "a=<ep from database>"
    assert json.loads(render('{"a": "{{ .output.ep }}"}', ns, Target.JSON)) == {
        "a": "<ep from database>"
    }


def test_secrets_are_masked_unless_revealed_for_sending() -> None:
    secret = Secret("DB_ADMIN", {"DB_ADMIN": "s3cr3t"}.get)
    ns = spaces(pw=secret)
    assert render("{{ .current.pw }}", ns) == "***"
    assert render('{"p": "{{ .current.pw }}"}', ns, Target.JSON) == '{"p": "***"}'
    assert render('{"p": {{ .current.pw | tojson }}}', ns, Target.JSON) == '{"p": "***"}'
    assert render('{"p": "{{ .current.pw }}"}', ns, Target.JSON, reveal=True) == '{"p": "s3cr3t"}'
    # Shown as *** in URLs and form bodies too, and encoded only when sent.
    assert render("https://h/x?k={{ .current.pw }}", ns, Target.URL) == "https://h/x?k=***"
    assert render("k={{ .current.pw }}", ns, Target.FORM) == "k=***"
    assert render("k={{ .current.pw }}", ns, Target.FORM, reveal=True) == "k=s3cr3t"
    # Tickets are never rendered revealing; and a missing secret only matters when sent.
    missing = spaces(pw=Secret("NOPE", lambda name: None))
    assert render("{{ .current.pw }}", missing) == "***"
    with pytest.raises(TemplateError, match="the secret NOPE is not set"):
        render("{{ .current.pw }}", missing, reveal=True)


@pytest.mark.parametrize(
    "source",
    [
        "{{ .current.pw.reveal() }}",
        "{{ .current.pw['reveal']() }}",
        "{{ .current.pw | attr('reveal') }}",
        "{{ [.current.pw] | map(attribute='reveal') | list }}",
        "{{ .current.pw.name }}",
    ],
)
def test_a_template_cannot_reach_inside_a_secret(source: str) -> None:
    ns = spaces(pw=Secret("DB_ADMIN", {"DB_ADMIN": "s3cr3t"}.get))
    for target in (Target.JIRA, Target.TEXT):
        with pytest.raises(TemplateError, match="sandbox forbids"):
            render(source, ns, target)


@pytest.mark.parametrize(
    "value",
    ["{{ 7 * 7 }}", "{% raw %}x{% endraw %}", "{{ .system.requestId }}", "'; DROP", "\\u0000"],
)
def test_input_is_data_never_a_template(value: str) -> None:
    assert render("{{ .current.v }}", spaces(v=value)) == value


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ .current.__class__ }}",
        "{{ .current.items.__globals__ }}",
        "{{ 'x' * 1000000 }}",
        "{{ 2 ** 1000000 }}",
    ],
)
def test_sandbox_refuses_escapes_and_bombs(source: str) -> None:
    with pytest.raises(TemplateError):
        render(source, spaces(name="x"))


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


def test_tag_ends_inside_string_literals_belong_to_the_string() -> None:
    ns = spaces(name="x")
    assert render("{{ .current.name ~ '}}' }}", ns) == "x}}"
    assert render("{% if '%}' != .current.name %}ok{% endif %}", ns) == "ok"
    assert render('{{ "a\\"}}" }}', ns) == 'a"}}'


def test_a_number_step_indexes_a_list() -> None:
    ns = spaces(tags=["a", "b"])
    assert render("{{ .current.tags.0 }}-{{ .current.tags.1 }}-{{ .current.tags.2 }}", ns) == "a-b-"


def test_templates_are_compiled_once() -> None:
    assert compile_template("x {{ .current.name }}") is compile_template("x {{ .current.name }}")


def test_unclosed_tags_are_errors_with_positions() -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template("line\n  {{ .current.name")
    assert (caught.value.line, caught.value.column) == (2, 2)


# --- properties: input can never change a document's structure -----------------------

BODY = (
    '{"name": "{{ .current.v }}", "bare": {{ .current.v }}, "list": [{{ .current.v }}, 1],'
    ' "nested": {"k": "x-{{ .current.v }}-y"}, "many": {{ .current.many }},'
    ' "up": "{{ .current.v | upper }}", "or": {{ .current.v | default("-") }},'
    ' "map": {{ .current.map }}, "quoted": "a\\"{{ .current.v }}\\\\",'
    ' "if": {% if .current.v %}"{{ .current.v }}"{% else %}null{% endif %}}'
)


@settings(max_examples=300, deadline=None)
@given(
    st.text(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5) | st.integers(), max_size=3),
)
def test_any_string_keeps_json_bodies_valid_with_the_same_keys(
    value: str, many: list[str], mapping: dict[str, object]
) -> None:
    data = json.loads(render(BODY, spaces(v=value, many=many, map=mapping), Target.JSON))
    keys = ["name", "bare", "list", "nested", "many", "up", "or", "map", "quoted", "if"]
    assert list(data) == keys
    assert data["name"] == data["bare"] == value
    assert data["list"] == [value, 1]
    assert data["nested"] == {"k": f"x-{value}-y"}
    assert data["many"] == many
    assert data["up"] == value.upper()
    assert data["or"] == value
    assert data["map"] == mapping
    assert data["quoted"] == f'a"{value}\\'
    assert data["if"] == (value or None)


_SPECIAL = "*_-+^~?{}[]|!#\\"


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in _SPECIAL:
            out.append(text[i + 1])
            i += 2
            continue
        if text.startswith("&#", i):
            end = text.index(";", i)
            out.append(chr(int(text[i + 2 : end])))
            i = end + 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


@settings(max_examples=300, deadline=None)
# Vertical tab and form feed are shown as <U+000B>, <U+000C> (tests/test_hardening.py).
@given(st.text(alphabet=string.printable.replace("\x0b", "").replace("\x0c", "") + "éü漢"))
def test_jira_escaping_never_changes_the_text_a_reader_sees(value: str) -> None:
    escaped = jira_escape(value)
    assert _unescape(escaped) == value
    # Nothing that opens a link, macro, table, image or mention is left unescaped.
    for i, ch in enumerate(escaped):
        if ch in "[]{}|!":
            assert i > 0 and escaped[i - 1] == "\\", (value, escaped)


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda s: not LINE_BREAKS.search(s)))
def test_a_single_line_value_is_kept_whole_in_a_summary(value: str) -> None:
    assert render("X {{ .current.v }}", spaces(v=value), Target.SUMMARY) == f"X {value}"


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("a\nb\n{{ .current.name | center(10**9) }}", 3),
        ("a\n\n{{ .current.tags + 1 }}", 3),
        ("x\n{{ .current.name.__class__ }}", 2),
        ("a\n{% for t in .current.tags %}\n{{ t.y.z() }}{% endfor %}", 3),
    ],
)
def test_render_failures_name_the_template_line(source: str, line: int) -> None:
    with pytest.raises(TemplateError) as caught:
        render(source, spaces(name="x", tags=[1]))
    assert caught.value.line == line
