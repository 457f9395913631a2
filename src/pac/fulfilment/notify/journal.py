"""The sent journal: each message's mark pushed to the upstream the moment it is sent.

Marks in status files reach the upstream with the run's status commit, at its end: a run
killed while sending would leave a fresh clone (the next CI run) without them, and every
message of the killed run would go out again. So each send is also recorded as a commit on
the ref `refs/pac/notified` of the upstream (an empty tree; the message names the event,
the channel and the time), pushed at once; the next run folds the journal into the
statuses before it sends anything. Only the run holding the apply lease writes it, so a
plain push suffices. Once the statuses with the marks are pushed, the journal is deleted.
A kill can then repeat at most the one message between its send and that push.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pac.errors import GitError

if TYPE_CHECKING:
    from pac.fulfilment.commit import Upstream

JOURNAL_REF = "refs/pac/notified"
_SEEN_REF = "refs/pac/notified-seen"  # the local copy of the remote journal
_PREFIX = "pac sent "


class Journal:
    """Marks of sent messages on the upstream: `(event id, channel) -> when`."""

    def __init__(self, upstream: Upstream, author: tuple[str, str]) -> None:
        self.upstream = upstream
        self.author = author
        self.tip = ""

    def read(self) -> dict[tuple[str, str], str]:
        import git

        repo = self.upstream.repo
        try:
            repo.git.fetch(
                "--quiet", "--no-write-fetch-head", self.upstream.remote,
                f"+{JOURNAL_REF}:{_SEEN_REF}",
            )  # fmt: skip
        except git.GitCommandError as exc:
            if "couldn't find remote ref" in str(exc):
                return {}
            raise _unreachable(exc) from exc
        self.tip = str(repo.commit(_SEEN_REF).hexsha)
        marks: dict[tuple[str, str], str] = {}
        for line in repo.git.log("--format=%s", _SEEN_REF).splitlines():
            parts = line.removeprefix(_PREFIX).split(" ")
            if line.startswith(_PREFIX) and len(parts) == 3:
                marks.setdefault((parts[0], parts[1]), parts[2])
        return marks

    def add(self, event_id: str, channel: str, at: str) -> None:
        """Record one send on the upstream before anything else is sent."""
        import git

        from pac.fulfilment.commit import bot_environment

        repo = self.upstream.repo
        env = bot_environment(self.author)
        tree = repo.git.mktree()  # stdin is /dev/null: the empty tree
        parents = ["-p", self.tip] if self.tip else []
        message = f"{_PREFIX}{event_id} {channel} {at}"
        sha = str(repo.git.commit_tree(tree, *parents, "-m", message, env=env)).strip()
        try:
            repo.git.push("--quiet", "--no-verify", self.upstream.remote, f"{sha}:{JOURNAL_REF}")
        except git.GitCommandError as exc:
            raise _unreachable(exc) from exc
        self.tip = sha

    def clear(self) -> None:
        """The marks are in the pushed statuses now: the journal has done its work."""
        import git

        if not self.tip:
            return
        try:
            self.upstream.repo.git.push(
                "--quiet", "--no-verify", self.upstream.remote, f":{JOURNAL_REF}"
            )
        except git.GitCommandError as exc:
            raise _unreachable(exc) from exc
        self.tip = ""


def _unreachable(exc: Exception) -> GitError:
    from pac.fulfilment.commit import git_reason

    return GitError(
        f"the record of sent notifications cannot be read or pushed: {git_reason(exc)}",
        "Check the network and the push credentials (pac apply pushes refs/pac/* like its "
        "lease); what was sent is marked in the status files all the same.",
    )
