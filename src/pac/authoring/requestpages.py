"""The site's request pages: one page per request and one per team ("my requests"), read
from the request files and the status files `pac apply` writes (SPEC §9).

A page says where the request stands in plain words, lists its tickets with their teams,
its outputs (masked in the status already) and its revisions, and carries what the
Change and Decommission buttons need. A status file that cannot be read, or a request
whose offering is gone, still gets its page, which says what is wrong.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from pac.authoring.formdoc import form_document
from pac.authoring.names import page_name
from pac.authoring.pages import _embed, _facts, _page, request_output
from pac.documents.layout import REQUESTS
from pac.documents.model import Offering, Request
from pac.documents.repository import Repository
from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, Revision, TaskStatus
from pac.records.store import StatusError, StatusStore

# States after which a change or a decommission may follow (SPEC §6.6).
CHANGEABLE = frozenset({RequestState.COMPLETED})
RETIRABLE = frozenset(
    {RequestState.COMPLETED, RequestState.FAILED, RequestState.ABORTED, RequestState.ESCALATED}
)
# A ticket task in one of these no longer holds the request up.
_TICKET_DONE = frozenset({TaskState.COMPLETED, TaskState.SKIPPED})
WORDS = {
    RequestState.SUBMITTED: "Submitted: pac apply has not started on it yet.",
    RequestState.PROCESSING: "Being fulfilled now.",
    RequestState.COMPLETED: "Ready: everything it asked for is there.",
    RequestState.FAILED: "Failed: a step did not work, and nothing more runs until it is retried, aborted or escalated.",
    RequestState.RETRYING: "Being tried again.",
    RequestState.ABORTED: "Aborted: it was stopped and nothing more runs.",
    RequestState.ESCALATED: "Escalated: the owning team finishes it by hand.",
    RequestState.DEFERRED: "Held by a change freeze.",
    RequestState.DECOMMISSIONED: "Decommissioned: what it made is gone; this page is its history.",
}


@dataclass
class RequestRecord:
    """A request as the site shows it: its file (if it is still there) and its status."""

    id: str
    team: str = ""
    request: Request | None = None
    status: RequestStatus | None = None
    status_problem: str = ""
    path: str = ""  # requests/<team>/<id>.yaml, relative to the repository

    @property
    def state(self) -> RequestState | None:
        return self.status.state if self.status is not None else None


@dataclass
class RequestSite:
    """Every request the site knows, by id, and every id taken (ids are never reused)."""

    records: dict[str, RequestRecord] = field(default_factory=dict)

    @property
    def taken(self) -> list[str]:
        return sorted(self.records)

    def teams(self) -> dict[str, list[RequestRecord]]:
        out: dict[str, list[RequestRecord]] = {}
        for record in sorted(self.records.values(), key=lambda r: r.id):
            out.setdefault(record.team or "(unknown team)", []).append(record)
        return dict(sorted(out.items()))


def gather(repo: Repository) -> RequestSite:
    """Request files and status files together; a broken status is kept with its problem."""
    site = RequestSite()
    for request in repo.requests():
        relative = request.doc.path.resolve().relative_to(repo.root.resolve()).as_posix()
        site.records[request.id] = RequestRecord(
            request.id, request.requester.team, request, path=relative
        )
    store = StatusStore(repo.root)
    if store.folder.is_dir():
        for status_file in sorted(store.folder.glob("*.yaml")):
            record = site.records.setdefault(status_file.stem, RequestRecord(status_file.stem))
            try:
                record.status = store.load(status_file.stem)
            except StatusError as exc:
                record.status_problem = f"{exc.message} {exc.hint}".strip()
    return site


def _text(value: Any) -> str:
    return html.escape(str(value))


def _web_link(url: str, text: str) -> str:
    """A link only to a web address: a status edited by hand could hold `javascript:`."""
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{html.escape(url)}" rel="noopener">{html.escape(text)}</a>'
    return html.escape(text)


def state_words(status: RequestStatus) -> str:
    """Where the request stands, as a developer would say it."""
    open_tickets = [t for t in status.tasks if t.ticket_key and t.state not in _TICKET_DONE]
    if open_tickets and status.state in (RequestState.WAITING, RequestState.PROCESSING):
        teams = ", ".join(dict.fromkeys(t.owner_team or "its team" for t in open_tickets))
        keys = ", ".join(t.ticket_key for t in open_tickets)
        return f"Waiting on {teams}: {keys}."
    words = WORDS.get(status.state, f"{status.state.value.capitalize()}.")
    if status.state is RequestState.DEFERRED and status.deferred_window:
        words += f" {status.deferred_window} ends {status.deferred_until or 'soon'}."
    failed = next((t for t in status.tasks if t.error is not None), None)
    if status.state is RequestState.FAILED and failed is not None and failed.error is not None:
        ask = f" Ask {failed.error.contact}." if failed.error.contact else ""
        words += f" {failed.error.message}{ask}"
    return words


def _tickets(tasks: Iterable[TaskStatus]) -> str:
    rows = [
        "<tr>"
        f"<td>{_web_link(t.ticket_url, t.ticket_key)}</td>"
        f"<td>{_text(t.owner_team)}</td><td>{_text(t.label or t.action)}</td>"
        f"<td>{_text(t.state.value)}</td></tr>"
        for t in tasks
        if t.ticket_key
    ]
    if not rows:
        return '<p class="muted">No tickets yet.</p>'
    head = "<tr><th>Ticket</th><th>Team</th><th>What</th><th>State</th></tr>"
    return f'<table class="list" id="tickets">{head}{"".join(rows)}</table>'


def _outputs(status: RequestStatus) -> str:
    merged = status.recorded_outputs()
    for task in status.tasks:
        merged.update({f"{task.component}.{k}": v for k, v in task.outputs.items()})
    if not merged:
        return '<p class="muted">No outputs yet.</p>'
    return _facts([(k, f"<code>{_text(v)}</code>") for k, v in sorted(merged.items())])


def _revision_row(number: int, operation: str, state: str, started: str, about: str) -> str:
    return (
        f"<tr><td>{number}</td><td>{_text(operation)}</td><td>{_text(state)}</td>"
        f"<td>{_text(started)}</td><td>{_text(about)}</td></tr>"
    )


def _about(changed: list[str], reason: str) -> str:
    if reason:
        return f"reason: {reason}"
    return "changed: " + ", ".join(changed) if changed else ""


def _revisions(status: RequestStatus) -> str:
    past: list[Revision] = list(status.revisions)
    rows = [
        _revision_row(
            r.number,
            r.operation.value,
            r.state.value,
            r.started_at,
            _about(r.changed_fields, r.reason),
        )
        for r in past
    ]
    rows.append(
        _revision_row(
            status.revision,
            status.operation.value,
            status.state.value + " (current)",
            status.started_at or status.created_at,
            _about(status.changed_fields, status.reason),
        )
    )
    head = "<tr><th>#</th><th>Operation</th><th>State</th><th>Started</th><th>About</th></tr>"
    return f'<table class="list" id="revisions">{head}{"".join(rows)}</table>'


def _status_section(record: RequestRecord) -> str:
    if record.status_problem:
        return (
            '<h2>State</h2><p class="problem" id="state">Its state is unknown: the status '
            f"file cannot be read. {_text(record.status_problem)}</p>"
        )
    if record.status is None:
        return (
            '<h2>State</h2><p id="state">Not started yet: its pull request is open or it '
            "waits for the next run of pac apply.</p>"
        )
    status = record.status
    return (
        f'<h2>State</h2><p id="state" class="state {_text(status.state.value)}">'
        f"{_text(state_words(status))}</p>"
        f"<h2>Tickets</h2>{_tickets(status.tasks)}"
        f"<h2>Outputs</h2>{_outputs(status)}"
        f"<h2>Revisions</h2>{_revisions(status)}"
    )


def _change_data(record: RequestRecord, request: Request, offering: Offering) -> dict[str, Any]:
    """What the Change and Decommission buttons start from: the request file as it is."""
    data = request.doc.data
    immutable = [f"{g.id}.{f.id}" for g, f in offering.form.fields() if f.immutable]
    return {
        "id": record.id,
        "team": record.team,
        "path": record.path,
        "metadata": data.get("metadata", {}),
        "targetKey": request.target_key,
        "targetId": request.target_id,
        "input": dict(request.input),
        "operations": data.get("operations"),
        "immutable": immutable,
        "text": request.doc.text,
    }


def _why_not(record: RequestRecord, changeable: bool) -> str:
    """Why a button is missing, in words; '' when it is there."""
    request = record.request
    if request is None:
        return "Its request file is no longer in the repository."
    if request.decommission is not None:
        return f"Its decommission is requested (reason: {request.decommission})."
    state = record.state
    if state is RequestState.DECOMMISSIONED:
        return "It is decommissioned."
    if changeable:
        if state is None or state in CHANGEABLE:
            return ""
        return f"It can be changed once it is completed (it is {state.value} now)."
    if state is not None and (state in RETIRABLE or state is RequestState.WAITING):
        return ""
    if state is None or state is RequestState.SUBMITTED:
        return (
            "Nothing has been made for it yet: to withdraw it, set operations.abort: true "
            "in its file (or close its pull request if it is not merged)."
        )
    return f"It can be decommissioned once this run is over (it is {state.value} now)."


def _day_two(record: RequestRecord, offering: Offering | None, form: dict[str, Any] | None) -> str:
    """The Change and Decommission buttons and the forms they open."""
    if record.request is None:
        return (
            f'<h2>Change it</h2><p class="muted" id="day-two">{_text(_why_not(record, True))}</p>'
        )
    if offering is None:
        missing = record.request.target_id
        return (
            '<h2>Change it</h2><p class="problem" id="day-two">The offering '
            f"<code>{_text(missing)}</code> is not in the catalog any more: ask its owning "
            "team what replaced it.</p>"
        )
    no_change, no_retire = _why_not(record, True), _why_not(record, False)
    change = _change_data(record, record.request, offering)
    locked = ", nor the fields shown read-only" if change["immutable"] else ""
    buttons = [
        f'<p class="muted">{_text(n)}</p>' if n else ""
        for n in dict.fromkeys([no_change, no_retire])
    ]
    if not no_change:
        buttons.append('<button type="button" id="change-open">Change</button>')
    if not no_retire:
        buttons.append(
            '<button type="button" id="decommission-open" class="secondary">Decommission</button>'
        )
    return f"""<h2>Change it</h2>
<div class="actions" id="day-two">{"".join(buttons)}</div>
<section id="change" hidden>
<h2>Change</h2>
<p class="muted">The name cannot change{locked}: to change those, decommission and request anew.</p>
<form id="request-form" class="request" novalidate></form>
</section>
<section id="decommission" hidden>
<h2>Decommission</h2>
<p>Everything this request made is removed, by every team involved. Say why:</p>
<div class="field" data-field="decommission-reason"><label for="decommission-reason">Reason<span class="req"> *</span></label>
<textarea id="decommission-reason"></textarea><div class="error" role="alert"></div></div>
<div class="actions"><button type="button" id="decommission-make">Make the decommission</button></div>
</section>
{request_output()}
<script type="application/json" id="pac-form">{_embed(form or form_document(offering))}</script>
<script type="application/json" id="pac-change">{_embed(change)}</script>"""


def request_page(
    record: RequestRecord, offering: Offering | None, form: dict[str, Any] | None = None
) -> str:
    """One request's page: state, tickets, outputs, revisions, Change and Decommission."""
    request = record.request
    rows: list[tuple[str, str]] = []
    if request is not None:
        who = request.requester
        target = f"{offering.name} ({request.target_id})" if offering else request.target_id
        link = (
            f'<a href="../items/{quote(page_name(request.target_id), safe="")}.html">{_text(target)}</a>'
            if offering
            else _text(target)
        )
        rows += [
            ("Offering", link),
            ("Requested by", f"{_text(who.name)} · {_text(who.email)}"),
            (
                "Team",
                f'<a href="../teams/{quote(page_name(record.team), safe="")}.html">{_text(record.team)}</a>',
            ),
            ("File", f"<code>{_text(record.path)}</code>"),
        ]
    body = f"""<header><a href="../index.html">Platform Automation Catalog</a></header>
<main>
<h1>{_text(record.id)}</h1>
{_facts(rows) if rows else ""}
{_status_section(record)}
{_day_two(record, offering, form)}
</main>
<script src="../assets/site.js"></script>"""
    return _page(f"{record.id} · pac requests", body, "../assets/")


def team_page(team: str, records: list[RequestRecord], names: dict[str, str]) -> str:
    """A team's requests ("my requests"), each with its state in a few words."""
    rows = []
    for record in records:
        target = record.request.target_id if record.request else ""
        if record.status_problem:
            state = "status file cannot be read"
        elif record.status is None:
            state = "not started yet"
        else:
            state = record.status.state.value
        rows.append(
            f'<tr><td><a href="../requests/{quote(page_name(record.id), safe="")}.html">'
            f"{_text(record.id)}</a></td><td>{_text(names.get(target, target))}</td>"
            f"<td>{_text(state)}</td></tr>"
        )
    head = "<tr><th>Request</th><th>Offering</th><th>State</th></tr>"
    body = f"""<header><a href="../index.html">Platform Automation Catalog</a></header>
<main>
<h1>Requests of {_text(team)}</h1>
<p class="muted">Every request filed under <code>{_text(REQUESTS)}/{_text(team)}/</code>, and what became of it.
<a href="../index.html?team={quote(team, safe="")}">Request something new</a>.</p>
<table class="list" id="requests">{head}{"".join(rows)}</table>
</main>"""
    return _page(f"{team} · pac requests", body, "../assets/")
