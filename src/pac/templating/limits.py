"""How much a template may ask for: text sizes, counts and widths, loop steps.

A template is written by a catalog author but runs on a requester's input, in CI and on a
workstation: every way it could allocate without bound (repeating text, wide formats,
joins, replaces, endless loops) is counted before the allocation happens.
"""

from __future__ import annotations

import contextvars
import re
import string
from collections.abc import Iterator, Mapping
from typing import Any

from pac.templating.errors import TemplateError

MAX_REPEAT = 100_000  # the largest count or width a template may ask for
MAX_TEXT = 1_000_000  # characters any value a template builds, or its output, may reach
MAX_STEPS = 1_000_000  # loop steps one rendering may take
# The loop steps of the rendering under way (a list, so generators can add to it).
STEPS: contextvars.ContextVar[list[int]] = contextvars.ContextVar("pac_steps")

_STR_SIZED = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")


def too_big(what: str) -> TemplateError:
    return TemplateError(
        f"a template asked for {what}, more than pac allows",
        "Templates format request data; widths and counts stay under "
        f"{MAX_REPEAT:,} and texts under {MAX_TEXT:,} characters.",
    )


def check_count(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_REPEAT:
        raise too_big(f"{what} of {value}")


def check_size(size: int) -> None:
    if size > MAX_TEXT:
        raise too_big(f"a text of {size:,} characters")


def deep_size(value: Any, budget: int = MAX_TEXT) -> int:
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
        total += deep_size(item, budget - total)
        if total > budget:
            break
    return total


def check_format(fmt: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Widths and precisions in `%` and `{}` formats are allocations: keep them small."""
    for number in _format_numbers(str(fmt), args, kwargs):
        if number.lstrip("-").isdigit():
            check_count(int(number), "a format width")
    for value in (*args, *kwargs.values()):
        if isinstance(value, str):
            check_size(len(value))


def _format_numbers(text: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> list[str]:
    """The widths and precisions a format asks for, those taken from its arguments too."""
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
    return numbers


def check_replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    text, old, new = str(text), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    check_size(len(text) + hits * (len(new) - len(old)))


def check_join(items: Any, separator: Any) -> list[Any] | None:
    """Joining repeats the separator once per item; an iterator is read into a list to
    count them (and that list is what gets joined)."""
    read = None if hasattr(items, "__len__") else list(items)
    counted = items if read is None else read
    check_size(len(str(separator)) * len(counted) + deep_size(counted))
    return read


def check_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
    """Method calls and macros: the ways around `*` to grow text without bound. Returns
    the arguments to call with (an iterator the check had to read becomes a list)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, str | list | tuple):
            check_size(len(value))
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str):
        return args
    name = getattr(obj, "__name__", "")
    if name in _STR_SIZED:
        for value in (*args, *kwargs.values()):
            check_count(value, f"a width in {name}()")
    elif name == "replace" and len(args) >= 2:
        check_replace(owner, *args[:3])
    elif name == "join" and args:
        read = check_join(args[0], owner)
        if read is not None:
            return (read, *args[1:])
    return args


def check_binop(operator: str, left: Any, right: Any) -> None:
    """`*` and `**` on big operands are how a template would exhaust memory or time."""
    if operator == "**":
        if isinstance(right, int) and abs(right) > 100:
            raise TemplateError("exponent too large in a template")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() * right > 10_000:
            raise TemplateError("a template tried to compute a number too large to show")
    elif operator == "*":
        for a, b in ((left, right), (right, left)):
            if isinstance(a, str | list | tuple) and isinstance(b, int):
                if len(a) * b > MAX_REPEAT:
                    raise TemplateError("a template tried to repeat text too often")
                # `[big_text] * n`: n references now, n copies once shown.
                check_size(b * deep_size(a))


def counted_steps(iterable: Any) -> Iterator[Any]:
    """The items of a loop, counted against `MAX_STEPS` for the whole rendering."""
    counter = STEPS.get(None)
    if counter is None:
        counter = [0]
        STEPS.set(counter)
    for item in iterable:
        counter[0] += 1
        if counter[0] > MAX_STEPS:
            raise too_big(f"more than {MAX_STEPS:,} loop steps")
        yield item
