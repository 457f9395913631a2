"""The JSON Schemas in `schema/`, the versions pac accepts, and structural checking.

The schemas are the single source of truth for document structure; pac runs them as they
are. Checking is two-staged for speed: a compiled validator (fastjsonschema, generated code
cached on disk) answers "valid?" in microseconds, and only an invalid document goes through
the `jsonschema` reference implementation, which lists every error with its path.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pac import resources
from pac.documents.loader import JsonPath
from pac.documents.schema_errors import SCHEMA_HINT, SchemaFinding, Translator, where

if TYPE_CHECKING:
    from jsonschema import Draft7Validator
    from referencing import Registry

SCHEMA_FILES = {
    "CatalogItem": "catalog-item.json",
    "CatalogBundle": "catalog-bundle.json",
    "Request": "request.json",
    "CategoryRegistry": "categories.json",
    "PacConfig": "pac-config.json",
}
COMMON_FILE = "common-types.json"


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
                        f"{where(path)} {value!r} has a line break or spaces around it",
                        "Write the value on one line, without a `|` or `>` block, so it "
                        "carries no line break.",
                    )
                ]
            return [SchemaFinding(path, "schema-invalid", message, SCHEMA_HINT)]
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
    def _registry(self) -> Registry[Any]:
        from referencing import Registry, Resource

        return Registry().with_resources(
            (name, Resource.from_contents(doc)) for name, doc in self.documents.items()
        )

    def reference_validator(self, kind: str) -> Draft7Validator:
        from jsonschema import Draft7Validator

        return Draft7Validator(self.schema(kind), registry=self._registry)

    def _explain(self, kind: str, data: Any) -> list[SchemaFinding]:
        validator = self.reference_validator(kind)
        translate = Translator(describe=self._describe)
        findings: list[SchemaFinding] = []
        for error in validator.iter_errors(data):
            findings.extend(translate(error))
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
