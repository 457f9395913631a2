"""ISO 8601 durations as items write `leadTimeTarget` (P2D, PT4H, P1W), and durations in
words as pac shows them ("3 days", "5 hours")."""

from __future__ import annotations

import re

_DURATION = re.compile(
    r"^P(?=\d|T\d)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$"
)
_UNITS = (604800, 86400, 3600, 60, 1)  # seconds in a week, day, hour, minute, second
_WORDS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def parse_duration(text: str) -> float | None:
    """Seconds in `text`, or None when it is not a duration pac reads (the schema's
    pattern: weeks, days, hours, minutes and seconds, no years or months)."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    return float(sum(int(n or 0) * unit for n, unit in zip(match.groups(), _UNITS, strict=True)))


def in_words(seconds: float) -> str:
    """`seconds` in the largest unit that fits at least once: "2 days", "5 hours", "40 s"
    is "40 seconds"; rounded down, as a promise counts whole units."""
    seconds = max(0.0, seconds)
    for size, word in _WORDS:
        if seconds >= size or size == 1:
            count = int(seconds // size)
            return f"{count} {word}{'' if count == 1 else 's'}"
    return "0 seconds"
