"""Masking secret values in everything pac writes or prints (SPEC §6.3).

A secret reaches a service in the form pac sent it (raw in a header, JSON-escaped in a
body, percent-encoded in a URL or a form, base64 in a basic-auth pair) and may come back
in the form the service answers with (quoted in a JSON error, with PHP's `\\/`, as the
whole body pac sent, URL-encoded, base64). The redactor knows every such form of every
secret and replaces every stretch of text covered by any of them with one `***`, so
overlapping forms never leave the rest of a longer one standing.

A service answering in an encoding not on this list is handled where its answer is
quoted (`excerpt`, for `pac.fulfilment.backends.rest`): runs of the answer that pac sent but never
showed are masked too.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from pac.templating.values import MASK, SECRET_PREFIX

MIN_SECRET = 4  # shorter values would mask ordinary words
MIN_BASE64 = 8  # a base64 fragment this long is no accident

_PERCENT = re.compile(r"%[0-9A-F]{2}")
_UNICODE_ESCAPE = re.compile(r"\\u[0-9a-f]{4}")
_COVERED = re.compile(b"\x01+")
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _json_forms(text: str) -> set[str]:
    """A JSON string's contents as common serialisers write it."""
    ascii_form = json.dumps(text)[1:-1]
    utf8_form = json.dumps(text, ensure_ascii=False)[1:-1]
    # Go's encoder escapes <, > and & so that JSON is safe inside HTML.
    go_form = utf8_form.translate(_GO_ESCAPES)
    upper = _UNICODE_ESCAPE.sub(lambda m: "\\u" + m.group()[2:].upper(), ascii_form)
    forms = {ascii_form, utf8_form, go_form, upper}
    return forms | {form.replace("/", "\\/") for form in forms}  # PHP escapes slashes


def _url_forms(text: str) -> set[str]:
    forms = {quote(text, safe=""), quote(text), quote_plus(text, safe=""), quote_plus(text)}
    return forms | {_PERCENT.sub(lambda m: m.group().lower(), form) for form in forms}


def _base64_forms(text: str) -> set[str]:
    """Base64 of `text` whole, and the part that is the same wherever it sits in a longer
    base64 text (a basic-auth pair, an echoed body): three alignments, ends trimmed."""
    data = text.encode("utf-8")
    forms = {base64.b64encode(data).decode()}
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode()
        start, end = -(-8 * offset // 6), 8 * (offset + len(data)) // 6
        forms.add(encoded[start:end])
    forms |= {form.replace("+", "-").replace("/", "_") for form in forms}  # URL-safe alphabet
    forms |= {quote(form, safe="") for form in forms}
    return {form for form in forms if len(form) >= MIN_BASE64}


@functools.lru_cache(maxsize=1024)
def encodings(secret: str) -> frozenset[str]:
    """Every form of `secret` pac could have sent it in or a service commonly answers with."""
    sent = {secret} | _json_forms(secret) | _url_forms(secret)
    answered: set[str] = set()
    for form in sent:
        # Echoed as a JSON string (the whole body pac sent, quoted again), URL-encoded, base64,
        # or as UTF-8 bytes in a text answer without a charset, which HTTP clients read as
        # Latin-1.
        answered |= {form} | _json_forms(form) | _url_forms(form) | _base64_forms(form)
        answered.add(form.encode("utf-8").decode("latin-1"))
    return frozenset(form for form in answered if len(form) >= MIN_SECRET)


class Redactor:
    """Masks known secret values, in every form (`encodings`), in anything pac writes or prints."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = tuple(dict.fromkeys(s for s in secrets if len(s) >= MIN_SECRET))
        forms: set[str] = set()
        for secret in self.secrets:
            forms |= encodings(secret)
        self.forms = sorted(forms, key=lambda form: (-len(form), form))

    @classmethod
    def from_environment(cls, credentials: Iterable[str]) -> Redactor:
        """Every PAC_SECRET_* value and those of `credentials` (the action types' variables)."""
        names = [k for k in os.environ if k.startswith(SECRET_PREFIX)] + list(credentials)
        return cls(os.environ.get(name, "") for name in names)

    def __call__(self, text: str) -> str:
        covered: bytearray | None = None
        for form in self.forms:
            if form in text:
                covered = covered or bytearray(len(text))
                _mark(text, form, covered)
        return (
            text if covered is None else _unmasked(text, covered, len(text), len(text) + len(MASK))
        )

    @property
    def longest(self) -> int:
        return len(self.forms[0]) if self.forms else 0

    def mark(self, text: str, covered: bytearray) -> None:
        """Set `covered` wherever `text` holds a form of a secret."""
        for form in self.forms:
            if form in text:
                _mark(text, form, covered)

    def mapping(self, values: Mapping[str, Any]) -> dict[str, str]:
        return {key: self(str(value)) for key, value in values.items()}


# --- quoting a service's answer ------------------------------------------------------------

ECHO_RUN = 8  # a run this long that pac sent but never showed comes from a secret
ANSWER_READ = 65_536  # how much of an answer is read for an excerpt; the rest is never shown


def excerpt(
    answer: str, redact: Redactor, sent: Sequence[str], shown: Sequence[str], limit: int
) -> str:
    """The start of a service's `answer`, safe to store and print whatever it holds.

    `sent` are the parts of the call as sent (URL, header values, body), `shown` the same
    rendered with `***` for every secret. Masked are every known form of a secret and
    every run of `ECHO_RUN` characters the answer shares with `sent` but not with `shown`:
    the parts that carried a secret, in whatever form pac sent it, copied back. Runs are
    compared as they are and by their letters and digits alone, so an echo that escapes
    differently (JSON in JSON, PHP's `\\/`) is found too. All of this is done on what is
    shown and beyond its end, before it is cut short, so a cut never leaves the start of a
    secret standing.
    """
    window = answer[: ANSWER_READ + max(redact.longest, ECHO_RUN)]
    covered = bytearray(len(window))
    redact.mark(window, covered)
    for view in (_as_is, _skeleton):
        _mark_echoes(window, sent, shown, covered, view)
    return _unmasked(window, covered, min(ANSWER_READ, len(window)), limit)


def _as_is(text: str) -> tuple[str, Sequence[int]]:
    return text, range(len(text))


def _skeleton(text: str) -> tuple[str, Sequence[int]]:
    """`text`'s letters and digits, and where each stands in `text`."""
    where = [i for i, char in enumerate(text) if char.isalnum()]
    return "".join(text[i] for i in where), where


def _mark_echoes(
    window: str,
    sent: Sequence[str],
    shown: Sequence[str],
    covered: bytearray,
    view: Callable[[str], tuple[str, Sequence[int]]],
) -> None:
    text, where = view(window)
    runs = {text[i : i + ECHO_RUN] for i in range(len(text) - ECHO_RUN + 1)}
    echoed = _runs_in([view(part)[0] for part in sent], runs)
    echoed -= _runs_in([view(part)[0] for part in shown], runs)
    if not echoed:
        return
    for i in range(len(text) - ECHO_RUN + 1):
        if text[i : i + ECHO_RUN] in echoed:
            first, last = where[i], where[i + ECHO_RUN - 1] + 1
            covered[first:last] = b"\1" * (last - first)


def _runs_in(parts: Sequence[str], wanted: set[str]) -> set[str]:
    # Only runs the answer has are kept: a request body may be a megabyte.
    return {
        run
        for part in parts
        for i in range(len(part) - ECHO_RUN + 1)
        if (run := part[i : i + ECHO_RUN]) in wanted
    }


def _mark(text: str, form: str, covered: bytearray) -> None:
    at = text.find(form)
    while at >= 0:
        covered[at : at + len(form)] = b"\1" * len(form)
        at = text.find(form, at + 1)


def _unmasked(text: str, covered: bytearray, end: int, limit: int) -> str:
    """`text[:end]` with each covered stretch as one `***`, at most `limit` characters."""
    parts: list[str] = []
    size = last = 0
    for stretch in _COVERED.finditer(covered, 0, end):
        parts += [text[last : stretch.start()], MASK]
        size += stretch.start() - last + len(MASK)
        last = stretch.end()
        if size >= limit:
            break
    else:
        parts.append(text[last:end])
    return "".join(parts)[:limit]
