"""What git knows about the catalog repository: what changed since a revision (gitpython,
imported lazily), and when request files were committed and landed (`git log`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from pac.errors import GitError

if TYPE_CHECKING:
    from git import Commit, Repo


def open_repository(root: Path, needed_for: str, hint: str) -> Repo:
    """The git repository containing `root`, or a `GitError` saying what needed it."""
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise GitError(f"{root} is not a git repository, so {needed_for}", hint) from exc


def changed_files(root: Path, base: str) -> list[tuple[str, bool]]:
    """(path relative to `root`, deleted?) for every file changed since `base`.

    Covers commits since the merge base, staged and unstaged edits, and untracked files,
    so the same command works in CI (PR head vs. base branch) and on a laptop.
    """

    repo = open_repository(
        root,
        "--changed cannot be used",
        "Run inside a clone of the catalog repository, or pass paths instead.",
    )
    start = _start_commit(repo, base)
    top = Path(repo.working_tree_dir or root).resolve()
    changes: dict[str, bool] = {}
    for diff in start.diff(None):  # commits since start plus the working tree
        if diff.a_path:
            changes[diff.a_path] = diff.deleted_file or diff.renamed_file
        if diff.b_path and not diff.deleted_file:
            changes[diff.b_path] = False
    for untracked in repo.untracked_files:
        changes[untracked] = False

    out = []
    root = root.resolve()
    for git_path, deleted in sorted(changes.items()):
        absolute = top / git_path
        try:
            relative = absolute.relative_to(root).as_posix()
        except ValueError:
            continue  # outside the catalog repository's folder
        # lexists: a committed link to nowhere is an entry, not a deletion (it is reported).
        out.append((relative, deleted or not os.path.lexists(absolute)))
    return out


def _start_commit(repo: Repo, base: str) -> Commit:
    """The commit changes are counted from: the merge base of `base` and HEAD."""
    import git

    try:
        base_commit = repo.commit(base)
    except (git.BadName, ValueError, git.GitCommandError) as exc:
        raise GitError(
            f"unknown git revision {base!r}",
            "Fetch it first (e.g. `git fetch origin main`) and pass a branch, tag or commit, "
            "such as origin/main.",
        ) from exc
    try:
        merge_bases = repo.merge_base(base_commit, repo.head.commit)
    except (ValueError, git.GitCommandError):
        merge_bases = []
    return merge_bases[0] if merge_bases else base_commit


def files_at_base(root: Path, base: str, relatives: list[str]) -> dict[str, bytes]:
    """The content at `base` (its merge base with HEAD, as `changed_files` counts) of each
    path relative to `root`; a path missing there is looked up by file name under the
    same top folder, so a document moved to another category folder is still compared."""
    repo = open_repository(
        root,
        "--changed cannot be used",
        "Run inside a clone of the catalog repository, or pass paths instead.",
    )
    tree = _start_commit(repo, base).tree
    top = Path(repo.working_tree_dir or root).resolve()
    prefix = root.resolve().relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    out: dict[str, bytes] = {}
    by_name: dict[str, list[str]] | None = None
    for relative in relatives:
        wanted = prefix + relative
        try:
            out[relative] = tree[wanted].data_stream.read()
            continue
        except KeyError:
            pass
        if by_name is None:
            from git import Blob

            by_name = {}
            for blob in tree.traverse():
                if isinstance(blob, Blob):
                    by_name.setdefault(blob.name, []).append(str(blob.path))
        top_folder = prefix + relative.split("/", 1)[0] + "/"
        candidates = [c for c in by_name.get(Path(relative).name, []) if c.startswith(top_folder)]
        if len(candidates) == 1:  # otherwise new, or ambiguous: nothing to compare with
            out[relative] = tree[candidates[0]].data_stream.read()
    return out


# Lead time's ends before pac (SPEC §6.7): when a request file was first committed (its
# author's time) and when it landed on the checked-out main branch (the committer time
# of the first-parent commit that brought it in: a --no-ff merge, a squash, a rebase).
_ADDED = ("log", "--diff-filter=A", "--format=%x00%aI%x09%cI", "--name-only", "--relative")


def _git(folder: Path, *args: str) -> str | None:
    """The output of `git -C folder ARGS`; None when it fails or git is missing."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def _added_times(output: str) -> dict[str, tuple[str, str]]:
    """(author time, committer time) of the newest commit in `output` adding each path."""
    times: dict[str, tuple[str, str]] = {}
    for record in output.split("\0")[1:]:
        head, _, names = record.partition("\n")
        authored, _, committed = head.partition("\t")
        for name in names.split():
            times.setdefault(name, (_utc(authored), _utc(committed)))
    return times


def _utc(text: str) -> str:
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return ""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def added_and_landed(folder: Path, pattern: str = ".") -> dict[str, tuple[str, str]]:
    """(requested, landed) per file under `folder` matching the pathspec `pattern`, paths
    relative to `folder`: three git calls however many files there are. A file git cannot
    tell about (uncommitted, a shallow clone, no repository) is left out."""
    # A shallow clone's oldest commit would claim to have added every file.
    if (_git(folder, "rev-parse", "--is-shallow-repository") or "").strip() != "false":
        return {}
    everything = _git(folder, *_ADDED, "--", pattern)
    landing = _git(folder, *_ADDED, "--first-parent", "--", pattern)
    if everything is None or landing is None:
        return {}
    authored = _added_times(everything)
    landed = _added_times(landing)
    return {
        name: (authored.get(name, (stamp, ""))[0], stamp)
        for name, (_, stamp) in landed.items()
        if stamp
    }
