"""Typed errors raised by the library; the CLI turns them into messages and exit codes.

Findings about documents are not errors: they are `Diagnostic`s returned by the checks.
These exceptions are for situations where pac cannot do what was asked at all.
"""

from __future__ import annotations


class PacError(Exception):
    """A problem the user can fix; carries a hint and the exit code it maps to."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(PacError):
    """The command was asked for something that cannot be done (bad argument, unknown id)."""


class RepositoryError(PacError):
    """The catalog repository cannot be found or is unusable."""


class GitError(PacError):
    """A git operation failed (unknown revision, not a repository, push rejected)."""
