"""The encoders: each output written for where it stands (text, JSON, JIRA, one-line values)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pac.templating.encoders import LINE_BREAKS, Target
from pac.templating.engine import render
from pac.templating.errors import TemplateError
from pac.templating.values import Placeholder
from tests.unit.templating.test_engine import spaces


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


def test_tojson_is_not_encoded_twice() -> None:
    ns = spaces(tags=["x"])
    assert json.loads(render('{"t": {{ .current.tags | tojson }}}', ns, Target.JSON)) == {
        "t": ["x"]
    }


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


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda s: not LINE_BREAKS.search(s)))
def test_a_single_line_value_is_kept_whole_in_a_summary(value: str) -> None:
    assert render("X {{ .current.v }}", spaces(v=value), Target.SUMMARY) == f"X {value}"


YAML_FILE = """name: {{ .current.v }}
quoted: "for {{ .current.v }}"
items: {{ .current.many }}
labels: {{ .current.map }}
"""


# Request input is read from UTF-8 files, which cannot hold lone surrogates.
_TEXT = st.characters(blacklist_categories=("Cs",))


@settings(max_examples=200, deadline=None)
@given(
    st.text(_TEXT),
    st.lists(st.text(_TEXT, max_size=5), max_size=3),
    st.dictionaries(
        st.text(_TEXT, max_size=5), st.text(_TEXT, max_size=5) | st.integers(), max_size=3
    ),
)
def test_any_string_stays_data_in_a_yaml_file(
    value: str, many: list[str], mapping: dict[str, object]
) -> None:
    """A requester's text never becomes a key, an item or a comment of a YAML file."""
    import yaml

    text = render(YAML_FILE, spaces(v=value, many=many, map=mapping), Target.YAML)
    data = yaml.safe_load(text)
    assert set(data) == {"name", "quoted", "items", "labels"}
    # YAML readers normalise line breaks inside scalars, as they normalise the file's own.
    unix = value.replace("\r\n", "\n").replace("\r", "\n")
    assert data["name"].replace("\r\n", "\n").replace("\r", "\n") == unix
    assert data["quoted"].startswith("for ")
    assert data["items"] == many and data["labels"] == mapping
