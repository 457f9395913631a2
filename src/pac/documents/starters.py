"""The starter templates `pac new` copies: which exist and where each is read from.

Below both `pac new` (which writes from them) and the placeholder check (which knows their
TODO comments), so validation never reaches up into authoring.
"""

from __future__ import annotations

from pathlib import Path

from pac import resources
from pac.documents.layout import TEMPLATES

STARTERS = ("catalog-item.yaml", "catalog-bundle.yaml", "request.yaml")


def template_path(root: Path, name: str) -> Path:
    """The repository's own starter template, or the one shipped with pac."""
    own = root / TEMPLATES / name
    return own if own.is_file() else resources.templates_dir() / name
