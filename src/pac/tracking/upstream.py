"""Status files as CI recorded them: read from the current branch's upstream after a
`git fetch`, so `pac status --watch` on a laptop sees CI's progress (SPEC §6.7).

Only the remote-tracking branch moves: the working tree, the index and HEAD stay as they
are. A status blob is read with the same hardened loader as a status file on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pac.documents.layout import STATUS_FOLDER
from pac.errors import GitError
from pac.records.status import RequestStatus
from pac.records.store import status_from_bytes

# A fetch that hangs (a remote that never answers) must not hang the watch with it.
FETCH_TIMEOUT = 60.0
# Larger than any status pac writes; a larger blob is not read into memory at all.
MAX_STATUS_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Upstream:
    """The branch CI pushes statuses to, as this clone tracks it (`origin/main`)."""

    remote: str
    branch: str  # the branch's name on the remote
    folder: str  # the catalog repository's folder inside the git repository ('' at top)
    git_dir: str

    @property
    def shown(self) -> str:
        return f"{self.remote}/{self.branch}"


def find_upstream(root: Path) -> tuple[Upstream | None, str]:
    """The upstream of the checked-out branch, or None and why there is none."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None, f"{root} is not a git repository"
    try:
        branch = repo.active_branch
    except TypeError:
        return None, "HEAD is detached, so no branch has an upstream"
    tracking = branch.tracking_branch()
    if tracking is None:
        return None, f"the branch {branch.name} has no upstream (no remote to follow)"
    top = Path(repo.working_tree_dir or root).resolve()
    folder = root.resolve().relative_to(top).as_posix()
    return (
        Upstream(
            tracking.remote_name,
            tracking.remote_head,
            "" if folder == "." else folder,
            str(repo.git_dir),
        ),
        "",
    )


def fetch(upstream: Upstream) -> str:
    """`git fetch` of the upstream branch alone; the commit it now points at."""
    import git

    repo = git.Repo(upstream.git_dir)
    refspec = f"+refs/heads/{upstream.branch}:refs/remotes/{upstream.shown}"
    try:
        with repo.git.custom_environment(GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="true"):
            repo.git.fetch(
                "--quiet",
                "--no-tags",
                upstream.remote,
                refspec,
                kill_after_timeout=FETCH_TIMEOUT,
            )
        return str(repo.commit(f"refs/remotes/{upstream.shown}").hexsha)
    except (git.GitCommandError, ValueError, git.BadName) as exc:
        raise GitError(
            f"could not fetch {upstream.shown}: {_first_line(exc)}",
            "Check your network and that `git fetch` works in this clone.",
        ) from exc


def _first_line(exc: Exception) -> str:
    import git

    text = exc.stderr if isinstance(exc, git.GitCommandError) else str(exc)
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    reason = next((line for line in lines if "fatal:" in line), lines[0] if lines else "")
    return reason.removeprefix("stderr: ").strip("'").strip() or "git failed"


def statuses_at(upstream: Upstream, commit: str, request_id: str | None) -> list[RequestStatus]:
    """The status of `request_id` (or every status) in `commit`; empty before the first."""
    import git

    repo = git.Repo(upstream.git_dir)
    folder = PurePosixPath(upstream.folder or ".") / STATUS_FOLDER
    try:
        tree = repo.commit(commit).tree / folder.as_posix().removeprefix("./")
    except KeyError:
        return []
    found = []
    for blob in tree.blobs if isinstance(tree, git.Tree) else []:
        name = PurePosixPath(blob.name)
        if name.suffix != ".yaml" or (request_id is not None and name.stem != request_id):
            continue
        shown = f"{STATUS_FOLDER}/{name} at {upstream.shown}"
        if blob.size > MAX_STATUS_BYTES:
            from pac.records.store import StatusError

            raise StatusError(
                f"{shown}: the status file is {blob.size} bytes, too large to be pac's",
                "Status files are written by `pac apply` only; restore it from git history.",
            )
        found.append(status_from_bytes(blob.data_stream.read(), shown, name.stem))
    return found
