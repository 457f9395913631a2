"""One `pac apply` at a time per upstream: a lease held as a ref on the remote (SPEC §6.4).

A laptop run and a CI run work in different checkouts, so the local lock in `.pac/` cannot
keep them apart; the shared upstream can. The lease is the ref `refs/pac/apply-lease`
pointing at a commit with an empty tree whose message names the holder and the expiry.
It is taken and renewed with `git push --force-with-lease=<ref>:<expected sha>`, which the
remote applies as a compare-and-swap: of two runs racing for it exactly one wins, with no
server of our own. A run that is killed leaves its lease behind; it expires, and a run on
the same host takes it over at once when the holder's process is gone.

JIRA's search lags behind its creates, and a run that does not push its statuses leaves no
record of its new tickets on the upstream: the next run's label search could miss them and
create them again. Such a run keeps the lease, marked released, until the index has caught
up; a run taking over the lease of a killed run waits the same lag before it searches.

git (gitpython) is imported lazily: most commands never need it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pac.errors import GitError

if TYPE_CHECKING:
    from git import Repo

    from pac.fulfilment.commit import Upstream

LEASE_REF = "refs/pac/apply-lease"
_SEEN_REF = "refs/pac/apply-lease-seen"  # the local copy of the remote lease, to read it
TTL_SECONDS = 300  # renewed every TTL/4 while the run works, so only a dead run lets it lapse


class LeaseHeld(GitError):
    """Another run holds the lease on the upstream and did not let go in time."""


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    run_id: str
    ci_url: str
    expires: float  # seconds since the epoch
    released: bool = False  # done, but held until JIRA's search shows its new tickets
    checkout: str = ""  # the holder's git directory: its statuses are there

    def describe(self) -> str:
        until = dt.datetime.fromtimestamp(self.expires, dt.UTC).replace(microsecond=0)
        where = f" ({self.ci_url})" if self.ci_url else ""
        state = ", released, JIRA's search index catching up with its new tickets" * (self.released)
        return (
            f"pac apply run {self.run_id} on {self.host}, process {self.pid}{where}{state}, "
            f"until {until.isoformat().replace('+00:00', 'Z')}"
        )

    def message(self) -> str:
        lines = [
            "pac apply lease",
            "",
            f"host: {self.host}",
            f"pid: {self.pid}",
            f"run: {self.run_id}",
            f"ci: {self.ci_url}",
            f"expires: {math.ceil(self.expires)}",  # never before the time it promised
            *(["state: released"] if self.released else []),
            *([f"checkout: {self.checkout}"] if self.checkout else []),
        ]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Holder:
        fields: dict[str, str] = {}
        for line in text.splitlines()[2:]:
            name, _, value = line.partition(":")
            fields[name.strip()] = value.strip()
        try:
            return cls(
                fields.get("host", "?"),
                int(fields.get("pid", "0")),
                fields.get("run", "?"),
                fields.get("ci", ""),
                float(fields.get("expires", "0")),
                fields.get("state") == "released",
                fields.get("checkout", ""),
            )
        except ValueError:
            return cls("?", 0, "?", "", 0.0)  # unreadable: treated as expired

    def lapsed(self, now: float) -> bool:
        """Expired, or held by a process of this host that no longer exists."""
        if now >= self.expires:
            return True
        # A released lease waits for JIRA's index, not for its (finished) process.
        if self.released or self.host != socket.gethostname() or self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def ci_run_url(env: dict[str, str] | None = None) -> str:
    env = dict(os.environ if env is None else env)
    server, repository, run = (
        env.get("GITHUB_SERVER_URL", ""),
        env.get("GITHUB_REPOSITORY", ""),
        env.get("GITHUB_RUN_ID", ""),
    )
    return f"{server}/{repository}/actions/runs/{run}" if server and repository and run else ""


class Lease:
    """The lease of one run on one remote; `acquire`, then `release` (also on failure)."""

    def __init__(
        self,
        repo: Repo,
        remote: str,
        author: tuple[str, str],
        *,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.repo = repo
        self.remote = remote
        self.author = author
        self.ttl = ttl
        self.clock = clock
        self.run_id = uuid.uuid4().hex[:12]
        self.sha = ""  # the lease commit we hold on the remote, "" when not held
        self.confirmed = 0.0  # when the remote last showed our lease (clock)
        self.lost = ""  # why a renewal failed, for a warning at the end
        self.linger = 0.0  # seconds to keep it, released, for JIRA's search to catch up
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- reading and swapping the ref -------------------------------------------------

    def current(self) -> tuple[str, Holder | None]:
        """The remote lease commit and its holder, or ("", None) when nobody holds it."""
        import git

        try:
            self.repo.git.fetch(
                "--quiet", "--no-write-fetch-head", self.remote, f"+{LEASE_REF}:{_SEEN_REF}"
            )
        except git.GitCommandError as exc:
            if "couldn't find remote ref" in str(exc):
                return "", None
            raise _unreachable(self.remote, exc) from exc
        commit = self.repo.commit(_SEEN_REF)
        return str(commit.hexsha), Holder.parse(str(commit.message))

    def _swap(self, expected: str, new: str) -> bool:
        """Point the remote ref at `new` ("" deletes) if it still is `expected`."""
        import git

        target = f"{new}:{LEASE_REF}" if new else f":{LEASE_REF}"
        try:
            self.repo.git.push(
                "--quiet", "--no-verify", f"--force-with-lease={LEASE_REF}:{expected}",
                self.remote, target,
            )  # fmt: skip
        except git.GitCommandError as exc:
            if "stale info" in str(exc) or "rejected" in str(exc):
                return False
            raise _unreachable(self.remote, exc) from exc
        return True

    def _commit(self, *, linger: float = 0.0) -> tuple[str, Holder]:
        from pac.fulfilment.commit import bot_environment

        holder = Holder(
            socket.gethostname(), os.getpid(), self.run_id, ci_run_url(),
            self.clock() + (linger or self.ttl), released=bool(linger),
            checkout=self._checkout() if linger else "",
        )  # fmt: skip
        env = bot_environment(self.author)
        tree = self.repo.git.mktree()  # stdin is /dev/null: the empty tree
        sha = self.repo.git.commit_tree(tree, "-m", holder.message(), env=env)
        return str(sha).strip(), holder

    def _checkout(self) -> str:
        return f"{socket.gethostname()}:{os.path.realpath(self.repo.git_dir)}"

    def _ours(self, holder: Holder) -> bool:
        """Released by a run of this checkout, whose statuses (with their record of each
        ticket create) are here: nothing to wait for."""
        return holder.released and holder.checkout == self._checkout()

    # --- the life of a lease ------------------------------------------------------------

    def acquire(self, wait: float, emit: Callable[[str], None], settle: float = 0.0) -> None:
        """Take the lease, waiting up to `wait` seconds for another holder to let go.

        `settle` is JIRA's search lag: after taking over the lease of a run that died, the
        tickets it may have created are waited for until the index shows them.
        """
        deadline = time.monotonic() + wait  # `clock` is the lease's wall clock, shared
        told = False
        while True:
            expected, holder = self.current()
            if holder is None or holder.lapsed(self.clock()) or self._ours(holder):
                sha, _ = self._commit()
                if self._swap(expected, sha):
                    self.sha, self.confirmed = sha, self.clock()
                    if holder is not None:
                        self._took_over(holder, settle, emit)
                    return
                continue  # someone else was quicker: look again
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LeaseHeld(
                    f"another pac apply holds the lease on {self.remote} ({LEASE_REF}): "
                    f"{holder.describe()}",
                    _held_hint(holder),
                )
            if not told:
                emit(f"waiting for the apply lease held by {holder.describe()}")
                told = True
            time.sleep(min(1.0, remaining))

    def _took_over(self, holder: Holder, settle: float, emit: Callable[[str], None]) -> None:
        if self._ours(holder):
            return  # this checkout's own lease, released: taken without a word
        emit(f"took over the lapsed apply lease of {holder.describe()}")
        if holder.released:
            return  # its expiry already was its last create plus the lag
        # It worked until it died (at the latest at its expiry) and left no statuses here.
        pause = min(self.clock(), holder.expires) + settle - self.clock()
        if pause > 0:
            emit(
                f"waiting {pause:.0f} s for JIRA's search index to show any ticket that run "
                "created before it stopped (jira.searchLag)"
            )
            time.sleep(pause)

    def renew(self) -> bool:
        with self._lock:
            if not self.sha:
                return False
            sha, _ = self._commit()
            if self._swap(self.sha, sha):
                self.sha, self.confirmed = sha, self.clock()
                return True
            self.lost = "another run took the lease over while this one worked" + self._who()
            self.sha = ""
            return False

    def _who(self) -> str:
        try:
            _, holder = self.current()
        except GitError:
            return ""
        return f" ({holder.describe()})" if holder is not None else ""

    def still_held(self) -> bool:
        """Whether this run may still act: checked before each ticket create and call.

        Free while the renewer keeps up; after a stall (a laptop asleep) the lease is
        renewed first. Another run takes a live run's lease only once it has expired, a
        full lifetime after its last renewal, so renewing after half of one never misses
        a takeover (unless the hosts' clocks differ by more than that).
        """
        with self._lock:
            if not self.sha:
                return False
            stale = self.clock() >= self.confirmed + self.ttl / 2
        if not stale:
            return True
        try:
            return self.renew()
        except GitError as exc:
            self.lost = exc.message
            return self.clock() < self.confirmed + self.ttl  # nobody can have it yet

    def keep_renewed(self) -> None:
        """Renew in the background every quarter of the lease's lifetime."""

        def loop() -> None:
            while not self._stop.wait(self.ttl / 4):
                try:
                    if not self.renew():
                        return
                except GitError as exc:
                    self.lost = exc.message  # tried again at the next tick

        self._renewer = threading.Thread(target=loop, name="pac-lease", daemon=True)
        self._renewer.start()

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        with self._lock:
            if self.sha and self.linger > 0:
                sha, _ = self._commit(linger=self.linger)
                self._swap(self.sha, sha)
            elif self.sha:
                self._swap(self.sha, "")
            self.sha = ""


def _held_hint(holder: Holder) -> str:
    if holder.released:
        return (
            "That run has finished, but its statuses did not reach the upstream (no --commit), "
            "so only JIRA's search shows its new tickets, from the time shown on (jira.searchLag"
            " in pac.yaml). Pass --wait SECONDS to wait for it (CI waits 300 s by default), or "
            "run again in that run's checkout, which needs not wait."
        )
    return (
        "Wait for that run to finish (it releases the lease at its end; a killed run's lease "
        "lapses at the time shown), or pass --wait SECONDS to wait for it. Ask whoever "
        "started that run if it seems stuck."
    )


class RemoteUnreachable(GitError):
    """The upstream could not be fetched from or pushed to (network, credentials)."""


def _unreachable(remote: str, exc: Exception) -> GitError:
    from pac.fulfilment.commit import git_reason

    return RemoteUnreachable(
        f"the remote {remote} cannot be reached for the apply lease: {git_reason(exc)}",
        "Check the network and the push credentials of this checkout (pac apply needs to "
        "push to the upstream when it has one); the platform team runs the CI runners. To "
        "try things offline, use a branch without an upstream (`git branch "
        "--unset-upstream`): it runs without a lease, and without --commit.",
    )


@contextlib.contextmanager
def held(
    upstream: Upstream | None,
    author: tuple[str, str],
    *,
    wait: float,
    emit: Callable[[str], None],
    required: bool = True,
    settle: float = 0.0,
) -> Iterator[Lease | None]:
    """Hold the upstream's lease for the `with` block; without an upstream, no lease.

    Not `required` (a run that does not commit): an upstream that cannot be reached or
    pushed to (offline, a developer without push rights) leaves the run without a lease,
    with a warning. Its statuses stay in this checkout, and tickets and calls keep their
    own exactly-once keys; a lease another run holds still stops it.
    """
    if upstream is None:
        yield None
        return
    lease = Lease(upstream.repo, upstream.remote, author)
    try:
        lease.acquire(wait, emit, settle)
    except RemoteUnreachable as exc:
        if required:
            raise
        emit(f"warning: working without the apply lease: {exc.message}")
        yield None
        return
    lease.keep_renewed()
    try:
        yield lease
    finally:
        try:
            lease.release()
        except GitError as exc:
            emit(f"warning: the apply lease was not released ({exc.message}); it lapses by itself")
        if lease.lost:
            emit(f"warning: the apply lease was not held throughout: {lease.lost}")
