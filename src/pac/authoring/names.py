"""File names of the site's pages for ids and teams that come from request files."""

from __future__ import annotations

import hashlib
import re

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def page_name(text: str) -> str:
    """A file name for an id or team: itself when plain, else a digest that stays unique
    (a hostile id must not name a path outside the site, nor break a link)."""
    if _SAFE_NAME.fullmatch(text) and len(text) <= 100:
        return text
    return "x-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
