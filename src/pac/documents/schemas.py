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
from pac.documents.layout import SCHEMAS
from pac.documents.loader import JsonPath
from pac.documents.schema_errors import SCHEMA_HINT, SchemaFinding, Translator, where
from pac.errors import RepositoryError

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

    def __init__(
        self, version: SchemaVersion, documents: dict[str, dict[str, Any]] | None = None
    ) -> None:
        self.version = version
        self._fast: dict[str, Callable[[Any], Any]] = {}
        if documents is not None:  # given, not read: the schemas as they were at a revision
            self.__dict__["documents"] = documents

    @cached_property
    def documents(self) -> dict[str, dict[str, Any]]:
        docs: dict[str, dict[str, Any]] = {}
        for name in (COMMON_FILE, *SCHEMA_FILES.values()):
            path = self.version.directory / name
            if path.exists():
                docs[name] = parse_schema(path.read_bytes(), path)
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
                        f"{where(path)} {_shown(value)} has a line break or spaces around it",
                        "Write the value on one line, without a `|` or `>` block, so it "
                        "carries no line break.",
                    )
                ]
            return [SchemaFinding(path, "schema-invalid", message, SCHEMA_HINT)]
        return []

    def _compile(self, kind: str) -> Callable[[Any], Any]:
        try:
            code = _compiled_code(self.documents, SCHEMA_FILES[kind])
        except Exception:  # fastjsonschema's JsonSchemaDefinitionException and kin
            # The code generator refuses some schemas the standard allows (a required key
            # the schema does not define, next to additionalProperties: false): judge the
            # document by the reference validator instead, slower but as written.
            fast = self._reference_only(kind)
        else:
            namespace: dict[str, Any] = {}
            exec(code, namespace)
            function_name = "validate_" + SCHEMA_FILES[kind].replace("-", "_").replace(".", "_")
            fast = namespace[function_name]
        self._fast[kind] = fast
        return fast

    def _reference_only(self, kind: str) -> Callable[[Any], Any]:
        def check(data: Any) -> None:
            if self._explain(kind, data):
                raise ValueError(f"not a valid {kind}")

        return check

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
        from jsonschema.exceptions import SchemaError
        from referencing.exceptions import Unresolvable

        validator = self.reference_validator(kind)
        translate = Translator(describe=self._describe)
        findings: list[SchemaFinding] = []
        try:
            for error in validator.iter_errors(data):
                findings.extend(translate(error))
        except (SchemaError, Unresolvable) as exc:
            raise RepositoryError(
                f"{self.version.directory / SCHEMA_FILES[kind]} is not a JSON Schema pac can "
                f"use: {exc}",
                "Correct the schema (a `$ref` to a definition that does not exist is the usual "
                "cause): every document of its kind is checked against it.",
            ) from exc
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


def _shown(value: str) -> str:
    # A pasted page is quoted by its start: findings go to terminals and pull requests.
    return repr(value) if len(value) <= 80 else f"{value[:60]!r}… ({len(value):,} characters)"


def parse_schema(content: bytes, path: Path) -> dict[str, Any]:
    """One schema file's JSON; a typed error naming the place when it is not JSON."""
    try:
        data = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RepositoryError(f"{path} is not UTF-8 text", SCHEMA_FILE_HINT) from exc
    except json.JSONDecodeError as exc:
        raise RepositoryError(
            f"{path}:{exc.lineno}:{exc.colno}: the schema is not valid JSON: {exc.msg}",
            SCHEMA_FILE_HINT,
        ) from exc
    if not isinstance(data, dict):
        raise RepositoryError(f"{path} holds no JSON object, so no schema", SCHEMA_FILE_HINT)
    return data


SCHEMA_FILE_HINT = (
    "Fix the file under schema/ (the architecture team owns it): pac checks every document "
    "against the repository's own schemas."
)


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


def default_registry(directory: Path | None = None) -> SchemaRegistry:
    """The versions this release of pac supports, their schemas in `directory` (default:
    the ones pac ships with).

    To start a transition to a new version, put its schemas in `schema/<version>/` (for
    example `schema/v2/`), add it here as "prerelease" or "stable", and mark the old one
    "previous"; documents of both versions are then accepted until the old entry is removed.
    """
    registry = SchemaRegistry()
    registry.add(SchemaVersion(STABLE_VERSION, "stable", directory or resources.schema_dir()))
    return registry


def repository_schema_dir(root: Path) -> Path | None:
    """The catalog repository's own `schema/` folder, when it holds pac's schema files.

    The architects change the schemas there, in a pull request like any other: documents
    are checked against that folder, so a change that breaks one shows in the same run
    (SPEC §7). A repository without one is checked against the schemas pac ships with.
    """
    own = root / SCHEMAS
    names = (COMMON_FILE, *SCHEMA_FILES.values())
    return own if any((own / name).is_file() for name in names) else None


def repository_registry(root: Path) -> SchemaRegistry:
    """The versions pac accepts in the repository at `root`, with its own schemas if any."""
    return default_registry(repository_schema_dir(root))


def governed_kinds(name: str) -> list[str]:
    """The kinds of document a schema file (by its name under `schema/`) governs."""
    if name == COMMON_FILE:
        return list(SCHEMA_FILES)
    return [kind for kind, file in SCHEMA_FILES.items() if file == name]
