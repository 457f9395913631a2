"""A fake JIRA Server answering the REST API v2 the way the `jira` library expects.

Strict like the real one: unknown projects, issue types, priorities or link types, a
summary over 255 characters or with a line break, labels with spaces, and custom field
values that are unknown or of the wrong shape for the field's type (a string for a number,
an unknown option, a date not written yyyy-MM-dd) are refused with JIRA's error shape
(`{"errorMessages": [...], "errors": {...}}`).

Like Jira, search lags behind creation: with `search_lag` a new issue is found by JQL only
that many seconds after it was created, while GET by key finds it at once.

Teams work on tickets as in Jira: comments (`POST issue/KEY/comment`), transitions
(`GET/POST issue/KEY/transitions`, the Done transition taking a resolution that must be one
Jira knows), and the test helpers `resolve`, `delete` and `move` (to another project: a new
key, the labels kept) that stand in for a team.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import re
import shlex
import threading
import time
from typing import Any

from tests.fakes.server import FakeServer, Received, Response, serve_forever

API = "/rest/api/2/"
DEFAULT_PROJECTS = {
    "DBA": ["Task", "Bug"],
    "SEC": ["Task", "Service Request"],
    "PLATFORM": ["Task", "Story"],
    "MSG": ["Task"],
}
PRIORITIES = ["Critical", "High", "Medium", "Low"]
_CUSTOM = "com.atlassian.jira.plugin.system.customfieldtypes:"
# (id, name, schema) as GET field lists them; custom fields carry their type, as in Jira.
_FIELD_TYPES: list[tuple[str, str, dict[str, Any]]] = [
    ("summary", "Summary", {"type": "string", "system": "summary"}),
    ("description", "Description", {"type": "string", "system": "description"}),
    ("labels", "Labels", {"type": "array", "items": "string", "system": "labels"}),
    ("status", "Status", {"type": "status", "system": "status"}),
    ("priority", "Priority", {"type": "priority", "system": "priority"}),
    ("issuelinks", "Linked Issues", {"type": "array", "items": "issuelinks"}),
    ("project", "Project", {"type": "project", "system": "project"}),
    ("issuetype", "Issue Type", {"type": "issuetype", "system": "issuetype"}),
    ("components", "Component/s", {"type": "array", "items": "component"}),
    ("assignee", "Assignee", {"type": "user", "system": "assignee"}),
    ("customfield_10010", "Cost Center", {"type": "string", "custom": _CUSTOM + "textfield"}),
    (
        "customfield_10014",
        "Epic Link",
        {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link"},
    ),
    ("customfield_10016", "Story Points", {"type": "number", "custom": _CUSTOM + "float"}),
    ("customfield_10020", "Retention", {"type": "option", "custom": _CUSTOM + "select"}),
    (
        "customfield_10021",
        "Consumer Teams",
        {"type": "array", "items": "option", "custom": _CUSTOM + "multiselect"},
    ),
    (
        "customfield_10022",
        "Tags",
        {"type": "array", "items": "string", "custom": _CUSTOM + "labels"},
    ),
    ("customfield_10023", "Approver", {"type": "user", "custom": _CUSTOM + "userpicker"}),
    ("customfield_10024", "Go-live Date", {"type": "date", "custom": _CUSTOM + "datepicker"}),
    ("customfield_10025", "Service Tier", {"type": "option", "custom": _CUSTOM + "select"}),
    ("customfield_10030", "Endpoint", {"type": "string", "custom": _CUSTOM + "textfield"}),
    ("resolution", "Resolution", {"type": "resolution", "system": "resolution"}),
    ("resolutiondate", "Resolved", {"type": "datetime", "system": "resolutiondate"}),
    ("comment", "Comment", {"type": "comments-page", "system": "comment"}),
]
FIELDS = [
    {
        "id": key,
        "key": key,
        "name": name,
        "custom": key.startswith("customfield_"),
        "navigable": True,
        "searchable": True,
        "clauseNames": [name.lower()],
        "schema": {**schema, **({"customId": int(key[12:])} if key[:12] == "customfield_" else {})},
    }
    for key, name, schema in _FIELD_TYPES
]
# The options of the select fields (Jira keeps them in the field's configuration).
OPTIONS = {
    "customfield_10020": ["1d", "7d", "30d"],
    "customfield_10021": ["analytics", "fraud", "search", "notifications"],
    "customfield_10025": ["Tier 1 - critical", "Tier 2"],
}
# The resolutions this Jira knows ("Out of Scope" is one pac.yaml does not list by default).
RESOLUTIONS = [
    "Done",
    "Fixed",
    "Won't Do",
    "Won't Fix",
    "Declined",
    "Duplicate",
    "Cannot Reproduce",
    "Incomplete",
    "Out of Scope",
]
# (id, name, the status it leads to, that status's category)
TRANSITIONS = [
    ("11", "Start Progress", "In Progress", "indeterminate"),
    ("31", "Done", "Done", "done"),
]
LINK_TYPES = [
    ("10000", "Blocks", "is blocked by", "blocks"),
    ("10001", "Cloners", "is cloned by", "clones"),
    ("10002", "Duplicate", "is duplicated by", "duplicates"),
    ("10003", "Relates", "relates to", "relates to"),
]


def _error(
    status: int, errors: dict[str, str] | None = None, messages: list[str] | None = None
) -> Response:
    return Response(status, {"errorMessages": messages or [], "errors": errors or {}})


class FakeJira(FakeServer):
    name = "jira"

    def __init__(
        self,
        projects: dict[str, list[str]] | None = None,
        latency: float = 0.0,
        credentials: tuple[str, str] | None = None,
        search_lag: float = 0.0,
    ) -> None:
        super().__init__(latency)
        self.search_lag = search_lag
        self._indexed_at: dict[str, float] = {}  # key -> when search starts to find it
        self.projects = projects or {k: list(v) for k, v in DEFAULT_PROJECTS.items()}
        self.credentials = credentials
        self.issues: dict[str, dict[str, Any]] = {}  # key -> raw issue
        self._ids = 10000
        self._numbers: dict[str, int] = {}
        self._data_lock = threading.RLock()  # re-entered: handlers look issues up inside it

    # --- test helpers -------------------------------------------------------------------

    def with_label(self, label: str) -> list[dict[str, Any]]:
        return [i for i in self.issues.values() if label in i["fields"]["labels"]]

    def set_status(self, key: str, name: str, category: str = "indeterminate") -> None:
        self.issues[key]["fields"]["status"] = {"name": name, "statusCategory": {"key": category}}

    def stats(self) -> dict[str, Any]:
        data = super().stats()
        data["issues"] = len(self.issues)
        data["searches"] = self.count("GET", r"/search$") + self.count("POST", r"/search$")
        return data

    def resolve(
        self,
        key: str,
        resolution: str = "Done",
        *,
        fields: dict[str, Any] | None = None,
        comment: str = "",
        assignee: str = "",
        author: str = "Kim DBA",
    ) -> None:
        """What a team does in Jira: fill in fields (by id or name), comment, resolve."""
        ids = {f["name"]: f["id"] for f in FIELDS}
        with self._data_lock:
            issue = self.issues[key]["fields"]
            for name, value in (fields or {}).items():
                issue[ids.get(name, name)] = value
            if assignee:
                issue["assignee"] = _user(assignee)
            if comment:
                self._comment(issue, comment, author)
            self._set_resolution(issue, resolution)

    def resolve_all(self, resolution: str = "Done") -> list[str]:
        """Every open issue resolved, as if each team finished its work; the keys."""
        with self._data_lock:
            keys = [k for k, i in self.issues.items() if not i["fields"].get("resolution")]
        for key in keys:
            self.resolve(key, resolution)
        return keys

    def delete(self, key: str) -> None:
        with self._data_lock:
            del self.issues[key]
            self._indexed_at.pop(key, None)

    def move(self, key: str, project: str) -> str:
        """Move an issue to `project` as Jira does: a new key, its labels and fields kept."""
        with self._data_lock:
            issue = self.issues.pop(key)
            number = self._numbers.get(project, 0) + 1
            self._numbers[project] = number
            new = f"{project}-{number}"
            issue["key"] = new
            issue["fields"]["project"] = {"key": project, "name": project}
            self.issues[new] = issue
            self._indexed_at[new] = self._indexed_at.pop(key, 0.0)
        return new

    def _comment(self, issue: dict[str, Any], body: str, author: str) -> dict[str, Any]:
        comments = issue.setdefault("comment", {"comments": [], "total": 0})
        entry = {
            "id": str(20000 + len(comments["comments"])),
            "body": body,
            "author": _user(author),
            "created": _jira_time(),
        }
        comments["comments"].append(entry)
        comments["total"] = len(comments["comments"])
        return entry

    def _set_resolution(self, issue: dict[str, Any], resolution: str) -> None:
        issue["resolution"] = {"name": resolution}
        issue["resolutiondate"] = _jira_time()
        issue["status"] = {"name": "Done", "statusCategory": {"key": "done"}}

    # --- the API --------------------------------------------------------------------------

    def respond(self, request: Received) -> Response:
        if self.credentials is not None and not self._authorised(request):
            return _error(401, messages=["You are not authenticated."])
        path = request.path
        if not path.startswith(API):
            return _error(404, messages=["Not found"])
        route = path[len(API) :].rstrip("/")
        if route == "serverInfo":
            return Response(200, self._server_info())
        if route == "issue" and request.method == "POST":
            return self._create(request.json() or {})
        match = re.fullmatch(r"issue/([A-Za-z0-9_-]+)", route)
        if match and request.method == "GET":
            return self._get(match.group(1), request)
        match = re.fullmatch(r"issue/([A-Za-z0-9_-]+)/(comment|transitions)", route)
        if match:
            return self._team_work(match.group(1), match.group(2), request)
        if route == "search":
            if request.method == "POST":
                body = request.json() or {}
                params = {k: [str(v)] for k, v in body.items() if not isinstance(v, list)}
                if isinstance(body.get("fields"), list):
                    params["fields"] = [",".join(body["fields"])]
                return self._search(params)
            return self._search(request.query)
        if route == "field":
            return Response(200, FIELDS)
        if route == "issueLinkType":
            return Response(200, {"issueLinkTypes": [self._link_type(t) for t in LINK_TYPES]})
        if route == "issueLink" and request.method == "POST":
            return self._link(request.json() or {})
        match = re.fullmatch(r"project/([A-Z][A-Z0-9_]+)", route)
        if match:
            key = match.group(1)
            if key not in self.projects:
                return _error(404, messages=[f"No project could be found with key '{key}'."])
            return Response(200, {"id": str(abs(hash(key)) % 10000), "key": key, "name": key})
        return _error(404, messages=[f"no route for {request.method} {path}"])

    def _authorised(self, request: Received) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, token = base64.b64decode(header[6:]).decode().partition(":")
        return (user, token) == self.credentials

    def _server_info(self) -> dict[str, Any]:
        return {
            "baseUrl": self.url,
            "version": "9.12.0",
            "versionNumbers": [9, 12, 0],
            "deploymentType": "Server",
            "buildNumber": 9120000,
            "serverTitle": "Fake JIRA",
        }

    def _link_type(self, entry: tuple[str, str, str, str]) -> dict[str, str]:
        ident, name, inward, outward = entry
        return {
            "id": ident,
            "name": name,
            "inward": inward,
            "outward": outward,
            "self": f"{self.url}{API}issueLinkType/{ident}",
        }

    def _create(self, body: dict[str, Any]) -> Response:
        fields = body.get("fields") or {}
        errors: dict[str, str] = {}
        project = (fields.get("project") or {}).get("key")
        if not project or project not in self.projects:
            errors["project"] = "valid project is required"
        issuetype = (fields.get("issuetype") or {}).get("name")
        if not issuetype or (project in self.projects and issuetype not in self.projects[project]):
            errors["issuetype"] = "valid issue type is required"
        summary = fields.get("summary")
        if not summary:
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255:
            errors["summary"] = "You must specify a summary of less than 255 characters."
        elif "\n" in summary or "\r" in summary:
            errors["summary"] = "The summary is invalid because it contains newline characters."
        for label in fields.get("labels") or []:
            if re.search(r"\s", label):
                errors["labels"] = f"The label '{label}' contains spaces which is invalid."
            elif len(label) > 255:
                errors["labels"] = "The label must not exceed 255 characters."
        priority = (fields.get("priority") or {}).get("name")
        if priority is not None and priority not in PRIORITIES:
            errors["priority"] = f"Priority name '{priority}' is not valid"
        for key, value in fields.items():
            problem = _typed_problem(key, value)
            if problem:
                errors[key] = problem
        if errors:
            return _error(400, errors)
        with self._data_lock:
            self._ids += 1
            number = self._numbers.get(project, 0) + 1
            self._numbers[project] = number
            key = f"{project}-{number}"
            ident = str(self._ids)
            stored = dict(fields)
            stored.update(
                {
                    "project": {"key": project, "name": project},
                    "issuetype": {"name": issuetype},
                    "labels": list(fields.get("labels") or []),
                    "issuelinks": [],
                    "status": {"name": "Open", "statusCategory": {"key": "new"}},
                    "priority": {"name": priority or "Medium"},
                    "created": dt.datetime.now(dt.UTC).isoformat(),
                    "assignee": _user((fields.get("assignee") or {}).get("name", "")),
                    "resolution": None,
                    "resolutiondate": None,
                    "comment": {"comments": [], "total": 0},
                }
            )
            self._indexed_at[key] = time.monotonic() + self.search_lag
            self.issues[key] = {
                "id": ident,
                "key": key,
                "self": f"{self.url}{API}issue/{ident}",
                "fields": stored,
            }
        return Response(201, {"id": ident, "key": key, "self": f"{self.url}{API}issue/{ident}"})

    def _team_work(self, key: str, what: str, request: Received) -> Response:
        issue = self._find(key)
        if issue is None:
            return _error(404, messages=["Issue Does Not Exist"])
        body = request.json() if request.method == "POST" else None
        with self._data_lock:
            fields = issue["fields"]
            if what == "comment":
                if request.method != "POST" or not (body or {}).get("body"):
                    return _error(400, {"comment": "Comment body can not be empty!"})
                return Response(201, self._comment(fields, str(body["body"]), "pac"))
            if request.method == "GET":
                return Response(200, {"transitions": [_transition(t) for t in TRANSITIONS]})
            return self._transition(fields, body or {})

    def _transition(self, fields: dict[str, Any], body: dict[str, Any]) -> Response:
        ident = str((body.get("transition") or {}).get("id", ""))
        chosen = next((t for t in TRANSITIONS if t[0] == ident), None)
        if chosen is None:
            return _error(400, messages=[f"Transition id '{ident}' is not valid for this issue."])
        _, _, status, category = chosen
        if category != "done":
            fields["status"] = {"name": status, "statusCategory": {"key": category}}
            return Response(204, None)
        resolution = ((body.get("fields") or {}).get("resolution") or {}).get("name", "Done")
        if resolution not in RESOLUTIONS:
            return _error(400, {"resolution": f"Resolution '{resolution}' is not valid"})
        self._set_resolution(fields, resolution)
        return Response(204, None)

    def _find(self, key_or_id: str) -> dict[str, Any] | None:
        with self._data_lock:
            if key_or_id in self.issues:
                return self.issues[key_or_id]
            return next((i for i in self.issues.values() if i["id"] == key_or_id), None)

    def _view(self, issue: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
        shown = issue["fields"]
        if fields and "*all" not in fields:
            shown = {k: v for k, v in shown.items() if k in fields}
        # A copy: the answer is written out after the lock is let go, while links change.
        return copy.deepcopy({**issue, "fields": shown})

    def _fields(self, query: dict[str, list[str]]) -> list[str] | None:
        # Like Jira: `fields=a,b` and `fields=a&fields=b` alike (the library sends the latter).
        raw = ",".join(query.get("fields") or [])
        return [f.strip() for f in raw.split(",") if f.strip()] or None

    def _get(self, key: str, request: Received) -> Response:
        issue = self._find(key)
        if issue is None:
            return _error(404, messages=["Issue Does Not Exist"])
        return Response(200, self._view(issue, self._fields(request.query)))

    def _search(self, query: dict[str, list[str]]) -> Response:
        jql = (query.get("jql") or [""])[0]
        try:
            matcher = _parse_jql(jql)
        except ValueError as exc:
            return _error(400, messages=[f"Error in the JQL Query: {exc}"])
        start = int((query.get("startAt") or ["0"])[0])
        limit = int((query.get("maxResults") or ["50"])[0])
        now = time.monotonic()
        fields = self._fields(query)
        # Creates and links of concurrent requests change the issues meanwhile, as in Jira:
        # each search sees one consistent snapshot.
        with self._data_lock:
            indexed = [i for k, i in self.issues.items() if self._indexed_at.get(k, 0.0) <= now]
            found = [i for i in indexed if matcher(i)]
            found.sort(key=lambda i: int(i["id"]))
            views = [self._view(i, fields) for i in found[start : start + limit]]
        return Response(
            200,
            {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": limit,
                "total": len(found),
                "issues": views,
            },
        )

    def links(self, key: str) -> list[tuple[str, str]]:
        """Every link on the issue `key`, duplicates included: (type, other issue)."""
        return [
            (link["type"]["name"], (link.get("inwardIssue") or link.get("outwardIssue"))["key"])
            for link in self.issues[key]["fields"]["issuelinks"]
        ]

    def _link(self, body: dict[str, Any]) -> Response:
        name = (body.get("type") or {}).get("name")
        kind = next((t for t in LINK_TYPES if t[1] == name), None)
        if kind is None:
            return _error(404, messages=[f"No issue link type with name '{name}' found."])
        inward = self._find((body.get("inwardIssue") or {}).get("key", ""))
        outward = self._find((body.get("outwardIssue") or {}).get("key", ""))
        if inward is None or outward is None:
            return _error(404, messages=["Issue Does Not Exist"])
        link_type = self._link_type(kind)
        with self._data_lock:
            ident = str(len(self._all_links()) + 20000)
            # As in Jira, {inwardIssue: A, outwardIssue: B} of type Blocks reads "A blocks B";
            # each issue lists the other under the other's role in the link.
            inward["fields"]["issuelinks"].append(
                {"id": ident, "type": link_type, "outwardIssue": {"key": outward["key"]}}
            )
            outward["fields"]["issuelinks"].append(
                {"id": ident, "type": link_type, "inwardIssue": {"key": inward["key"]}}
            )
        return Response(201, None)

    def _all_links(self) -> list[dict[str, Any]]:
        return [link for i in self.issues.values() for link in i["fields"]["issuelinks"]]

    def blocked_by(self, key: str) -> set[str]:
        """Keys the issue `key` is blocked by."""
        return {
            link["inwardIssue"]["key"]
            for link in self.issues[key]["fields"]["issuelinks"]
            if "inwardIssue" in link and link["type"]["name"] == "Blocks"
        }


_SCHEMAS = {f["id"]: f["schema"] for f in FIELDS}


def _user(name: str) -> dict[str, str] | None:
    return {"name": name.lower().replace(" ", "."), "displayName": name} if name else None


def _jira_time() -> str:
    """Jira's way of writing a time: `2026-11-30T10:00:00.000+0000`."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _transition(entry: tuple[str, str, str, str]) -> dict[str, Any]:
    ident, name, status, category = entry
    to = {"name": status, "statusCategory": {"key": category}}
    fields = {"resolution": {"required": False}} if category == "done" else {}
    return {"id": ident, "name": name, "to": to, "fields": fields}


def _typed_problem(key: str, value: Any) -> str:
    """What Jira says about a custom field value of the wrong shape ("" when it is fine)."""
    if not key.startswith("customfield_"):
        return ""
    schema = _SCHEMAS.get(key)
    if schema is None:
        return f"Field '{key}' cannot be set. It is not on the appropriate screen, or unknown."
    kind, items = schema["type"], schema.get("items")
    if kind in ("string", "any"):
        return "" if isinstance(value, str) else "Operation value must be a string"
    if kind == "number":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return "" if number else "Operation value must be a number"
    if kind == "date":
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return "Date value is invalid. Use the format yyyy-MM-dd."
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"Date value '{value}' is invalid."
        return ""
    if kind == "user":
        return _user_problem(value)
    if kind == "option":
        return _option_problem(key, value)
    if not isinstance(value, list):
        return "data was not an array"
    for entry in value:
        if items == "option":
            problem = _option_problem(key, entry)
        elif items == "user":
            problem = _user_problem(entry)
        elif not isinstance(entry, str):
            problem = "Operation value must be a string"
        elif re.search(r"\s", entry):
            problem = f"The label '{entry}' contains spaces which is invalid."
        else:
            problem = ""
        if problem:
            return problem
    return ""


def _option_problem(key: str, value: Any) -> str:
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        return "Could not find valid 'id' or 'value' in the Option object."
    if value["value"] not in OPTIONS.get(key, []):
        return f"Option value '{value['value']}' is not valid"
    return ""


def _user_problem(value: Any) -> str:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return "data was not an object"
    return ""


def _parse_jql(jql: str) -> Any:
    """A matcher for the JQL pac uses: labels =/in, project =, joined by AND."""
    text = re.split(r"\s+ORDER\s+BY\s+", jql.strip(), flags=re.IGNORECASE)[0]
    if not text:
        return lambda issue: True
    tests = []
    for clause in re.split(r"\s+AND\s+", text, flags=re.IGNORECASE):
        match = re.fullmatch(r"\s*(\w+)\s*(=|in)\s*(.+?)\s*", clause, flags=re.IGNORECASE)
        if not match:
            raise ValueError(f"cannot parse {clause!r}")
        name, operator, value = match.group(1).lower(), match.group(2).lower(), match.group(3)
        if operator == "in":
            if not (value.startswith("(") and value.endswith(")")):
                raise ValueError(f"expected a list after 'in' in {clause!r}")
            values = [v.strip().strip(",") for v in shlex.split(value[1:-1].replace(",", " "))]
        else:
            values = [shlex.split(value)[0]]
        if name == "labels":
            tests.append(
                lambda issue, wanted=set(values): bool(wanted & set(issue["fields"]["labels"]))
            )
        elif name == "project":
            tests.append(
                lambda issue, wanted=set(values): issue["fields"]["project"]["key"] in wanted
            )
        else:
            raise ValueError(f"the field {name!r} is not supported by the fake")
    return lambda issue: all(test(issue) for test in tests)


if __name__ == "__main__":
    serve_forever(FakeJira, "A fake JIRA on 127.0.0.1")
