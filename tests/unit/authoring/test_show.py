"""What `pac catalog show` says about an item and a bundle, before any terminal draws it."""

from __future__ import annotations

from pathlib import Path

from pac.authoring import discovery
from pac.authoring.show import Grid, Line, show_parts
from pac.documents.repository import Repository


def _texts(repo: Repository, offering_id: str) -> list[str]:
    data = discovery.describe(repo, discovery.find(repo, offering_id))
    texts: list[str] = []
    for part in show_parts(data):
        if isinstance(part, Line):
            texts.append(part.text)
        else:
            texts += [f"{label}|{text}" for label, text, _ in part.rows]
    return texts


def test_an_item_shows_its_form_then_its_steps(sample_repo: Repository) -> None:
    texts = _texts(sample_repo, "messaging-kafka-topic")
    assert texts[0].startswith("Kafka") or "messaging-kafka-topic" in texts[0]
    form, steps = (
        texts.index("Form"),
        next(i for i, t in enumerate(texts) if t.startswith("What happens (")),
    )
    assert form < steps
    assert any(t.startswith("  name|") for t in texts[form:steps])
    assert texts[steps + 1].startswith("  1.|")


def test_a_bundle_lists_its_components_in_order(sample_repo: Repository) -> None:
    parts = show_parts(
        discovery.describe(sample_repo, discovery.find(sample_repo, "bundle-webapp-standard"))
    )
    heading = next(
        i for i, p in enumerate(parts) if p == Line("What happens, in this order", "bold")
    )
    components = parts[heading + 1 :]
    assert components and all(isinstance(p, Grid) for p in components)
    first = components[0]
    assert isinstance(first, Grid) and first.rows[0][1].count(",") >= 1


def test_live_requests_per_version_follow_the_steps() -> None:
    live = {
        "id": "x",
        "team": "t",
        "catalogVersion": "1.1.0",
        "live": 5,
        "behind": 4,
        "versions": [
            {"version": "1.1.0", "live": 1, "requests": ["a"]},
            {"version": "1.0.0", "live": 4, "requests": ["b", "c", "d", "e"]},
        ],
    }
    parts = show_parts({**_data(), "liveRequests": live})
    texts = [p.text for p in parts if isinstance(p, Line)]
    assert "Live requests: 5 (catalog version 1.1.0, 4 on another version)" in texts
    assert "  `pac upgrade x` marks them for upgrade." in texts
    (grid,) = [p for p in parts if isinstance(p, Grid) and p.rows[0][0] == "  1.1.0:"]
    assert grid.rows[1][:2] == ("  1.0.0:", "4 (b, c, d and 1 more)")
    none = show_parts({**_data(), "liveRequests": {**live, "live": 0, "versions": []}})
    assert none[-1] == Line("Live requests: none")


def _data() -> dict[str, object]:
    from pac.documents.repository import Repository
    from tests.sample import sample_source

    repo = Repository(sample_source())
    return discovery.describe(repo, discovery.find(repo, "messaging-kafka-topic"))


def test_day_two_steps_are_said_for_items_and_bundles(sample_repo: Repository) -> None:
    texts = _texts(sample_repo, "database-aurora-postgresql-standard")
    changed = next(t for t in texts if t.startswith("  When changed:|"))
    assert "Resize the Aurora cluster: PATCH" in changed
    gone = next(t for t in texts if t.startswith("  When decommissioned:|"))
    assert "Delete the Aurora cluster: DELETE" in gone
    bundle = _texts(sample_repo, "bundle-webapp-standard")
    assert "  When decommissioned:|every component, in reverse: app, secrets, database" in bundle


def test_an_item_without_day_two_actions_says_they_are_refused(sample_root: Path) -> None:
    path = sample_root / "catalog/messaging/messaging-kafka-topic.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("    # A changed request: the messaging team")])
    texts = _texts(Repository(sample_root), "messaging-kafka-topic")
    assert "  When changed:|nothing: pac refuses it (no actions for it)" in texts
