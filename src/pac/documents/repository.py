"""The catalog repository: where documents live, and loading them into models.

Files are found by name without being read (a document's file name is its id), and each
is parsed at most once, when first needed. That keeps `pac validate` on one file fast in a
catalog of thousands: only the documents it refers to are read.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from pac.diagnostics import Diagnostic, Severity
from pac.documents.config import PacConfig, build_config
from pac.documents.layout import (
    BUNDLES,
    CATALOG,
    CATEGORIES_FILE,
    CODEOWNERS_FILE,
    CONFIG_FILE,
    REQUESTS,
    SCHEMAS,
    STATUS_DIR,
    TEMPLATES,
    YAML_SUFFIXES,
)
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
from pac.documents.schemas import SchemaRegistry, default_registry
from pac.errors import RepositoryError
from pac.rules import RULES

T = TypeVar("T")

# Top-level folders pac reads documents from (or starter templates, or JSON Schemas), and
# folders tools keep their own files in: neither holds documents astray.
_READ_FOLDERS = frozenset({CATALOG, REQUESTS, TEMPLATES, SCHEMAS})
_TOOL_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})
_KIND_LINE = re.compile(
    rb"^kind:[ \t]*[\"']?(CatalogItem|CatalogBundle|Request|CategoryRegistry|PacConfig)"
    rb"[\"']?[ \t]*(?:#.*)?\r?$",
    re.MULTILINE,
)
_SNIFF_BYTES = 1 << 20
_SPECIAL_FILES = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


class Role(Enum):
    CONFIG = "config"
    CATEGORIES = "categories"
    ITEM = "item"
    BUNDLE = "bundle"
    REQUEST = "request"
    STATUS = "status"
    CODEOWNERS = "codeowners"
    OTHER = "other"


ROLE_KIND = {
    Role.ITEM: "CatalogItem",
    Role.BUNDLE: "CatalogBundle",
    Role.REQUEST: "Request",
    Role.CATEGORIES: "CategoryRegistry",
    Role.CONFIG: "PacConfig",
}
KIND_HOME = {
    "CatalogItem": "catalog/<category>/",
    "CatalogBundle": "catalog/bundles/",
    "Request": "requests/<team>/",
    "CategoryRegistry": CATEGORIES_FILE,
    "PacConfig": CONFIG_FILE,
}


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


class Repository:
    def __init__(self, root: Path, registry: SchemaRegistry | None = None) -> None:
        self.root = root.resolve()
        self._prefix = str(self.root).rstrip(os.sep) + os.sep
        self.registry = registry or default_registry()
        self._loaded: dict[Path, Loaded] = {}
        self._index: dict[Role, dict[str, list[Path]]] = {}
        self._categories: CategoryIndex | None = None
        self._config: PacConfig | None = None
        self._memo: dict[tuple[str, str], Any] = {}
        self._linked_folders: set[Path] = set()

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

    # --- paths -----------------------------------------------------------------------

    def absolute(self, path: Path | str) -> Path:
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = Path.cwd() / candidate
        return Path(os.path.normpath(candidate))

    def _relative(self, path: Path) -> str | None:
        # String arithmetic instead of Path.relative_to: this runs for every document.
        text = str(path)
        if text.startswith(self._prefix):
            return text[len(self._prefix) :].replace(os.sep, "/")
        return None

    def display(self, path: Path) -> str:
        relative = self._relative(path)
        return relative if relative is not None else path.as_posix()

    def role(self, path: Path) -> Role:
        relative = self._relative(path)
        if relative is None:
            return Role.OTHER
        parts = tuple(relative.split("/"))
        if parts == (CONFIG_FILE,):
            return Role.CONFIG
        if parts in ((CODEOWNERS_FILE,), (".github", CODEOWNERS_FILE)):
            return Role.CODEOWNERS
        if not parts or not parts[-1].endswith(YAML_SUFFIXES):
            return Role.OTHER
        if parts[0] == CATALOG:
            if parts == tuple(CATEGORIES_FILE.split("/")):
                return Role.CATEGORIES
            if len(parts) == 3:
                return Role.BUNDLE if parts[1] == BUNDLES else Role.ITEM
            return Role.OTHER
        if parts[0] == REQUESTS and len(parts) >= 2:
            return Role.STATUS if parts[1] == STATUS_DIR else Role.REQUEST
        return Role.OTHER

    # --- finding documents by id without reading them --------------------------------

    def _build_index(self, role: Role) -> dict[str, list[Path]]:
        index: dict[str, list[Path]] = {}
        if role in (Role.ITEM, Role.BUNDLE):
            catalog = self.root / CATALOG
            folders = (
                [catalog / BUNDLES]
                if role is Role.BUNDLE
                else [
                    p
                    for p in sorted(_subdirs(catalog))
                    if p.name != BUNDLES and not p.name.startswith(".")
                ]
            )
            folders = [f for f in folders if not self._linked_out(f)]
            for folder in folders:
                for path in sorted(_yaml_files(folder)):
                    index.setdefault(_stem(path), []).append(path)
        elif role is Role.REQUEST:
            for path in sorted(_walk_requests(self.root / REQUESTS, self._linked_folders)):
                index.setdefault(_stem(path), []).append(path)
        return index

    def _linked_out(self, folder: Path) -> bool:
        # A category folder that is a link out of the repository: its files are not ours.
        if folder.is_symlink() and not os.path.realpath(folder).startswith(self._prefix):
            self._linked_folders.add(folder)
            return True
        return False

    def linked_folders(self) -> list[Path]:
        """Folder links under catalog/ and requests/ that pac does not read (found while
        listing documents): a finding each, rather than documents missing in silence."""
        for role in (Role.ITEM, Role.REQUEST):
            self.index(role)
        return sorted(self._linked_folders)

    def index(self, role: Role) -> dict[str, list[Path]]:
        if role not in self._index:
            self._index[role] = self._build_index(role)
        return self._index[role]

    def files(self, role: Role) -> list[Path]:
        return sorted(p for paths in self.index(role).values() for p in paths)

    def all_documents(self) -> list[Path]:
        """Every file `pac validate` checks when given no paths."""
        paths = [self.root / CATEGORIES_FILE]
        if (self.root / CONFIG_FILE).exists():
            paths.append(self.root / CONFIG_FILE)
        for role in (Role.ITEM, Role.BUNDLE, Role.REQUEST):
            paths.extend(self.files(role))
        paths.extend(self.misplaced_files())
        paths.extend(self.linked_folders())
        paths.extend(self.outside_documents())
        return paths

    def misplaced(self, path: Path) -> str:
        """Why a YAML file under catalog/ or requests/ is not where pac reads documents
        ("" when it is, or when it is not a YAML file there at all).

        Such a file looks like part of the catalog to its author but is invisible to every
        command, so `pac validate` says so instead of passing it over in silence.
        """
        relative = self._relative(path)
        if relative is None:
            return ""
        parts = relative.split("/")
        name = parts[-1]
        if not name.lower().endswith(YAML_SUFFIXES) or any(p.startswith(".") for p in parts):
            return ""
        if not name.endswith(YAML_SUFFIXES):
            return f"the file name ends in {name[name.rindex('.') :]}; documents end in .yaml"
        if parts[0] != CATALOG or relative == CATEGORIES_FILE or len(parts) == 3:
            return ""
        return (
            f"{relative} is not read as part of the catalog: items live directly in "
            "catalog/<category>/ and bundles in catalog/bundles/"
        )

    def outside_kind(self, path: Path) -> str:
        """The pac kind of a YAML file outside the folders pac reads ("" for any other file).

        Such a document (a `bundles/` folder at the root, as older layouts had) is seen by no
        command. Only a top-level `kind:` line is looked for, without parsing the file.
        """
        relative = self._relative(path)
        if (
            relative is None
            or not relative.lower().endswith(YAML_SUFFIXES)
            or relative == CONFIG_FILE
            or relative.split("/", 1)[0] in _READ_FOLDERS
            or self._ignored(relative)
        ):
            return ""
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return ""  # never open a pipe; links out of the catalog are not its business
            with path.open("rb") as handle:
                head = handle.read(_SNIFF_BYTES)
        except OSError:
            return ""
        found = _KIND_LINE.search(head)
        return found.group(1).decode() if found else ""

    def _ignored(self, relative: str) -> bool:
        parts = relative.split("/")
        if any(p.startswith(".") or p in _TOOL_FOLDERS for p in parts[:-1]):
            return True
        ignored = self.config.validate_ignore
        return any(relative == i or relative.startswith(i + "/") for i in ignored)

    def outside_documents(self) -> list[Path]:
        """Every YAML file with a pac kind outside the folders pac reads."""
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            top = dirpath == str(self.root)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not (top and d in _READ_FOLDERS)
                and not d.startswith(".")
                and d not in _TOOL_FOLDERS
                and not Path(dirpath, d, "pyvenv.cfg").exists()
            )
            for name in sorted(filenames):
                path = Path(dirpath, name)
                if name.lower().endswith(YAML_SUFFIXES) and self.outside_kind(path):
                    found.append(path)
        return found

    def misplaced_files(self) -> list[Path]:
        # This walks every folder of the catalog, so the common case (a document in its
        # category folder or under requests/) is passed over on its name alone.
        found = []
        category_prefix = str(self.root / CATALOG) + os.sep
        for top in (CATALOG, REQUESTS):
            for dirpath, dirnames, filenames in os.walk(self.root / top):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                in_category = dirpath.startswith(category_prefix) and (
                    os.sep not in dirpath[len(category_prefix) :]
                )
                documents_here = top == REQUESTS or in_category
                for name in sorted(filenames):
                    if not name.lower().endswith(YAML_SUFFIXES):
                        continue
                    if documents_here and name.endswith(YAML_SUFFIXES):
                        continue
                    path = Path(dirpath, name)
                    if self.misplaced(path):
                        found.append(path)
        return found

    # --- loading ----------------------------------------------------------------------

    def load(self, path: Path) -> Loaded:
        if not path.is_absolute() or ".." in path.parts:
            path = self.absolute(path)
        cached = self._loaded.get(path)
        if cached is None:
            cached = self._load(path)
            self._loaded[path] = cached
        return cached

    def entry_problem(self, path: Path) -> str:
        """Why a catalog entry cannot be read as a file of this repository, or "".

        Decided from the entry itself, without opening it: opening a FIFO would block.
        """
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return ""  # gone: whoever asked reports a missing file its own way
        if stat.S_ISLNK(mode):
            target = os.path.realpath(path)
            if not target.startswith(self._prefix):
                return (
                    f"{self.display(path)} is a symbolic link to {target}, outside the repository"
                )
            try:
                mode = path.stat().st_mode
            except OSError:
                return (
                    f"{self.display(path)} is a symbolic link to {self.display(Path(target))}, "
                    "which does not exist"
                )
            if stat.S_ISDIR(mode):
                return (
                    f"{self.display(path)} is a link to the folder {self.display(Path(target))}; "
                    "pac does not follow folder links"
                )
        if stat.S_ISREG(mode):
            return ""
        what = _SPECIAL_FILES.get(stat.S_IFMT(mode), "not a regular file")
        return f"{self.display(path)} is {what}, not a file pac can read"

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
        if doc is None or any(d.severity is Severity.ERROR for d in result.diagnostics):
            # A duplicate key, a tag or a non-string key leaves the data ambiguous: checking
            # it further would report on a guess (such as the first of two values).
            return loaded
        before = len(loaded.diagnostics)
        if not self._check_header(loaded, doc):
            self._name_owner(loaded, before)
            return loaded
        schema_set = self.registry.get(doc.data["schemaVersion"])
        assert schema_set is not None
        findings = schema_set.check(loaded.kind, doc.data)
        for finding in findings:
            loaded.diagnostics.append(self.schema_diagnostic(loaded, finding))
        errors = [f for f in findings if RULES[f.code].severity is Severity.ERROR]
        if errors:
            # "" for an error about the document as a whole (a missing top-level key).
            loaded.schema_errors_under = frozenset(str(f.path[0]) if f.path else "" for f in errors)
            return loaded
        loaded.model = _build_model(loaded.kind, doc)
        return loaded

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
        data = doc.data
        supported = self.registry.describe()
        version = data.get("schemaVersion")
        if version is None and "apiVersion" in data:
            loaded.add(
                ("apiVersion",),
                "schema-version",
                "the document has apiVersion, the seed's name for schemaVersion",
                f"Rename `apiVersion:` to `schemaVersion:` (supported: {supported}; "
                "see docs/migration.md).",
                at_key=True,
            )
            return False
        if version is None:
            loaded.add(
                (),
                "schema-version",
                "the document has no schemaVersion",
                f"Add `schemaVersion: {self.registry.stable}` as the first line "
                f"(supported: {supported}).",
            )
            return False
        if not isinstance(version, str) or self.registry.get(version) is None:
            loaded.add(
                ("schemaVersion",),
                "schema-version",
                f"schemaVersion {version!r} is not supported",
                f"Supported versions: {supported}.",
            )
            return False
        kinds = self.registry.get(version).kinds()  # type: ignore[union-attr]
        kind = data.get("kind")
        expected = ROLE_KIND.get(loaded.role)
        if kind is None:
            loaded.add(
                (),
                "schema-kind",
                "the document has no kind",
                f"Add `kind: {expected or 'CatalogItem'}` after schemaVersion.",
            )
            return False
        if kind not in kinds:
            from pac.documents.suggestions import did_you_mean

            suggestion = did_you_mean(str(kind), kinds)
            loaded.add(
                ("kind",),
                "schema-kind",
                f"unknown kind {kind!r}",
                f"Did you mean '{suggestion}'?"
                if suggestion
                else f"Use one of: {', '.join(kinds)}.",
            )
            return False
        if expected is not None and kind != expected:
            loaded.add(
                ("kind",),
                "file-location",
                f"a {kind} does not belong in {loaded.display}",
                f"Move it to {KIND_HOME[kind]}, or correct `kind:` (expected {expected} here).",
            )
            return False
        loaded.kind = kind
        return True

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

    def files_mentioning(self, role: Role, text: str) -> list[Path]:
        """Files of `role` whose bytes contain `text`: a cheap pre-filter before parsing."""
        needle = text.encode()
        found = []
        for path in self.files(role):
            try:
                if not self.entry_problem(path) and needle in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
        return found

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


def _build_model(kind: str, doc: Document) -> Any:
    if kind == "CatalogItem":
        return build_item(doc)
    if kind == "CatalogBundle":
        return build_bundle(doc)
    if kind == "Request":
        return build_request(doc)
    if kind == "CategoryRegistry":
        return build_categories(doc.data)
    if kind == "PacConfig":
        return build_config(doc.data)
    raise AssertionError(kind)  # pragma: no cover - kinds come from the schema registry


def _stem(path: Path) -> str:
    name = path.name
    for suffix in YAML_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _subdirs(folder: Path) -> Iterator[Path]:
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    yield Path(entry.path)
    except OSError:
        return


def _yaml_files(folder: Path) -> Iterator[Path]:
    # Every entry but folders: a FIFO or a dangling link named like a document is listed
    # too, so that loading it reports it (without opening it) instead of passing it over.
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(YAML_SUFFIXES) and not entry.is_dir():
                    yield Path(entry.path)
    except OSError:
        return


def _walk_requests(folder: Path, linked: set[Path]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        # os.walk does not follow folder links (a loop, or a way out of the repository).
        linked.update(p for p in (Path(dirpath, d) for d in dirnames) if p.is_symlink())
        for name in filenames:
            if name.endswith(YAML_SUFFIXES):
                yield Path(dirpath) / name
