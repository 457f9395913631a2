"""The encoders: every `{{ … }}` output is written for the place it stands in.

* `json`: strings are escaped for where they stand (inside a JSON string literal, or as
  a whole value), numbers stay bare, lists and mappings become JSON;
* `text`: plain, lists joined with ", ", mappings as `k=v` pairs;
* `jira`: text escaped so a requester's input cannot form wiki markup, links, mentions
  or macros;
* `summary` / `label` / `url` / `header` / `form`: one line, no spaces, percent-encoded,
  no line breaks, form-encoded.

The translation wraps each output in the encoder named by `encoder_name`; the sandbox
offers the functions of `ENCODERS` under those names, and nothing else as globals.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import quote, quote_plus

from pac.templating.errors import TemplateError
from pac.templating.jiramarkup import jira_escape
from pac.templating.limits import check_size, deep_size
from pac.templating.values import Placeholder, RawJson, Secret, shown_as_is

SUMMARY_LIMIT = 255  # characters JIRA allows in a summary or a label
# Every character str.splitlines() breaks at: any of them would end a one-line value.
LINE_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# What an HTTP header value cannot carry: control characters (tab aside) and line breaks.
_HEADER_FORBIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# Control characters (tab aside), which no JIRA name, key or label may hold.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# What a JIRA user name or account id is made of.
_JIRA_ID_CHARS = re.compile(r"[A-Za-z0-9._@+:-]*")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_SPACES = re.compile(r"\s+")


class Target(StrEnum):
    """Where a template's output goes, which decides how each value is encoded."""

    TEXT = "text"
    JSON = "json"
    YAML = "yaml"  # a .yaml/.yml file: every value a quoted scalar or flow collection
    JIRA = "jira"
    JIRA_FIELD = "jira_field"
    JIRA_NAME = "jira_name"
    JIRA_ID = "jira_id"
    SUMMARY = "summary"
    LABEL = "label"
    URL = "url"
    HEADER = "header"
    FORM = "form"


def encoder_name(target: Target, in_json_string: bool) -> str:
    """The name of the encoder an output for `target` is wrapped in."""
    if target is Target.JSON:
        return "_pac_json_in_string" if in_json_string else "_pac_json_value"
    if target is Target.YAML:
        # JSON's double-quoted strings and flow collections are YAML too, with every line
        # break escaped: a value can never become a key, an item or a comment.
        return "_pac_yaml_in_string" if in_json_string else "_pac_yaml_value"
    return f"_pac_{target.value}"


def _is_undefined(value: Any) -> bool:
    # Only reached while rendering, when Jinja is loaded anyway.
    from jinja2 import Undefined

    return isinstance(value, Undefined)


def plain(value: Any) -> str:
    """Text form of a value: lists joined with ", ", mappings as k=v, missing as empty."""
    if isinstance(value, list | tuple | Mapping):
        check_size(deep_size(value))
    if value is None or _is_undefined(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | Secret):
        return str(value)
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={plain(v)}" for k, v in value.items())
    return str(value)


def to_json_data(value: Any) -> Any:
    """Plain JSON data: secrets become their text form (masked unless revealing)."""
    if value is None or _is_undefined(value):
        return None
    if isinstance(value, Secret):
        return str(value)
    if isinstance(value, RawJson):
        return json.loads(value)
    if isinstance(value, Mapping):
        return {str(k): to_json_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_data(v) for v in value]
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def dumps(value: Any, indent: int | None = None) -> str:
    """A value as JSON text (what `tojson` and JSON outputs write)."""
    if isinstance(value, list | tuple | Mapping):
        check_size(deep_size(value))
    try:
        return json.dumps(to_json_data(value), ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError as exc:  # NaN or infinity: Python would write them, JSON has no such
        raise TemplateError(
            "a number that is not finite (NaN or infinity) cannot be written as JSON",
            "Check the number fields of the input; JSON numbers are finite.",
        ) from exc


def json_value(value: Any) -> str:
    if isinstance(value, RawJson):
        return str(value)
    return dumps(value)


def json_in_string(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False)[1:-1]


# What JSON leaves raw but YAML does not take raw in a file: C1 controls and DEL, which a
# YAML reader refuses, and NEL, LS and PS, which YAML 1.1 reads as line breaks.
_YAML_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _yaml_safe(text: str) -> str:
    return _YAML_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def yaml_value(value: Any) -> str:
    return _yaml_safe(json_value(value))


def yaml_in_string(value: Any) -> str:
    return _yaml_safe(json_in_string(value))


def _jira(value: Any) -> str:
    if isinstance(value, Placeholder):
        return str(value)
    if isinstance(value, RawJson):
        return jira_escape(str(value))
    return jira_escape(plain(value))


def _jira_field(value: Any) -> str:
    """A custom field's value: escaped as in a description, since JIRA renders text custom
    fields as wiki markup, except numbers (a leading `-` escaped would make `-5` unreadable
    to a number field)."""
    text = plain(value) if not isinstance(value, Placeholder) else str(value)
    return text if _PLAIN_NUMBER.fullmatch(text) else _jira(value)


def _jira_name(value: Any) -> str:
    """A component name: any one line of text; JIRA matches it by name, it is not markup."""
    if shown_as_is(value):
        return str(value)
    text = plain(value)
    if LINE_BREAKS.search(text) or _CONTROL.search(text):
        raise TemplateError(
            "a value with a line break or control character was inserted into a JIRA "
            "component name",
            "Component names are one line of text: fill this from a select field listing "
            "the project's components, or a single-line field.",
        )
    return text


def _jira_id(value: Any) -> str:
    """An assignee: a JIRA user name or account id, refused rather than altered when it
    holds a character none can (a space, `[~`, `|`, a line break)."""
    if shown_as_is(value):
        return str(value)
    text = plain(value)
    if not _JIRA_ID_CHARS.fullmatch(text):
        bad = sorted({ch for ch in text if not _JIRA_ID_CHARS.fullmatch(ch)})
        raise TemplateError(
            f"a value with characters a JIRA user name cannot hold "
            f"({', '.join(repr(ch) for ch in bad)}) was inserted into the assignee",
            "The assignee is a JIRA user name or account id (letters, digits and . _ @ + : -): "
            "fill it from a field whose validation.pattern allows only those, e.g. "
            "'^[a-z0-9._-]+$'.",
        )
    return text


def _summary(value: Any) -> str:
    text = plain(value)
    if LINE_BREAKS.search(text):
        raise TemplateError(
            "a value with a line break was inserted into a ticket summary",
            "Summaries are one line: use a single-line field here, or put the text in the "
            "description.",
        )
    return text


def _label(value: Any) -> str:
    text = plain(value)
    if _CONTROL.search(_SPACES.sub(" ", text)):
        raise TemplateError(
            "a value with a control character was inserted into a JIRA label",
            "Labels are short printable tags: make one from a short, single-line field.",
        )
    return _SPACES.sub("-", text.strip())


def _url(value: Any) -> str:
    if shown_as_is(value):
        return str(value)
    return quote(plain(value), safe="")


def _header(value: Any) -> str:
    text = plain(value)
    if LINE_BREAKS.search(text):
        raise TemplateError(
            "a value with a line break was inserted into an HTTP header",
            "Header values are one line; use another field for multi-line text.",
        )
    if _HEADER_FORBIDDEN.search(text):
        raise TemplateError(
            "a value with a control character was inserted into an HTTP header",
            "Header values are printable text; send this value in the body instead.",
        )
    try:
        text.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise TemplateError(
            "a value with characters HTTP headers cannot carry was inserted into a header",
            "Header values are Latin-1 text; percent-encode the value with "
            "`| urlencode`, or send it in the body.",
        ) from exc
    return text


def _form(value: Any) -> str:
    if shown_as_is(value):
        return str(value)
    return quote_plus(plain(value))


ENCODERS: dict[str, Callable[[Any], str]] = {
    "_pac_text": plain,
    "_pac_json_value": json_value,
    "_pac_json_in_string": json_in_string,
    "_pac_yaml_value": yaml_value,
    "_pac_yaml_in_string": yaml_in_string,
    "_pac_jira": _jira,
    "_pac_jira_field": _jira_field,
    "_pac_jira_name": _jira_name,
    "_pac_jira_id": _jira_id,
    "_pac_summary": _summary,
    "_pac_label": _label,
    "_pac_url": _url,
    "_pac_header": _header,
    "_pac_form": _form,
}
