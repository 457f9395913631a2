"""`pac status --watch`: follow requests as CI records them and tell only what changed.

Each round reads the statuses (from the upstream branch after a fetch, or from the working
tree when there is no upstream), builds the views, and yields the lines that differ from
what was told before: a new request state, a task's state, a ticket's state, a new output.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pac.errors import GitError
from pac.records.status import RequestStatus
from pac.records.store import StatusStore
from pac.tracking.live import LiveTickets
from pac.tracking.statusview import RequestView, unsettled
from pac.tracking.upstream import Upstream, fetch, find_upstream, statuses_at

FIRST_APPLY = "waiting for the first pac apply…"

Build = Callable[[list[RequestStatus]], tuple[list[RequestView], LiveTickets]]


@dataclass
class Tick:
    """One round: what changed (stdout), what is said once (stderr), and whether every
    watched request is done for a developer."""

    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    views: list[RequestView] = field(default_factory=list)
    done: bool = False


def facts(view: RequestView) -> list[tuple[str, str, str]]:
    """(what, its value now, the line telling it) for everything a watcher is told of.
    The request's line carries its words, but is told again only when its state moves:
    the words hold the time so far, which changes every round."""
    status = view.status
    request = status.request
    told = [
        (request, f"{status.revision}/{status.state}", f"{request}: {status.state} — {view.words}")
    ]
    for task_view in view.tasks:
        task = task_view.task
        told.append((task.key, task.state.value, f"{request}: {task.component} {task.state.value}"))
        ticket = task_view.ticket
        if ticket is not None:
            said = ticket.words()
            told.append((f"{task.key}#ticket", said, f"{request}: {task.component} ticket {said}"))
    for name, value in view.outputs:
        told.append((f"{request}#output#{name}", value, f"{request}: output {name} = {value}"))
    return told


class Watcher:
    """Reads the watched statuses each round; remembers what it told."""

    def __init__(self, root: Path, request_id: str | None) -> None:
        self.request_id = request_id
        self.store = StatusStore(root)
        self.upstream: Upstream | None
        self.upstream, self.without = find_upstream(root)
        self.fetched = False
        self.last: list[RequestStatus] = []
        self.told: dict[str, str] = {}
        self.said: set[str] = set()

    def _say_once(self, tick: Tick, note: str) -> None:
        if note not in self.said:
            self.said.add(note)
            tick.notes.append(note)

    def read(self, tick: Tick) -> list[RequestStatus]:
        if self.upstream is None:
            self._say_once(
                tick,
                f"pac status --watch: {self.without}; following the working tree's status files",
            )
            if self.request_id is None:
                return list(self.store.all())
            one = self.store.load(self.request_id)
            return [one] if one is not None else []
        try:
            commit = fetch(self.upstream)
        except GitError as exc:
            if not self.fetched:
                raise
            self._say_once(tick, f"pac status --watch: {exc.message}; showing the last known state")
            return self.last
        self.fetched = True
        self.last = statuses_at(self.upstream, commit, self.request_id)
        return self.last

    def round(self, build: Build) -> Tick:
        tick = Tick()
        statuses = self.read(tick)
        if not statuses:
            self._say_once(tick, FIRST_APPLY)
            return tick
        tick.views, tickets = build(statuses)
        for source, why in tickets.not_live.items():
            self._say_once(tick, f"{source.shown} tickets are not live: {why}")
        for what, value, line in (f for view in tick.views for f in facts(view)):
            if self.told.get(what) != value:
                self.told[what] = value
                tick.lines.append(line)
        tick.done = not unsettled(tick.views)
        return tick


def follow(
    watcher: Watcher,
    build: Build,
    interval: float,
    timeout: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Tick]:
    """Rounds until every watched request is done for a developer or `timeout` passes;
    the last tick says which (`done`). A fetch that never worked raises `GitError`."""
    deadline = clock() + timeout
    while True:
        tick = watcher.round(build)
        yield tick
        left = deadline - clock()
        if tick.done or left <= 0:
            return
        sleep(min(interval, left))
