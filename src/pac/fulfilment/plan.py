"""`pac plan`: exactly what `pac apply` would do, for the people reviewing the pull request.

The plan uses the same decision (`policy.assess`), the same task expansion and the same
rendering as apply; only the outputs of actions not yet run are stand-ins.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pac.documents.config import FreezeWindow
from pac.documents.layout import BUNDLES
from pac.documents.model import Bundle, Offering, Priority, Request
from pac.documents.repository import Repository
from pac.errors import PacError
from pac.fulfilment.actions import action_for
from pac.fulfilment.change import Change, assess_change, revision_tasks
from pac.fulfilment.freeze import retry_held, today_in, touched_categories
from pac.fulfilment.policy import ACTING, Step, assess, escalation_modes, escalation_start
from pac.fulfilment.preview import PreviewTask, preview
from pac.fulfilment.revision import earlier_outputs, previous_input, system_for
from pac.fulfilment.revision_plan import (
    PlannedRevision,
    headline,
    planned_revision,
    started_copy,
)
from pac.records.states import Found, NoState, RequestState, TaskState
from pac.records.status import RequestStatus
from pac.records.store import StatusStore
from pac.text import visible, visible_json

_ACTS = {
    Step.NEW: "fulfil",
    Step.RESUME: "resume an interrupted run",
    Step.RETRY: "retry the failed and skipped tasks",
    Step.ESCALATE: "escalate to the items' manual tickets",
    Step.ABORT: "abort: skip the remaining tasks",
    Step.DEFER: "defer: inside a change freeze",
    Step.WAITING: "nothing: failed, waiting for retry, abort or escalate",
    Step.NOTHING: "nothing",
    Step.UPDATE: "apply the change: run the update actions",
    Step.UPGRADE: "upgrade: run the update actions of the new item versions",
    Step.DECOMMISSION: "decommission: run the decommission actions, dependents first",
    Step.HELD: "nothing: the change is held, not applied",
}


@dataclass
class RequestPlan:
    request: Request
    display: str
    offering: Offering | None
    step: Step
    state: Found
    tasks: list[PreviewTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    error: str = ""
    revision: PlannedRevision | None = None  # a change, upgrade or decommission (SPEC §6.6)
    held: str = ""  # why apply will not act on the change

    @property
    def acts(self) -> bool:
        return self.step not in (Step.NOTHING,)

    @property
    def headline(self) -> str:
        """What kind of change this is, in words (empty for a day-1 step)."""
        return headline(self.request.id, self.step, self.revision)

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": self.request.id,
            "file": self.display,
            "target": {
                "kind": self.offering.kind if self.offering else "",
                "id": self.request.target_id,
            },
            "priority": self.request.priority.value,
            "state": self.state.value,
            "step": self.step.value,
            "does": _ACTS[self.step],
            "warnings": list(self.warnings),
            "error": self.error,
            "teams": list(self.teams),
            "reviewers": list(self.reviewers),
            "tasks": [t.as_dict() for t in self.tasks],
            "held": self.held,
        } | ({"revision": self.revision.as_dict()} if self.revision else {})


def plan_request(repo: Repository, store: StatusStore, request: Request) -> RequestPlan:
    loaded = repo.request_file(request.id)
    display = loaded.display if loaded else request.id
    today = today_in(repo.config.timezone)
    seen = assess(repo, store, request, today)
    status, offering, window, step = seen.status, seen.offering, seen.window, seen.step
    if seen.unreadable is not None:
        error = f"{seen.unreadable.message} ({seen.unreadable.hint})"
        return RequestPlan(
            request, display, offering, Step.WAITING, NoState.UNREADABLE, error=error
        )
    state = status.state if status else NoState.NEW
    if offering is None:
        return RequestPlan(
            request,
            display,
            None,
            Step.WAITING,
            state,
            error=f"{request.target_id} is missing from the catalog or has errors",
        )
    plan = RequestPlan(request, display, offering, step, state)
    plan.teams, plan.reviewers = _owners(repo, offering)
    plan.warnings = _warnings(repo, plan, offering, status, window, today)
    if status is not None:
        plan.revision = planned_revision(repo, request, offering, status, seen.change, step)
    if step is Step.HELD:
        plan.held = seen.held
    if step in ACTING or step is Step.DEFER:
        try:
            plan.tasks = _tasks(repo, offering, request, status, step, seen.change)
        except PacError as exc:
            plan.error = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
    return plan


def _transient_warnings(repo: Repository, status: RequestStatus) -> list[str]:
    """A request held by a transient fault is resumed by the next run, not interrupted."""
    limit = repo.config.transient_retries
    return [
        f"{task.key} met a transient fault in {task.transient_failures} run(s) in a row "
        f"(last: {visible(task.transient_error)}); the next run tries again, and after "
        f"{limit} run(s) in a row it fails"
        for task in status.tasks
        if task.transient_failures and task.state is TaskState.PENDING
    ]


def _owners(repo: Repository, offering: Offering) -> tuple[list[str], list[str]]:
    teams = [offering.owner.team]
    categories = [offering.category]
    if isinstance(offering, Bundle):
        for component in offering.components:
            item = repo.item(component.catalog_item)
            if item is not None:
                teams.append(item.owner.team)
                categories.append(item.category)
    reviewers: list[str] = []
    for category_id in categories:
        category = repo.categories.get(category_id)
        if category is not None:
            reviewers.extend(category.codeowners)
    if isinstance(offering, Bundle) and repo.categories.get(BUNDLES) is None:
        reviewers.extend(repo.config.architecture_team)
    return list(dict.fromkeys(teams)), list(dict.fromkeys(reviewers))


def _warnings(
    repo: Repository,
    plan: RequestPlan,
    offering: Offering,
    status: RequestStatus | None,
    window: FreezeWindow | None,
    today: dt.date,
) -> list[str]:
    """What reviewers should know beyond the tasks, in a fixed order."""
    warnings = _deprecations(repo, offering)
    if status is not None and plan.step is Step.RESUME:
        warnings += _transient_warnings(repo, status)
    if window is not None:
        until = window.ends_on(today).isoformat()
        warnings += filter(None, [_freeze_warning(plan, status, window.name, until)])
    if plan.step in ACTING:
        warnings += _freezes_ahead(repo, plan, offering, today)
    if status is not None and plan.step in (Step.RESUME, Step.ESCALATE):
        warnings += _change_waits(repo, plan, offering, status)
    if plan.step is Step.WAITING and status is not None:
        warnings += _failure_warning(status)
    return warnings


def _deprecations(repo: Repository, offering: Offering) -> list[str]:
    offerings: list[Offering] = [offering]
    if isinstance(offering, Bundle):
        offerings += [i for c in offering.components if (i := repo.item(c.catalog_item))]
    warnings = []
    for each in offerings:
        if each.deprecated is not None:
            replacement = (
                f"; use {each.deprecated.replaced_by} instead"
                if each.deprecated.replaced_by
                else ""
            )
            warnings.append(
                f"{each.id} {each.version} is deprecated: {each.deprecated.reason}{replacement}"
            )
    return warnings


def _freezes_ahead(
    repo: Repository, plan: RequestPlan, offering: Offering, today: dt.date
) -> list[str]:
    """A pull request is merged some days after it was planned: a freeze starting in
    between holds it, so the reviewers hear of it now."""
    warnings = []
    ahead = repo.config.freezes_ahead(touched_categories(repo, offering), today)
    for upcoming, starts, ends in ahead:
        days = (starts - today).days
        then = (
            "this emergency request goes through it and is marked as such"
            if plan.request.priority is Priority.EMERGENCY
            else f"if this is merged from {starts.isoformat()} on, the request waits "
            f"(deferred) until {ends.isoformat()}"
        )
        warnings.append(
            f"change freeze {upcoming.name!r} starts on {starts.isoformat()} "
            f"(in {days} day{'s' if days != 1 else ''}) and lasts until "
            f"{ends.isoformat()}: {then}"
        )
    return warnings


def _failure_warning(status: RequestStatus) -> list[str]:
    failed = next((t for t in status.tasks if t.state is TaskState.FAILED), None)
    if failed is None or failed.error is None:
        return []
    return [f"failed at {failed.key}: {failed.error.message} (contact {failed.error.contact})"]


def _freeze_warning(plan: RequestPlan, status: RequestStatus | None, name: str, until: str) -> str:
    """What a change freeze does to this request, as `decide` settled it for apply too."""
    if plan.step in ACTING and plan.request.priority is Priority.EMERGENCY:
        return (
            f"change freeze {name!r} until {until}: this emergency request goes through and "
            "is marked as such"
        )
    if plan.step is Step.RESUME:
        return (
            f"change freeze {name!r} until {until}: the interrupted run began before it and "
            "is finished"
        )
    if plan.step is Step.DEFER and status is not None and status.state is RequestState.FAILED:
        return (
            f"{retry_held(plan.request, name, until)} (the request stays failed), then runs "
            "on the first run after it; only `priority: emergency` passes"
        )
    if plan.step is Step.DEFER:
        return (
            f"change freeze {name!r}: the request waits (deferred) until {until}, then goes "
            "through on the first run after it"
        )
    return ""


def _tasks(
    repo: Repository,
    offering: Offering,
    request: Request,
    status: RequestStatus | None,
    step: Step,
    change: Change,
) -> list[PreviewTask]:
    modes: dict[str, str] = {}
    if step is Step.ESCALATE and status is not None:
        modes = escalation_modes(offering, escalation_start(status), status.operation)
    if status is not None:
        # What apply runs: the revision a change starts (on a copy), or the one under way.
        status = started_copy(repo, request, status, change, step)
    if status is None or not status.revision:
        system = system_for(repo, request, status)  # what pac apply sends
        tasks = preview(repo, offering, request.input, system, repo.config.jira_link_type, modes)
    else:
        tasks = preview(
            repo,
            offering,
            status.input,
            system_for(repo, request, status),
            repo.config.jira_link_type,
            specs=revision_tasks(repo, offering, status, modes),
            previous=previous_input(status),
            recorded=earlier_outputs(status),
        )
    if status is not None:
        done = {t.key for t in status.tasks if t.state is TaskState.COMPLETED}
        tasks = [t for t in tasks if t.key not in done]
    return tasks


def _change_waits(
    repo: Repository, plan: RequestPlan, offering: Offering, status: RequestStatus
) -> list[str]:
    """A change merged while a revision is under way applies once it is over."""
    if status.state is RequestState.DECOMMISSIONED:
        return []
    change = assess_change(repo, offering, status, plan.request)
    if change.operation is None:
        return []
    return [
        f"revision {status.revision} is still under way; the {change.operation.value} in "
        "this request file is applied by the first run after it is over"
    ]


# --- presenting plans ---------------------------------------------------------------------


def as_json(plans: list[RequestPlan]) -> str:
    reviewers = list(dict.fromkeys(r for p in plans if p.acts for r in p.reviewers))
    data = {"requests": [p.as_dict() for p in plans], "reviewers": reviewers}
    return visible_json(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _step_line(task: PreviewTask) -> str:
    action = action_for(task.spec.action.type)
    assert action is not None  # only implemented actions render
    return action.step_line(task.rendered)


def as_text(plans: list[RequestPlan]) -> str:
    if not plans:
        return "No requests to plan.\n"
    lines: list[str] = []
    for plan in plans:
        target = plan.offering.kind if plan.offering else "?"
        lines.append(
            f"{plan.request.id} ({plan.display}): {target} {plan.request.target_id}, "
            f"state {plan.state} -> {_ACTS[plan.step]}"
        )
        if plan.error:
            lines.append(f"  error: {plan.error}")
        lines += _text_revision(plan)
        for warning in plan.warnings:
            lines.append(f"  warning: {warning}")
        for number, task in enumerate(plan.tasks, start=1):
            owner = task.spec.item.owner
            lines.append(
                f"  {number}. [{task.spec.component}] {_step_line(task)}  (owner {owner.team})"
            )
            if task.blocked_by:
                lines.append(f"     is blocked by: {', '.join(task.blocked_by)}")
            if task.waits_for:
                lines.append(f"     waits for {task.waiting_words}")
        if plan.reviewers and plan.acts:
            lines.append(f"  reviewers: {', '.join(plan.reviewers)}")
        lines.append("")
    return visible("\n".join(lines))


def _text_revision(plan: RequestPlan) -> list[str]:
    """The headline, the reason it is held, the input diff and the versions that move."""
    revision = plan.revision
    held = [f"  held: {plan.held}"] if plan.held else []
    if revision is None:
        return held
    lines = [f"  {plan.headline}", *held]
    if revision.reason:
        lines.append(f"  reason: {revision.reason}")
    lines += [f"  ~ {f.path}: {f.old} -> {f.new}" for f in revision.fields]
    lines += [f"  ~ {v.item}: version {v.old} -> {v.new}" for v in revision.versions]
    return lines


# What could turn a requester's text into markup in a pull request comment: a table cell's
# end, emphasis, a link, a code span, raw HTML (`<!--` would hide the rest of the plan).
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&])")


def _md(text: str) -> str:
    """`text` as literal inline markdown, on one line."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.splitlines()))


def _ticks(text: str, least: int = 1) -> str:
    """A run of backticks longer than any in `text`: a code span or fence made of it
    cannot be closed early by what it holds."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    return "`" * max(least, longest + 1)


def _code(text: str) -> str:
    """`text` as an inline code span, however many backticks it holds."""
    text = " ".join(text.splitlines())
    ticks = _ticks(text)
    return f"{ticks} {text} {ticks}" if "`" in text else f"`{text}`"


def as_markdown(plans: list[RequestPlan]) -> str:
    # The first line says what kind of change this is (SPEC §6.6): a reviewer sees a
    # change, an upgrade or a decommission before anything else.
    kinds = [p.headline for p in plans if p.acts and p.headline]
    lines = [f"## {_md('; '.join(kinds))}" if kinds else "## pac plan", ""]
    acting = [p for p in plans if p.acts]
    if not acting:
        lines.append("No request in this change needs fulfilment.")
        return "\n".join(lines) + "\n"
    lines.append(
        "What `pac apply` will do when this pull request is merged. Secrets show as `***`; "
        "values that earlier steps produce show as `<key from component>`."
    )
    lines.append("")
    for plan in acting:
        lines += _md_request(plan)
    return visible("\n".join(lines) + "\n")


def _md_request(plan: RequestPlan) -> list[str]:
    target = plan.offering.kind if plan.offering else ""
    requester = plan.request.requester
    lines = [
        f"### {_code(plan.request.id)}: {target} {_code(plan.request.target_id)}",
        "",
        f"Requested by {_md(requester.name)} ({_md(requester.team)}) in "
        f"{_code(plan.display)}. Current state: **{plan.state}**; pac will "
        f"**{_ACTS[plan.step]}**.",
    ]
    if plan.request.priority is Priority.EMERGENCY:
        lines += ["", "**Emergency request.**"]
    for warning in plan.warnings:
        lines += ["", f"> **Warning:** {_md(warning)}"]
    if plan.error:
        lines += ["", f"> **Error:** {_md(plan.error)}"]
    lines += _md_revision(plan)
    if plan.tasks:
        lines += _md_tasks(plan.tasks)
    if plan.reviewers:
        lines += ["", "Reviewers: " + ", ".join(plan.reviewers)]
    lines.append("")
    return lines


def _md_revision(plan: RequestPlan) -> list[str]:
    """The change as a table of fields (old → new) and versions, after why it is held."""
    revision = plan.revision
    held = ["", f"> **Held:** {_md(plan.held)}"] if plan.held else []
    if revision is None:
        return held
    lines = ["", f"**{_md(plan.headline)}**", *held]
    if revision.reason:
        lines += ["", f"Reason: {_md(revision.reason)}"]
    if revision.fields or revision.versions:
        lines += ["", "| field | old | new |", "|---|---|---|"]
        lines += [f"| {_code(f.path)} | {_md(f.old)} | {_md(f.new)} |" for f in revision.fields]
        lines += [
            f"| {_code(v.item)} version | {_md(v.old)} | {_md(v.new)} |" for v in revision.versions
        ]
    return lines


def _md_tasks(tasks: list[PreviewTask]) -> list[str]:
    """A table of the steps, then every ticket and call in full (folded)."""
    lines = ["", "| # | component | step | owner | waits for |", "|---|---|---|---|---|"]
    for number, task in enumerate(tasks, start=1):
        owner = task.spec.item.owner
        waits = task.waiting_words or (
            f"is blocked by {', '.join(task.blocked_by)}" if task.blocked_by else "-"
        )
        lines.append(
            f"| {number} | {_md(task.spec.component)} | {_md(_step_line(task))} | "
            f"{_md(owner.team)} ({_md(owner.contact)}) | {_md(waits)} |"
        )
    lines += ["", "<details><summary>Every ticket and call in full</summary>", ""]
    for number, task in enumerate(tasks, start=1):
        lines.append(f"**{number}. {_md(task.spec.action.label())}** ({_code(task.key)})")
        lines.append("")
        body = visible_json(
            json.dumps(task.as_dict()[task.rendered.kind], indent=2, ensure_ascii=False)
        )
        # JSON keeps every value on its line, but a fence longer than any run of
        # backticks inside cannot be closed early whatever the values hold.
        fence = _ticks(body, least=3)
        lines += [f"{fence}json", body, fence, ""]
    lines.append("</details>")
    return lines
