from __future__ import annotations

import json

from pac import resources
from pac.documents.config import build_config
from pac.documents.notifications import build_notifications
from pac.records.events import EventKind

SECTION = {
    "channels": {
        "dba-slack": {"url": {"secretRef": "NOTIFY_DBA_SLACK"}},
        "requesters": {"url": {"secretRef": "NOTIFY_EMAIL"}, "to": "requester"},
        "pasted": {"url": "https://hooks.slack.com/services/T/B/X"},
    },
    "routes": [
        {"events": ["completed", "failed"], "channels": ["requesters"]},
        {"events": ["failed"], "teams": ["platform-databases-team"], "channels": ["dba-slack"]},
        {"events": ["failed"], "channels": ["pasted", "requesters", "nowhere"]},
    ],
    "retryHours": 6,
}


def test_the_event_names_pac_yaml_may_route_are_the_event_kinds() -> None:
    # The schema is what checks a route's events (records sit above documents).
    config = json.loads((resources.schema_dir() / "pac-config.json").read_text())
    routes = config["properties"]["notifications"]["properties"]["routes"]
    assert tuple(routes["items"]["properties"]["events"]["items"]["enum"]) == tuple(EventKind)


def test_channels_for_follow_the_routes_and_teams_once_each() -> None:
    notifications = build_notifications(SECTION)
    assert notifications.configured and notifications.max_age == 6 * 3600
    names = [c.name for c in notifications.channels_for("failed", {"platform-databases-team"})]
    # The pasted URL and the undefined channel are never used; requesters once.
    assert names == ["requesters", "dba-slack"]
    assert [c.name for c in notifications.channels_for("failed", {"payments"})] == ["requesters"]
    assert notifications.channels_for("waiting", {"platform-databases-team"}) == []
    assert notifications.channels["requesters"].to_requester
    assert notifications.channels["pasted"].plain and not notifications.channels["pasted"].secret


def test_without_a_section_nothing_is_configured() -> None:
    config = build_config({"schemaVersion": "catalog/v1", "kind": "PacConfig"})
    assert not config.notifications.configured
    assert build_notifications(None).channels_for("completed", set()) == []
