"""Where tickets and calls go: JIRA (through the `jira` library), the offline outbox, REST.

`TicketBackend` is what the executor needs from a ticket system: find tickets by pac's
task labels (the exactly-once look-up), create one, link two, and read a ticket's status;
`RenderedTicket` is the finished ticket a backend is given; `ticket_backend` picks JIRA or
the outbox for a run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pac.documents.action_types import JIRA_TICKET
from pac.documents.layout import OUTBOX_DIR
from pac.errors import UsageError

if TYPE_CHECKING:
    from requests import Session

    from pac.documents.repository import Repository

DEFAULT_PRIORITY = "Medium"


@dataclass
class RenderedTicket:
    project: str
    issue_type: str
    summary: str
    description: str = ""
    priority: str = DEFAULT_PRIORITY
    labels: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    epic_key: str = ""
    assignee: str = ""
    custom_fields: dict[str, str] = field(default_factory=dict)
    # The same values unescaped: what a typed JIRA field (number, option, user, date) takes,
    # since wiki-markup escaping is only right for text fields.
    custom_values: dict[str, str] = field(default_factory=dict)

    kind = JIRA_TICKET.name

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "issueType": self.issue_type,
            "summary": self.summary,
            "description": self.description,
            "priority": self.priority,
            "labels": list(self.labels),
            "components": list(self.components),
            "epicKey": self.epic_key,
            "assignee": self.assignee,
            "customFields": dict(self.custom_fields),
        }


@dataclass(frozen=True)
class Ticket:
    key: str
    id: str
    url: str
    labels: tuple[str, ...] = ()
    blocked_by: frozenset[str] = field(default_factory=frozenset)
    status: str = ""


@dataclass(frozen=True)
class TicketFacts:
    """A ticket as its team left it, read live (SPEC §6.7): pac's tracking works from this.

    `fields` holds the ticket's fields by id and by name (`customfield_10030` and
    `Endpoint`), as resolution-time outputs read them (`.response.fields.<id or name>`).
    """

    key: str
    status: str  # the status's name as the team sees it, e.g. "In Progress"
    category: str = "new"  # JIRA's status category: new | indeterminate | done
    resolution: str = ""  # empty while the ticket is unresolved
    resolved_at: str = ""
    assignee: str = ""  # display name
    fields: Mapping[str, Any] = field(default_factory=dict)
    last_comment: str = ""
    last_comment_by: str = ""
    labels: tuple[str, ...] = ()
    id: str = ""

    @property
    def resolved(self) -> bool:
        return bool(self.resolution) or self.category == "done"


class BackendError(Exception):
    """A ticket system or REST target did not do what was asked."""

    def __init__(
        self,
        message: str,
        hint: str = "",
        transient: bool = False,
        http_status: int = 0,
        *,
        unknown: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # Transient: a later attempt may succeed (connection errors, timeouts, 5xx, 408, 429).
        self.transient = transient
        self.http_status = http_status  # the last HTTP answer of a failed REST call, if any
        # Sent, but no answer came back: the target may have done the work.
        self.unknown = unknown
        self.retry_after = retry_after  # seconds the target asked to wait, if it said


def is_transient_status(status: int) -> bool:
    """HTTP answers that change by themselves: server errors, 408 and 429 (SPEC §6.4)."""
    return status >= 500 or status in (408, 429)


def retry_after_seconds(value: str | None) -> float | None:
    """A `Retry-After` header in seconds (its delta-seconds form; a date is not honoured)."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 86400 else None


class TicketBackend(Protocol):
    name: str

    def find(self, labels: Sequence[str]) -> dict[str, Ticket]:
        """Tickets carrying any of `labels`, by label (one query for all of them)."""

    def create(self, ticket: RenderedTicket, labels: Sequence[str]) -> Ticket: ...

    def link(self, blocked: str, blocker: str, link_type: str) -> None:
        """Record that `blocked` is blocked by `blocker`."""

    def state(self, key: str) -> str:
        """The ticket's current status, read live."""

    def read(self, labels: Sequence[str]) -> dict[str, TicketFacts]:
        """The tickets carrying `labels`, by label, read live in one batched search (a page
        per 50 tickets). Found by pac's label, not by key, so a ticket a team moved to
        another project is still found; a label missing from the result has no ticket."""

    def close(self) -> None: ...


TicketFactory = Callable[[], TicketBackend]


def ticket_backend(
    repo: Repository, *, outbox: bool = False, env: dict[str, str] | None = None
) -> tuple[str, TicketFactory]:
    """JIRA when credentials are set, else the embedded outbox (never silently in CI)."""
    env = dict(os.environ if env is None else env)
    url = env.get("PAC_JIRA_URL") or repo.config.jira_url
    user, token = env.get("PAC_JIRA_USER", ""), env.get("PAC_JIRA_TOKEN", "")
    if not outbox and url and user and token:
        from pac.fulfilment.backends.jira_api import JiraTickets

        config = repo.config

        def jira() -> TicketBackend:
            return JiraTickets(
                url,
                user,
                token,
                link_type=config.jira_link_type,
                epic_field=config.jira_epic_field,
                browse_url=config.jira_browse_url,
            )

        return f"JIRA at {url}", jira
    if not outbox and env.get("CI") == "true":
        raise UsageError(
            "JIRA is not configured, and in CI pac will not put tickets into a local outbox "
            "that disappears with the runner",
            "Set the repository secrets PAC_JIRA_USER and PAC_JIRA_TOKEN (and PAC_JIRA_URL or "
            "jira.url in pac.yaml), or pass --outbox deliberately.",
        )
    from pac.fulfilment.backends.outbox import Outbox

    return f"the outbox {OUTBOX_DIR}/ (JIRA is not configured)", lambda: Outbox(repo.root)


def tune_session(session: Session) -> None:
    """Skip `requests`' per-call scan of the environment for proxies when there are none.

    That scan costs more than a millisecond per call. With proxies configured, requests
    keeps doing it (it also honours NO_PROXY); without, only the CA bundle variables matter.
    """
    import urllib.request

    if urllib.request.getproxies():
        return
    session.trust_env = False
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle


def task_label(task_key: str) -> str:
    """The JIRA label that marks a ticket as pac's ticket for one task (no spaces)."""
    return "pac-" + task_key.replace("/", ".")
