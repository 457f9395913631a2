"""What a developer reads about an offering, in words: template expressions in its steps
("What happens") and the labels of its custom metadata, where the catalog holds code."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pac.documents.model import Form, Offering
from pac.documents.repository import Repository

_EXPRESSION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_STATEMENT = re.compile(r"\{%-?.*?-?%\}", re.S)
_REFERENCE = re.compile(r"\.[A-Za-z_][\w.-]*")

# `.system` values a developer knows by another name.
_SYSTEM = {
    "requestId": "the request id",
    "user.email": "your email",
    "user.name": "your name",
    "platform.region": "the platform's region",
    "correlationId": "a tracking id",
    "operation": "create, update or decommission",
    "revision": "the revision number",
}


def _words(words: str) -> str:
    """`databaseEndpoint` as `database endpoint`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", words).replace("-", " ").lower()


def _current(form: Form | None, parts: list[str]) -> str:
    if form is not None and parts == ["name"]:
        return form.name_field.name
    group = form.group(parts[0]) if form is not None and len(parts) == 2 else None
    field = group.field(parts[1]) if group is not None else None
    return field.name if field is not None else _words(parts[-1])


def _reference(repo: Repository, form: Form | None, reference: str) -> str:
    """One `.namespace.path` as what it stands for, in brackets (a static value as is)."""
    namespace, _, rest = reference.lstrip(".").partition(".")
    parts = rest.split(".") if rest else []
    if namespace == "metadata" and len(parts) == 2:
        offering = repo.offering(parts[0])
        if offering is not None and parts[1] in offering.custom:
            return str(offering.custom[parts[1]])
    named: dict[str, Callable[[], str]] = {
        "current": lambda: f"your {_current(form, parts)}" if parts else "your input",
        "previous": lambda: (
            f"the earlier {_current(form, parts)}" if parts else "the earlier input"
        ),
        "output": lambda: f"the {_words(parts[-1])} from an earlier step" if parts else "",
        "response": lambda: f"the {_words(parts[-1])} in the answer" if parts else "the answer",
        "system": lambda: _SYSTEM.get(rest, f"the request's {_words(parts[-1])}" if parts else ""),
        "secrets": lambda: "a secret from CI",
    }
    said = named.get(namespace, lambda: "")()
    return f"[{said or 'worked out when it runs'}]"


def template_in_words(text: str, repo: Repository, form: Form | None) -> str:
    """`PUT …/{{ .current.name }}` as `PUT …/[your Topic Name]`: no template source."""

    def expression(match: re.Match[str]) -> str:
        found = _REFERENCE.search(match.group(1))
        return _reference(repo, form, found.group(0)) if found else "[worked out when it runs]"

    return _STATEMENT.sub("", _EXPRESSION.sub(expression, text))


def steps_in_words(data: dict[str, Any], repo: Repository, offering: Offering) -> dict[str, Any]:
    """`describe`'s data with every step's template expressions in words."""
    steps = data.get("steps")
    if isinstance(steps, dict):
        for key, listed in steps.items():
            if isinstance(listed, list):
                steps[key] = [template_in_words(s, repo, offering.form) for s in listed]
    for component in data.get("components", []):
        item = repo.item(component["catalogItem"])
        form = item.form if item is not None else None
        component["steps"] = [template_in_words(s, repo, form) for s in component["steps"]]
    return data


_UNITS = {"minutes": "minutes", "hours": "hours", "days": "days", "seconds": "seconds"}
_ACRONYMS = {"sla": "SLA", "id": "id", "url": "URL", "kms": "KMS", "arn": "ARN", "api": "API"}


def fact(key: str, value: Any, shown: str) -> tuple[str, str]:
    """A custom metadata row as (label, value): `estimatedMinutes: 20` as
    (`Estimated time`, `about 20 minutes`), `slaDays: 2` as (`SLA`, `2 days`)."""
    words = [_ACRONYMS.get(w, w) for w in _words(key).split()]
    unit = _UNITS.get(words[-1]) if len(words) > 1 else None
    if unit and isinstance(value, int | float) and not isinstance(value, bool):
        words = words[:-1]
        estimate = words == ["estimated"]
        label = "Estimated time" if estimate else " ".join(words)
        amount = f"{value:g} {unit[:-1] if value == 1 else unit}"
        return label[:1].upper() + label[1:], ("about " if estimate else "") + amount
    label = " ".join(words)
    return label[:1].upper() + label[1:], shown
