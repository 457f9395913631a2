"""What every command needs: the repository, error reporting and output streams."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO

import typer

from pac.errors import PacError

if TYPE_CHECKING:
    from pac.documents.repository import Repository


RequestArgument = Annotated[
    list[str] | None,
    typer.Argument(metavar="REQUEST", help="Request ids or files (default: all requests)."),
]
ChangedOption = Annotated[
    str | None,
    typer.Option(
        "--changed", metavar="BASE", help="Only requests changed since this git revision."
    ),
]


class Output(StrEnum):
    """`--output` of commands that list things (SPEC §8)."""

    table = "table"
    json = "json"
    yaml = "yaml"


@dataclass
class State:
    repo_path: Path | None = None


def use_colour(stream: TextIO) -> bool:
    """Colours only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def fail(error: PacError) -> NoReturn:
    message = f"error: {error.message}"
    if error.hint:
        message += f"\n  hint: {error.hint}"
    typer.echo(message, err=True)
    raise typer.Exit(error.exit_code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's typed errors into a message and an exit code, no traceback."""
    try:
        yield
    except PacError as error:
        fail(error)


def repository(ctx: typer.Context) -> Repository:
    from pac.documents.repository import Repository

    state = ctx.obj if isinstance(ctx.obj, State) else State()
    with user_errors():
        if state.repo_path is not None:
            root = state.repo_path
            if not root.is_dir():
                from pac.errors import RepositoryError

                raise RepositoryError(
                    f"--repo {root} is not a folder", "Pass the catalog repository's root folder."
                )
            return Repository(root)
        return Repository.discover()
    raise AssertionError("unreachable")  # pragma: no cover


def write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def dump(data: Any, output: Output) -> None:
    """`--output json|yaml` of a listing command."""
    if output is Output.json:
        write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        import yaml

        write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))


def _some(names: list[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def warn_unreadable(repo: Repository) -> None:
    """Say which catalog files a listing or an export left out, and why."""
    from pac.authoring import discovery as catalog

    left_out = catalog.unreadable(repo)
    if left_out:
        typer.echo(
            f"warning: {len(left_out)} catalog file(s) have errors and are left out: "
            f"{_some(left_out)}\n"
            f"  hint: Run `pac validate {left_out[0]}` to see what is wrong.",
            err=True,
        )
    astray = catalog.outside(repo)
    if astray:
        typer.echo(
            f"note: {len(astray)} item or bundle file(s) outside catalog/ are not listed: "
            + _some(astray)
            + "\n  hint: `pac validate` says where each belongs (document-outside-catalog).",
            err=True,
        )
