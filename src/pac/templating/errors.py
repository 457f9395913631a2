"""The one error of the templating stage: a template that cannot be compiled or rendered."""

from __future__ import annotations

from pac.errors import PacError


class TemplateError(PacError):
    """A template that cannot be compiled or rendered; `line`/`column` are in the template."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "", line: int = 0, column: int = 0) -> None:
        super().__init__(message, hint)
        self.line = line
        self.column = column
