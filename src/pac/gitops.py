"""Committing status files and pushing them, rebasing when the branch moved (gitpython).

`pac apply` in CI writes `requests/.status/*.yaml` and must get them onto `main` even when
someone merged meanwhile. The commit is rebased onto the new tip; if another run changed
the same status file, the two are merged task by task, so no run's status is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pac.errors import GitError
from pac.status import HEADER, RequestStatus, dump, merge, status_from_bytes


@dataclass
class PushResult:
    committed: bool
    pushed: bool
    attempts: int
    merged: list[str]  # status files merged with another run's version


def commit_and_push(
    root: Path,
    paths: Sequence[Path],
    message: str,
    author: tuple[str, str],
    *,
    push: bool = True,
    attempts: int = 5,
) -> PushResult:
    """Commit `paths` (status files) as the bot and push to the branch's upstream."""
    from pac.gitchanges import open_repository

    repo = open_repository(
        root,
        "status cannot be committed",
        "Run without --commit, or inside a clone of the catalog repository.",
    )
    top = Path(repo.working_tree_dir or root)
    relative = [str(p.resolve().relative_to(top.resolve())) for p in paths if p.exists()]
    if relative:
        repo.git.add("--", *relative)
    if not relative or not repo.index.diff("HEAD", paths=tuple(relative)):
        return PushResult(False, False, 0, [])
    # `--only`: whatever else someone had staged stays staged, out of the bot's commit.
    repo.git.commit("--only", "--no-verify", "-m", message, "--", *relative, env=_bot(author))
    if not push:
        return PushResult(True, False, 0, [])
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
            f"Set one with `git branch --set-upstream-to origin/{branch.name}`.",
        )
    remote = repo.remote(tracking.remote_name)
    merged: list[str] = []
    for attempt in range(1, attempts + 1):
        results = remote.push(f"HEAD:refs/heads/{tracking.remote_head}")
        if results and not any(r.flags & r.ERROR for r in results):
            return PushResult(True, True, attempt, merged)
        # The branch moved: bring our commit onto the new tip and try again.
        remote.fetch(tracking.remote_head)
        merged += _rebase(repo, tracking.name, author)
    raise GitError(
        f"could not push the status after {attempts} attempts",
        "The branch keeps moving or rejects pushes (branch protection?). The statuses are "
        "committed locally; run `pac apply --commit` again.",
    )


def _rebase(repo: object, upstream: str, author: tuple[str, str]) -> list[str]:
    import git

    assert isinstance(repo, git.Repo)
    env = _bot(author)
    try:
        # --autostash: other local changes in the checkout must not stop the push.
        repo.git.rebase("--autostash", upstream, env=env)
        return []
    except git.GitCommandError:
        pass
    merged: list[str] = []
    while True:
        conflicted = repo.git.diff("--name-only", "--diff-filter=U").split()
        if not conflicted:
            break
        for name in conflicted:
            if not (name.startswith("requests/.status/") and name.endswith(".yaml")):
                repo.git.rebase("--abort")
                raise GitError(
                    f"rebasing the status commit conflicts in {name}, which pac does not own",
                    "Resolve it by hand; pac only merges its own status files.",
                )
            upstream_text = repo.git.show(f":2:{name}")
            ours_text = repo.git.show(f":3:{name}")
            combined = merge(_status(ours_text), _status(upstream_text))
            path = Path(repo.working_tree_dir or ".") / name
            path.write_text(
                HEADER + dump(combined.as_dict()),
                encoding="utf-8",
            )
            repo.git.add("--", name)
            merged.append(name)
        try:
            repo.git.rebase("--continue", env=env)
            break
        except git.GitCommandError:
            continue  # the next commit of the rebase conflicts too
    return merged


def _bot(author: tuple[str, str]) -> dict[str, str]:
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
