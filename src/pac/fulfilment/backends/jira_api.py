"""JIRA through the `jira` library.

Per ticket pac makes at most: its share of one label search per request (the exactly-once
look-up), one create, and one link per blocking ticket. Two things about the library:
`create_issue` would re-read the new issue unless `prefetch=False`, and
`create_issue_link` fetches the link types again on every call (its cache check never
hits), so links are posted through the library's own session instead. The library's own
retries are off: a blindly retried create is how duplicate tickets happen.

Custom field values are shaped by the field's type from JIRA's field list (`GET field`),
read once per backend: the library reads that list anyway for its first search, so pac
hands it the same answer instead of a second call.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pac.fulfilment.backends import (
    BackendError,
    RenderedTicket,
    Ticket,
    TicketFacts,
    is_transient_status,
    retry_after_seconds,
    tune_session,
)

if TYPE_CHECKING:  # the jira library is imported when a ticket is first sent or read
    from jira import JIRA
    from jira.resources import Issue

DEFAULT_TIMEOUT = 30.0
# JIRA asking to wait (429 or 503 with Retry-After) up to this long is waited out once.
MAX_RETRY_AFTER = 30.0
_T = TypeVar("_T")
# Labels per search when reading tickets' states: one page of JIRA's default size.
READ_BATCH = 50


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
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sleep = sleep
        self.url = url.rstrip("/")
        self.browse_url = (browse_url or self.url).rstrip("/")
        self.link_type = link_type
        self.epic_field = epic_field
        self._client: JIRA | None = None
        self._credentials = (user, token)
        self._timeout = timeout
        self._field_list: list[dict[str, Any]] | None = None
        self._field_lock = threading.Lock()

    @property
    def client(self) -> JIRA:
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
            fetch = self._client.fields

            def fields() -> list[dict[str, Any]]:
                # One answer for the library (field names in searches) and for pac.
                with self._field_lock:
                    if self._field_list is None:
                        self._field_list = list(fetch())
                    return self._field_list

            # The library's own method, replaced on this one client by its cached answer.
            self._client.fields = fields  # type: ignore[method-assign]
        return self._client

    def _patiently(self, call: Callable[[], _T]) -> _T:
        """`call`, and once more after a short wait JIRA asked for.

        A 429 or 503 with `Retry-After` says the request was not processed, so sending it
        again cannot make a second ticket; a longer wait is left to the next run.
        """
        from jira.exceptions import JIRAError

        try:
            return call()
        except JIRAError as exc:
            response = getattr(exc, "response", None)
            headers = getattr(response, "headers", None) or {}
            wait = retry_after_seconds(headers.get("Retry-After"))
            if exc.status_code not in (429, 503) or wait is None or wait > MAX_RETRY_AFTER:
                raise
        self.sleep(wait)
        return call()

    def _schemas(self) -> dict[str, dict[str, Any]]:
        try:
            listed = self.client.fields()
        except Exception as exc:
            raise _error(exc, "could not read JIRA's list of fields") from exc
        return {str(f.get("id")): f for f in listed if isinstance(f, dict)}

    def find(self, labels: Sequence[str]) -> dict[str, Ticket]:
        if not labels:
            return {}
        quoted = ", ".join(json.dumps(label) for label in labels)
        try:
            issues = self._patiently(
                lambda: self.client.search_issues(
                    f"labels in ({quoted})",
                    maxResults=max(50, len(labels) * 2),
                    fields="labels,issuelinks,status",
                    validate_query=False,
                )
            )
        except Exception as exc:
            raise _error(exc, "could not search JIRA for pac's earlier tickets") from exc
        found: dict[str, Ticket] = {}
        # The newest ticket of a label last, as in `read`: a retry after a declined one made it.
        for issue in sorted(issues, key=lambda i: _number(i.raw.get("id"))):
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
        if ticket.custom_fields:
            fields.update(shape_custom_fields(ticket, self._schemas()))
        try:
            issue = self._patiently(lambda: self.client.create_issue(fields=fields, prefetch=False))
        except Exception as exc:
            raise _create_error(exc, ticket.project) from exc
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
        if is_transient_status(response.status_code):
            raise BackendError(
                f"JIRA could not link {blocked} to {blocker} just now ({response.status_code})",
                "The next run (at the latest the hourly one) tries again.",
                transient=True,
                http_status=response.status_code,
            )
        if response.status_code >= 300:
            raise BackendError(
                f"JIRA refused to link {blocked} to {blocker} ({response.status_code}: "
                f"{response.text[:300]})",
                f"Check that the link type {link_type!r} exists in JIRA (pac.yaml jira.linkType).",
            )

    def read(self, labels: Sequence[str]) -> dict[str, TicketFacts]:
        """One search per 50 labels (pac's tickets carry one label each), every field of
        each ticket in the answer: status, resolution, assignee, comments and custom fields."""
        names = {key: str(f.get("name", key)) for key, f in self._schemas().items()}
        found: dict[str, TicketFacts] = {}
        wanted = list(dict.fromkeys(labels))
        for start in range(0, len(wanted), READ_BATCH):
            chunk = wanted[start : start + READ_BATCH]
            jql = "labels in ({})".format(", ".join(json.dumps(label) for label in chunk))
            try:
                issues = self._search_all(jql)
            except Exception as exc:
                raise _error(exc, "could not read the state of pac's tickets from JIRA") from exc
            # The newest ticket of a label last: a retry after a declined one made it.
            for issue in sorted(issues, key=lambda i: _number(i.raw.get("id"))):
                facts = facts_from(issue.raw, names)
                for label in set(chunk).intersection(facts.labels):
                    found[label] = facts
        return found

    def _search_all(self, jql: str) -> list[Issue]:
        return list(
            self._patiently(
                lambda: self.client.search_issues(
                    jql, maxResults=READ_BATCH * 2, fields="*all", validate_query=False
                )
            )
        )

    def state(self, key: str) -> str:
        try:
            issue = self.client.issue(key, fields="status")
        except Exception as exc:
            raise _error(exc, f"could not read {key} from JIRA") from exc
        return str(issue.fields.status.name)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()  # type: ignore[no-untyped-call]  # jira leaves it unannotated


def facts_from(raw: dict[str, Any], names: dict[str, str]) -> TicketFacts:
    """A searched issue as tracking reads it; its fields both by id and by name."""
    fields = raw.get("fields") or {}
    status = fields.get("status") or {}
    comments = ((fields.get("comment") or {}).get("comments")) or []
    last = comments[-1] if comments and isinstance(comments[-1], dict) else {}
    by_name = {names[k]: v for k, v in fields.items() if k in names and names[k] not in fields}
    return TicketFacts(
        key=str(raw.get("key", "")),
        status=str(status.get("name", "")),
        category=str((status.get("statusCategory") or {}).get("key", "new")),
        resolution=str((fields.get("resolution") or {}).get("name", "")),
        resolved_at=str(fields.get("resolutiondate") or ""),
        assignee=_person(fields.get("assignee")),
        fields={**fields, **by_name},
        last_comment=str(last.get("body", "")),
        last_comment_by=_person(last.get("author")),
        labels=tuple(str(label) for label in fields.get("labels") or ()),
        id=str(raw.get("id", "")),
    )


def _number(text: Any) -> int:
    try:
        return int(str(text))
    except ValueError:
        return 0


def _person(user: Any) -> str:
    if not isinstance(user, dict):
        return ""
    return str(user.get("displayName") or user.get("name") or "")


def shape_custom_fields(
    ticket: RenderedTicket, schemas: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Each custom field's value in the shape its JIRA type takes (REST API v2).

    Text and unknown types get the escaped text, as the outbox does. Typed fields get the
    unescaped value converted, and are left out when it is empty (an optional form field
    left blank), since JIRA refuses "" for them. A value that cannot be converted raises
    BackendError before anything is sent.
    """
    shaped: dict[str, Any] = {}
    for key, text in ticket.custom_fields.items():
        meta = schemas.get(key) or {}
        schema = meta.get("schema") or {}
        kind, items = schema.get("type"), schema.get("items")
        value = ticket.custom_values.get(key, text).strip()
        if kind not in _TYPED or (kind == "array" and items not in _ITEMS):
            shaped[key] = text
        elif value:
            name = f"{key} ({meta['name']})" if meta.get("name") else key
            labels = str(schema.get("custom", "")).endswith(":labels")
            shaped[key] = _shape(key, name, kind, items, value, labels=labels)
    return shaped


_TYPED = {"number", "option", "array", "user", "date"}
_ITEMS = {"option", "string", "user"}
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FIX = (
    "Fix customFields.{key} in the ticket template, or give the form field that fills it "
    "{what}, so the form refuses such input before the pull request."
)


def _shape(key: str, name: str, kind: str, items: str | None, value: str, *, labels: bool) -> Any:
    if kind == "number":
        if not _NUMBER.fullmatch(value):
            raise BackendError(
                f"the ticket template rendered {_shown(value)} for {name}, a number field in JIRA",
                _FIX.format(key=key, what="type: number (or a validation.pattern for numbers)"),
            )
        return int(value) if re.fullmatch(r"[+-]?[0-9]+", value) else float(value)
    if kind == "date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            dt.date.fromisoformat(value)
        except ValueError:
            raise BackendError(
                f"the ticket template rendered {_shown(value)} for {name}, a date field in JIRA, "
                "which takes a date as YYYY-MM-DD",
                _FIX.format(key=key, what="type: date"),
            ) from None
        return value
    if kind == "option":
        return {"value": value}
    if kind == "user":
        return {"name": value}
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if items == "option":
        return [{"value": part} for part in parts]
    if items == "user":
        return [{"name": part} for part in parts]
    spaced = [part for part in parts if re.search(r"\s", part)]
    if labels and spaced:
        raise BackendError(
            f"the ticket template rendered {_shown(spaced[0])} into {name}, a JIRA labels field, "
            "whose entries cannot hold spaces (entries are separated by commas)",
            _FIX.format(key=key, what="a validation.pattern such as '^[a-z0-9_,-]+$'"),
        )
    return parts


def _shown(value: str) -> str:
    """The offending value, quoted, and cut short: it may be a whole paragraph of input."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _error(exc: Exception, what: str, unreachable: str = "") -> BackendError:
    """`exc` as a BackendError saying `what` failed; `unreachable` replaces `what` when
    the request never reached JIRA, so the message does not say JIRA refused it."""
    from jira.exceptions import JIRAError

    if isinstance(exc, BackendError):
        return exc  # already says what went wrong (e.g. connecting, from `client`)
    if isinstance(exc, JIRAError) and exc.status_code:
        status = exc.status_code
        response = getattr(exc, "response", None)
        body = getattr(response, "text", "") if response is not None else ""
        headers = getattr(response, "headers", None) or {}
        detail = _jira_detail(body or exc.text or "")
        transient = is_transient_status(status)
        hint = (
            "JIRA is unavailable just now; the next run (at the latest the hourly one) tries "
            "again, with no change to the request."
            if transient
            else "Fix the ticket template or JIRA configuration (project, issue type, fields)."
        )
        if status == 401:
            hint = "Check PAC_JIRA_USER and PAC_JIRA_TOKEN."
        return BackendError(
            f"{what}: {status} {detail}".rstrip(),
            hint,
            transient,
            status,
            retry_after=retry_after_seconds(headers.get("Retry-After")),
        )
    import requests

    from pac.fulfilment.backends.rest import _NOT_SENT, _reason

    sent = True
    if isinstance(exc, requests.ConnectTimeout):
        detail, sent = "no connection in time", False
    elif isinstance(exc, requests.Timeout):
        detail = "no answer in time"
    elif isinstance(exc, requests.ConnectionError):
        reason = _reason(exc)
        detail, sent = f"connection failed ({reason})", reason not in _NOT_SENT
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return BackendError(
        f"{what if sent or not unreachable else unreachable}: {detail}",
        "JIRA could not be reached; check that it is up and that PAC_JIRA_URL is right. The "
        "next run (at the latest the hourly one) tries again, with no change to the request.",
        transient=True,
        unknown=sent,
    )


def _create_error(exc: Exception, project: str) -> BackendError:
    from jira.exceptions import JIRAError

    error = _error(
        exc,
        f"JIRA refused to create the ticket in {project}",
        unreachable=f"could not reach JIRA to create the ticket in {project}",
    )
    if error.transient and not isinstance(exc, JIRAError | BackendError):
        # Sent, but the answer was lost: JIRA may well have made the ticket.
        error.message = error.message.replace(
            "JIRA refused to create", "no answer from JIRA to the create of"
        )
    elif error.transient and error.http_status:
        error.message = error.message.replace("JIRA refused to create", "JIRA failed to create")
    return error


def _jira_detail(text: str) -> str:
    try:
        body = json.loads(text)
    except ValueError:
        return text[:300]
    messages = list(body.get("errorMessages") or [])
    messages += [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
    return "; ".join(messages)[:500]
