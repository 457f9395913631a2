"""The GitHub REST API, through PyGithub: pull requests and workflow runs.

PyGithub is imported only here and only when a git-commit or github-workflow task runs,
so `pac validate` never loads it. Every call is counted (`calls`), and every failure
becomes a `BackendError` that says whether a later run may succeed (5xx, 429, a lost
connection) or not (GitHub's own words for a 4xx). `PAC_GITHUB_URL` points it at GitHub
Enterprise (`https://host/api/v3`) or a test server; credentials are a token
(`PAC_GITHUB_TOKEN`) or a GitHub App installation (`PAC_GITHUB_APP_ID`,
`PAC_GITHUB_APP_KEY`, `PAC_GITHUB_APP_INSTALLATION`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pac.fulfilment.backends import BackendError, is_transient_status

if TYPE_CHECKING:
    from github import Github
    from github.Auth import Auth
    from github.Repository import Repository
    from github.WorkflowRun import WorkflowRun

DEFAULT_URL = "https://api.github.com"
TIMEOUT = 30
_T = TypeVar("_T")


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str


@dataclass(frozen=True)
class RunState:
    """A workflow run as GitHub reports it now."""

    id: int
    url: str
    status: str  # queued | in_progress | completed | …
    conclusion: str  # success | failure | cancelled | timed_out | … ("" while running)
    failed_jobs: tuple[tuple[str, str], ...] = ()  # (name, URL) of jobs that did not succeed
    title: str = ""

    @property
    def finished(self) -> bool:
        return self.status == "completed"


@dataclass
class GitHubApi:
    """One run's GitHub client, made on first use and closed with the run."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    calls: int = 0
    _client: Github | None = None

    @property
    def base_url(self) -> str:
        return (self.env.get("PAC_GITHUB_URL") or DEFAULT_URL).rstrip("/")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _github(self) -> Github:
        if self._client is None:
            from github import Github

            # pac retries by itself (the next run, SPEC §6.4): the library must not wait.
            self._client = Github(
                base_url=self.base_url,
                auth=self._auth(),
                timeout=TIMEOUT,
                retry=None,
                seconds_between_requests=None,
                seconds_between_writes=None,
                lazy=True,
            )
        return self._client

    def _auth(self) -> Auth:
        from github import Auth

        app, key = self.env.get("PAC_GITHUB_APP_ID"), self.env.get("PAC_GITHUB_APP_KEY")
        installation = self.env.get("PAC_GITHUB_APP_INSTALLATION")
        if app and key and installation:
            return Auth.AppAuth(app, key).get_installation_auth(int(installation))
        token = self.env.get("PAC_GITHUB_TOKEN")
        if not token:
            raise BackendError(
                "no GitHub credentials: PAC_GITHUB_TOKEN is not set",
                "Set PAC_GITHUB_TOKEN (or a GitHub App: PAC_GITHUB_APP_ID, PAC_GITHUB_APP_KEY "
                "and PAC_GITHUB_APP_INSTALLATION) as a secret of the catalog's CI; see "
                "docs/operations.md.",
            )
        return Auth.Token(token)

    def _repo(self, name: str) -> Repository:
        return self._github().get_repo(name)  # lazy: no call until something is asked

    def _call(self, what: str, do: Callable[[], _T]) -> _T:
        """One API call (or one page of a list), its failure said in GitHub's words."""
        import requests
        from github import GithubException

        self.calls += 1
        try:
            return do()
        except GithubException as exc:
            raise _refusal(what, exc.status, exc.data) from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise BackendError(
                f"GitHub at {self.base_url} did not answer ({what}): {type(exc).__name__}",
                "The next run tries again.",
                transient=True,
                unknown=True,
            ) from exc

    # --- pull requests --------------------------------------------------------------

    def find_pull(self, repository: str, head: str, base: str) -> PullRequest | None:
        """The pull request (open or not) from branch `head` into `base`, if there is one."""
        owner = repository.split("/", 1)[0]
        repo = self._repo(repository)

        def first() -> PullRequest | None:
            listed = repo.get_pulls(state="all", head=f"{owner}:{head}", base=base)
            for pull in listed.get_page(0):
                return PullRequest(pull.number, pull.html_url)
            return None

        return self._call(f"looking up the pull request from {head}", first)

    def create_pull(
        self, repository: str, head: str, base: str, title: str, body: str
    ) -> PullRequest:
        repo = self._repo(repository)
        pull = self._call(
            f"opening a pull request from {head}",
            lambda: repo.create_pull(base=base, head=head, title=title, body=body),
        )
        return PullRequest(pull.number, pull.html_url)

    def ask_review(
        self, repository: str, number: int, reviewers: Sequence[str], assignees: Sequence[str]
    ) -> None:
        from github.PullRequest import PullRequest as GhPull

        # Built from what is known, so asking for reviews costs no GET of the pull request.
        base = f"{self.base_url}/repos/{repository}"
        known = {"number": number, "url": f"{base}/pulls/{number}"}
        known["issue_url"] = f"{base}/issues/{number}"
        pull = GhPull(self._github().requester, attributes=known, completed=False)
        users = [r for r in reviewers if "/" not in r]
        teams = [r.split("/", 1)[1] for r in reviewers if "/" in r]
        if users or teams:
            self._call(
                "asking for reviews",
                lambda: pull.create_review_request(reviewers=users, team_reviewers=teams),
            )
        if assignees:
            self._call("assigning the pull request", lambda: pull.add_to_assignees(*assignees))

    # --- workflow runs --------------------------------------------------------------

    def dispatch(
        self, repository: str, workflow: str, ref: str, inputs: Mapping[str, str]
    ) -> tuple[int, str] | None:
        """Start the workflow; the run it started (id, URL) when GitHub says which."""
        flow = self._repo(repository).get_workflow(workflow)

        def send() -> tuple[int, str] | None:
            # The overload promises a run, but an answer of 204 gives True.
            run: WorkflowRun | bool = flow.create_dispatch(
                ref, dict(inputs), throw=True, return_run_details=True
            )
            if isinstance(run, bool):
                return None  # answered 204: this GitHub does not say which run it started
            return int(run.id), str(run.html_url)

        def plain() -> tuple[int, str] | None:
            flow.create_dispatch(ref, dict(inputs), throw=True)
            return None

        try:
            return self._call(f"starting {workflow}", send)
        except BackendError as exc:
            # An older GitHub Enterprise refuses the key (and so started nothing).
            if exc.http_status != 422 or "return_run_details" not in exc.message:
                raise
        return self._call(f"starting {workflow}", plain)

    def find_run(self, repository: str, workflow: str, marker: str, since: str) -> RunState | None:
        """The run of `workflow` created since `since` whose name shows `marker`."""
        flow = self._repo(repository).get_workflow(workflow)

        def look() -> RunState | None:
            runs = flow.get_runs(event="workflow_dispatch", created=f">={since}")
            for run in runs.get_page(0):
                if marker in (run.display_title or run.name or ""):
                    return RunState(run.id, run.html_url, run.status, run.conclusion or "")
            return None

        return self._call(f"looking up the run of {workflow}", look)

    def run_state(self, repository: str, run_id: int) -> RunState:
        """The run now, with the names and URLs of its failed jobs once it has failed."""
        run = self._repo(repository).get_workflow_run(run_id)

        def read() -> RunState:
            return RunState(
                run.id, run.html_url, run.status, run.conclusion or "", title=run.display_title
            )

        state = self._call(f"reading run {run_id}", read)
        if not state.finished or state.conclusion in ("success", "skipped", "neutral"):
            return state

        def jobs() -> tuple[tuple[str, str], ...]:
            return tuple(
                (job.name, job.html_url)
                for job in run.jobs().get_page(0)
                if job.conclusion not in ("success", "skipped", "neutral", None)
            )

        return RunState(
            state.id, state.url, state.status, state.conclusion, self._call("listing jobs", jobs)
        )


def _refusal(what: str, status: int, data: Any) -> BackendError:
    """GitHub's answer in its own words: the message and each error's detail."""
    said = ""
    if isinstance(data, Mapping):
        said = str(data.get("message", ""))
        details = [
            str(e.get("message") or e.get("code") or "") if isinstance(e, Mapping) else str(e)
            for e in data.get("errors") or []
        ]
        details = [d for d in details if d]
        if details:
            said += f" ({'; '.join(details)})"
    transient = is_transient_status(status) or (status == 403 and "rate limit" in said.lower())
    hints = {
        401: "pac's GitHub credentials were refused: renew PAC_GITHUB_TOKEN (docs/operations.md).",
        403: "pac's GitHub credentials lack a permission for this: grant the token or App "
        "contents, pull requests and actions write access on the repository.",
        404: "GitHub does not know it: check the repository and the workflow file name, and "
        "that pac's credentials can see the repository.",
    }
    hint = "The next run tries again." if transient else hints.get(status, "")
    return BackendError(
        f"GitHub refused {what}: {status} {said}".strip(),
        hint or "Fix what GitHub says in the item's action (its owning team), then retry.",
        transient=transient,
        http_status=status,
    )
