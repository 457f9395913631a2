"""The JSON Schemas in `schema/`, the versions pac accepts, and structural checking.

The schemas are the single source of truth for document structure; pac runs them as they
are. Checking is two-staged for speed: a compiled validator (fastjsonschema, generated code
cached on disk) answers "valid?" in microseconds, and only an invalid document goes through
the `jsonschema` reference implementation, which lists every error with its path.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import marshal
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pac import resources
from pac.documents.loader import JsonPath, path_text

SCHEMA_FILES = {
    "CatalogItem": "catalog-item.json",
    "CatalogBundle": "catalog-bundle.json",
    "Request": "request.json",
    "CategoryRegistry": "categories.json",
    "PacConfig": "pac-config.json",
}
COMMON_FILE = "common-types.json"


@dataclass(frozen=True, slots=True)
class SchemaFinding:
    """A structural problem at `path` (a key name when `at_key`)."""

    path: JsonPath
    code: str
    message: str
    hint: str
    at_key: bool = False


@dataclass(frozen=True)
class SchemaVersion:
    """One accepted `schemaVersion` and the folder holding its JSON Schemas."""

    name: str
    status: str  # "stable", "previous" (accepted during a transition) or "prerelease"
    directory: Path


class SchemaSet:
    """The schemas of one version, with compiled and reference validators."""

    def __init__(self, version: SchemaVersion) -> None:
        self.version = version
        self._fast: dict[str, Callable[[Any], Any]] = {}

    @cached_property
    def documents(self) -> dict[str, dict[str, Any]]:
        docs: dict[str, dict[str, Any]] = {}
        for name in (COMMON_FILE, *SCHEMA_FILES.values()):
            path = self.version.directory / name
            if path.exists():
                docs[name] = json.loads(path.read_text(encoding="utf-8"))
        return docs

    def kinds(self) -> list[str]:
        return [kind for kind, name in SCHEMA_FILES.items() if name in self.documents]

    def schema(self, kind: str) -> dict[str, Any]:
        return self.documents[SCHEMA_FILES[kind]]

    def check(self, kind: str, data: Any) -> list[SchemaFinding]:
        fast = self._fast.get(kind) or self._compile(kind)
        try:
            fast(data)
        except Exception as exc:  # fastjsonschema.JsonSchemaException and friends
            findings = self._explain(kind, data)
            if findings:
                return findings
            # The reference validator disagrees (regex dialects differ at the edges);
            # never let a document through that the compiled schema rejected.
            message = getattr(exc, "message", str(exc)).replace("data.", "", 1)
            path = _data_path(data, getattr(exc, "path", ["data"])[1:])
            value = _value_at(data, path)
            if isinstance(value, str) and value != value.strip():
                return [
                    SchemaFinding(
                        path,
                        "schema-invalid",
                        f"{_where(path)} {value!r} has a line break or spaces around it",
                        "Write the value on one line, without a `|` or `>` block, so it "
                        "carries no line break.",
                    )
                ]
            return [SchemaFinding(path, "schema-invalid", message, _SCHEMA_HINT)]
        return []

    def _compile(self, kind: str) -> Callable[[Any], Any]:
        code = _compiled_code(self.documents, SCHEMA_FILES[kind])
        namespace: dict[str, Any] = {}
        exec(code, namespace)
        function_name = "validate_" + SCHEMA_FILES[kind].replace("-", "_").replace(".", "_")
        fast: Callable[[Any], Any] = namespace[function_name]
        self._fast[kind] = fast
        return fast

    @cached_property
    def _registry(self) -> Any:
        from referencing import Registry, Resource

        return Registry().with_resources(
            (name, Resource.from_contents(doc)) for name, doc in self.documents.items()
        )

    def reference_validator(self, kind: str) -> Any:
        from jsonschema import Draft7Validator

        return Draft7Validator(self.schema(kind), registry=self._registry)

    def _explain(self, kind: str, data: Any) -> list[SchemaFinding]:
        validator = self.reference_validator(kind)
        findings: list[SchemaFinding] = []
        for error in validator.iter_errors(data):
            findings.extend(_convert(error, self._describe))
        return [_category_hint(kind, finding) for finding in findings]

    def _describe(self, subschema: dict[str, Any]) -> str:
        """The description (or title) of a schema, following a `$ref` if there is one."""
        ref = subschema.get("$ref")
        if isinstance(ref, str):
            name, _, pointer = ref.partition("#")
            candidates = (
                [self.documents[name]] if name in self.documents else self.documents.values()
            )
            for document in candidates:
                target: Any = document
                for step in pointer.strip("/").split("/") if pointer.strip("/") else []:
                    target = target.get(step) if isinstance(target, dict) else None
                if isinstance(target, dict):
                    subschema = target
                    break
        return str(subschema.get("description") or subschema.get("title") or "")


# Keys of the seed's format (docs/migration.md) and pac's name for each.
_SEED_KEYS = {"presentation": "input", "form-data": "form"}


def _seed_hint(path: JsonPath, key: str, allowed: set[str]) -> str:
    """Advice for a key written as the seed's format has it (docs/migration.md)."""
    if key == "enum" and path and path[-1] == "validation":
        return (
            "In pac `enum` is a key of the field, beside `type:`, not of its validation "
            "(where the seed put it): move it up one level."
        )
    if key in ("config", "outputs") and len(path) == 2 and path[0] == "components":
        return (
            f"A component has no `{key}` in pac: every component reads the bundle's form as "
            ".current, and an action's `outputs` pass values on as .output (see "
            "docs/migration.md)."
        )
    if _SEED_KEYS.get(key) in allowed:
        return (
            f"`{key}:` is the seed's name for it: in pac write `{_SEED_KEYS[key]}:` "
            "(see docs/migration.md)."
        )
    return ""


_CATEGORY_HINTS = {
    # The shared metadata definition describes `category` as any kebab-case id, whose
    # example is an item id: say what the value really is for each kind.
    "CatalogBundle": "Add `category: bundles`: every bundle's category is bundles, and its "
    "file lives in catalog/bundles/.",
    "CatalogItem": "Add `category:` naming the folder the item is in, e.g. `category: "
    "databases` for catalog/databases/ (the folders are registered in catalog/categories.yaml).",
}


def _category_hint(kind: str, finding: SchemaFinding) -> SchemaFinding:
    if finding.code != "schema-required" or finding.path != ("metadata",):
        return finding
    if not finding.message.startswith("missing required key 'category'"):
        return finding
    hint = _CATEGORY_HINTS.get(kind)
    return replace(finding, hint=hint) if hint else finding


def _value_at(data: Any, path: JsonPath) -> Any:
    for step in path:
        data = data[step]
    return data


def _data_path(data: Any, steps: list[str]) -> JsonPath:
    """fastjsonschema names list indexes as strings; turn them back into ints."""
    path: list[str | int] = []
    current = data
    for step in steps:
        if isinstance(current, list) and step.isdigit() and int(step) < len(current):
            path.append(int(step))
            current = current[int(step)]
        elif isinstance(current, dict) and step in current:
            path.append(step)
            current = current[step]
        else:
            break
    return tuple(path)


def _compiled_code(documents: dict[str, dict[str, Any]], name: str) -> Any:
    """Generated validator code for one schema, cached on disk by content and versions."""
    import fastjsonschema

    digest = hashlib.sha256()
    digest.update(f"{fastjsonschema.VERSION} {sys.version} {name}".encode())
    for doc_name in sorted(documents):
        digest.update(doc_name.encode())
        digest.update(json.dumps(documents[doc_name], sort_keys=True).encode())
    cache = resources.cache_dir() / "schemas" / f"{digest.hexdigest()[:24]}.marshal"
    try:
        return marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    source = fastjsonschema.compile_to_code(
        documents[name], handlers={"": lambda uri: documents[uri.split("#")[0]]}
    )
    code = compile(source, f"<schema {name}>", "exec")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temp = cache.with_suffix(f".{os.getpid()}.tmp")
        temp.write_bytes(marshal.dumps(code))
        temp.replace(cache)
    except OSError:
        pass  # a read-only home only costs the compile time again
    return code


@dataclass
class SchemaRegistry:
    """The document versions pac accepts."""

    versions: dict[str, SchemaVersion] = field(default_factory=dict)
    _sets: dict[str, SchemaSet] = field(default_factory=dict, repr=False)

    def add(self, version: SchemaVersion) -> None:
        self.versions[version.name] = version

    def get(self, name: str) -> SchemaSet | None:
        if name not in self.versions:
            return None
        if name not in self._sets:
            self._sets[name] = SchemaSet(self.versions[name])
        return self._sets[name]

    @property
    def stable(self) -> str:
        return next(v.name for v in self.versions.values() if v.status == "stable")

    def describe(self) -> str:
        """`catalog/v1 (stable)` style list for messages."""
        return ", ".join(f"{v.name} ({v.status})" for v in self.versions.values())


STABLE_VERSION = "catalog/v1"


def default_registry() -> SchemaRegistry:
    """The versions this release of pac supports.

    To start a transition to a new version, put its schemas in `schema/<version>/` (for
    example `schema/v2/`), add it here as "prerelease" or "stable", and mark the old one
    "previous"; documents of both versions are then accepted until the old entry is removed.
    """
    registry = SchemaRegistry()
    registry.add(SchemaVersion(STABLE_VERSION, "stable", resources.schema_dir()))
    return registry


# --- turning jsonschema errors into findings -------------------------------------------

_SCHEMA_HINT = "Compare the document with the schema in schema/ or a sample under catalog/."
_PATTERN_CODES = {
    "kebab-case id": "naming-kebab-case",
    "camelCase id": "naming-camel-case",
    "JIRA project key": "naming-jira-project",
    "semantic version": "schema-format",
    "email address": "schema-format",
    "GitHub handle": "schema-format",
}
_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "nothing",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _sentence(text: str, fallback: str) -> str:
    if not text:
        return fallback
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _where(path: JsonPath) -> str:
    return path_text(path) or "the document"


def _respelled(value: Any, title: str, pattern: str) -> str:
    """`Cost_center` as the camelCase id `costCenter`, or as the kebab-case id
    `cost-center`, when that spelling is valid; "" when there is none to offer."""
    if not isinstance(value, str) or title not in ("camelCase id", "kebab-case id"):
        return ""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", value)
    parts = [w for w in re.split(r"[^A-Za-z0-9]+", words) if w]
    if not parts:
        return ""
    if title == "camelCase id":
        fixed = parts[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in parts[1:])
    else:
        fixed = "-".join(w.lower() for w in parts)
    try:
        valid = re.fullmatch(pattern, fixed) is not None
    except re.error:
        return ""
    return fixed if valid and fixed != value else ""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    options = sorted(choices)
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = word.lower()
    for option in options:  # case slips and abbreviations: PROD, production -> prod
        if option.lower() == lowered or (
            len(option) >= 3
            and (lowered.startswith(option.lower()) or option.lower().startswith(lowered))
        ):
            return option
    return ""


def suggestion_hint(word: str, options: Iterable[str], listing: str) -> str:
    """ "Did you mean X? <listing>: a, b, c." for a name that is not one of `options`."""
    choices = list(options)
    suggestion = did_you_mean(word, choices)
    return (f"Did you mean {suggestion}? " if suggestion else "") + (
        f"{listing}: {', '.join(choices)}."
    )


def _convert(error: Any, describe: Callable[[dict[str, Any]], str]) -> list[SchemaFinding]:
    path: JsonPath = tuple(error.absolute_path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance

    if keyword == "required":
        missing = [k for k in error.validator_value if k not in instance]
        findings = []
        for key in missing:
            if (path, key) == (("fulfillment",), "automatic"):
                findings.append(
                    SchemaFinding(
                        path,
                        "fulfillment-automatic",
                        "strategy mode is automatic but there are no automatic actions",
                        "Add `automatic: {actions: [...]}` with the API calls, or set "
                        "`strategy: {mode: manual}` until the automation is ready.",
                    )
                )
                continue
            about = describe(schema.get("properties", {}).get(key, {}))
            hint = f"Add `{key}:`" + (f" ({about})." if about else ".")
            if path[:2] == ("input", "form") or path == ("input",):
                hint += " See templates/ for a complete example."
            findings.append(
                SchemaFinding(
                    path,
                    "schema-required",
                    f"missing required key '{key}' in {_where(path)}",
                    hint,
                )
            )
        return findings

    if keyword == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extras = [k for k in instance if k not in allowed]
        findings = []
        for key in extras:
            suggestion = did_you_mean(key, allowed)
            seed = _seed_hint(path, key, allowed)
            if seed:
                hint = seed
            elif suggestion:
                hint = f"Did you mean '{suggestion}'?"
            elif allowed:
                hint = "Allowed keys here: " + ", ".join(sorted(allowed)) + "."
            else:
                hint = "No keys are allowed here."
            findings.append(
                SchemaFinding(
                    (*path, key),
                    "schema-unknown-key",
                    f"unknown key '{key}' in {_where(path)}",
                    hint,
                    at_key=True,
                )
            )
        return findings

    if keyword == "type":
        expected = error.validator_value
        expected_list = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in expected_list)
        actual = _json_type(instance)
        hint = f"Write {wanted} here."
        if "string" in expected_list and actual in ("number", "integer", "boolean", "null"):
            hint = f"YAML read {_show(instance)} as {_TYPE_NAMES[actual]}; put it in quotes."
            about = describe(schema)
            if about:
                hint += f" It must be {about}."
        return [
            SchemaFinding(
                path,
                "schema-type",
                f"{_where(path)} must be {wanted}, not {_TYPE_NAMES.get(actual, actual)}",
                hint,
            )
        ]

    if keyword in ("enum", "const"):
        options = error.validator_value if keyword == "enum" else [error.validator_value]
        if path[:2] == ("input", "form") and len(path) in (3, 4):
            return [
                SchemaFinding(
                    path,
                    "form-name-field",
                    f"the top-level name field's {path_text(path[2:])} must be "
                    f"{_show(options[0])}, not {_show(instance)}",
                    "Every form starts with the reserved name field: `type: string`, "
                    "`required: true`, `validation: {pattern: "
                    '"^[a-z][a-z0-9-]{2,28}[a-z0-9]$"}`.',
                )
            ]
        shown = ", ".join(str(o) for o in options)
        suggestion = did_you_mean(str(instance), [str(o) for o in options])
        hint = f"Did you mean '{suggestion}'?" if suggestion else f"Use one of: {shown}."
        return [
            SchemaFinding(
                path,
                "schema-value",
                f"{_where(path)} is {_show(instance)}; it must be "
                + (f"one of: {shown}" if len(options) > 1 else shown),
                hint,
            )
        ]

    if keyword == "pattern":
        title = schema.get("title", "")
        description = schema.get("description", "")
        code = _PATTERN_CODES.get(title, "schema-pattern")
        at_key = _names_a_key(error)
        target = (*path, instance) if at_key else path
        what = f"the key '{instance}'" if at_key else f"{_where(path)} {_show(instance)}"
        hint = _sentence(description, f"Write a value matching {error.validator_value}.")
        fixed = _respelled(instance, title, str(error.validator_value))
        if fixed:
            hint = f"Write it as '{fixed}': {hint[0].lower()}{hint[1:]}"
        return [
            SchemaFinding(
                target,
                code,
                f"{what} is not a valid {title}"
                if title
                else f"{what} does not match {error.validator_value}",
                hint,
                at_key=at_key,
            )
        ]

    if keyword in ("minLength", "maxLength"):
        length = len(instance) if isinstance(instance, str) else 0
        bound = error.validator_value
        relation = "at least" if keyword == "minLength" else "at most"
        return [
            SchemaFinding(
                path,
                "schema-length",
                f"{_where(path)} is {length} characters long; it must be {relation} {bound}",
                _sentence(schema.get("description", ""), "Adjust the length."),
            )
        ]

    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }[keyword]
        return [
            SchemaFinding(
                path,
                "schema-range",
                f"{_where(path)} is {_show(instance)}; it must be {relation} "
                f"{error.validator_value}",
                "Choose a value in range.",
            )
        ]

    if keyword in ("minItems", "maxItems"):
        relation = "at least" if keyword == "minItems" else "at most"
        count = error.validator_value
        return [
            SchemaFinding(
                path,
                "schema-range",
                f"{_where(path)} must have {relation} {count} entr{'y' if count == 1 else 'ies'}",
                "Add entries to the list." if keyword == "minItems" else "Shorten the list.",
            )
        ]

    if keyword == "uniqueItems":
        return [
            SchemaFinding(
                path,
                "schema-duplicate",
                f"{_where(path)} lists the same value more than once",
                "Remove the repeated entries.",
            )
        ]

    if keyword == "oneOf" and path == () and isinstance(instance, dict):
        both = "catalogItemId" in instance and "bundleId" in instance
        return [
            SchemaFinding(
                (),
                "request-target",
                "a request names both catalogItemId and bundleId"
                if both
                else "a request must name what it asks for: catalogItemId or bundleId",
                "Keep exactly one of `catalogItemId:` (a single offering) or `bundleId:` "
                "(a bundle); `pac catalog list` shows the ids.",
            )
        ]

    if keyword in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        return _convert(best_match(error.context), describe)

    return [SchemaFinding(path, "schema-invalid", error.message, _SCHEMA_HINT)]


def _names_a_key(error: Any) -> bool:
    """True when a pattern error comes from `propertyNames`: it is about a key, not a value."""
    steps = list(error.schema_path)
    if "propertyNames" not in steps:
        return False
    tail = steps[len(steps) - steps[::-1].index("propertyNames") :]
    return not any(
        step in ("properties", "items", "additionalProperties", "patternProperties")
        for step in tail
    )
