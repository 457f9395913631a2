"""Discovery: listing, searching and describing catalog offerings (`pac catalog …`).

Everything here is plain data (dicts and dataclasses) so the same facts feed the terminal
tables, the JSON/YAML output for scripts, and the exported static site.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pac.authoring.plain import steps_in_words
from pac.documents.action_types import action_kind
from pac.documents.files import Role
from pac.documents.layout import BUNDLES
from pac.documents.model import Action, Bundle, CatalogItem, Field, Offering
from pac.documents.repository import Repository
from pac.documents.suggestions import did_you_mean, suggestion_hint
from pac.errors import UsageError

KINDS = {"item": "CatalogItem", "bundle": "CatalogBundle"}


@dataclass(frozen=True)
class Summary:
    id: str
    kind: str  # CatalogItem or CatalogBundle
    name: str
    category: str
    team: str
    contact: str
    version: str
    fulfilment: str  # manual, automatic, or bundle
    description: str
    tags: tuple[str, ...] = ()
    deprecated: str = ""
    custom: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "category": self.category,
            "owner": {"team": self.team, "contact": self.contact},
            "version": self.version,
            "fulfilment": self.fulfilment,
            "description": self.description,
            "tags": list(self.tags),
            "deprecated": self.deprecated,
        }


def summarise(offering: Offering) -> Summary:
    if isinstance(offering, Bundle):
        fulfilment = "bundle"
    else:
        assert isinstance(offering, CatalogItem)
        fulfilment = offering.mode
    return Summary(
        id=offering.id,
        kind=offering.kind,
        name=offering.name,
        category=offering.category,
        team=offering.owner.team,
        contact=offering.owner.contact,
        version=offering.version,
        fulfilment=fulfilment,
        description=" ".join(offering.description.split()),
        tags=offering.tags,
        deprecated=offering.deprecated.reason if offering.deprecated else "",
        custom=offering.custom,
    )


def offerings(repo: Repository) -> list[Offering]:
    """Every valid item and bundle, by id."""
    found: list[Offering] = [*repo.items(), *repo.bundles()]
    return sorted(found, key=lambda o: o.id)


def unreadable(repo: Repository) -> list[str]:
    """Item and bundle files left out of listings and exports because they have errors."""
    found = []
    for role in (Role.ITEM, Role.BUNDLE):
        for path in repo.files(role):
            loaded = repo.load(path)
            if loaded.model is None:
                found.append(loaded.display)
    return sorted(found)


def outside(repo: Repository) -> list[str]:
    """Item and bundle files outside the folders pac reads, so no listing shows them."""
    return [
        repo.display(path)
        for path in repo.outside_documents()
        if repo.outside_kind(path) in ("CatalogItem", "CatalogBundle")
    ]


def summaries(
    repo: Repository,
    category: str | None = None,
    owner: str | None = None,
    kind: str | None = None,
) -> list[Summary]:
    wanted_kind = _kind(kind)
    rows = [summarise(o) for o in offerings(repo)]
    if category:
        known = sorted(c.id for c in repo.categories.categories)
        if category not in known:
            raise UsageError(
                f"--category {category!r} is not a category",
                suggestion_hint(category, known, "Categories"),
            )
        rows = [r for r in rows if r.category == category]
    if owner:
        needle = owner.lower()
        teams = sorted({r.team for r in rows} | {c.team for c in repo.categories.categories})
        contacts = {r.contact for r in rows} | {c.contact for c in repo.categories.categories}
        if not any(needle in known.lower() for known in [*teams, *contacts]):
            raise UsageError(
                f"--owner {owner!r} matches no team or contact",
                suggestion_hint(owner, teams, "Teams"),
            )
        rows = [r for r in rows if needle in r.team.lower() or needle in r.contact.lower()]
    if wanted_kind:
        rows = [r for r in rows if r.kind == wanted_kind]
    return rows


def _kind(kind: str | None) -> str:
    if not kind:
        return ""
    lowered = kind.lower()
    for short, full in KINDS.items():
        if lowered in (short, full.lower(), f"{short}s"):
            return full
    raise UsageError(f"--kind {kind!r} is not item or bundle", "Use --kind item or --kind bundle.")


# --- search ----------------------------------------------------------------------------

_WEIGHTS = {"id": 6.0, "name": 5.0, "tags": 4.0, "custom": 2.0, "description": 1.0}
_WORD = re.compile(r"[a-z0-9]+")


def _fields(summary: Summary) -> dict[str, str]:
    custom = " ".join(f"{k} {v}" for k, v in summary.custom.items())
    return {
        "id": summary.id.replace("-", " "),
        "name": summary.name,
        "tags": " ".join(summary.tags),
        "custom": custom,
        "description": summary.description,
    }


# Where a word was found, as `pac catalog search` names it.
_PLACES = {
    "id": "id",
    "name": "name",
    "tags": "tags",
    "custom": "metadata",
    "description": "description",
}


def found_in(summary: Summary, text: str) -> list[str]:
    """Where the words of `text` appear in an offering (id, name, tags, metadata,
    description): what its rank in a search rests on, in words."""
    words = _WORD.findall(text.lower())
    places = []
    for name, haystack in _fields(summary).items():
        lowered = haystack.lower()
        if any(word in lowered for word in words):
            places.append(_PLACES[name])
    return places


def search(repo: Repository, text: str) -> list[tuple[float, Summary]]:
    """Offerings matching every word of `text`, best first.

    A word scores for every place it is found (id and name count most, then tags, custom
    metadata and description), more for whole words than for prefixes.
    """
    words = _WORD.findall(text.lower())
    if not words:
        raise UsageError("the search text has no words", "For example: pac catalog search postgres")
    results = []
    for summary in (summarise(o) for o in offerings(repo)):
        haystacks = {k: v.lower() for k, v in _fields(summary).items()}
        tokens = {k: set(_WORD.findall(v)) for k, v in haystacks.items()}
        score = 0.0
        for word in words:
            found = 0.0
            for name, weight in _WEIGHTS.items():  # every place a word is found counts
                if word in tokens[name]:
                    found += weight
                elif any(token.startswith(word) for token in tokens[name]):
                    found += weight * 0.6
                elif word in haystacks[name]:
                    found += weight * 0.3
            if found == 0:
                break
            score += found
        else:
            if summary.deprecated:
                score *= 0.5  # still findable, but after what replaces it
            results.append((round(score, 2), summary))
    results.sort(key=lambda pair: (-pair[0], pair[1].id))
    return results


# --- describing one offering ---------------------------------------------------------------


def find(repo: Repository, offering_id: str) -> Offering:
    offering = repo.offering(offering_id)
    if offering is not None:
        return offering
    loaded = repo.offering_file(offering_id)
    if loaded is not None:
        raise UsageError(
            f"{offering_id} has errors, so it is not shown",
            f"Run `pac validate {loaded.display}` (owner: {repo.owner_hint(loaded)}).",
        )
    known = [*repo.index(Role.ITEM), *repo.index(Role.BUNDLE)]
    suggestions = [did_you_mean(offering_id, known)]
    if not suggestions[0]:
        # Not a near miss of a whole id: a part of one ("postgres"), perhaps misspelt.
        words = " ".join(_WORD.findall(offering_id.lower()))
        found = search(repo, corrected(repo, words) or words) if words else []
        suggestions = [summary.id for _, summary in found[:3]]
    raise UsageError(
        f"{offering_id} is not in the catalog",
        f"Did you mean {' or '.join(suggestions)}?"
        if any(suggestions)
        else "`pac catalog search WORDS` finds ids.",
    )


def corrected(repo: Repository, text: str) -> str:
    """`text` with each word that appears nowhere in the catalog replaced by the closest
    word that does (`postgress` -> `postgres`); "" when there is nothing to correct."""
    vocabulary: set[str] = set()
    for summary in (summarise(o) for o in offerings(repo)):
        for value in _fields(summary).values():
            vocabulary.update(_WORD.findall(value.lower()))
    words = _WORD.findall(text.lower())
    fixed = [
        word
        if any(word in token for token in vocabulary)
        else (difflib.get_close_matches(word, sorted(vocabulary), n=1, cutoff=0.75) or [word])[0]
        for word in words
    ]
    return " ".join(fixed) if fixed != words else ""


def search_or_corrected(repo: Repository, text: str) -> tuple[list[tuple[float, Summary]], str]:
    """What `search` finds for `text`; when it finds nothing, what it finds for the
    corrected words instead, with them ("" when no correction was used)."""
    found = search(repo, text)
    instead = "" if found else corrected(repo, text)
    if instead:
        found = search(repo, instead)
    return found, instead


_RULE_WORDS = (
    ("minLength", "at least {} characters"),
    ("maxLength", "at most {} characters"),
    ("min", "from {}"),
    ("max", "up to {}"),
    ("step", "in steps of {}"),
    ("minItems", "at least {} chosen"),
    ("maxItems", "at most {} chosen"),
)
_TYPE_WORDS = {
    "password": "the name of a CI secret, never the secret",
    "email": "an email address",
    "date": "a date, YYYY-MM-DD",
}


def field_rules(field_def: Field) -> list[str]:
    """The field's rules in plain words."""
    rules = field_def.validation
    out = []
    if "pattern" in rules and field_def.type == "string":
        out.append(f"matches {rules['pattern']}")
    out += [words.format(rules[key]) for key, words in _RULE_WORDS if key in rules]
    if "types" in rules:
        out.append("a ." + " or .".join(str(t).lstrip(".") for t in rules["types"]) + " file")
    if "maxSize" in rules:
        out.append(f"at most {rules['maxSize']:,} bytes")
    if field_def.type in _TYPE_WORDS:
        out.append(_TYPE_WORDS[field_def.type])
    return out


def _field_dict(field_def: Field, group_id: str) -> dict[str, Any]:
    return {
        "id": field_def.id,
        "path": f"{group_id}.{field_def.id}" if group_id else field_def.id,
        "name": field_def.name,
        "type": field_def.type,
        "required": field_def.required,
        "default": field_def.default if field_def.has_default else None,
        "choices": list(field_def.enum) if field_def.enum else [],
        "rules": field_rules(field_def),
        "description": field_def.description,
    }


def step_in_words(action: Action) -> str:
    """One action as a sentence a developer understands."""
    kind = action_kind(action.type)
    if kind is None or not kind.runnable:
        return f"{action.type} (not yet supported by pac apply)"
    return kind.in_words(action.name, action.config)


def users(repo: Repository) -> dict[str, list[str]]:
    """item id -> the bundles that contain it (computed once for a whole catalog)."""
    found: dict[str, list[str]] = {}
    for bundle in sorted(repo.bundles(), key=lambda b: b.id):
        for component in bundle.components:
            found.setdefault(component.catalog_item, [])
            if bundle.id not in found[component.catalog_item]:
                found[component.catalog_item].append(bundle.id)
    return found


def describe(
    repo: Repository, offering: Offering, used_by: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    """Everything `pac catalog show` presents, as data."""
    summary = summarise(offering)
    data: dict[str, Any] = summary.as_dict()
    data["description"] = offering.description.strip()
    data["customMetadata"] = dict(offering.custom)
    if offering.lead_time_target is not None:
        data["leadTimeTarget"] = offering.metadata["leadTimeTarget"]
    if offering.deprecated is not None:
        data["deprecated"] = {
            "reason": offering.deprecated.reason,
            "replacedBy": offering.deprecated.replaced_by,
        }
    data["form"] = {
        "name": _field_dict(offering.form.name_field, ""),
        "groups": [
            {
                "id": group.id,
                "name": group.name,
                "description": group.description,
                "fields": [_field_dict(f, group.id) for f in group.fields],
            }
            for group in offering.form.groups
        ],
    }
    if isinstance(offering, CatalogItem):
        data["steps"] = {
            "strategy": offering.mode,
            "automatic": [step_in_words(a) for a in offering.automatic],
            "manual": [step_in_words(a) for a in offering.manual],
            # Day 2 (SPEC §6.6), in the current strategy: what a change and a decommission do.
            "update": [
                step_in_words(a) for a in offering.day_two.get((offering.mode, "update"), ())
            ],
            "decommission": [
                step_in_words(a) for a in offering.day_two.get((offering.mode, "decommission"), ())
            ],
        }
        containing = used_by if used_by is not None else users(repo)
        data["usedBy"] = list(containing.get(offering.id, []))
    else:
        assert isinstance(offering, Bundle)
        components = []
        for component in offering.ordered_components():
            item = repo.item(component.catalog_item)
            components.append(
                {
                    "id": component.id,
                    "catalogItem": component.catalog_item,
                    "name": item.name if item else component.catalog_item,
                    "team": item.owner.team if item else "",
                    "dependsOn": list(component.depends_on),
                    "steps": [step_in_words(a) for a in item.actions()] if item else [],
                }
            )
        data["components"] = components
    # Steps as a developer reads them: what the template values stand for, not their source.
    return steps_in_words(data, repo, offering)


def categories(repo: Repository) -> list[dict[str, Any]]:
    """The registry with counts, for the category browser."""
    counts: dict[str, dict[str, int]] = {}
    for summary in (summarise(o) for o in offerings(repo)):
        entry = counts.setdefault(summary.category, {"items": 0, "bundles": 0})
        entry["bundles" if summary.kind == "CatalogBundle" else "items"] += 1
    out = []
    for category in sorted(repo.categories.categories, key=lambda c: c.id):
        numbers = counts.get(category.id, {"items": 0, "bundles": 0})
        out.append(
            {
                "id": category.id,
                "name": category.name,
                "idPrefix": category.id_prefix,
                "description": category.description,
                "owner": {"team": category.team, "contact": category.contact},
                "codeowners": list(category.codeowners),
                "items": numbers["items"],
                "bundles": numbers["bundles"],
                "isBundles": category.id == BUNDLES,
            }
        )
    return out


def as_rows(items: Iterable[Summary]) -> list[list[str]]:
    return [
        [
            s.id,
            s.name,
            s.category,
            s.team,
            s.version,
            s.fulfilment + (" (deprecated)" if s.deprecated else ""),
        ]
        for s in items
    ]
