"""Infrastructure repositories reached through git: find pac's commit, make it, push it.

One working clone per repository under `.pac/git/` (fetched, never checked out: commits are
built from blobs and trees, so a 100-file commit costs one `update-index`). A commit carries
its task key as a `Pac-Task:` trailer; the branch is searched for it before anything is made
again (SPEC §6.4). A push the remote rejects because the branch moved is rebuilt on the new
tip and pushed again; any other rejection (branch protection, a hook, a missing permission)
fails with the remote's own words.
"""

from __future__ import annotations

import base64
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pac.documents.layout import GIT_CLONES
from pac.fulfilment.backends import BackendError

if TYPE_CHECKING:
    from git import Repo

TRAILER = "Pac-Task"
MAX_PUSHES = 5  # a branch that moves under every push this often is not settling
_REMOTE = "target"
_ZERO = "0" * 40
_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the repository's root, already checked to stay inside it
    operation: str  # create | update | delete
    content: str = ""


@dataclass(frozen=True)
class Pushed:
    commit: str  # "" when the files already were as asked: nothing to commit
    branch: str
    made: bool  # this run made and pushed it (False: found from an earlier run)
    pushes: int = 0


def env_name(repository: str) -> str:
    """`PAC_GIT_URL_<OWNER>_<NAME>`: where `owner/name` is reached instead of GitHub."""
    return "PAC_GIT_URL_" + re.sub(r"[^A-Z0-9]", "_", repository.upper())


def remote_url(repository: str, env: Mapping[str, str]) -> str:
    """The repository's git URL: its own variable, else GitHub (Enterprise) over https."""
    own = env.get(env_name(repository))
    if own:
        return own
    api = env.get("PAC_GITHUB_URL", "").rstrip("/")
    web = api.removesuffix("/api/v3") if api and "api.github.com" not in api else ""
    return f"{web or 'https://github.com'}/{repository}.git"


def reachable(repository: str, env: Mapping[str, str]) -> bool:
    """Whether this machine is set up to reach the repository (a preview may try it)."""
    return bool(
        env.get(env_name(repository)) or env.get("PAC_GITHUB_TOKEN") or env.get("PAC_GIT_SSH_KEY")
    )


def _credentials(url: str, env: Mapping[str, str]) -> dict[str, str]:
    """Git's environment: the token as a header (never in a URL or on a command line)."""
    extra = {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_COUNT": "1"}
    extra |= {"GIT_CONFIG_KEY_0": "commit.gpgsign", "GIT_CONFIG_VALUE_0": "false"}
    token = env.get("PAC_GITHUB_TOKEN", "")
    if token and url.startswith("https://"):
        pair = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        extra |= {"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_1": "http.extraHeader"}
        extra["GIT_CONFIG_VALUE_1"] = f"Authorization: Basic {pair}"
    key = env.get("PAC_GIT_SSH_KEY", "")
    if key:
        extra["GIT_SSH_COMMAND"] = f"ssh -i '{key}' -o IdentitiesOnly=yes -o BatchMode=yes"
    return extra


def _lock(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


class GitRemotes:
    """The infrastructure repositories of one `pac apply` run (or one preview)."""

    def __init__(
        self, root: Path, author: tuple[str, str], env: Mapping[str, str] | None = None
    ) -> None:
        self.folder = root / GIT_CLONES
        self.author = author
        self.env = dict(os.environ if env is None else env)

    def close(self) -> None:
        """Nothing held open: clones stay for the next run to fetch into."""

    # --- reading --------------------------------------------------------------------

    def read(self, repository: str, branch: str, paths: Sequence[str]) -> dict[str, str | None]:
        """Each path's text on `branch` now (None: no such file); raises when unreachable."""
        with _Clone(self, repository) as clone:
            tip = clone.fetch(branch)
            if tip is None:
                raise BackendError(f"{repository} has no branch {branch}")
            return {path: clone.text(tip, path) for path in paths}

    # --- committing -----------------------------------------------------------------

    def commit(
        self,
        repository: str,
        base: str,
        branch: str,
        changes: Sequence[FileChange],
        message: str,
        key: str,
    ) -> Pushed:
        """One commit of `changes` on `branch` (started from `base` when it is new), pushed.

        Exactly once: a commit of `key` already on `branch` or `base` is returned as found.
        """
        with _Clone(self, repository) as clone:
            base_tip = clone.fetch(base)
            if base_tip is None:
                raise BackendError(
                    f"{repository} has no branch {base}",
                    "Check the action's branch, or create the branch in the repository.",
                )
            tip = clone.fetch(branch) if branch != base else base_tip
            found = clone.find(key, [t for t in (tip, base_tip) if t])
            if found:
                return Pushed(found, branch, made=False)
            for push in range(1, MAX_PUSHES + 1):
                parent = tip or base_tip
                sha = clone.build(parent, changes, f"{message.rstrip()}\n\n{TRAILER}: {key}\n")
                if sha is None:
                    return Pushed("", branch, made=False, pushes=push - 1)
                refused = clone.push(sha, branch, tip)
                if refused is None:
                    return Pushed(sha, branch, made=True, pushes=push)
                moved = clone.fetch(branch)
                if moved == tip:
                    raise BackendError(
                        f"{repository} refused the push to {branch}: {refused}",
                        "The remote's rules (branch protection, a hook, or the permissions "
                        "of pac's credentials) refused it; ask the repository's owners, or "
                        "let the action open a pull request (createPullRequest: true).",
                    )
                found = clone.find(key, [moved] if moved else [])
                if found:
                    return Pushed(found, branch, made=False, pushes=push)
                tip = moved
            raise BackendError(
                f"{repository}: {branch} moved under each of {MAX_PUSHES} pushes",
                "The branch is busy; the next run tries again.",
                transient=True,
            )


class _Clone:
    """One repository's working clone, held by one thread at a time."""

    def __init__(self, remotes: GitRemotes, repository: str) -> None:
        self.remotes = remotes
        self.repository = repository
        self.url = remote_url(repository, remotes.env)
        self.path = remotes.folder / repository.replace("/", "+")
        self.lock = _lock(self.path)
        name, email = remotes.author
        self.env = _credentials(self.url, remotes.env) | {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }

    def __enter__(self) -> _Clone:
        import git

        self.lock.acquire()
        try:
            if not (self.path / "HEAD").is_file():
                self.path.mkdir(parents=True, exist_ok=True)
                git.Repo.init(self.path, bare=True)
            self.repo: Repo = git.Repo(self.path)
            self.run("config", "remote.target.url", self.url)
        except BaseException:
            self.lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()

    def run(self, *args: str, stdin: str | None = None) -> str:
        import tempfile

        import git

        with tempfile.TemporaryFile() as feed:
            if stdin is not None:
                feed.write(stdin.encode())
                feed.seek(0)
            try:
                out = self.repo.git.execute(
                    ["git", *args],
                    env=self.env,
                    istream=feed if stdin is not None else None,
                    strip_newline_in_stdout=False,
                )
            except git.GitCommandError as exc:
                raise _GitFailed(exc) from exc
        return str(out)

    def blob(self, text: str) -> str:
        """Store `text` as a blob in this process (no git command per file)."""
        from io import BytesIO

        from gitdb import IStream  # type: ignore[import-untyped]

        data = text.encode()
        return bytes(self.repo.odb.store(IStream("blob", len(data), BytesIO(data))).binsha).hex()

    def fetch(self, branch: str) -> str | None:
        """The branch's tip on the remote, fetched; None when the remote has no such branch."""
        ref = f"refs/remotes/{_REMOTE}/{branch}"
        try:
            listed = self.run("ls-remote", "--heads", _REMOTE, f"refs/heads/{branch}")
        except _GitFailed as exc:
            raise self.unreachable(exc) from exc
        if not listed.strip():
            return None
        try:
            self.run("fetch", "--quiet", "--no-tags", _REMOTE, f"+refs/heads/{branch}:{ref}")
        except _GitFailed as exc:
            raise self.unreachable(exc) from exc
        return self.run("rev-parse", ref).strip()

    def unreachable(self, exc: _GitFailed) -> BackendError:
        return BackendError(
            f"{self.repository} could not be reached: {exc.words}",
            f"Check {env_name(self.repository)} (or PAC_GITHUB_URL) and pac's credentials "
            "(PAC_GITHUB_TOKEN or PAC_GIT_SSH_KEY); the next run tries again.",
            transient=True,
        )

    def find(self, key: str, tips: Sequence[str]) -> str | None:
        """The commit on `tips` whose trailer is exactly `key` (a longer key never matches)."""
        wanted = f"{TRAILER}: {key}"
        for tip in dict.fromkeys(tips):
            log = self.run("log", tip, "-F", f"--grep={wanted}", "--format=%H%x00%B%x1e")
            for entry in log.split("\x1e"):
                sha, _, body = entry.strip().partition("\x00")
                if sha and wanted in body.splitlines():
                    return sha
        return None

    def text(self, tip: str, path: str) -> str | None:
        try:
            return self.run("cat-file", "blob", f"{tip}:{path}")
        except _GitFailed:
            return None

    def build(self, parent: str, changes: Sequence[FileChange], message: str) -> str | None:
        """A commit of `changes` on `parent`, or None when they change nothing."""
        current = self._blobs(parent, [c.path for c in changes])
        lines = []
        for change in changes:
            if change.operation == "delete":
                if change.path in current:
                    lines.append(f"0 {_ZERO}\t{change.path}")
                continue
            if change.operation == "update" and change.path not in current:
                raise BackendError(
                    f"{self.repository}: {change.path} does not exist, so it cannot be updated",
                    "Use operation: create for a new file (the owning team's action).",
                )
            blob = self.blob(change.content)
            if change.operation == "create" and current.get(change.path) not in (None, blob):
                raise BackendError(
                    f"{self.repository}: {change.path} already exists with other content, so "
                    "it cannot be created",
                    "Another request or a person made it: use operation: update if pac may "
                    "overwrite it, or choose another path (the owning team's action).",
                )
            lines.append(f"100644 {blob}\t{change.path}")
        index = self.path / f"index.{threading.get_ident()}"
        self.env["GIT_INDEX_FILE"] = str(index)
        try:
            self.run("read-tree", parent)
            self.run("update-index", "--index-info", stdin="\n".join(lines) + "\n")
            tree = self.run("write-tree").strip()
        finally:
            del self.env["GIT_INDEX_FILE"]
            index.unlink(missing_ok=True)
        if tree == self.run("rev-parse", f"{parent}^{{tree}}").strip():
            return None
        return self.run("commit-tree", tree, "-p", parent, "-F", "-", stdin=message).strip()

    def _blobs(self, tip: str, paths: Sequence[str]) -> dict[str, str]:
        listed = self.run("ls-tree", "-z", tip, "--", *paths) if paths else ""
        blobs: dict[str, str] = {}
        for entry in listed.split("\0"):
            meta, _, path = entry.partition("\t")
            if path:
                blobs[path] = meta.split()[2]
        return blobs

    def push(self, sha: str, branch: str, expected: str | None) -> str | None:
        """None when pushed; else what the remote said when it refused."""
        lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
        try:
            self.run("push", "--porcelain", lease, _REMOTE, f"{sha}:refs/heads/{branch}")
        except _GitFailed as exc:
            return exc.words
        return None


class _GitFailed(Exception):
    """A git command failed; `words` is what the remote or git said, without noise."""

    def __init__(self, exc: Exception) -> None:
        stdout = str(getattr(exc, "stdout", "") or "")
        stderr = str(getattr(exc, "stderr", "") or "")
        super().__init__(stderr)
        lines = [line.strip().removeprefix("stderr: '").strip() for line in stderr.splitlines()]
        said = [
            line.removeprefix("remote:").strip()
            for line in lines
            if line.startswith(("remote:", "fatal:", "error:"))
            and "failed to push some refs" not in line
        ]
        said += [line.split("\t")[-1] for line in stdout.splitlines() if line.startswith("!")]
        words = "; ".join(w for w in (s.strip("' ") for s in said) if w)
        self.words = words or stderr.strip() or "git failed"
