"""`jira-ticket` actions (SPEC §4.3): the ticket rendered in full, then created exactly once.

The ticket is rendered once, final — an escalation's note included — and created only
after a look-up by the task's label found no ticket an earlier run made (SPEC §6.4).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from pac.documents.action_types import JIRA_TICKET
from pac.documents.layout import JIRA_TEMPLATES, jira_template
from pac.documents.loader import JsonPath
from pac.documents.model import Bundle
from pac.documents.repository import read_template_file
from pac.fulfilment.actions.base import (
    Escalation,
    Rendered,
    TaskRun,
    TicketsUnavailable,
    known_from,
)
from pac.fulfilment.backends import (
    DEFAULT_PRIORITY,
    BackendError,
    RenderedTicket,
    Ticket,
    task_label,
)
from pac.fulfilment.tracking import declined_keys
from pac.records.states import TaskState
from pac.records.status import Attempt, Effect, Known, TaskStatus, parse_time, precise_now_text
from pac.templating.encoders import LINE_BREAKS, SUMMARY_LIMIT, Target
from pac.templating.jiramarkup import jira_escape
from pac.text import indent

if TYPE_CHECKING:
    from pac.fulfilment.preview import PreviewTask
    from pac.fulfilment.rendering import Renderer
    from pac.fulfilment.tasks import TaskSpec

# The first wait between look-ups for a ticket whose create may have worked; it doubles.
LOOKUP_DELAY = 0.25
LOOKUP_MAX_DELAY = 5.0


class _Fields:
    """Renders the fields of one ticket action, each at its place in the item's file."""

    def __init__(self, renderer: Renderer, spec: TaskSpec, spaces: Mapping[str, Any]) -> None:
        self.renderer, self.spec, self.spaces = renderer, spec, spaces
        self.ticket: Mapping[str, Any] = spec.action.config["ticket"]
        self.base: JsonPath = (*spec.action.path, "config", "ticket")

    def text(self, path: JsonPath, source: Any, target: Target = Target.TEXT) -> str:
        return self.renderer.render_text(
            self.spec, (*self.base, *path), source, target, self.spaces, reveal=False
        )

    def field(self, key: str, target: Target = Target.TEXT) -> str:
        return self.text((key,), self.ticket.get(key), target)

    def fail(self, path: JsonPath, message: str, hint: str) -> NoReturn:
        self.renderer.fail(self.spec, (*self.base, *path), message, hint)

    def summary(self) -> str:
        summary = self.field("summaryTemplate", Target.SUMMARY).strip()
        where = ("summaryTemplate",)
        if LINE_BREAKS.search(summary):
            self.fail(
                where,
                "the summary template renders more than one line",
                "A summary is one line: write the template on one line (a YAML `>-` "
                "block folds lines into one), and put the rest in the description.",
            )
        if not summary:
            self.fail(
                where,
                "the ticket summary is empty",
                "Make the summary template produce text even when optional fields are empty.",
            )
        if len(summary) > SUMMARY_LIMIT:
            self.fail(
                where,
                f"the ticket summary is {len(summary)} characters; JIRA allows {SUMMARY_LIMIT}",
                "Shorten the summary template, or move long values into the description; "
                "pac never cuts a summary silently.",
            )
        return summary

    def description(self) -> str:
        description = self.field("descriptionTemplate", Target.JIRA)
        name = self.ticket.get("descriptionTemplateFile")
        return self.description_file(name) if isinstance(name, str) else description

    def description_file(self, name: str) -> str:
        repo = self.renderer.repo
        display = f"{JIRA_TEMPLATES}/{name}"
        where = ("descriptionTemplateFile",)
        if jira_template(repo.root, name) is None:
            self.fail(
                where,
                f"the description template {name} is outside {JIRA_TEMPLATES}/",
                f"Name a file inside {JIRA_TEMPLATES}/; pac reads no other files into tickets.",
            )
        source = read_template_file(repo, JIRA_TEMPLATES, name)
        if source is None:
            self.fail(
                where,
                f"the description template {display} does not exist",
                "Create it or correct descriptionTemplateFile.",
            )
        return self.renderer.render_text(
            self.spec,
            (*self.base, *where),
            source,
            Target.JIRA,
            self.spaces,
            reveal=False,
            display=display,
        )

    def priority(self) -> str:
        priority = self.field("priority").strip() or DEFAULT_PRIORITY
        if priority not in JIRA_TICKET.priorities:
            self.fail(
                ("priority",),
                f"the priority rendered as {priority!r}",
                f"Priorities are {', '.join(JIRA_TICKET.priorities)}.",
            )
        return priority

    def labels(self) -> list[str]:
        labels: list[str] = []
        for i, raw in enumerate(self.ticket.get("labels") or []):
            label = self.text(("labels", i), raw, Target.LABEL)
            if len(label) > SUMMARY_LIMIT:
                self.fail(
                    ("labels", i),
                    f"a label rendered as {len(label)} characters; JIRA allows {SUMMARY_LIMIT}",
                    "Labels are short tags: make one from a short field, and put long text "
                    "in the description.",
                )
            if label:
                labels.append(label)
        return labels

    def components(self) -> list[str]:
        raw = self.ticket.get("components") or []
        rendered = [self.text(("components", i), c, Target.JIRA_NAME) for i, c in enumerate(raw)]
        return [c for c in rendered if c]

    def custom(self, target: Target) -> dict[str, str]:
        raw = self.ticket.get("customFields") or {}
        return {key: self.text(("customFields", key), v, target) for key, v in raw.items()}


class JiraTicket:
    """A ticket for a team, created in JIRA (or the outbox) and linked to its blockers."""

    name = JIRA_TICKET.name
    linked = True
    secret_variables: tuple[str, ...] = ("PAC_JIRA_TOKEN",)

    def render(
        self, renderer: Renderer, spec: TaskSpec, spaces: Mapping[str, Any], appendix: str = ""
    ) -> RenderedTicket:
        """The ticket for `spec`; `appendix` (an escalation's note) ends its description."""
        fields = _Fields(renderer, spec, spaces)
        summary = fields.summary()
        description = fields.description()
        priority = fields.priority()
        labels = fields.labels()
        return RenderedTicket(
            project=str(fields.ticket["project"]),
            issue_type=str(fields.ticket["issueType"]),
            summary=summary,
            description=description + appendix,
            priority=priority,
            labels=labels,
            components=fields.components(),
            epic_key=fields.field("epicKey"),  # a constant issue key (the schema says so)
            assignee=fields.field("assignee", Target.JIRA_ID),
            custom_fields=fields.custom(Target.JIRA_FIELD),
            # The same values unescaped: what a typed JIRA field (number, option, user,
            # date) takes, since wiki-markup escaping is only right for text fields.
            custom_values=fields.custom(Target.TEXT),
        )

    def step_line(self, rendered: Rendered) -> str:
        assert isinstance(rendered, RenderedTicket)
        return f"JIRA {rendered.project} {rendered.issue_type}: {rendered.summary}"

    def preview_lines(self, task: PreviewTask) -> list[str]:
        rendered = task.rendered
        assert isinstance(rendered, RenderedTicket)
        lines = [
            f"   JIRA {rendered.project} / {rendered.issue_type} / priority {rendered.priority}",
            f"   summary: {rendered.summary}",
        ]
        if rendered.labels:
            lines.append(f"   labels: {', '.join(rendered.labels)}")
        if rendered.components:
            lines.append(f"   components: {', '.join(rendered.components)}")
        if rendered.epic_key:
            lines.append(f"   epic: {rendered.epic_key}")
        lines += [f"   {key}: {value}" for key, value in rendered.custom_fields.items()]
        if task.blocked_by:
            lines.append(
                f"   links: is blocked by ({task.link_type}) " + ", ".join(task.blocked_by)
            )
        if rendered.description:
            lines += ["   description:", indent(rendered.description.rstrip("\n"))]
        return lines

    def start(self, run: TaskRun, unfinished: list[TaskSpec]) -> None:
        """pac's tickets of the request's unfinished ticket tasks, by label: one search."""
        # A ticket already made is read by the run's one batched read, not looked up again.
        labels = [
            task_label(spec.key(run.request.id))
            for spec in unfinished
            if spec.action.type == self.name
            and not ((task := run.status.task(spec.key(run.request.id))) and task.ticket_key)
        ]
        # When the look-up was sent: a ticket created before it, longer ago than JIRA's
        # search lag, would have been in its answer.
        run.searched_at = time.time()
        if not labels:
            return
        try:
            run.existing.update(run.tickets.find(labels))
        except BackendError as exc:
            raise TicketsUnavailable(exc) from exc

    def perform(
        self, run: TaskRun, task: TaskStatus, spec: TaskSpec, outputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        # Only a ticket carries an escalation's note: it is rendered in, never added later.
        appendix = escalation_note(run, run.escalation) if spec.mode == "manual" else ""
        rendered = self.render(run.shown, spec, run.shown.namespaces(outputs), appendix)
        ticket = _find_or_create(run, task, rendered)
        _link(run, ticket, _blockers(run, spec))
        return {"key": ticket.key, "id": ticket.id, "url": ticket.url}


def escalation_note(run: TaskRun, escalation: Escalation | None) -> str:
    """What a manual ticket of an escalation adds: what failed and what was already done."""
    if escalation is None:
        return ""
    failed = escalation.failed
    lines = [
        "",
        "----",
        "h3. Escalated by pac",
        jira_escape(
            f"Automation failed at {failed.label or failed.key} ({failed.key}): "
            f"{failed.error.message if failed.error else 'unknown error'}"
        ),
    ]
    if escalation.done:
        lines.append("Already done:")
        for task in escalation.done:
            what = task.ticket_key or (
                f"{task.http_method} {task.http_url} answered {task.http_status}"
                if task.http_status
                else "done"
            )
            lines.append("* " + jira_escape(f"{task.label or task.key}: {what}"))
    return run.redact("\n".join(lines) + "\n")


def _blockers(run: TaskRun, spec: TaskSpec) -> list[str]:
    """The tickets this one is blocked by: its dependencies' and, in an escalation, the
    manual ticket before it (each escalation ticket is linked to the previous one)."""
    keys: list[str] = []
    if isinstance(run.offering, Bundle):
        for dependency in spec.depends_on:
            keys += [
                task.ticket_key
                for task in run.status.tasks
                if task.component == dependency
                and task.ticket_key
                and task.state in (TaskState.COMPLETED, TaskState.WAITING)
            ]
        keys = list(dict.fromkeys(keys))
    previous = _previous_escalation_ticket(run, spec)
    return [*keys, previous] if previous else keys


def _previous_escalation_ticket(run: TaskRun, spec: TaskSpec) -> str:
    # Every task from the failed one on runs its manual actions; those before it are done.
    if run.escalation is None:
        return ""
    previous = ""
    for earlier in run.specs[: run.specs.index(spec)]:
        task = run.status.task(earlier.key(run.request.id))
        if (
            task is not None
            and task.state in (TaskState.COMPLETED, TaskState.WAITING)
            and task.strategy == "manual"
            and task.ticket_key
        ):
            previous = task.ticket_key
    return previous


def _find_or_create(run: TaskRun, task: TaskStatus, rendered: RenderedTicket) -> Ticket:
    label = task_label(task.key)
    ticket = run.existing.get(label)
    if ticket is not None and ticket.key in declined_keys(task):
        ticket = None  # its team declined it; a retry files a new one
    ticket = ticket or _look_again(run, task, label, run.searched_at)
    if ticket is None:
        labels = list(dict.fromkeys([*rendered.labels, label]))
        ticket = _create(run, task, rendered, labels)
    else:
        run.adopted.append(ticket.key)
        run.say(f"{task.component}: found {ticket.key} from an earlier run")
    # Kept in memory: the completed (or failed) task is saved next, and a run killed in
    # between finds the ticket again by its label.
    task.ticket_key, task.ticket_url = ticket.key, ticket.url
    task.ticket_backend = run.tickets.name
    return ticket


def _link(run: TaskRun, ticket: Ticket, blockers: list[str]) -> None:
    linked = {ticket.key, *ticket.blocked_by}
    for blocker in blockers:
        if blocker not in linked:
            run.tickets.link(ticket.key, blocker, run.link_type)
            run.calls += 1
            linked.add(blocker)


def _create(run: TaskRun, task: TaskStatus, rendered: RenderedTicket, labels: list[str]) -> Ticket:
    run.act(task)
    # Written before the create: a run killed before its answer knows to look first.
    task.attempt = attempt = Attempt(Effect.CREATE_TICKET, precise_now_text())
    run.store.save(run.status)
    try:
        ticket = run.tickets.create(rendered, labels)
    except BackendError as exc:
        attempt.known = known_from(exc)
        if not exc.unknown:
            raise
        # The answer was lost, not the ticket: look until JIRA's index has caught up.
        found = _look_again(run, task, task_label(task.key), searched=0.0)
        if found is None:
            raise
        run.say(f"{task.component}: found {found.key}, created although the answer was lost")
        attempt.known = Known.DONE
        run.adopted.append(found.key)
        return found
    attempt.known = Known.DONE
    run.calls += 1
    run.created.append(ticket.key)
    run.say(f"{task.component}: created {ticket.key} ({rendered.summary})")
    return ticket


def _look_again(run: TaskRun, task: TaskStatus, label: str, searched: float) -> Ticket | None:
    """The ticket an earlier create of this task may have made, searched for until a
    search sent `jira.searchLag` seconds after that create has not found it. A ticket its
    team declined is not it, even under the same label.

    `searched` is when the last search that missed it was sent.
    """
    attempt = task.attempt
    if attempt is None or attempt.effect is not Effect.CREATE_TICKET or not attempt.maybe_done:
        return None
    sent = parse_time(attempt.at)
    deadline = (sent.timestamp() if sent else time.time()) + run.repo.config.jira_search_lag
    if searched >= deadline:
        return None
    run.say(f"{task.component}: a ticket create at {attempt.at} may have worked; looking")
    delay = LOOKUP_DELAY
    while searched < deadline:
        time.sleep(max(0.0, min(delay, deadline - time.time())))
        delay = min(delay * 2, LOOKUP_MAX_DELAY)
        searched = time.time()
        found = run.tickets.find([label]).get(label)
        run.calls += 1
        # A declined ticket carries the same label; until the index shows the retry's
        # newer one, the search still answers with it, and it is never the one to adopt.
        if found is not None and found.key not in declined_keys(task):
            return found
    return None


ACTION = JiraTicket()
