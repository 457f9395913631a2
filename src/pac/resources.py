"""Where pac finds the files it ships with, and where it may cache."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _data_dir(name: str) -> Path:
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    # Running from a source checkout (editable install): the repository's own folder.
    return _PACKAGE.parent.parent / name


def schema_dir() -> Path:
    return _data_dir("schema")


def templates_dir() -> Path:
    return _data_dir("templates")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pac"
