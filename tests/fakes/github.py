"""A fake GitHub REST API on 127.0.0.1: pull requests, workflow dispatch, runs and jobs.

Strict like GitHub: every call needs the token (401 "Bad credentials" otherwise); an
unknown repository or workflow is 404 "Not Found"; a second open pull request for the same
head and base is 422 "A pull request already exists"; a head branch the repository does not
have is 422; a dispatch with an input the workflow does not declare, without a required
one, or at an unknown ref is 422. A repository can be backed by a real bare git repository,
whose branches are then what the API knows. `return_run_details` answers 200 with the run
(or, with `run_details=False`, is refused like an older GitHub Enterprise refuses it).
Runs stay `in_progress` until the test finishes them; a workflow's `run_name` shows its
inputs like `run-name: ${{ inputs.x }}` does.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.server import FakeServer, Received, Response

TOKEN = "ghp_fake-token-0123456789"


@dataclass
class Workflow:
    inputs: dict[str, bool] = field(default_factory=dict)  # name -> required
    run_name: str = ""  # e.g. "provision ${{ inputs.pac_dispatch_id }}"
    jobs: tuple[str, ...] = ("build",)


@dataclass
class FakeRepo:
    git_dir: Path | None = None
    branches: set[str] = field(default_factory=lambda: {"main"})
    workflows: dict[str, Workflow] = field(default_factory=dict)

    def has_branch(self, name: str) -> bool:
        if self.git_dir is None:
            return name in self.branches
        found = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), "rev-parse", "--verify", f"refs/heads/{name}"],
            capture_output=True,
            check=False,
        )
        return found.returncode == 0


def _error(status: int, message: str, errors: list[dict[str, str]] | None = None) -> Response:
    body: dict[str, Any] = {"message": message, "documentation_url": "https://docs.github.com"}
    if errors:
        body["errors"] = errors
    return Response(status, body)


class FakeGitHub(FakeServer):
    name = "github"

    def __init__(self, latency: float = 0.0, run_details: bool = True) -> None:
        super().__init__(latency)
        self.run_details = run_details
        self.repos: dict[str, FakeRepo] = {}
        self.pulls: list[dict[str, Any]] = []
        self.runs: list[dict[str, Any]] = []
        self.jobs: dict[int, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1001)
        self.app: tuple[str, int, str] | None = None  # (App id, installation, public key PEM)
        self._data = threading.RLock()

    # --- test controls -------------------------------------------------------------

    def add_repo(
        self, name: str, git_dir: Path | None = None, workflows: dict[str, Workflow] | None = None
    ) -> FakeRepo:
        repo = FakeRepo(git_dir, workflows=dict(workflows or {}))
        self.repos[name] = repo
        return repo

    def finish(
        self, run_id: int, conclusion: str = "success", failed: tuple[str, ...] = ()
    ) -> None:
        with self._data:
            run = next(r for r in self.runs if r["id"] == run_id)
            run["status"], run["conclusion"] = "completed", conclusion
            for job in self.jobs[run_id]:
                job["status"] = "completed"
                job["conclusion"] = "failure" if job["name"] in failed else "success"

    def url_of(self, path: str) -> str:
        return self.url + path

    # --- serving -------------------------------------------------------------------

    _ROUTES: tuple[tuple[str, str, str], ...] = (
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/pulls", "_list_pulls"),
        ("POST", r"/repos/(?P<repo>[^/]+/[^/]+)/pulls", "_create_pull"),
        (
            "POST",
            r"/repos/(?P<repo>[^/]+/[^/]+)/pulls/(?P<n>\d+)/requested_reviewers",
            "_reviewers",
        ),
        ("POST", r"/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<n>\d+)/assignees", "_assignees"),
        (
            "POST",
            r"/repos/(?P<repo>[^/]+/[^/]+)/actions/workflows/(?P<wf>[^/]+)/dispatches",
            "_dispatch",
        ),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/actions/workflows/(?P<wf>[^/]+)/runs", "_list_runs"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/actions/runs/(?P<id>\d+)", "_get_run"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/actions/runs/(?P<id>\d+)/jobs", "_jobs"),
    )

    def respond(self, request: Received) -> Response:
        auth = request.headers.get("Authorization", "")
        app = re.fullmatch(r"/app/installations/(\d+)/access_tokens", request.path)
        if app and request.method == "POST":
            return self._installation_token(auth, int(app[1]))
        if auth not in (f"token {TOKEN}", f"Bearer {TOKEN}"):
            return _error(401, "Bad credentials")
        for method, pattern, handler in self._ROUTES:
            match = re.fullmatch(pattern, request.path)
            if method == request.method and match:
                repo = self.repos.get(match["repo"])
                if repo is None:
                    return _error(404, "Not Found")
                with self._data:
                    answer: Response = getattr(self, handler)(request, repo, match)
                    return answer
        return _error(404, "Not Found")

    def _installation_token(self, auth: str, installation: int) -> Response:
        """A GitHub App's installation token, for a JWT signed with the App's key."""
        import jwt

        if self.app is None or installation != self.app[1]:
            return _error(404, "Not Found")
        try:
            claims = jwt.decode(auth.removeprefix("Bearer "), self.app[2], algorithms=["RS256"])
        except jwt.PyJWTError:
            return _error(401, "A JSON web token could not be decoded")
        if str(claims.get("iss")) != str(self.app[0]):
            return _error(401, "'Issuer' claim ('iss') must be an Integer")
        return Response(201, {"token": TOKEN, "expires_at": "2099-01-01T00:00:00Z"})

    def _html(self, repo: str, what: str) -> str:
        return f"{self.url}/{repo}/{what}"

    def _pull_json(self, pull: dict[str, Any]) -> dict[str, Any]:
        repo, number = pull["repo"], pull["number"]
        api = f"{self.url}/repos/{repo}"
        return {
            "id": number + 500000,
            "number": number,
            "state": pull["state"],
            "title": pull["title"],
            "body": pull["body"],
            "url": f"{api}/pulls/{number}",
            "issue_url": f"{api}/issues/{number}",
            "html_url": self._html(repo, f"pull/{number}"),
            "head": {"ref": pull["head"], "label": f"{repo.split('/')[0]}:{pull['head']}"},
            "base": {"ref": pull["base"]},
            "requested_reviewers": [{"login": r} for r in pull["reviewers"]],
            "requested_teams": [{"slug": t} for t in pull["teams"]],
            "assignees": [{"login": a} for a in pull["assignees"]],
        }

    def _list_pulls(self, request: Received, repo: FakeRepo, match: re.Match[str]) -> Response:
        name = match["repo"]
        head = (request.query.get("head") or [""])[0]
        base = (request.query.get("base") or [""])[0]
        state = (request.query.get("state") or ["open"])[0]
        found = [
            self._pull_json(p)
            for p in self.pulls
            if p["repo"] == name
            and (not head or f"{name.split('/')[0]}:{p['head']}" == head)
            and (not base or p["base"] == base)
            and (state == "all" or p["state"] == state)
        ]
        return Response(200, found)

    def _create_pull(self, request: Received, repo: FakeRepo, match: re.Match[str]) -> Response:
        body = request.json() or {}
        name = match["repo"]
        missing = [k for k in ("title", "head", "base") if not body.get(k)]
        if missing:
            return _error(
                422,
                "Validation Failed",
                [{"resource": "PullRequest", "field": missing[0], "code": "missing_field"}],
            )
        head = str(body["head"]).split(":")[-1]
        if not repo.has_branch(head):
            return _error(
                422,
                "Validation Failed",
                [{"resource": "PullRequest", "field": "head", "code": "invalid"}],
            )
        if not repo.has_branch(str(body["base"])):
            return _error(
                422,
                "Validation Failed",
                [{"resource": "PullRequest", "field": "base", "code": "invalid"}],
            )
        owner = name.split("/")[0]
        if any(
            p["repo"] == name
            and p["head"] == head
            and p["base"] == body["base"]
            and p["state"] == "open"
            for p in self.pulls
        ):
            return _error(
                422,
                "Validation Failed",
                [
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {owner}:{head}.",
                    }
                ],
            )
        pull = {
            "repo": name,
            "number": sum(1 for p in self.pulls if p["repo"] == name) + 1,
            "state": "open",
            "title": body["title"],
            "body": body.get("body") or "",
            "head": head,
            "base": body["base"],
            "reviewers": [],
            "teams": [],
            "assignees": [],
        }
        self.pulls.append(pull)
        return Response(201, self._pull_json(pull))

    def _pull(self, repo: str, number: str) -> dict[str, Any] | None:
        return next(
            (p for p in self.pulls if p["repo"] == repo and p["number"] == int(number)), None
        )

    def _reviewers(self, request: Received, repo: FakeRepo, match: re.Match[str]) -> Response:
        pull = self._pull(match["repo"], match["n"])
        if pull is None:
            return _error(404, "Not Found")
        body = request.json() or {}
        pull["reviewers"] += body.get("reviewers") or []
        pull["teams"] += body.get("team_reviewers") or []
        return Response(201, self._pull_json(pull))

    def _assignees(self, request: Received, repo: FakeRepo, match: re.Match[str]) -> Response:
        pull = self._pull(match["repo"], match["n"])
        if pull is None:
            return _error(404, "Not Found")
        pull["assignees"] += (request.json() or {}).get("assignees") or []
        return Response(
            201, {"number": pull["number"], "assignees": [{"login": a} for a in pull["assignees"]]}
        )

    def _dispatch(self, request: Received, repo: FakeRepo, match: re.Match[str]) -> Response:
        workflow = repo.workflows.get(match["wf"])
        if workflow is None:
            return _error(404, "Not Found")
        body = request.json() or {}
        if "return_run_details" in body and not self.run_details:
            return _error(422, 'Invalid request.\n\n"return_run_details" is not a permitted key.')
        ref = str(body.get("ref") or "")
        if not ref or not repo.has_branch(ref):
            return _error(422, f"No ref found for: {ref}")
        inputs = body.get("inputs") or {}
        unexpected = sorted(set(inputs) - set(workflow.inputs))
        if unexpected:
            return _error(422, f"Unexpected inputs provided: {unexpected}")
        required = sorted(k for k, needed in workflow.inputs.items() if needed and k not in inputs)
        if required:
            return _error(422, f"Required input '{required[0]}' not provided")
        run_id = next(self._ids)
        title = (
            re.sub(
                r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}",
                lambda m: str(inputs.get(m[1], "")),
                workflow.run_name,
            )
            or match["wf"]
        )
        name = match["repo"]
        run = {
            "id": run_id,
            "name": title,
            "display_title": title,
            "event": "workflow_dispatch",
            "status": "in_progress",
            "conclusion": None,
            "head_branch": ref,
            "workflow": match["wf"],
            "repo": name,
            "inputs": dict(inputs),
            "url": f"{self.url}/repos/{name}/actions/runs/{run_id}",
            "html_url": self._html(name, f"actions/runs/{run_id}"),
            "created_at": "2026-01-01T00:00:00Z",
        }
        self.runs.append(run)
        self.jobs[run_id] = [
            {
                "id": run_id * 10 + i,
                "name": job,
                "status": "queued",
                "conclusion": None,
                "html_url": self._html(name, f"actions/runs/{run_id}/job/{run_id * 10 + i}"),
            }
            for i, job in enumerate(workflow.jobs)
        ]
        if body.get("return_run_details"):
            return Response(
                200, {"workflow_run_id": run_id, "run_url": run["url"], "html_url": run["html_url"]}
            )
        return Response(204)

    def _run_json(self, run: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in run.items() if k not in ("repo", "inputs", "workflow")} | {
            "jobs_url": f"{run['url']}/jobs"
        }

    def _list_runs(self, request: Received, repo: FakeRepo, match: re.Match[str]) -> Response:
        if match["wf"] not in repo.workflows:
            return _error(404, "Not Found")
        event = (request.query.get("event") or [""])[0]
        runs = [
            self._run_json(r)
            for r in reversed(self.runs)
            if r["repo"] == match["repo"]
            and r["workflow"] == match["wf"]
            and (not event or r["event"] == event)
        ]
        return Response(200, {"total_count": len(runs), "workflow_runs": runs})

    def _get_run(self, request: Received, repo: FakeRepo, match: re.Match[str]) -> Response:
        run = next(
            (r for r in self.runs if r["id"] == int(match["id"]) and r["repo"] == match["repo"]),
            None,
        )
        return Response(200, self._run_json(run)) if run else _error(404, "Not Found")

    def _jobs(self, request: Received, repo: FakeRepo, match: re.Match[str]) -> Response:
        jobs = self.jobs.get(int(match["id"]))
        if jobs is None:
            return _error(404, "Not Found")
        return Response(200, {"total_count": len(jobs), "jobs": jobs})


if __name__ == "__main__":
    from tests.fakes.server import serve_forever

    serve_forever(FakeGitHub, "A fake GitHub REST API on 127.0.0.1")
