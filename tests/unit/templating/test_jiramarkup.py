"""JIRA wiki markup escaping: text shows literally and forms no markup."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from pac.templating.jiramarkup import jira_escape


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
