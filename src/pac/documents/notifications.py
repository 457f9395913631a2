"""pac.yaml's `notifications:` section (SPEC §6.7): which events go to which channels.

A channel is a secret reference to an apprise URL (Slack, Microsoft Teams, email, a
webhook): such URLs carry tokens, so pac.yaml names the CI secret, never the URL. A route
sends some event kinds, optionally only for requests some teams own, to some channels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Retried each run until this old; then given up (and said so). Also the age past which
# events recorded before notifications were switched on are not sent: no flood.
DEFAULT_MAX_AGE = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Channel:
    name: str
    secret: str  # the CI secret holding the apprise URL, '' when pac.yaml wrote no secretRef
    to_requester: bool = False  # an email channel: the request's requester is added as `to`
    plain: bool = False  # pac.yaml holds a plain URL here: refused, never used


@dataclass(frozen=True, slots=True)
class Route:
    events: tuple[str, ...]
    channels: tuple[str, ...]
    teams: tuple[str, ...] = ()  # empty: every request; else requests these teams own

    def wants(self, kind: str, teams: set[str]) -> bool:
        return kind in self.events and (not self.teams or bool(teams & set(self.teams)))


@dataclass(frozen=True)
class Notifications:
    channels: Mapping[str, Channel] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    max_age: float = DEFAULT_MAX_AGE

    @property
    def configured(self) -> bool:
        return bool(self.channels and self.routes)

    def channels_for(self, kind: str, teams: set[str]) -> list[Channel]:
        """The usable channels routed `kind` of a request owned by `teams`, each once."""
        names: list[str] = []
        for route in self.routes:
            if route.wants(kind, teams):
                names += [n for n in route.channels if n not in names]
        found = (self.channels.get(n) for n in names)
        return [c for c in found if c is not None and c.secret and not c.plain]


def build_notifications(data: Any) -> Notifications:
    """From schema-checked YAML; what cannot work is reported by `pac validate`, and such
    channels and route entries are left out rather than guessed at."""
    if not isinstance(data, Mapping):
        return Notifications()
    channels: dict[str, Channel] = {}
    for name, given in (data.get("channels") or {}).items():
        spec = given if isinstance(given, Mapping) else {}
        url = spec.get("url")
        secret = url.get("secretRef", "") if isinstance(url, Mapping) else ""
        channels[str(name)] = Channel(
            str(name),
            str(secret),
            to_requester=spec.get("to") == "requester",
            plain=isinstance(url, str),
        )
    routes = tuple(
        Route(
            tuple(str(e) for e in route.get("events") or ()),
            tuple(str(c) for c in route.get("channels") or ()),
            tuple(str(t) for t in route.get("teams") or ()),
        )
        for route in data.get("routes") or ()
        if isinstance(route, Mapping)
    )
    hours = data.get("retryHours")
    max_age = float(hours) * 3600 if isinstance(hours, int | float) else DEFAULT_MAX_AGE
    return Notifications(channels, routes, max_age)
