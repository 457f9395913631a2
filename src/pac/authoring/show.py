"""What `pac catalog show` prints for an offering, as lines and label grids built from
`discovery.describe()`'s data; the command only draws them on the terminal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pac.documents.durations import in_words, parse_duration


@dataclass(frozen=True)
class Line:
    text: str = ""
    style: str = ""


@dataclass(frozen=True)
class Grid:
    """Rows of (label, text, style); long text wraps under itself, not under the label."""

    rows: list[tuple[str, str, str]]
    first: int  # the label column's least width


Part = Line | Grid


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _heading(data: dict[str, Any]) -> list[Part]:
    owner = data["owner"]
    parts: list[Part] = [
        Line(f"{data['name']} ({data['id']}, {data['kind']} {data['version']})", "bold"),
        Line(data["description"]),
        Line(f"Owner: {owner['team']} <{owner['contact']}>   Category: {data['category']}"),
    ]
    if data["tags"]:
        parts.append(Line("Tags: " + ", ".join(data["tags"])))
    if data.get("leadTimeTarget"):
        promise = in_words(parse_duration(data["leadTimeTarget"]) or 0)
        parts.append(Line(f"Promised lead time: {promise}, from pull request to ready"))
    if data["customMetadata"]:
        details = [
            f"{key}: {value if isinstance(value, str) else _json_text(value)}"
            for key, value in data["customMetadata"].items()
        ]
        parts.append(Grid([("Details:", "; ".join(details), "")], 0))
    if data.get("deprecated"):
        replaced = data["deprecated"].get("replacedBy")
        use = f" Use {replaced} instead." if replaced else ""
        parts.append(Line(f"Deprecated: {data['deprecated']['reason']}{use}", "red"))
    return parts


def _field_rows(entry: dict[str, Any]) -> list[tuple[str, str, str]]:
    facts = [entry["type"]]
    if entry["required"]:
        facts.append("required")
    if entry["default"] is not None:
        facts.append(f"default {_json_text(entry['default'])}")
    rows = [(f"  {entry['path']}", f"{entry['name']} ({', '.join(facts)})", "")]
    rules = list(entry["rules"])
    if entry["choices"]:
        rules.insert(0, "choices: " + ", ".join(map(str, entry["choices"])))
    rows += [("", detail, "dim") for detail in ("; ".join(rules), entry["description"]) if detail]
    return rows


def _form(data: dict[str, Any]) -> list[Part]:
    form = data["form"]
    entries = [form["name"], *(f for g in form["groups"] for f in g["fields"])]
    rows = [row for entry in entries for row in _field_rows(entry)]
    return [Line(), Line("Form", "bold"), Grid(rows, max(len(r[0]) for r in rows)), Line()]


def _item_steps(data: dict[str, Any]) -> list[Part]:
    steps = data["steps"]
    strategy = steps["strategy"]
    numbered = [(f"  {n}.", step, "") for n, step in enumerate(steps[strategy], start=1)]
    parts: list[Part] = [Line(f"What happens ({strategy})", "bold"), Grid(numbered, 4)]
    if strategy == "automatic" and steps["manual"]:
        parts.append(Grid([("  If escalated:", "; ".join(steps["manual"]), "")], 0))
    for key, label in (("update", "  When changed:"), ("decommission", "  When decommissioned:")):
        said = "; ".join(steps.get(key, [])) or "nothing: pac refuses it (no actions for it)"
        parts.append(Grid([(label, said, "")], 0))
    if data["usedBy"]:
        parts.append(Grid([("Used in the bundles:", ", ".join(data["usedBy"]), "")], 0))
    return parts


def _component(component: dict[str, Any]) -> Grid:
    depends = component["dependsOn"]
    after = f" (after {', '.join(depends)})" if depends else ""
    first = (f"  {component['id']}:", f"{component['name']}, {component['team']}{after}", "")
    return Grid([first] + [("", step, "") for step in component["steps"]], 0)


def _bundle_steps(data: dict[str, Any]) -> list[Part]:
    reverse = ", ".join(c["id"] for c in reversed(data["components"]))
    day_two = [
        ("  When changed:", "the components that use a changed field, in this order", ""),
        ("  When decommissioned:", f"every component, in reverse: {reverse}", ""),
    ]
    return [
        Line("What happens, in this order", "bold"),
        *(_component(component) for component in data["components"]),
        Grid(day_two, 0),
    ]


def _short(ids: list[str], shown: int = 3) -> str:
    more = len(ids) - shown
    return ", ".join(ids[:shown]) + (f" and {more} more" if more > 0 else "")


def _live(live: dict[str, Any]) -> list[Part]:
    """Live requests per version (SPEC §6.6): who is still on an older one."""
    if not live["live"]:
        return [Line(), Line("Live requests: none")]
    older = f", {live['behind']} on another version" if live["behind"] else ""
    head = f"Live requests: {live['live']} (catalog version {live['catalogVersion']}{older})"
    rows = [
        (f"  {entry['version']}:", f"{entry['live']} ({_short(entry['requests'])})", "")
        for entry in live["versions"]
    ]
    parts: list[Part] = [Line(), Line(head, "bold"), Grid(rows, 0)]
    if live["behind"]:
        parts.append(Line(f"  `pac upgrade {live['id']}` marks them for upgrade.", "dim"))
    return parts


def show_parts(data: dict[str, Any]) -> list[Part]:
    """The description of `pac catalog show ID`, top to bottom."""
    steps = _item_steps(data) if "steps" in data else _bundle_steps(data)
    live = _live(data["liveRequests"]) if "liveRequests" in data else []
    return [*_heading(data), *_form(data), *steps, *live]
