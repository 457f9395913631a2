"""`pac plan`: show what `pac apply` would do, for review."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pac.cli.common import ChangedOption, RequestArgument, repository, user_errors, write


class PlanFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def _summary_target(summary: Path | None, fmt: PlanFormat) -> Path | None:
    # JSON is for machines: a workflow that also asks for it must not get the plan twice.
    in_actions = os.environ.get("GITHUB_STEP_SUMMARY") and fmt is not PlanFormat.json
    return summary or (Path(os.environ["GITHUB_STEP_SUMMARY"]) if in_actions else None)


def plan(
    ctx: typer.Context,
    requests: RequestArgument = None,
    changed: ChangedOption = None,
    fmt: Annotated[PlanFormat, typer.Option("--format", "-f", help="Output format.")] = (
        PlanFormat.text
    ),
    summary: Annotated[
        Path | None,
        typer.Option(
            "--summary",
            help="Also append the markdown plan to this file (default: $GITHUB_STEP_SUMMARY, "
            "except with --format json).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show exactly what pac apply would do: every ticket and call, in order, for review."""
    from pac.fulfilment import apply as applying
    from pac.fulfilment import plan as planning
    from pac.fulfilment.freeze import today_in
    from pac.records.store import StatusStore

    repo = repository(ctx)
    with user_errors():
        today_in(repo.config.timezone)  # a bad PAC_TODAY stops the plan before any work
        selection = applying.select_requests(repo, requests or [], changed)
    store = StatusStore(repo.root)
    plans = [planning.plan_request(repo, store, request) for request in selection.requests]
    if not requests:
        plans = [p for p in plans if p.acts]
    rendered = {
        PlanFormat.text: planning.as_text,
        PlanFormat.markdown: planning.as_markdown,
        PlanFormat.json: planning.as_json,
    }[fmt](plans)
    write(rendered)
    target = _summary_target(summary, fmt)
    if target is not None:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(planning.as_markdown(plans))
    for display, reason in selection.invalid:
        typer.echo(f"{display}: cannot be planned, it has errors ({reason})", err=True)
    # A change apply will hold is a finding for the pull request, like an error.
    errors = [p for p in plans if p.error or p.held] or selection.invalid
    raise typer.Exit(1 if errors else 0)
