"""Telling people, exactly once: each recorded event to each channel routed it (SPEC §6.7).

Runs at the end of `pac apply`, under its lease, after the statuses were written (and,
with `--commit`, pushed): an event exists once in its status, so sending it and marking
the channel in the same status file (saved at once, committed by the caller) sends it
once. A kill between a send and its mark can repeat that one message; every message
carries the event id, so a receiver can drop it. A channel that fails is recorded in the
event and tried again by later runs, until the event is older than `retryHours`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from pac.documents.layout import REQUESTS, STATUS_DIR
from pac.documents.model import Bundle
from pac.documents.notifications import Channel, Notifications
from pac.fulfilment.actions import secret_variables
from pac.fulfilment.notify.channel import Message, send
from pac.fulfilment.notify.messages import compose, started
from pac.fulfilment.redaction import Redactor
from pac.records.events import Event, EventKind
from pac.records.states import RequestState
from pac.records.status import RequestStatus, now_text, parse_time
from pac.records.store import StatusError, StatusStore
from pac.text import web_address

if TYPE_CHECKING:
    from pac.documents.model import Offering
    from pac.documents.repository import Repository

SECRET_PREFIX = "PAC_SECRET_"
GIVEN_UP = "given up"
_CLOSED = (RequestState.COMPLETED, RequestState.DECOMMISSIONED, RequestState.ABORTED)


class Marks(Protocol):
    """Where sends are recorded beyond the status file (the upstream's journal)."""

    def read(self) -> dict[tuple[str, str], str]: ...

    def add(self, event_id: str, channel: str, at: str) -> None: ...


@dataclass
class Told:
    """What one run told, for apply's output: counts and a line per problem."""

    sent: int = 0
    failed: int = 0
    given_up: int = 0
    changed: set[str] = field(default_factory=set)  # request ids whose status was saved
    lines: list[str] = field(default_factory=list)


@dataclass
class _Run:
    repo: Repository
    config: Notifications
    store: StatusStore
    link: str
    still_held: Callable[[], bool]
    now: dt.datetime
    marks: Marks | None = None
    redactor: Redactor = field(
        default_factory=lambda: Redactor.from_environment(secret_variables())
    )
    recorded: dict[str, dict[str, str]] = field(default_factory=dict)  # event -> channel -> at
    told: Told = field(default_factory=Told)
    broken: set[str] = field(default_factory=set)  # channels that failed in this run
    unset: dict[str, int] = field(default_factory=dict)  # channel -> messages left waiting

    def redact(self, message: Message) -> Message:
        """Outputs and errors were masked when recorded; a secret set since is masked too."""
        return Message(self.redactor(message.title), self.redactor(message.body), message.event_id)


def tell(
    repo: Repository,
    *,
    still_held: Callable[[], bool] = lambda: True,
    environ: Mapping[str, str] | None = None,
    marks: Marks | None = None,
) -> Told:
    """Record missed lead-time targets, then send every event not yet sent. `marks`: the
    upstream's journal, read first (what a killed run sent) and written after each send."""
    env = os.environ if environ is None else environ
    run = _Run(
        repo, repo.config.notifications, StatusStore(repo.root), status_link(repo, env),
        still_held, dt.datetime.now(dt.UTC), marks,
    )  # fmt: skip
    if marks is not None and run.config.configured:
        for (event_id, channel), at in marks.read().items():
            run.recorded.setdefault(event_id, {})[channel] = at
    for status in _statuses(run):
        offering = repo.offering(status.target_id)
        if _missed_target(status, offering, run.now) | _recover(run, status):
            run.store.save(status)
            run.told.changed.add(status.request)
        if run.config.configured:
            _tell_request(run, status, offering, env)
    for name, waiting in sorted(run.unset.items()):
        secret = run.config.channels[name].secret
        run.told.lines.append(
            f"notifications: channel {name} not sent here: {SECRET_PREFIX}{secret} is not "
            f"set ({waiting} message(s) left for a run that has it)"
        )
    return run.told


def _statuses(run: _Run) -> Iterator[RequestStatus]:
    """Every readable status; an unreadable one is apply's to report, not ours."""
    if not run.store.folder.is_dir():
        return
    for path in sorted(run.store.folder.glob("*.yaml")):
        try:
            status = run.store.load(path.stem)
        except StatusError:
            continue
        if status is not None:
            yield status


def _recover(run: _Run, status: RequestStatus) -> bool:
    """Marks the journal holds that the status lacks: sent by a run killed before it could
    push its statuses. True when the status took any."""
    taken = False
    for event in status.events:
        for channel, at in run.recorded.get(event.id, {}).items():
            if channel not in event.sent:
                event.sent[channel] = at
                event.errors.pop(channel, None)
                taken = True
    return taken


def _missed_target(status: RequestStatus, offering: Offering | None, now: dt.datetime) -> bool:
    """Record `target-missed` once per revision of an open request older than its item's
    `leadTimeTarget`; True when it was recorded."""
    target = offering.lead_time_target if offering is not None else None
    begun = parse_time(started(status))
    if target is None or begun is None or status.state in _CLOSED:
        return False
    if (now - begun).total_seconds() <= target:
        return False
    if any(
        e.kind is EventKind.TARGET_MISSED and e.revision == status.revision for e in status.events
    ):
        return False
    status.record_event(EventKind.TARGET_MISSED)
    return True


def _tell_request(
    run: _Run, status: RequestStatus, offering: Offering | None, env: Mapping[str, str]
) -> None:
    teams = owning_teams(run.repo, status, offering)
    request = run.repo.request(status.request)
    email = request.requester.email if request is not None else ""
    for event in status.events:
        for channel in run.config.channels_for(event.kind.value, teams):
            if channel.name in event.sent or event.errors.get(channel.name, "").startswith(
                GIVEN_UP
            ):
                continue
            if _tell_one(run, status, event, channel, offering, env, email):
                run.store.save(status)
                run.told.changed.add(status.request)


def _tell_one(
    run: _Run,
    status: RequestStatus,
    event: Event,
    channel: Channel,
    offering: Offering | None,
    env: Mapping[str, str],
    email: str,
) -> bool:
    """Send `event` to `channel` if it is due; True when the event changed (sent, failed
    or given up) and must be saved before anything else is sent."""
    name = channel.name
    age = _age(event, run.now)
    if age is None or age > run.config.max_age:
        if name not in event.errors:
            return False  # from before notifications were switched on: not sent, no flood
        hours = int(run.config.max_age // 3600)
        event.errors[name] = f"{GIVEN_UP} after {hours} hours: {event.errors[name]}"
        run.told.given_up += 1
        run.told.lines.append(f"notifications: {event.id} to {name}: {event.errors[name]}")
        return True
    url = env.get(SECRET_PREFIX + channel.secret, "")
    if not url:
        run.unset[name] = run.unset.get(name, 0) + 1
        return False
    if name in run.broken or not run.still_held():
        return False  # failed once this run (or the lease went): the next run tries again
    if channel.to_requester and not email:
        event.errors[name] = f"{GIVEN_UP}: the request file is gone, so its requester is unknown"
        return True
    link = run.link.replace("{id}", status.request)
    message = run.redact(compose(status, event, offering, link))
    failure = send(url, message, to=email if channel.to_requester else "")
    if failure:
        event.errors[name] = f"{now_text()}: {failure}"
        run.broken.add(name)
        run.told.failed += 1
        run.told.lines.append(
            f"notifications: {event.id} not sent to {name}: {failure}; the next run tries again"
        )
        return True
    event.sent[name] = now_text()
    event.errors.pop(name, None)
    run.told.sent += 1
    run.store.save(status)  # the mark first where it is quickest, then on the upstream
    if run.marks is not None:
        run.marks.add(event.id, name, event.sent[name])
    return True


def _age(event: Event, now: dt.datetime) -> float | None:
    at = parse_time(event.at)
    return (now - at).total_seconds() if at is not None else None


def owning_teams(repo: Repository, status: RequestStatus, offering: Offering | None) -> set[str]:
    """The request's owning teams: its offering's owner, its bundle components' owners, and
    the teams its tasks were handed to."""
    teams = {t.owner_team for t in status.tasks if t.owner_team}
    if offering is not None:
        teams.add(offering.owner.team)
    for component in offering.components if isinstance(offering, Bundle) else ():
        item = repo.item(component.catalog_item)
        if item is not None:
            teams.add(item.owner.team)
    return teams


def status_link(repo: Repository, env: Mapping[str, str]) -> str:
    """The request's status file on the repository's web page, as `{id}` to fill in; ''
    when pac.yaml's `repository.url` (or, in CI, GitHub Actions' variables) gives none."""
    config = repo.config
    base = config.repository_url.strip().rstrip("/")
    if not base and env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY"):
        base = f"{env['GITHUB_SERVER_URL'].rstrip('/')}/{env['GITHUB_REPOSITORY']}"
    if not base or not web_address(base):
        return ""
    branch = config.repository_branch or "main"
    return f"{base}/blob/{branch}/{REQUESTS}/{STATUS_DIR}/{{id}}.yaml"
