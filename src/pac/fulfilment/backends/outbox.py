"""The embedded outbox: one JSON file per ticket under `.pac/outbox/`, for laptops and demos.

It behaves like a small JIRA: keys count up per project, tickets carry labels and links,
and a re-run finds its tickets by label instead of creating them twice.
"""

from __future__ import annotations

import fcntl
import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pac.documents.layout import OUTBOX_DIR
from pac.errors import UsageError
from pac.fulfilment.backends import RenderedTicket, Ticket, TicketFacts
from pac.fulfilment.backends.outbox_files import read_ticket
from pac.records.status import now_text
from pac.records.store import write_atomic

_KEY = re.compile(r"^([A-Z][A-Z0-9_]+)-([0-9]+)\.json$")
_LOCK = threading.Lock()
_PAC_LABEL = "pac-"


class Outbox:
    name = "outbox"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / OUTBOX_DIR

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # A thread lock for this process, a file lock for other pac processes.
        self.folder.mkdir(parents=True, exist_ok=True)
        with _LOCK, (self.folder / ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _files(self) -> list[Path]:
        """Oldest first (by project, then number): of two tickets with one label, a retry's
        newer ticket comes last and wins."""
        if not self.folder.is_dir():
            return []
        found = [(m, p) for p in self.folder.glob("*.json") if (m := _KEY.match(p.name))]
        return [p for m, p in sorted(found, key=lambda f: (f[0].group(1), int(f[0].group(2))))]

    def _read(self, path: Path) -> dict[str, Any]:
        return read_ticket(path)

    def _ticket(self, data: dict[str, Any]) -> Ticket:
        return Ticket(
            key=data["key"],
            id=data["id"],
            url=data["url"],
            labels=tuple(data.get("labels", [])),
            blocked_by=frozenset(
                link["key"] for link in data.get("links", []) if link["direction"] == "inward"
            ),
            status=data.get("status", "Open"),
        )

    def find(self, labels: Sequence[str]) -> dict[str, Ticket]:
        wanted = set(labels)
        found: dict[str, Ticket] = {}
        with self._locked():
            for path in self._files():
                data = self._read(path)
                for label in wanted.intersection(data.get("labels", [])):
                    found[label] = self._ticket(data)
        return found

    def create(self, ticket: RenderedTicket, labels: Sequence[str]) -> Ticket:
        with self._locked():
            numbers = [
                int(m.group(2))
                for p in self._files()
                if (m := _KEY.match(p.name)) and m.group(1) == ticket.project
            ]
            key = f"{ticket.project}-{max(numbers, default=0) + 1}"
            path = self.folder / f"{key}.json"
            data = {
                "key": key,
                "id": str(len(self._files()) + 10000),
                "url": f"{OUTBOX_DIR}/{key}.json",
                "status": "Open",
                "created": now_text(),
                **ticket.as_dict(),
                "labels": list(labels),
                "links": [],
            }
            write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return self._ticket(data)

    def link(self, blocked: str, blocker: str, link_type: str) -> None:
        with self._locked():
            for key, other, direction in (
                (blocked, blocker, "inward"),
                (blocker, blocked, "outward"),
            ):
                path = self.folder / f"{key}.json"
                data = self._read(path)
                entry = {"type": link_type, "direction": direction, "key": other}
                links = data.setdefault("links", [])
                if entry not in links:
                    links.append(entry)
                    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def state(self, key: str) -> str:
        path = self.folder / f"{key}.json"
        if not path.is_file():
            return "missing"
        return str(self._read(path).get("status", "Open"))

    def read(self, labels: Sequence[str]) -> dict[str, TicketFacts]:
        wanted = set(labels)
        found: dict[str, TicketFacts] = {}
        with self._locked():
            for path in self._files():
                data = self._read(path)
                for label in wanted.intersection(data.get("labels", [])):
                    found[label] = facts_of(data)
        return found

    def tickets(self) -> list[TicketFacts]:
        """Every ticket in the outbox, oldest first (`pac outbox list`)."""
        with self._locked():
            return [facts_of(self._read(p)) for p in self._files()]

    def resolve(
        self, key: str, *, wont_do: bool = False, fields: Mapping[str, str] | None = None
    ) -> TicketFacts:
        """Resolve `key` as its team would in JIRA: Done, or Won't Do; `fields` are what the
        team filled in (an endpoint), read by resolution-time outputs."""
        path = self.folder / f"{key}.json" if _KEY.match(f"{key}.json") else None
        with self._locked():
            if path is None or not path.is_file():
                raise KeyError(key)
            data = self._read(path)
            data["status"] = "Done"
            data["resolution"] = "Won't Do" if wont_do else "Done"
            data["resolutionDate"] = now_text()
            data["fields"] = {**(data.get("fields") or {}), **dict(fields or {})}
            write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return facts_of(data)

    def close(self) -> None:
        return None


def request_of(labels: Sequence[str]) -> str:
    """The request a ticket was made for, from pac's task label on it (`pac-<request>.…`)."""
    for label in labels:
        if label.startswith(_PAC_LABEL):
            return label[len(_PAC_LABEL) :].split(".", 1)[0]
    return ""


def listing(root: Path) -> list[dict[str, Any]]:
    """`pac outbox list`: every ticket with its state, resolution, summary and request."""
    rows = []
    outbox = Outbox(root)
    with outbox._locked():
        data = [outbox._read(p) for p in outbox._files()]
    for ticket in data:
        facts = facts_of(ticket)
        rows.append(
            {
                "key": facts.key,
                "state": facts.status,
                "resolution": facts.resolution,
                "summary": str(ticket.get("summary", "")),
                "request": request_of(facts.labels),
                "labels": list(facts.labels),
            }
        )
    return rows


def resolve(
    root: Path, key: str, *, wont_do: bool = False, fields: Sequence[str] = ()
) -> TicketFacts:
    """`pac outbox resolve KEY [--wont-do] [--field K=V]`: as the ticket's team would."""
    values: dict[str, str] = {}
    for pair in fields:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise UsageError(
                f"--field {pair!r} is not NAME=VALUE",
                "Write each field as --field endpoint=db.example.com (the name the item's "
                "outputs read as .response.fields.<name>).",
            )
        values[name.strip()] = value
    outbox = Outbox(root)
    try:
        return outbox.resolve(key, wont_do=wont_do, fields=values)
    except KeyError:
        known = [row["key"] for row in listing(root)]
        raise UsageError(
            f"the outbox has no ticket {key}",
            f"Its tickets are {', '.join(known)}; `pac outbox list` shows them."
            if known
            else f"The outbox ({OUTBOX_DIR}/) is empty: `pac apply` puts tickets there.",
        ) from None


def facts_of(data: Mapping[str, Any]) -> TicketFacts:
    """An outbox ticket as tracking reads it: its custom fields and what was filled in at
    resolution, by name, as `.response.fields` shows them."""
    comments = [c for c in data.get("comments") or [] if isinstance(c, Mapping)]
    resolution = str(data.get("resolution") or "")
    return TicketFacts(
        key=str(data["key"]),
        status=str(data.get("status", "Open")),
        category="done" if resolution else "new",
        resolution=resolution,
        resolved_at=str(data.get("resolutionDate") or ""),
        assignee=str(data.get("assignee") or ""),
        fields={**(data.get("customFields") or {}), **(data.get("fields") or {})},
        last_comment=str(comments[-1].get("body", "")) if comments else "",
        last_comment_by=str(comments[-1].get("author", "")) if comments else "",
        labels=tuple(str(label) for label in data.get("labels") or []),
        id=str(data.get("id", "")),
    )
