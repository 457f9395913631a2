"""What is fixed for one revision of a request: the catalog commit and `.system` values.

`pac apply` records them when a revision starts and `pac plan` computes them the same way,
so a plan shows what apply sends and every re-run of apply sends it again (SPEC §6.4).
"""

from __future__ import annotations

from pac.documents.model import Request
from pac.documents.repository import Repository
from pac.templating.namespaces import SystemValues, revision_moment, revision_uuid


def catalog_revision(repo: Repository) -> str:
    """The commit the catalog is at, or "uncommitted" outside git.

    Status commits do not change the catalog and are skipped: a run redone from a fresh
    clone, after other runs pushed their status, must render what the first run rendered.
    """
    try:
        import git

        root = repo.root.resolve()
        found = git.Repo(root, search_parent_directories=True).git.log(
            "-1", "--format=%H", "--", str(root), f":(exclude){root}/requests/.status"
        )
        return str(found).strip() or "uncommitted"
    except Exception:  # not a repository, no commits yet, git missing
        return "uncommitted"


def memo_revision(repo: Repository) -> str:
    """`catalog_revision` asked of git once per repository object."""
    return repo.memo(("revision", ""), lambda: catalog_revision(repo))


def system_values(
    repo: Repository, request: Request, record: dict[str, object], revision: str, digest: str
) -> SystemValues:
    """The `.system` values of the revision: as recorded, or made for it (not per run)."""
    if record:
        return SystemValues.from_record(record, repo.config)
    requester = request.requester
    return SystemValues.generate(
        request.id,
        requester.email,
        requester.name,
        requester.team,
        repo.config,
        revision,
        now=revision_moment(request.doc.path),
        new_uuid=revision_uuid(request.id, digest),
    )
