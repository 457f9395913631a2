"""One outbox ticket file read defensively: a broken file is a clear error naming it.

The outbox is a folder of plain files in a checkout, so anything may end up there: a file
cut short by a full disk, an editor's mistake, or something built to hurt (a gigabyte, or
100,000 nested brackets that crash Python's JSON parser). Each is refused with the file,
what is wrong and how to fix it, before the parser sees it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pac.documents.layout import OUTBOX_DIR
from pac.errors import RepositoryError

# A ticket pac writes is a few kilobytes, nested four levels deep.
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_FIX = (
    "pac writes each outbox file whole, so this one was changed by hand or by another tool: "
    "restore it from a backup, or move it out of the outbox if no request waits on it."
)
_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number"}


def read_ticket(path: Path) -> dict[str, Any]:
    """The ticket in `path`, or `RepositoryError` saying what is wrong with the file."""
    shown = f"{OUTBOX_DIR}/{path.name}"
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _broken(shown, f"is {size:,} bytes, more than an outbox ticket ({MAX_BYTES:,})")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _broken(shown, f"is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise RepositoryError(
            f"{shown}: cannot be read ({exc.strerror or exc})",
            "Check the file's permissions in the checkout.",
        ) from None
    if _depth(text) > MAX_DEPTH:
        raise _broken(shown, f"nests more than {MAX_DEPTH} levels deep")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _broken(f"{shown}:{exc.lineno}:{exc.colno}", f"is not JSON: {exc.msg}") from None
    problem = _shape_problem(data, path.stem)
    if problem:
        raise _broken(shown, problem)
    result: dict[str, Any] = data
    return result


def _broken(where: str, what: str) -> RepositoryError:
    return RepositoryError(f"{where}: the outbox ticket file {what}", _FIX)


def _depth(text: str) -> int:
    """How deep the brackets outside strings nest, without parsing (and so without recursion)."""
    deepest = depth = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _shape_problem(data: Any, key: str) -> str:
    """What keeps `data` from being a ticket pac made as `key`, or ''."""
    if not isinstance(data, dict):
        shown = _JSON_TYPES.get(type(data), "null" if data is None else "true or false")
        return f"holds {shown}, not a ticket (a JSON object)"
    if "key" not in data:
        return f"has no 'key' (text: {key}, as its name says)"
    if data.get("key") != key:
        return f"says it is ticket {data.get('key')!r}, but is named {key}.json"
    return next((problem for check in _CHECKS if (problem := check(data))), "")


def _texts(data: dict[str, Any]) -> str:
    for name in ("id", "url"):
        if not isinstance(data.get(name), str):
            return f"has no {name!r} (text)"
    wrong = [n for n in ("status", "summary", "resolution") if not _is(data, n, str)]
    return f"has a {wrong[0]!r} that is not text" if wrong else ""


def _objects(data: dict[str, Any]) -> str:
    wrong = [n for n in ("fields", "customFields") if not _is(data, n, dict)]
    return f"has {wrong[0]!r} that is not an object" if wrong else ""


def _lists(data: dict[str, Any]) -> str:
    labels = data.get("labels") or []
    if not isinstance(labels, list) or any(not isinstance(label, str) for label in labels):
        return "has 'labels' that are not a list of text"
    for name, needs in (("links", ("type", "direction", "key")), ("comments", ())):
        entries = data.get(name, [])
        fine = isinstance(entries, list) and all(
            isinstance(e, dict) and all(isinstance(e.get(n), str) for n in needs) for e in entries
        )
        if not fine:
            return f"has {name!r} that are not a list of objects" + (
                f" with {', '.join(needs)}" if needs else ""
            )
    return ""


def _is(data: dict[str, Any], name: str, kind: type) -> bool:
    """`data[name]` is absent, null, or of `kind`."""
    return data.get(name) is None or isinstance(data[name], kind)


_CHECKS: tuple[Callable[[dict[str, Any]], str], ...] = (_texts, _objects, _lists)
