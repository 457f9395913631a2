"""Committing status files and pushing them, rebasing when the branch moved (gitpython).

`pac apply` in CI writes `requests/.status/*.yaml` and must get them onto `main` even when
someone merged meanwhile. The commit is rebased onto the new tip; if another run changed
the same status file, the two are merged task by task, so no run's status is dropped.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pac.documents.layout import STATUS_FOLDER, in_status_folder
from pac.errors import GitError
from pac.fulfilment.merging import merge, new_duplicates
from pac.records.status import RequestStatus
from pac.records.store import HEADER, dump, status_from_bytes

if TYPE_CHECKING:
    from git import Head, RemoteReference, Repo


@dataclass
class PushResult:
    committed: bool
    pushed: bool
    attempts: int
    merged: list[str]  # status files merged with another run's version
    duplicates: list[str] = field(default_factory=list)  # tasks two runs both did


def commit_and_push(
    root: Path,
    paths: Sequence[Path],
    message: str,
    author: tuple[str, str],
    *,
    push: bool = True,
    attempts: int = 5,
) -> PushResult:
    """Commit `paths` (status files) as the bot and push to the branch's upstream.

    Commits of the bot that an earlier, killed run made but never pushed go along, also
    when there is nothing new to commit.
    """
    import git

    from pac.git import open_repository

    repo = open_repository(
        root,
        "status cannot be committed",
        "Run without --commit, or inside a clone of the catalog repository.",
    )
    top = Path(repo.working_tree_dir or root)
    relative = [str(p.resolve().relative_to(top.resolve())) for p in paths if p.exists()]
    try:
        committed = _commit(repo, relative, message, author)
    except git.GitCommandError as exc:
        raise _left_on_disk(exc) from exc
    if not push:
        return PushResult(committed, False, 0, [])
    _, tracking = _upstream(repo)
    if not committed and not _unpushed(repo, tracking.name, author):
        return PushResult(False, False, 0, [])
    remote = repo.remote(tracking.remote_name)
    merged: list[str] = []
    duplicates: list[str] = []
    for attempt in range(1, attempts + 1):
        try:
            results = remote.push(f"HEAD:refs/heads/{tracking.remote_head}")
            if results and not any(r.flags & r.ERROR for r in results):
                return PushResult(committed, True, attempt, merged, duplicates)
            # The branch moved: bring our commit onto the new tip and try again.
            remote.fetch(tracking.remote_head)
        except git.GitCommandError as exc:
            raise _not_pushed(tracking.name, exc) from exc
        merged += _rebase(repo, tracking.name, author, duplicates)
    raise GitError(
        f"could not push the status after {attempts} attempts",
        "The branch keeps moving or rejects pushes (branch protection?). The statuses are "
        "committed locally; run `pac apply --commit` again.",
    )


def _not_pushed(upstream: str, exc: Exception) -> GitError:
    """The network went, or the token expired, after the work: nothing is lost."""
    return GitError(
        f"the status commit could not be pushed to {upstream}: {git_reason(exc)}",
        "The statuses are committed in this checkout, and the next `pac apply --commit` "
        "pushes them (check the network and the push credentials).",
    )


def _commit(repo: Repo, relative: list[str], message: str, author: tuple[str, str]) -> bool:
    if relative:
        repo.git.add("--", *relative)
    if not relative or not repo.index.diff("HEAD", paths=tuple(relative)):
        return False
    # `--only`: whatever else someone had staged stays staged, out of the bot's commit.
    env = bot_environment(author)
    repo.git.commit("--only", "--no-verify", "-m", message, "--", *relative, env=env)
    return True


def _unpushed(repo: Repo, upstream: str, author: tuple[str, str]) -> bool:
    """Has the branch a commit of the bot that its upstream lacks (a killed push)?"""
    emails = repo.git.log("--format=%ae", f"{upstream}..HEAD").split()
    return author[1] in emails


def _upstream(repo: Repo) -> tuple[Head, RemoteReference]:
    try:
        branch = repo.active_branch
    except TypeError as exc:
        raise GitError(
            "the checkout is on a detached HEAD, so there is no branch to push",
            "Check out the branch (e.g. `git checkout main`) before `pac apply --commit`.",
        ) from exc
    tracking = branch.tracking_branch()
    if tracking is None:
        raise GitError(
            f"the branch {branch.name} has no upstream to push to",
            f"Set one with `git branch --set-upstream-to origin/{branch.name}`, or run "
            "without --commit.",
        )
    return branch, tracking


def git_reason(exc: Exception) -> str:
    """git's own words for a failed command: its first `fatal:`/`error:` line, else the last.

    gitpython wraps stderr as `stderr: '...'`; the last line alone is often the tail of
    a sentence ("and the repository exists.").
    """
    text = str(getattr(exc, "stderr", "") or exc).strip()
    text = text.removeprefix("stderr:").strip().strip("'").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:", "remote: error:", "! [")):
            return line
    return lines[-1] if lines else "git failed"


def _left_on_disk(exc: Exception) -> GitError:
    reason = git_reason(exc)
    lock = "index.lock" in str(exc)
    return GitError(
        f"the status files could not be committed: {reason}",
        ("Another git process holds .git/index.lock, or it is a stale lock: remove it if no "
         "git is running. " if lock else "")
        + f"Nothing was lost: the statuses stay in {STATUS_FOLDER}/ and the next "
        "`pac apply --commit` commits and pushes them.",
    )  # fmt: skip


def _rebase(repo: Repo, upstream: str, author: tuple[str, str], duplicates: list[str]) -> list[str]:
    import git

    env = bot_environment(author)
    try:
        # --autostash: other local changes in the checkout must not stop the push.
        repo.git.rebase("--autostash", upstream, env=env)
        return []
    except git.GitCommandError:
        pass
    try:
        return _resolve_conflicts(repo, env, duplicates)
    except (GitError, git.GitCommandError) as exc:
        # Never leave the checkout half-way through a rebase, nor push one.
        with contextlib.suppress(git.GitCommandError):
            repo.git.rebase("--abort")
        if isinstance(exc, GitError):
            raise
        raise GitError(
            f"rebasing the status commit onto {upstream} failed: {git_reason(exc)}",
            "The statuses are committed in this checkout; resolve it by hand "
            "(`git pull --rebase`), or let the next `pac apply --commit` try again.",
        ) from exc


def _resolve_conflicts(repo: Repo, env: dict[str, str], duplicates: list[str]) -> list[str]:
    import git

    merged: list[str] = []
    while True:
        conflicted = repo.git.diff("--name-only", "--diff-filter=U").split()
        if not conflicted:
            raise GitError(
                "the rebase of the status commit stopped without a conflict pac can merge",
                "Look at `git status` in the checkout; pac aborted the rebase.",
            )
        for name in conflicted:
            merged.append(_merge_conflicted(repo, name, duplicates))
        try:
            repo.git.rebase("--continue", env=env)
            return merged
        except git.GitCommandError:
            continue  # the next commit of the rebase conflicts too


def _merge_conflicted(repo: Repo, name: str, duplicates: list[str]) -> str:
    from pac.records.store import StatusError

    if not (in_status_folder(name) and name.endswith(".yaml")):
        raise GitError(
            f"rebasing the status commit conflicts in {name}, which pac does not own",
            "Resolve it by hand; pac only merges its own status files.",
        )
    try:
        upstream_status = _status(repo.git.show(f":2:{name}"))
        ours_status = _status(repo.git.show(f":3:{name}"))
    except StatusError as exc:
        raise GitError(
            f"{name} on the upstream cannot be read, so it cannot be merged: {exc.message}",
            exc.hint,
        ) from exc
    combined = merge(ours_status, upstream_status)
    duplicates += new_duplicates(combined, ours_status, upstream_status)
    path = Path(repo.working_tree_dir or ".") / name
    path.write_text(HEADER + dump(combined.as_dict()), encoding="utf-8")
    repo.git.add("--", name)
    return name


def bot_environment(author: tuple[str, str]) -> dict[str, str]:
    """The environment for git commands made as the bot.

    The runner may have no git identity of its own, and a person's settings (commit
    signing) must not apply to the bot's commits.
    """
    return {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_COMMITTER_NAME": author[0],
        "GIT_COMMITTER_EMAIL": author[1],
        "GIT_EDITOR": "true",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "commit.gpgsign",
        "GIT_CONFIG_VALUE_0": "false",
    }


def _status(text: str) -> RequestStatus:
    return status_from_bytes(text.encode("utf-8"))


# --- before the work: preflight, and the upstream's statuses ----------------------------

LOCK_GRACE_SECONDS = 5.0  # a live git holds index.lock for moments; longer is a stale lock


@dataclass
class Upstream:
    """The branch a checkout pushes to: `remote`/`branch`, seen locally as `tracking`."""

    repo: Repo
    remote: str
    branch: str
    tracking: str

    @property
    def top(self) -> Path:
        return Path(self.repo.working_tree_dir or ".")


def preflight(root: Path, *, commit: bool, grace: float = LOCK_GRACE_SECONDS) -> Upstream | None:
    """What `pac apply` can check before any work: None when there is no upstream.

    Without --commit a checkout without git or upstream is fine (no lease, the local lock
    only); with it, every such problem stops the run before a ticket is created.
    """
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
        repo.head.commit  # noqa: B018 - a repository without commits has no branch to push
        _no_rebase_in_progress(Path(repo.git_dir))
        _, tracking = _upstream(repo)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError) as exc:
        if commit:
            raise GitError(
                f"{root} is not a git repository with commits, so --commit has nothing to "
                "commit to; nothing was done",
                "Run without --commit, or inside a clone of the catalog repository.",
            ) from exc
        return None
    except GitError as exc:
        if commit:
            raise GitError(f"{exc.message}; nothing was done", exc.hint) from exc
        return None
    if commit:
        _no_index_lock(Path(repo.git_dir), grace)
    return Upstream(repo, tracking.remote_name, tracking.remote_head, tracking.name)


def _no_rebase_in_progress(git_dir: Path) -> None:
    """A run killed while rebasing its status commit leaves the checkout mid-rebase, on a
    detached HEAD: say what happened rather than "detached HEAD"."""
    if (git_dir / "rebase-merge").is_dir() or (git_dir / "rebase-apply").is_dir():
        raise GitError(
            "a rebase is in progress in this checkout (a pac apply or git pull stopped "
            "half-way through one)",
            "Run `git rebase --abort` (the branch goes back to where it was, with any status "
            "commit pac made), or finish it with `git rebase --continue`; then run pac apply "
            "again.",
        )


def _no_index_lock(git_dir: Path, grace: float) -> None:
    lock = git_dir / "index.lock"
    while _age(lock) is not None and (_age(lock) or 0.0) < grace:
        time.sleep(0.1)  # a live git lets go of it in moments
    if lock.exists():
        raise GitError(
            f"{lock} exists: another git process is running in this checkout, or it is a "
            "stale lock; nothing was done",
            f"Remove {lock} if no git is running (`rm {lock}`), then run pac apply again.",
        )


def _age(path: Path) -> float | None:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None


def pending_statuses(upstream: Upstream, root: Path, refused: set[str]) -> list[Path]:
    """Every status file that differs from HEAD (new or changed) and that pac can read.

    An earlier run killed before its commit left them; `refused` are request ids whose
    status pac would not read in this run (edited by hand): never the bot's to commit.
    """
    from pac.records.store import StatusError, StatusStore

    store = StatusStore(root)
    listed = upstream.repo.git.status(
        "--porcelain", "-z", "--untracked-files=all", "--", str(store.folder.resolve())
    )
    paths = []
    for entry in listed.split("\0"):
        code, name = entry[:2], entry[3:]
        path = upstream.top / name
        if "D" in code or path.suffix != ".yaml" or path.name.startswith("."):
            continue
        if path.stem in refused or path.parent.resolve() != store.folder.resolve():
            continue
        try:
            store.load(path.stem)
        except StatusError:
            continue
        paths.append(path)
    return paths


def bring_in(upstream: Upstream, root: Path) -> tuple[list[str], list[str]]:
    """Put the upstream's newer status files into the checkout before deciding anything.

    A run elsewhere (CI, a colleague's laptop) may have done work this checkout does not
    know of yet. Returns (status files updated or merged, warnings about tasks done twice).
    Only the working tree of `requests/.status/` changes; the branch stays where it is.
    """
    import git

    try:
        upstream.repo.git.fetch("--quiet", upstream.remote, upstream.branch)
        base = _merge_base(upstream)
        # What changed upstream since the two parted; what changed here is this run's.
        names = upstream.repo.git.diff(
            "--name-only", "--diff-filter=AM", base or "HEAD", upstream.tracking, "--",
            str((root / STATUS_FOLDER).resolve()),
        ).split()  # fmt: skip
    except git.GitCommandError as exc:
        raise GitError(
            f"the upstream {upstream.tracking} cannot be fetched: {git_reason(exc)}",
            "Check the network and this checkout's credentials for the remote; nothing was done.",
        ) from exc
    changed: list[str] = []
    warnings: list[str] = []
    for name in names:
        if name.endswith(".yaml") and _take_upstream(upstream, base, name, warnings):
            changed.append(name)
    return changed, warnings


def _merge_base(upstream: Upstream) -> str:
    import git

    try:
        return str(upstream.repo.git.merge_base("HEAD", upstream.tracking)).strip()
    except git.GitCommandError:  # unrelated histories: compare with HEAD instead
        return ""


def _take_upstream(upstream: Upstream, base: str, name: str, warnings: list[str]) -> bool:
    """Theirs when this checkout did not change the file since the common base, else both.

    `base` is where the branch and its upstream parted: a status unchanged since then is
    merely older (a merge with it could bring back what the newer one cleared), while one
    written here since (uncommitted, or in a commit a killed push left) holds work of its own.
    """
    import git

    from pac.records.store import StatusError, write_atomic

    path = upstream.top / name
    path.parent.mkdir(parents=True, exist_ok=True)
    theirs_text = upstream.repo.git.show(f"{upstream.tracking}:{name}")
    local_text = path.read_text(encoding="utf-8") if path.exists() else None
    try:
        base_text = upstream.repo.git.show(f"{base}:{name}") if base else None
    except git.GitCommandError:
        base_text = None
    if local_text == theirs_text + "\n" or local_text == theirs_text:
        return False
    if local_text is None or local_text.rstrip("\n") == (base_text or "").rstrip("\n"):
        write_atomic(path, theirs_text + "\n")  # untouched here: theirs is simply newer
        return True
    try:
        ours, theirs = _status(local_text), _status(theirs_text)
    except (StatusError, KeyError, TypeError, ValueError, AttributeError):
        return False  # a broken file stops its own request in the run, with the reason
    combined = merge(ours, theirs)
    warnings += new_duplicates(combined, ours, theirs)
    write_atomic(path, HEADER + dump(combined.as_dict()))
    return True
