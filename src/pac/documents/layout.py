"""Where things live in a catalog repository: folder and file names, and the one path guard.

Every module that names a folder asks here, so a rename is one edit, and every file pac
reads on a document's word (a ticket's description template) passes `inside` first: a
document can never make pac read a file outside the folder meant for it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

CATALOG = "catalog"
BUNDLES = "bundles"
CATEGORIES_FILE = f"{CATALOG}/categories.yaml"
REQUESTS = "requests"
STATUS_DIR = ".status"
STATUS_FOLDER = f"{REQUESTS}/{STATUS_DIR}"
TEMPLATES = "templates"
JIRA_TEMPLATES = f"{TEMPLATES}/jira"
SCHEMAS = "schema"
CONFIG_FILE = "pac.yaml"
CODEOWNERS_FILE = "CODEOWNERS"
GITHUB_DIR = ".github"
GITHUB_CODEOWNERS_FILE = f"{GITHUB_DIR}/{CODEOWNERS_FILE}"
PAC_DIR = ".pac"
OUTBOX_DIR = f"{PAC_DIR}/outbox"
APPLY_LOCK = f"{PAC_DIR}/apply.lock"
GIT_CLONES = f"{PAC_DIR}/git"  # working clones of the repositories git-commit actions change
YAML_SUFFIXES = (".yaml", ".yml")


def in_status_folder(relative: str) -> bool:
    """Whether a repository-relative POSIX path is the status folder or anything in it.

    Those files are `pac apply`'s record: never documents anyone writes, so validation
    skips them and a rebase may merge them.
    """
    return relative.split("/")[:2] == [REQUESTS, STATUS_DIR]


def inside(root: Path, folder: str, name: str) -> Path | None:
    """`root/folder/name` if that stays inside `root/folder`, else None.

    Refused before the file system is asked: absolute names and `..` steps (what a document
    may write); then resolved, so a symlink cannot lead out either.
    """
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or ".." in pure.parts:
        return None
    base = (root / folder).resolve()
    target = (base / pure).resolve()
    return target if target.is_relative_to(base) else None


def jira_template(root: Path, name: str) -> Path | None:
    """The file a `descriptionTemplateFile` names; None when it points outside templates/jira/."""
    return inside(root, JIRA_TEMPLATES, name)
