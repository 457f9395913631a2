"""JIRA through the `jira` library.

Per ticket pac makes at most: its share of one label search per request (the exactly-once
look-up), one create, and one link per blocking ticket. Two things about the library:
`create_issue` would re-read the new issue unless `prefetch=False`, and
`create_issue_link` fetches the link types again on every call (its cache check never
hits), so links are posted through the library's own session instead. The library's own
retries are off: a blindly retried create is how duplicate tickets happen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pac.backends import BackendError, Ticket, tune_session
from pac.tasks import RenderedTicket

DEFAULT_TIMEOUT = 30.0


class JiraTickets:
    name = "jira"

    def __init__(
        self,
        url: str,
        user: str,
        token: str,
        *,
        link_type: str = "Blocks",
        epic_field: str = "",
        browse_url: str = "",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = url.rstrip("/")
        self.browse_url = (browse_url or self.url).rstrip("/")
        self.link_type = link_type
        self.epic_field = epic_field
        self._client: Any = None
        self._credentials = (user, token)
        self._timeout = timeout

    @property
    def client(self) -> Any:
        if self._client is None:
            from jira import JIRA

            try:
                self._client = JIRA(
                    server=self.url,
                    basic_auth=self._credentials,
                    max_retries=0,
                    timeout=self._timeout,
                    logging=False,
                )
            except Exception as exc:  # JIRAError, connection errors
                raise _error(exc, f"cannot connect to JIRA at {self.url}") from exc
            tune_session(self._client._session)
        return self._client

    def find(self, labels: Sequence[str]) -> dict[str, Ticket]:
        if not labels:
            return {}
        quoted = ", ".join(json.dumps(label) for label in labels)
        try:
            issues = self.client.search_issues(
                f"labels in ({quoted})",
                maxResults=max(50, len(labels) * 2),
                fields="labels,issuelinks,status",
                validate_query=False,
            )
        except Exception as exc:
            raise _error(exc, "could not search JIRA for pac's earlier tickets") from exc
        found: dict[str, Ticket] = {}
        for issue in issues:
            ticket = self._ticket(issue.raw)
            for label in set(labels).intersection(ticket.labels):
                found[label] = ticket
        return found

    def _ticket(self, raw: dict[str, Any]) -> Ticket:
        fields = raw.get("fields") or {}
        blocked_by = set()
        for link in fields.get("issuelinks") or []:
            # A link {inwardIssue: A, outwardIssue: B} of type Blocks reads "A blocks B", and
            # each side lists the other under its role: the blocked ticket lists its
            # blocker as `inwardIssue` (Atlassian's "Jira issue linking model").
            other = link.get("inwardIssue")
            if other and (link.get("type") or {}).get("name") == self.link_type:
                blocked_by.add(other["key"])
        status = (fields.get("status") or {}).get("name", "")
        return Ticket(
            key=raw["key"],
            id=str(raw.get("id", "")),
            url=f"{self.browse_url}/browse/{raw['key']}",
            labels=tuple(fields.get("labels") or ()),
            blocked_by=frozenset(blocked_by),
            status=status,
        )

    def create(self, ticket: RenderedTicket, labels: Sequence[str]) -> Ticket:
        fields: dict[str, Any] = {
            "project": {"key": ticket.project},
            "issuetype": {"name": ticket.issue_type},
            "summary": ticket.summary,
            "priority": {"name": ticket.priority},
            "labels": list(labels),
        }
        if ticket.description:
            fields["description"] = ticket.description
        if ticket.components:
            fields["components"] = [{"name": c} for c in ticket.components]
        if ticket.assignee:
            fields["assignee"] = {"name": ticket.assignee}
        if ticket.epic_key and self.epic_field:
            fields[self.epic_field] = ticket.epic_key
        fields.update(ticket.custom_fields)
        try:
            issue = self.client.create_issue(fields=fields, prefetch=False)
        except Exception as exc:
            raise _error(exc, f"JIRA refused to create the ticket in {ticket.project}") from exc
        return Ticket(
            key=issue.key,
            id=str(issue.id),
            url=f"{self.browse_url}/browse/{issue.key}",
            labels=tuple(labels),
        )

    def link(self, blocked: str, blocker: str, link_type: str) -> None:
        client = self.client
        # The inward issue takes the type's outward phrase: "blocker blocks blocked", shown
        # on the blocked ticket as "is blocked by blocker".
        data = {
            "type": {"name": link_type},
            "inwardIssue": {"key": blocker},
            "outwardIssue": {"key": blocked},
        }
        try:
            response = client._session.post(client._get_url("issueLink"), data=json.dumps(data))
        except Exception as exc:
            raise _error(exc, f"could not link {blocked} to {blocker}") from exc
        if response.status_code >= 300:
            raise BackendError(
                f"JIRA refused to link {blocked} to {blocker} ({response.status_code}: "
                f"{response.text[:300]})",
                f"Check that the link type {link_type!r} exists in JIRA (pac.yaml jira.linkType).",
            )

    def state(self, key: str) -> str:
        try:
            issue = self.client.issue(key, fields="status")
        except Exception as exc:
            raise _error(exc, f"could not read {key} from JIRA") from exc
        return str(issue.fields.status.name)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def _error(exc: Exception, what: str) -> BackendError:
    from jira.exceptions import JIRAError

    if isinstance(exc, BackendError):
        return exc  # already says what went wrong (e.g. connecting, from `client`)
    if isinstance(exc, JIRAError):
        status = exc.status_code or 0
        response = getattr(exc, "response", None)
        body = getattr(response, "text", "") if response is not None else ""
        detail = _jira_detail(body or exc.text or "")
        transient = status >= 500 or status in (0, 429)
        hint = (
            "JIRA is unavailable; a request that had not started is tried again by the next "
            "run, one that failed half-way after a raise of operations.retry."
            if transient
            else "Fix the ticket template or JIRA configuration (project, issue type, fields)."
        )
        if status == 401:
            hint = "Check PAC_JIRA_USER and PAC_JIRA_TOKEN."
        return BackendError(f"{what}: {status} {detail}".rstrip(), hint, transient)
    import requests

    if isinstance(exc, requests.Timeout):
        detail = "no answer in time"
    elif isinstance(exc, requests.ConnectionError):
        from pac.backends.rest import _reason

        detail = f"connection failed ({_reason(exc)})"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return BackendError(
        f"{what}: {detail}",
        "JIRA could not be reached; check that it is up and that PAC_JIRA_URL is right.",
        transient=True,
    )


def _jira_detail(text: str) -> str:
    try:
        body = json.loads(text)
    except ValueError:
        return text[:300]
    messages = list(body.get("errorMessages") or [])
    messages += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    return "; ".join(messages)[:500]
