"""The template engine: Jinja2 in a sandbox, with pac's leading-dot variables.

Catalog templates write variables as `{{ .current.basic.instanceClass }}`, with hyphenated
ids allowed in paths (`{{ .metadata.database-aurora-postgresql-standard.defaultPort }}`).
Before Jinja sees a template, each such reference is rewritten into a subscript of one
context variable, and every `{{ … }}` output is wrapped in the encoder for its target:

* `json`: strings are escaped for where they stand (inside a JSON string literal, or as
  a whole value), numbers stay bare, lists and mappings become JSON;
* `text`: plain, lists joined with ", ", mappings as `k=v` pairs;
* `jira`: text escaped so a requester's input cannot form wiki markup, links, mentions
  or macros;
* `summary` / `label` / `url` / `header` / `form`: one line, no spaces, percent-encoded,
  no line breaks, form-encoded.

Values are data: they are never evaluated as templates. Secret values (`secretRef`) show
as `***` unless the caller renders for sending (`reveal=True`), and then only in the
places that are sent (a REST call), never in what is shown or stored.
"""

from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

from pac.errors import PacError

NAMESPACES = ("current", "output", "metadata", "system")
RESPONSE = "response"  # only in `outputs` templates
CONTEXT_NAME = "_pac"
MASK = "***"
SUMMARY_LIMIT = 255


class Target(StrEnum):
    TEXT = "text"
    JSON = "json"
    JIRA = "jira"
    JIRA_FIELD = "jira_field"
    JIRA_NAME = "jira_name"
    JIRA_ID = "jira_id"
    SUMMARY = "summary"
    LABEL = "label"
    URL = "url"
    HEADER = "header"
    FORM = "form"


class TemplateError(PacError):
    """A template that cannot be compiled or rendered; `line`/`column` are in the template."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "", line: int = 0, column: int = 0) -> None:
        super().__init__(message, hint)
        self.line = line
        self.column = column


# --- secrets ---------------------------------------------------------------------------

_REVEAL: contextvars.ContextVar[bool] = contextvars.ContextVar("pac_reveal", default=False)
SECRET_PREFIX = "PAC_SECRET_"


class SecretMissing(TemplateError):
    pass


class Secret:
    """A value from a `secretRef`: `***` whenever it is shown, the real value only when sent.

    The value is looked up (from `PAC_SECRET_<NAME>`) the moment it is first needed for
    sending, so previews never need the secret to exist.
    """

    __slots__ = ("_lookup", "name")

    def __init__(self, name: str, lookup: Callable[[str], str | None] | None = None) -> None:
        self.name = name
        self._lookup = lookup

    def reveal(self) -> str:
        value = self._lookup(self.name) if self._lookup else None
        if value is None:
            raise SecretMissing(
                f"the secret {self.name} is not set",
                f"Add it as the CI secret {SECRET_PREFIX}{self.name} (or export it in your "
                "shell); pac reads secrets only from the environment.",
            )
        return value

    def __str__(self) -> str:
        return self.reveal() if _REVEAL.get() else MASK

    def __repr__(self) -> str:
        return f"Secret({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("secret", self.name))


class RawJson(str):
    """Already-encoded JSON (from the `tojson` filter): inserted as it is in JSON bodies."""


class Placeholder(str):
    """A stand-in for a value that exists only at apply time (an earlier action's output),
    shown as it is in previews rather than encoded."""


# --- turning leading-dot references into Jinja ------------------------------------------

_TAG = re.compile(r"\{\{|\{%|\{#")
_TAG_END = {"{{": "}}", "{%": "%}", "{#": "#}"}
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}")
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")


@dataclass(frozen=True, slots=True)
class Reference:
    """One `.namespace.path` in a template, with its 1-based line and 0-based column."""

    namespace: str
    path: tuple[str, ...]
    line: int
    column: int

    def text(self) -> str:
        return "." + ".".join((self.namespace, *self.path))


@dataclass(frozen=True)
class Translation:
    source: str  # Jinja source
    references: tuple[Reference, ...]
    outputs: int  # how many `{{ }}` outputs were wrapped


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and 0-based column of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start


# A `.` starts a reference only where an expression may begin, not after a name, a
# closing bracket, a digit or a quote (attribute access and decimals stay Jinja's).
_EXPRESSION_TOKEN = re.compile(
    r"""(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    r"|(?<![A-Za-z0-9_)\]}.'\"])(?P<ref>\.(?P<ns>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?P<path>(?:\.[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)*))(?P<call>\s*\()?",
    re.DOTALL,
)


def _rewrite_expression(expr: str, base: int, original: str, refs: list[Reference]) -> str:
    """Rewrite references in one tag's expression, leaving string literals alone."""
    code, found = _rewrite_body(expr)
    for namespace, path, offset in found:
        line, column = line_col(original, base + offset)
        refs.append(Reference(namespace, path, line, column))
    return code


@lru_cache(maxsize=16384)
def _rewrite_body(
    expr: str,
) -> tuple[str, tuple[tuple[str, tuple[str, ...], int], ...]]:
    """The Jinja code of one tag and its references at offsets within it.

    Cached by the tag's text: the same few tags (`{{ .current.name }}`) recur in template
    after template, and `pac validate` reads every template of the catalog.
    """
    out: list[str] = []
    found: list[tuple[str, tuple[str, ...], int]] = []
    last = 0
    for match in _EXPRESSION_TOKEN.finditer(expr):
        if match.group("ref") is None:
            continue  # a string literal: copied as it is
        out.append(expr[last : match.start()])
        namespace = match.group("ns")
        path = [p for p in match.group("path").split(".") if p]
        method = ""
        # `.current.items()`: the last step before a call is a method, not a key.
        if match.group("call") and path and "-" not in path[-1]:
            method = path.pop()
        found.append((namespace, tuple(path), match.start()))
        # `.list.0` is the first element, as `list.0` is in Jinja.
        code = f'{CONTEXT_NAME}["{namespace}"]' + "".join(
            f"[{step}]" if step.isdecimal() else f'["{step}"]' for step in path
        )
        out.append(code + (f".{method}" if method else "") + (match.group("call") or ""))
        last = match.end()
    out.append(expr[last:])
    return "".join(out), tuple(found)


def _json_state(text: str, in_string: bool) -> bool:
    """Whether a JSON string literal is open after `text` (template literal text)."""
    i = 0
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        i += 1
    return in_string


_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", re.DOTALL)


def _find_close(source: str, start: int, closer: str) -> int:
    """Where a tag ends: the first `closer` outside string literals, as Jinja reads it."""
    if closer == "#}":
        return source.find(closer, start)
    pos = start
    while True:
        end = source.find(closer, pos)
        if end < 0:
            return end
        # Only a quote before the closer can hide it; searching no further keeps this
        # linear in the tag, not in the rest of the template.
        quotes = [q for q in (source.find("'", pos, end), source.find('"', pos, end)) if q >= 0]
        if not quotes:
            return end
        quote = min(quotes)
        literal = _STRING.match(source, quote)
        if literal is None:
            return end  # an unclosed quote: Jinja reports it
        pos = literal.end()


@lru_cache(maxsize=8192)
def translate(source: str, target: Target = Target.TEXT) -> Translation:
    """The Jinja source for a pac template, and the references it makes."""
    refs: list[Reference] = []
    out: list[str] = []
    pos = 0
    in_string = False
    outputs = 0
    while True:
        match = _TAG.search(source, pos)
        if match is None:
            literal = source[pos:]
            out.append(literal)
            break
        literal = source[pos : match.start()]
        out.append(literal)
        in_string = _json_state(literal, in_string) if target is Target.JSON else False
        opener = match.group()
        closer = _TAG_END[opener]
        end = _find_close(source, match.end(), closer)
        if end < 0:
            line, column = line_col(source, match.start())
            raise TemplateError(
                f"a {opener} is never closed",
                f"Close it with {closer}.",
                line,
                column,
            )
        inner = source[match.end() : end]
        if opener == "{#":
            out.append(source[match.start() : end + 2])
            pos = end + 2
            continue
        if opener == "{%" and _RAW_START.match(source, match.start()):
            raw_end = _RAW_END.search(source, end + 2)
            stop = raw_end.end() if raw_end else len(source)
            out.append(source[match.start() : stop])
            if target is Target.JSON:  # raw text is literal JSON text too
                in_string = _json_state(
                    source[end + 2 : raw_end.start() if raw_end else stop], in_string
                )
            pos = stop
            continue
        left = "-" if inner.startswith(("-", "+")) and opener == "{{" else ""
        right = "-" if inner.endswith(("-", "+")) and opener == "{{" else ""
        body_start = match.end() + len(left)
        body = inner[len(left) : len(inner) - len(right)]
        rewritten = _rewrite_expression(body, body_start, source, refs)
        if opener == "{{":
            encoder = _encoder_name(target, in_string)
            out.append(f"{{{{{left} {encoder}(({rewritten})) {right}}}}}")
            outputs += 1
        else:
            out.append(f"{{%{rewritten}%}}")
        pos = end + 2
    return Translation("".join(out), tuple(refs), outputs)


def _encoder_name(target: Target, in_json_string: bool) -> str:
    if target is Target.JSON:
        return "_pac_json_in_string" if in_json_string else "_pac_json_value"
    return f"_pac_{target.value}"


# --- encoders ---------------------------------------------------------------------------


def _is_undefined(value: Any) -> bool:
    from jinja2 import Undefined

    return isinstance(value, Undefined)


def plain(value: Any) -> str:
    """Text form of a value: lists joined with ", ", mappings as k=v, missing as empty."""
    if isinstance(value, list | tuple | Mapping):
        _check_size(_deep_size(value))
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


def _dumps(value: Any, indent: int | None = None) -> str:
    if isinstance(value, list | tuple | Mapping):
        _check_size(_deep_size(value))
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
    return _dumps(value)


def json_in_string(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False)[1:-1]


_JIRA_ALWAYS = frozenset("{}[]|!")
_JIRA_EDGE = frozenset("*_-+^~?#")
_LINE_MARKUP = re.compile(r"^(\s*)(h[1-6]|bq)\.", re.MULTILINE)
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|file|mailto|irc|news|nntp)(:)")


# Characters that would be invisible or hidden in a ticket: terminal controls (JIRA drops
# them silently, so what was reviewed in the plan would differ from what is sent), bidi
# overrides that reorder the text around them, zero-width and other format characters
# (soft hyphen, line/paragraph separators, Hangul fillers that render as nothing, the tag
# characters that can carry a whole invisible text).
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e007f]"
)


def _hidden_shown(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def jira_escape(text: str) -> str:
    """Escape text for JIRA wiki markup so it shows literally and forms no markup.

    Brackets, braces, pipes and bangs (links, mentions, macros, tables, images) are always
    escaped; emphasis characters only where they could open or close markup, so ids like
    `payments-api` stay readable. Backslashes become an entity (`\\\\` is a line break in
    JIRA), line-start `h1.`/`bq.` lose their meaning, and URLs are not turned into links.
    Control, bidi-override and zero-width characters are written as `<U+XXXX>`, the same in
    the plan's preview and in the ticket.
    """
    text = _HIDDEN.sub(_hidden_shown, text)
    out: list[str] = []
    length = len(text)
    for i, ch in enumerate(text):
        if ch == "\\":
            out.append("&#92;")
        elif ch in _JIRA_ALWAYS:
            out.append("\\" + ch)
        elif ch in _JIRA_EDGE:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < length else " "
            if before.isalnum() and after.isalnum() and ch not in "?#":
                out.append(ch)
            else:
                out.append("\\" + ch)
        else:
            out.append(ch)
    escaped = _LINE_MARKUP.sub(_neutral_line_start, "".join(out))
    return _AUTOLINK.sub(lambda m: m.group(1) + "&#58;", escaped)


def _neutral_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    return f"{indent}&#{ord(marker[0])};{marker[1:]}."


def _jira(value: Any) -> str:
    if isinstance(value, Placeholder):
        return str(value)
    if isinstance(value, RawJson):
        return jira_escape(str(value))
    return jira_escape(plain(value))


_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def _jira_field(value: Any) -> str:
    """A custom field's value: escaped as in a description, since JIRA renders text custom
    fields as wiki markup, except numbers (a leading `-` escaped would make `-5` unreadable
    to a number field)."""
    text = plain(value) if not isinstance(value, Placeholder) else str(value)
    return text if _PLAIN_NUMBER.fullmatch(text) else _jira(value)


# Control characters (tab aside), which no JIRA name, key or label may hold.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# What a JIRA user name or account id is made of.
_JIRA_ID_CHARS = re.compile(r"[A-Za-z0-9._@+:-]*")


def _jira_name(value: Any) -> str:
    """A component name: any one line of text; JIRA matches it by name, it is not markup."""
    if _shown_as_is(value):
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
    if _shown_as_is(value):
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


# Every character str.splitlines() breaks at: any of them would end a one-line value.
LINE_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# What an HTTP header value cannot carry: control characters (tab aside) and line breaks.
_HEADER_FORBIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _summary(value: Any) -> str:
    text = plain(value)
    if LINE_BREAKS.search(text):
        raise TemplateError(
            "a value with a line break was inserted into a ticket summary",
            "Summaries are one line: use a single-line field here, or put the text in the "
            "description.",
        )
    return text


_SPACES = re.compile(r"\s+")


def _label(value: Any) -> str:
    text = plain(value)
    if _CONTROL.search(_SPACES.sub(" ", text)):
        raise TemplateError(
            "a value with a control character was inserted into a JIRA label",
            "Labels are short printable tags: make one from a short, single-line field.",
        )
    return _SPACES.sub("-", text.strip())


def _shown_as_is(value: Any) -> bool:
    """Stand-ins and masked secrets read as they are in previews, not percent-encoded."""
    return isinstance(value, Placeholder) or (isinstance(value, Secret) and not _REVEAL.get())


def _url(value: Any) -> str:
    if _shown_as_is(value):
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
    if _shown_as_is(value):
        return str(value)
    return quote_plus(plain(value))


ENCODERS: dict[str, Callable[[Any], str]] = {
    "_pac_text": plain,
    "_pac_json_value": json_value,
    "_pac_json_in_string": json_in_string,
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


# --- the sandboxed environment ----------------------------------------------------------

_OWN_ENCODERS = frozenset(ENCODERS.values())

_MAX_REPEAT = 100_000  # the largest count or width a template may ask for
_MAX_TEXT = 1_000_000  # characters any value a template builds, or its output, may reach
_STR_SIZED = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")


def _too_big(what: str) -> TemplateError:
    return TemplateError(
        f"a template asked for {what}, more than pac allows",
        "Templates format request data; widths and counts stay under "
        f"{_MAX_REPEAT:,} and texts under {_MAX_TEXT:,} characters.",
    )


def _check_count(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_REPEAT:
        raise _too_big(f"{what} of {value}")


def _check_size(size: int) -> None:
    if size > _MAX_TEXT:
        raise _too_big(f"a text of {size:,} characters")


def _check_format(fmt: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Widths and precisions in `%` and `{}` formats are allocations: keep them small."""
    import string

    text = str(fmt)
    numbers = [n for m in _PERCENT_SPEC.finditer(text) for n in m.groups() if n]
    if "*" in numbers:
        numbers.extend(str(a) for a in args if isinstance(a, int))
    try:
        specs = [spec for _, _, spec, _ in string.Formatter().parse(text) if spec]
    except ValueError:
        specs = []  # not a valid {} format: str.format reports it
    numbers.extend(n for spec in specs for n in re.findall(r"\d+", spec))
    if any("{" in spec for spec in specs):  # `{0:>{1}}`: a width from the arguments
        numbers.extend(str(a) for a in (*args, *kwargs.values()) if isinstance(a, int))
    for number in numbers:
        if number.lstrip("-").isdigit():
            _check_count(int(number), "a format width")
    for value in (*args, *kwargs.values()):
        if isinstance(value, str):
            _check_size(len(value))


def _check_replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    text, old, new = str(text), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    _check_size(len(text) + hits * (len(new) - len(old)))


_MAX_STEPS = 1_000_000  # loop steps one rendering may take
_STEPS: contextvars.ContextVar[list[int]] = contextvars.ContextVar("pac_steps")


def _counted_steps(iterable: Any) -> Iterator[Any]:
    counter = _STEPS.get(None)
    if counter is None:
        counter = [0]
        _STEPS.set(counter)
    for item in iterable:
        counter[0] += 1
        if counter[0] > _MAX_STEPS:
            raise _too_big(f"more than {_MAX_STEPS:,} loop steps")
        yield item


def _deep_size(value: Any, budget: int = _MAX_TEXT) -> int:
    """About how many characters `value` takes once written out; stops counting past
    `budget` (lists can hold the same big text many times over)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        items: Any = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple):
        items = value
    else:
        return 8
    total = len(items)
    for item in items:
        total += _deep_size(item, budget - total)
        if total > budget:
            break
    return total


def _check_join(items: Any, separator: Any) -> list[Any] | None:
    """Joining repeats the separator once per item; an iterator is read into a list to
    count them (and that list is what gets joined)."""
    read = None if hasattr(items, "__len__") else list(items)
    counted = items if read is None else read
    _check_size(len(str(separator)) * len(counted) + _deep_size(counted))
    return read


def _check_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
    """Method calls and macros: the ways around `*` to grow text without bound. Returns
    the arguments to call with (an iterator the check had to read becomes a list)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, str | list | tuple):
            _check_size(len(value))
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str):
        return args
    name = getattr(obj, "__name__", "")
    if name in _STR_SIZED:
        for value in (*args, *kwargs.values()):
            _check_count(value, f"a width in {name}()")
    elif name == "replace" and len(args) >= 2:
        _check_replace(owner, *args[:3])
    elif name == "join" and args:
        read = _check_join(args[0], owner)
        if read is not None:
            return (read, *args[1:])
    return args


def _guard_filter(filters: dict[str, Any], name: str, check: Callable[..., Any]) -> None:
    original = filters[name]
    pass_arg = getattr(original, "jinja_pass_arg", None)
    skip = 1 if pass_arg is not None else 0

    def guarded(*args: Any, **kwargs: Any) -> Any:
        value = check(*args[skip:], **kwargs)
        if value is not None:  # the check had to read an iterator: pass on what it read
            args = (*args[:skip], value, *args[skip + 1 :])
        return original(*args, **kwargs)

    if pass_arg is not None:
        guarded.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    filters[name] = guarded


def _indent_check(text: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    lines = str(text).count("\n") + 1
    size = len(width) if isinstance(width, str) else width
    if isinstance(size, int):
        _check_size(size * lines + len(str(text)))


def _guard_filters(filters: dict[str, Any]) -> None:
    """Filters whose arguments decide how much memory they take."""
    _guard_filter(filters, "center", lambda v, width=80: _check_count(width, "a width"))
    _guard_filter(filters, "indent", _indent_check)
    _guard_filter(filters, "format", lambda v, *a, **k: _check_format(v, a, k))
    _guard_filter(filters, "replace", _check_replace)
    _guard_filter(filters, "join", lambda v, d="", *a, **k: _check_join(v, d))
    _guard_filter(filters, "batch", lambda v, n, *a, **k: _check_count(n, "a batch size"))
    _guard_filter(filters, "slice", lambda v, n, *a, **k: _check_count(n, "a slice count"))
    for name in ("string", "pprint", "sum"):  # write out, or add up, a whole structure
        _guard_filter(filters, name, lambda v, *a, **k: _check_size(_deep_size(v)))


def _environment() -> Any:
    from jinja2 import ChainableUndefined, nodes
    from jinja2.compiler import CodeGenerator
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class PacCodeGenerator(CodeGenerator):
        def visit_Concat(self, node: Any, frame: Any) -> None:
            # `a ~ b` writes out a list or mapping whole: count it first.
            self.write("environment.pac_concat((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    # Immutable: `list.extend(list)` in a loop doubles a list without any `*`.
    class PacSandbox(ImmutableSandboxedEnvironment):
        code_generator_class = PacCodeGenerator

        def _generate(self, source: Any, *args: Any, **kwargs: Any) -> Any:
            # Every loop counts its steps, so nested loops cannot run for hours.
            for loop in source.find_all(nodes.For):
                loop.iter = nodes.Filter(
                    loop.iter, "_pac_steps", [], [], None, None, lineno=loop.lineno
                ).set_environment(self)
            return super()._generate(source, *args, **kwargs)

        @staticmethod
        def pac_concat(parts: tuple[Any, ...]) -> str:
            _check_size(sum(_deep_size(part) for part in parts))
            return "".join(str(part) for part in parts)

        # `*` and `**` on big operands are how a template would exhaust memory or time.
        intercepted_binops = frozenset({"*", "**"})

        def getitem(self, obj: Any, argument: Any) -> Any:
            # pac's variables are data: `.current.items` is the field "items", never the
            # dict method, and a dunder key is an escape attempt.
            if isinstance(argument, str) and argument.startswith("__"):
                raise SecurityError(f"access to {argument!r} is not allowed")
            if isinstance(obj, Mapping):
                if argument in obj:
                    return obj[argument]
                return self.undefined(obj=obj, name=argument)
            return super().getitem(obj, argument)

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            # A secret has no parts a template may touch: `.reveal()` would put its
            # value into a ticket or a preview.
            if isinstance(obj, Secret):
                return False
            return bool(super().is_safe_attribute(obj, attr, value))

        def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
            # Jinja would quietly render nothing; an escape attempt is an error instead.
            raise SecurityError(f"access to {attribute!r} is not allowed")

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            if __obj not in _OWN_ENCODERS:  # pac's encoders: the output limit covers them
                args = _check_call(__obj, args, kwargs)
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            # Jinja hands out its own wrapper for `'...'.format`; check widths first.
            wrapped = super().wrap_str_format(value)
            if wrapped is None:
                return None
            fmt = value.__self__

            def checked(*args: Any, **kwargs: Any) -> str:
                _check_format(fmt, args, kwargs)
                return wrapped(*args, **kwargs)

            return checked

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, int) and abs(right) > 100:
                raise TemplateError("exponent too large in a template")
            if (
                operator == "**"
                and isinstance(left, int)
                and isinstance(right, int)
                and left.bit_length() * right > 10_000
            ):
                raise TemplateError("a template tried to compute a number too large to show")
            if operator == "*":
                for a, b in ((left, right), (right, left)):
                    if isinstance(a, str | list | tuple) and isinstance(b, int):
                        if len(a) * b > _MAX_REPEAT:
                            raise TemplateError("a template tried to repeat text too often")
                        # `[big_text] * n`: n references now, n copies once shown.
                        _check_size(b * _deep_size(a))
            return super().call_binop(context, operator, left, right)

    env = PacSandbox(
        undefined=ChainableUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.globals.clear()  # no range/cycler/joiner/namespace/lipsum/dict: data only
    env.globals.update(ENCODERS)
    _guard_filters(env.filters)
    env.filters["_pac_steps"] = _counted_steps
    env.filters["tojson"] = lambda value, indent=None: RawJson(_dumps(value, indent))
    return env


@lru_cache(maxsize=1)
def environment() -> Any:
    """The one sandboxed Jinja environment of the process (built on first use)."""
    return _environment()


@dataclass
class CompiledTemplate:
    source: str
    target: Target
    translation: Translation
    template: Any = field(repr=False)

    def render(self, namespaces: Mapping[str, Any], *, reveal: bool = False) -> str:
        from jinja2 import TemplateError as JinjaError
        from jinja2.exceptions import SecurityError

        token = _REVEAL.set(reveal)
        steps = _STEPS.set([0])
        try:
            parts: list[str] = []
            size = 0
            # Piece by piece, so a loop that writes without end stops at the limit.
            for part in self.template.generate({CONTEXT_NAME: namespaces}):
                size += len(part)
                if size > _MAX_TEXT:
                    _check_size(size)
                parts.append(part)
            return "".join(parts)
        except TemplateError as exc:
            exc.line = exc.line or self._line_of(exc)
            raise
        except RecursionError as exc:
            raise TemplateError(
                "the template calls itself without end (a macro that calls itself)",
                "Macros may call other macros, but not themselves in a loop.",
            ) from exc
        except MemoryError as exc:
            raise _too_big("more memory than the machine has") from exc
        except SecurityError as exc:
            raise TemplateError(
                f"the template tried something the sandbox forbids: {exc}",
                "Templates may read variables and use filters; they cannot reach Python internals.",
                self._line_of(exc),
            ) from exc
        except JinjaError as exc:
            raise TemplateError(
                f"the template failed: {exc}",
                "Check the variables and filters it uses (pac validate shows where).",
                getattr(exc, "lineno", 0) or self._line_of(exc),
            ) from exc
        except (TypeError, ValueError, ArithmeticError, AttributeError, LookupError) as exc:
            raise TemplateError(
                f"the template failed: {type(exc).__name__}: {exc}",
                "A filter or operation does not fit the value's type; check the template.",
                self._line_of(exc),
            ) from exc
        finally:
            _REVEAL.reset(token)
            _STEPS.reset(steps)

    def _line_of(self, exc: BaseException) -> int:
        """The template line that was running when `exc` was raised (0 if unknown).

        Jinja rewrites tracebacks so a template's frames carry its own line numbers."""
        line = 0
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<template>":
                line = tb.tb_lineno
            tb = tb.tb_next
        return line


@lru_cache(maxsize=8192)
def compile_template(source: str, target: Target = Target.TEXT) -> CompiledTemplate:
    """Translate and compile a template once per process; raises `TemplateError`."""
    from jinja2 import TemplateSyntaxError

    translation = translate(source, target)
    try:
        template = environment().from_string(translation.source)
    except TemplateSyntaxError as exc:
        raise syntax_error(exc, source) from exc
    return CompiledTemplate(source, target, translation, template)


_BLOCK_TAGS = frozenset({"if", "for", "macro", "call", "filter", "with", "autoescape", "block"})
_STATEMENT = re.compile(r"\{%[-+]?\s*([A-Za-z_]+)")


def syntax_error(exc: Any, source: str) -> TemplateError:
    """A Jinja syntax error as pac reports it; an unclosed block points at its opening tag
    (Jinja only notices at the end of the template)."""
    message = exc.message or ""
    from pac.templating.gosyntax import go_hint, go_tags

    written_in_go = go_tags(source)
    if written_in_go:
        first = written_in_go[0]
        line, column = line_col(source, first.offset)
        return TemplateError(
            f"template syntax error: {first.written} is Go template syntax, not Jinja",
            go_hint(written_in_go),
            line,
            column,
        )
    if "Unexpected end of template" in message:
        stack: list[tuple[str, int]] = []
        for match in _STATEMENT.finditer(source):
            word = match.group(1)
            end = source.find("%}", match.end())
            if word in _BLOCK_TAGS or (word == "set" and "=" not in source[match.end() : end]):
                stack.append((word, match.start()))
            elif word.startswith("end") and stack:
                stack.pop()
        if stack:
            word, offset = stack[-1]
            line, column = line_col(source, offset)
            return TemplateError(
                f"template syntax error: this {{% {word} %}} is never closed",
                f"Add {{% end{word} %}} where its block ends.",
                line,
                column,
            )
    return TemplateError(
        f"template syntax error: {message}", _syntax_hint(message), exc.lineno or 0
    )


def _syntax_hint(message: str) -> str:
    if "expected token 'end of print statement'" in message:
        return (
            "Something follows the variable that Jinja cannot read; variables are written "
            "{{ .current.group.field }} and filters {{ .current.name | upper }}."
        )
    if "Unexpected end of template" in message or "unknown tag" in message:
        return "Every {% if %} and {% for %} needs its {% endif %} / {% endfor %}."
    return "Compare with the examples in docs/templates.md."


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def render(
    source: str,
    namespaces: Mapping[str, Any],
    target: Target = Target.TEXT,
    *,
    reveal: bool = False,
) -> str:
    """Render one template string (plain strings are returned as they are)."""
    if not is_template(source):
        return source
    return compile_template(source, target).render(namespaces, reveal=reveal)


def iter_references(source: str) -> Iterator[Reference]:
    yield from translate(source, Target.TEXT).references
