"""The catalog repository: loading documents into models, once each, and what is derived from them.

Files are found by name without being read (`files`: a document's file name is its id), and
each is parsed at most once, when first needed. That keeps `pac validate` on one file fast in a
catalog of thousands: only the documents it refers to are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pac.diagnostics import Diagnostic, Severity
from pac.documents.config import PacConfig, build_config
from pac.documents.files import KIND_HOME, ROLE_KIND, CatalogFiles, Role
from pac.documents.layout import BUNDLES, CATEGORIES_FILE, CONFIG_FILE, inside
from pac.documents.loader import Document, JsonPath, load_file
from pac.documents.model import (
    Bundle,
    CatalogItem,
    Category,
    Offering,
    Owner,
    Request,
    build_bundle,
    build_categories,
    build_item,
    build_request,
)
from pac.documents.schema_errors import SchemaFinding
from pac.documents.schemas import SchemaRegistry, SchemaSet, repository_registry
from pac.documents.seed import SEED_FORM, SEED_RENAMED, schema_data, with_form_renamed
from pac.documents.suggestions import did_you_mean
from pac.errors import RepositoryError
from pac.rules import RULES

T = TypeVar("T")


def diagnostic(
    doc: Document | None,
    display: str,
    path: JsonPath,
    code: str,
    message: str,
    hint: str,
    *,
    at_key: bool = False,
    severity: Severity | None = None,
) -> Diagnostic:
    """A finding at `path` of `doc` (line 1 when there is no document)."""
    line, column = 1, 1
    if doc is not None:
        pos = doc.position(path, key=at_key)
        line, column = pos.line, pos.column
    return Diagnostic(display, line, column, severity or RULES[code].severity, code, message, hint)


@dataclass
class Loaded:
    """A file after parsing, header and schema checks; `model` is set when those passed."""

    path: Path
    display: str
    role: Role
    document: Document | None = None
    kind: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    model: Any = None
    # The top-level keys under which the schema found errors: the rest can still be read.
    schema_errors_under: frozenset[str] = frozenset()
    # Each schema error as (path, code): what the partial checks leave out (validation/partial).
    schema_errors: tuple[tuple[JsonPath, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.model is not None

    def add(
        self,
        path: JsonPath,
        code: str,
        message: str,
        hint: str,
        *,
        at_key: bool = False,
        severity: Severity | None = None,
    ) -> None:
        self.diagnostics.append(
            diagnostic(
                self.document,
                self.display,
                path,
                code,
                message,
                hint,
                at_key=at_key,
                severity=severity,
            )
        )


@dataclass
class CategoryIndex:
    categories: list[Category]
    loaded: Loaded | None

    def get(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    @property
    def bundles(self) -> Category | None:
        return self.get(BUNDLES)

    def describe_owner(self, category_id: str) -> str:
        category = self.get(category_id)
        return category.describe_owner() if category else ""


class Repository(CatalogFiles):
    """The documents of a catalog repository, each loaded once, with the registry and settings."""

    def __init__(self, root: Path, registry: SchemaRegistry | None = None) -> None:
        super().__init__(root)
        # The repository's own schema/ when it has one: the architects' change is checked
        # as it stands in the pull request.
        self.registry = registry or repository_registry(self.root)
        self._loaded: dict[Path, Loaded] = {}
        self._categories: CategoryIndex | None = None
        self._config: PacConfig | None = None
        self._memo: dict[tuple[str, str], Any] = {}

    @classmethod
    def discover(cls, start: Path | None = None) -> Repository:
        """The repository containing `start` (default: the working directory)."""
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / CATEGORIES_FILE).is_file() or (candidate / CONFIG_FILE).is_file():
                return cls(candidate)
        raise RepositoryError(
            f"{here} is not inside a catalog repository",
            "Run pac in a repository that has catalog/categories.yaml or pac.yaml, "
            "or pass --repo PATH.",
        )

    def _ignored_paths(self) -> tuple[str, ...]:
        return self.config.validate_ignore

    # --- loading ----------------------------------------------------------------------

    def load(self, path: Path) -> Loaded:
        if not path.is_absolute() or ".." in path.parts:
            path = self.absolute(path)
        cached = self._loaded.get(path)
        if cached is None:
            cached = self._load(path)
            self._loaded[path] = cached
        return cached

    def _load(self, path: Path) -> Loaded:
        role = self.role(path)
        loaded = Loaded(path, self.display(path), role)
        problem = self.entry_problem(path)
        if problem:
            loaded.diagnostics.append(self._unreadable(loaded, problem))
            return loaded
        result = load_file(path, loaded.display)
        loaded.document = result.document
        loaded.diagnostics.extend(result.diagnostics)
        self._name_owner(loaded, 0)
        doc = result.document
        if doc is None or any(
            d.severity is Severity.ERROR and d not in doc.read_past for d in result.diagnostics
        ):
            # A duplicate key, a tag or a non-string key leaves the data ambiguous: checking
            # it further would report on a guess (such as the first of two values).
            return loaded
        before = len(loaded.diagnostics)
        header_ok = self._check_header(loaded, doc)
        self._name_owner(loaded, before)
        if not header_ok:
            return loaded
        errors, seed = self._check_schema(loaded, doc)
        if doc.read_past:  # reported by the loader; the document stays in error
            seed += (((), SEED_RENAMED),)
        if errors or seed:
            # "" for an error about the document as a whole (a missing top-level key).
            loaded.schema_errors_under = frozenset(str(f.path[0]) if f.path else "" for f in errors)
            loaded.schema_errors = tuple((f.path, f.code) for f in errors) + seed
            return loaded
        loaded.model = _build_model(loaded.kind, doc)
        return loaded

    def _check_schema(
        self, loaded: Loaded, doc: Document
    ) -> tuple[list[SchemaFinding], tuple[tuple[JsonPath, str], ...]]:
        """The schema's findings, reported; returns its errors and the seed spellings read
        past (docs/migration.md), each of which keeps the document from being used."""
        data = schema_data(doc.data)  # apiVersion: reported by the header check
        seed: tuple[tuple[JsonPath, str], ...] = ()
        if data is not doc.data:
            seed += ((("apiVersion",), SEED_RENAMED),)
        schema_set = self.registry.get(data["schemaVersion"])
        assert schema_set is not None
        findings = schema_set.check(loaded.kind, data)
        for finding in findings:
            loaded.diagnostics.append(self.schema_diagnostic(loaded, finding))
        renamed = with_form_renamed(doc)
        if renamed is not None:
            # The seed's form-data is reported as unknown above; what is wrong inside it is
            # reported now too, at the file's own lines, and the checks read it as the form.
            findings = schema_set.check(loaded.kind, schema_data(renamed.data))
            view = replace(loaded, document=renamed)
            loaded.diagnostics.extend(
                self.schema_diagnostic(view, f) for f in findings if f.path[:2] == ("input", "form")
            )
            loaded.document = renamed
            seed += ((("input", SEED_FORM), SEED_RENAMED),)
        return [f for f in findings if RULES[f.code].severity is Severity.ERROR], seed

    def _unreadable(self, loaded: Loaded, problem: str) -> Diagnostic:
        hint = (
            "Put the real file (or folder) in its place and commit it: pac reads only regular "
            "files inside the repository (`git ls-files -s` shows links as mode 120000)."
        )
        owner = self.owner_hint(loaded)
        return Diagnostic(
            loaded.display,
            1,
            1,
            RULES["entry-unreadable"].severity,
            "entry-unreadable",
            problem,
            f"{hint} Owner: {owner}." if owner else hint,
        )

    def _name_owner(self, loaded: Loaded, start: int) -> None:
        """Add whom to ask to the hints of the findings from `start` on."""
        found = loaded.diagnostics[start:]
        owner = self.owner_hint(loaded) if found else ""
        if owner:
            loaded.diagnostics[start:] = [
                replace(d, hint=f"{d.hint} Owner: {owner}.") for d in found
            ]

    def schema_diagnostic(self, loaded: Loaded, finding: SchemaFinding) -> Diagnostic:
        hint = finding.hint
        owner = self.owner_hint(loaded)
        if owner:
            hint = f"{hint} Owner: {owner}."
        return diagnostic(
            loaded.document,
            loaded.display,
            finding.path,
            finding.code,
            finding.message,
            hint,
            at_key=finding.at_key,
        )

    def architecture_owner(self, handles: Any = None) -> str:
        """The architecture team, who own the registry, pac.yaml and CODEOWNERS."""
        if handles is None:
            handles = self.config.architecture_team
        if not isinstance(handles, list | tuple) or not handles:
            return ""
        return f"the architecture team ({', '.join(str(h) for h in handles)})"

    def owner_hint(self, loaded: Loaded) -> str:
        """The team and contact responsible for a catalog document, for hints."""
        if loaded.role is Role.CATEGORIES:
            return self.architecture_owner()
        if loaded.role is Role.CONFIG:
            # From the file itself: reading `self.config` here would load it again.
            data = loaded.document.data if loaded.document is not None else {}
            governance = data.get("governance")
            if isinstance(governance, dict):
                return self.architecture_owner(governance.get("architectureTeam") or ())
            return ""
        if loaded.role not in (Role.ITEM, Role.BUNDLE):
            return ""
        folder = loaded.path.parent.name
        registered = self.categories.describe_owner(folder)
        if loaded.document is None:
            return registered  # unreadable: its folder's team is who to ask
        owner = loaded.document.data.get("metadata", {})
        owner = owner.get("owner") if isinstance(owner, dict) else None
        if isinstance(owner, dict) and isinstance(owner.get("team"), str):
            contact = owner.get("contact")
            if isinstance(contact, str) and "@" in contact:
                slack = owner.get("slack")
                return Owner(
                    owner["team"], contact, slack if isinstance(slack, str) else ""
                ).describe()
            return registered or owner["team"]  # its own contact is what is broken
        return registered

    def _check_header(self, loaded: Loaded, doc: Document) -> bool:
        """schemaVersion and kind: supported, and the kind the file's place calls for."""
        version = self._check_version(loaded, doc.data)
        if version is None:
            return False
        kind = _check_kind(loaded, doc.data.get("kind"), self.registry.get(version))
        if kind is None:
            return False
        loaded.kind = kind
        return True

    def _check_version(self, loaded: Loaded, data: dict[str, Any]) -> str | None:
        """The document's supported schemaVersion, or None (with a finding)."""
        supported = self.registry.describe()
        version = data.get("schemaVersion")
        seed = data.get("apiVersion")
        if version is None and seed is not None:
            loaded.add(
                ("apiVersion",),
                "schema-version",
                "the document has apiVersion, the seed's name for schemaVersion",
                f"Rename `apiVersion:` to `schemaVersion:` (supported: {supported}; "
                "see docs/migration.md).",
                at_key=True,
            )
            # A supported value: the rest is checked in the same run, not after the rename.
            if isinstance(seed, str) and self.registry.get(seed) is not None:
                return seed
        elif version is None:
            loaded.add(
                (),
                "schema-version",
                "the document has no schemaVersion",
                f"Add `schemaVersion: {self.registry.stable}` as the first line "
                f"(supported: {supported}).",
            )
        elif not isinstance(version, str) or self.registry.get(version) is None:
            loaded.add(
                ("schemaVersion",),
                "schema-version",
                f"schemaVersion {version!r} is not supported",
                f"Supported versions: {supported}.",
            )
        else:
            return version
        return None

    # --- typed access by id --------------------------------------------------------------

    def _by_id(self, role: Role, doc_id: str) -> Loaded | None:
        paths = self.index(role).get(doc_id)
        if not paths:
            return None
        return self.load(paths[0])

    def item_file(self, item_id: str) -> Loaded | None:
        return self._by_id(Role.ITEM, item_id)

    def bundle_file(self, bundle_id: str) -> Loaded | None:
        return self._by_id(Role.BUNDLE, bundle_id)

    def request_file(self, request_id: str) -> Loaded | None:
        return self._by_id(Role.REQUEST, request_id)

    def item(self, item_id: str) -> CatalogItem | None:
        loaded = self.item_file(item_id)
        return loaded.model if loaded and isinstance(loaded.model, CatalogItem) else None

    def bundle(self, bundle_id: str) -> Bundle | None:
        loaded = self.bundle_file(bundle_id)
        return loaded.model if loaded and isinstance(loaded.model, Bundle) else None

    def offering(self, offering_id: str) -> Offering | None:
        return self.item(offering_id) or self.bundle(offering_id)

    def offering_file(self, offering_id: str) -> Loaded | None:
        return self.item_file(offering_id) or self.bundle_file(offering_id)

    def request(self, request_id: str) -> Request | None:
        loaded = self.request_file(request_id)
        return loaded.model if loaded and isinstance(loaded.model, Request) else None

    def items(self) -> Iterator[CatalogItem]:
        for path in self.files(Role.ITEM):
            model = self.load(path).model
            if isinstance(model, CatalogItem):
                yield model

    def bundles(self) -> Iterator[Bundle]:
        for path in self.files(Role.BUNDLE):
            model = self.load(path).model
            if isinstance(model, Bundle):
                yield model

    def requests(self) -> Iterator[Request]:
        for path in self.files(Role.REQUEST):
            model = self.load(path).model
            if isinstance(model, Request):
                yield model

    def memo(self, key: tuple[str, str], factory: Callable[[], T]) -> T:
        """Derived data computed once per repository (compiled forms, rendered templates)."""
        if key not in self._memo:
            self._memo[key] = factory()
        value: T = self._memo[key]
        return value

    # --- registry and settings ----------------------------------------------------------

    @property
    def categories(self) -> CategoryIndex:
        if self._categories is None:
            path = self.root / CATEGORIES_FILE
            if not path.exists():
                self._categories = CategoryIndex([], None)
            else:
                loaded = self.load(path)
                categories = loaded.model if isinstance(loaded.model, list) else []
                self._categories = CategoryIndex(categories, loaded)
        return self._categories

    @property
    def config(self) -> PacConfig:
        if self._config is None:
            path = self.root / CONFIG_FILE
            model = self.load(path).model if path.exists() else None
            self._config = model if isinstance(model, PacConfig) else PacConfig()
        return self._config


def read_template_file(repo: Repository, folder: str, name: str) -> str | None:
    """The text of the template file `name` in `folder` (templates/jira/…), read once per
    repository.

    None when the name leads outside that folder (by `..`, an absolute path or a symlink)
    or the file cannot be read: what is read is the very path the guard returned, so
    validation and rendering see the same text and never a file outside.
    """

    def read() -> str | None:
        path = inside(repo.root, folder, name)
        if path is None:
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return repo.memo(("template-file", f"{folder}/{name}"), read)


def _check_kind(loaded: Loaded, kind: Any, schema_set: SchemaSet | None) -> str | None:
    """The document's kind if its schema set knows it and it belongs where the file is."""
    assert schema_set is not None
    kinds = schema_set.kinds()
    expected = ROLE_KIND.get(loaded.role)
    if kind is None:
        loaded.add(
            (),
            "schema-kind",
            "the document has no kind",
            f"Add `kind: {expected or 'CatalogItem'}` after schemaVersion.",
        )
    elif kind not in kinds:
        suggestion = did_you_mean(str(kind), kinds)
        loaded.add(
            ("kind",),
            "schema-kind",
            f"unknown kind {kind!r}",
            f"Did you mean '{suggestion}'?" if suggestion else f"Use one of: {', '.join(kinds)}.",
        )
    elif expected is not None and kind != expected:
        loaded.add(
            ("kind",),
            "file-location",
            f"a {kind} does not belong in {loaded.display}",
            f"Move it to {KIND_HOME[kind]}, or correct `kind:` (expected {expected} here).",
        )
    else:
        return str(kind)
    return None


# The model each kind of document is built into, once its schema passed.
_BUILDERS: dict[str, Callable[[Document], Any]] = {
    "CatalogItem": build_item,
    "CatalogBundle": build_bundle,
    "Request": build_request,
    "CategoryRegistry": lambda doc: build_categories(doc.data),
    "PacConfig": lambda doc: build_config(doc.data),
}


def _build_model(kind: str, doc: Document) -> Any:
    return _BUILDERS[kind](doc)
