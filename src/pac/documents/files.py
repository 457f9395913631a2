"""Which files of a catalog repository are documents, and their roles, found without reading them.

A document's file name is its id and its folder its role, so listing the catalog is a walk
over names. Files that look like documents but are not read (misplaced, outside the folders
pac reads, links out of the repository, pipes) are found here too, so that `pac validate`
names them instead of passing them over in silence.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from enum import Enum
from pathlib import Path

from pac.documents.layout import (
    BUNDLES,
    CATALOG,
    CATEGORIES_FILE,
    CODEOWNERS_FILE,
    CONFIG_FILE,
    GITHUB_CODEOWNERS_FILE,
    PAC_DIR,
    REQUESTS,
    STATUS_FOLDER,
    TEMPLATES,
    YAML_SUFFIXES,
    in_status_folder,
)

# Top-level folders whose YAML pac places itself (documents under catalog/ and requests/
# are judged by `role` and `misplaced`), hidden folders that are tools' or pac's own run-time
# output, and folders tools keep their own files in: none holds documents astray.
_DOCUMENT_FOLDERS = frozenset({CATALOG, REQUESTS})
_OWN_FOLDERS = frozenset({".git", PAC_DIR})
_TOOL_FOLDERS = frozenset(
    {"node_modules", "__pycache__", "site-packages", "venv", ".venv", ".tox", ".nox"}
    | {".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", ".cache"}
)
_KINDS = rb"(CatalogItem|CatalogBundle|Request|CategoryRegistry|PacConfig)"
# A top-level `kind:` in block style, its key plain or quoted ("kind": CatalogBundle).
_KIND_LINE = re.compile(
    rb"^(?:kind|\"kind\"|'kind')[ \t]*:[ \t]*[\"']?" + _KINDS + rb"[\"']?[ \t]*(?:#.*)?\r?$",
    re.MULTILINE,
)
# A document in flow style ({"kind": "CatalogBundle", ...}, JSON is YAML): where its kind is
# at the top level is for the parser to say, asked only when a kind is named at all.
_FLOW_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:[ \t]*(?:#[^\n]*|---[ \t]*|%[^\n]*)?\r?\n)*[ \t]*(?:---[ \t]+)?\{"
)
_KIND_PAIR = re.compile(rb"[\"']?kind[\"']?\s*:\s*[\"']?" + _KINDS)
_SNIFF_BYTES = 1 << 20
_SPECIAL_FILES = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


class Role(Enum):
    """What a file is to pac, decided by its path alone."""

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
    "CatalogItem": f"{CATALOG}/<category>/",
    "CatalogBundle": f"{CATALOG}/{BUNDLES}/",
    "Request": f"{REQUESTS}/<team>/",
    "CategoryRegistry": CATEGORIES_FILE,
    "PacConfig": CONFIG_FILE,
}


class CatalogFiles:
    """The files of the repository at `root`: roles, display names, and documents by id."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._prefix = str(self.root).rstrip(os.sep) + os.sep
        self._index: dict[Role, dict[str, list[Path]]] = {}
        self._linked_folders: set[Path] = set()

    def _ignored_paths(self) -> tuple[str, ...]:
        """Paths the repository's settings exclude from validation."""
        return ()

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
        if relative in (CODEOWNERS_FILE, GITHUB_CODEOWNERS_FILE):
            return Role.CODEOWNERS
        if not parts or not parts[-1].endswith(YAML_SUFFIXES):
            return Role.OTHER
        if parts[0] == CATALOG:
            if parts == tuple(CATEGORIES_FILE.split("/")):
                return Role.CATEGORIES
            if len(parts) == 3 and not parts[1].startswith("."):
                return Role.BUNDLE if parts[1] == BUNDLES else Role.ITEM
            return Role.OTHER
        if in_status_folder(relative):
            return Role.STATUS
        if parts[0] == REQUESTS and len(parts) >= 2 and not _hidden_folder(parts):
            return Role.REQUEST
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
        if relative is None or in_status_folder(relative):
            return ""
        parts = relative.split("/")
        name = parts[-1]
        if not name.lower().endswith(YAML_SUFFIXES) or name.startswith("."):
            return ""
        if parts[0] in _DOCUMENT_FOLDERS and _hidden_folder(parts):
            hidden = next(p for p in parts[1:-1] if p.startswith("."))
            return (
                f"{relative} is in the hidden folder {hidden}/, which pac does not read: "
                "no command sees it"
            )
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

        Such a document (a `bundles/` folder at the root, as older layouts had, a draft in a
        hidden folder, a document among the JSON Schemas or the JIRA templates) is seen by
        no command. Only a top-level `kind` is looked for, in the first bytes of the file:
        a `kind:` line, or in a flow-style document the parser's word on its top level.
        """
        relative = self._relative(path)
        if (
            relative is None
            or not relative.lower().endswith(YAML_SUFFIXES)
            or relative == CONFIG_FILE
            or relative.split("/", 1)[0] in _DOCUMENT_FOLDERS
            or _is_starter(relative)
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
        return _top_level_kind(head)

    def _ignored(self, relative: str) -> bool:
        parts = relative.split("/")
        if any(p in _OWN_FOLDERS or p in _TOOL_FOLDERS for p in parts[:-1]):
            return True
        ignored = self._ignored_paths()
        return any(relative == i or relative.startswith(i + "/") for i in ignored)

    def outside_documents(self) -> list[Path]:
        """Every YAML file with a pac kind outside the folders pac reads."""
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            top = dirpath == str(self.root)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not (top and d in _DOCUMENT_FOLDERS)
                and d not in _OWN_FOLDERS
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
        status_folder = str(self.root / STATUS_FOLDER)
        for top in (CATALOG, REQUESTS):
            for dirpath, dirnames, filenames in os.walk(self.root / top):
                # Hidden folders are walked too (a draft kept in catalog/.drafts/ is read by
                # no command), all but the status files pac apply writes.
                dirnames[:] = sorted(d for d in dirnames if str(Path(dirpath, d)) != status_folder)
                in_category = dirpath.startswith(category_prefix) and (
                    os.sep not in dirpath[len(category_prefix) :]
                )
                relative_dir = dirpath[len(str(self.root)) + 1 :].replace(os.sep, "/")
                documents_here = (top == REQUESTS or in_category) and not _hidden_folder(
                    [*relative_dir.split("/"), ""]
                )
                for name in sorted(filenames):
                    if not name.lower().endswith(YAML_SUFFIXES):
                        continue
                    if documents_here and name.endswith(YAML_SUFFIXES):
                        continue
                    path = Path(dirpath, name)
                    if self.misplaced(path):
                        found.append(path)
        return found

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


def _hidden_folder(parts: list[str] | tuple[str, ...]) -> bool:
    """Whether a path (split into its parts, the file last) lies in a hidden folder."""
    return any(p.startswith(".") for p in parts[1:-1])


def _is_starter(relative: str) -> bool:
    """A starter template (templates/<kind>.yaml): pac's own placeholders, not a document."""
    parts = relative.split("/")
    return len(parts) == 2 and parts[0] == TEMPLATES


def _top_level_kind(head: bytes) -> str:
    found = _KIND_LINE.search(head)
    if found:
        return found.group(1).decode()
    if not _FLOW_START.match(head) or not _KIND_PAIR.search(head):
        return ""
    import yaml

    try:
        data = yaml.load(head, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, ValueError):
        return ""  # cut off at the sniffed size, or not YAML at all: no document to place
    kind = data.get("kind") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) and kind in KIND_HOME else ""


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
