"""Text shown to people (terminals, pull request comments) with control characters named.

Control characters (but newline and tab) in a requester's text would reach the reviewer's
terminal as escape sequences, and bidirectional overrides would reorder what the reviewer
reads ("Trojan Source"): shown output names them instead.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` for a terminal or a page: each control character shown as `\\xNN` (or
    `\\uNNNN` beyond Latin-1)."""
    return _CONTROL.sub(_escape, text)


def visible_json(text: str) -> str:
    """JSON text with DEL and C1 controls escaped too (JSON only escapes those below 0x20)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def indent(text: str, prefix: str = "      ") -> str:
    """`text` indented under a task in `pac render`'s listing."""
    # Only real newlines: splitlines() would also break at U+2028 or \x85 inside a value.
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def web_address(text: str) -> bool:
    """An http(s) address with a host and nothing that could end an HTML attribute or a
    YAML scalar, so it can be put in a page, a link, an entity or a message as it is."""
    parts = urlsplit(text)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not any(c.isspace() or c in "\"'<>`\\" for c in text)
    )
