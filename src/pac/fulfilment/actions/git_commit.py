"""`git-commit` actions (SPEC §4.3): files rendered for their type, one commit, a pull request.

Exactly once (§6.4): the commit carries the task key as a `Pac-Task:` trailer and the
branch is searched for it before anything is made again; a pull request is looked up by
its head branch (named from the task key) before one is opened. Git goes through
`backends.gitremote`, the pull request through `backends.github`; both are made once per
run and lent to each task by the run's `clients`.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NoReturn

from pac.documents.action_types import GIT_COMMIT
from pac.documents.loader import JsonPath
from pac.fulfilment.actions.base import Rendered, TaskRun
from pac.fulfilment.backends import BackendError
from pac.records.status import TaskStatus
from pac.templating.encoders import Target
from pac.text import indent

if TYPE_CHECKING:
    from pac.fulfilment.backends.github import GitHubApi
    from pac.fulfilment.backends.gitremote import GitRemotes
    from pac.fulfilment.preview import PreviewTask
    from pac.fulfilment.rendering import Renderer
    from pac.fulfilment.tasks import TaskSpec

_TARGETS = {".json": Target.JSON, ".yaml": Target.YAML, ".yml": Target.YAML}
_BAD_PATH = re.compile(r"[\x00-\x1f\x7f\\]")


@dataclass
class RenderedFile:
    path: str
    operation: str
    content: str = ""
    diff: str | None = None  # against the branch's content, when a preview could read it

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "operation": self.operation}
        if self.operation != "delete":
            data["content"] = self.content
        if self.diff is not None:
            data["diff"] = self.diff
        return data


@dataclass
class RenderedCommit:
    repository: str
    branch: str
    message: str
    files: list[RenderedFile]
    pull_request: bool = False
    title: str = ""
    body: str = ""
    reviewers: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    merge_strategy: str = ""
    compared: str = ""  # why the files are not shown as diffs, when they are not

    kind = "git-commit"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "repository": self.repository,
            "branch": self.branch,
            "commitMessage": self.message,
            "files": [f.as_dict() for f in self.files],
        }
        if self.pull_request:
            data["pullRequest"] = {
                "title": self.title,
                "body": self.body,
                "reviewers": list(self.reviewers),
                "assignees": list(self.assignees),
                "mergeStrategy": self.merge_strategy,
            }
        return data


def pull_branch(key: str) -> str:
    """The pull request's branch, named from the task key: found again by any later run."""
    return "pac/" + re.sub(r"[^A-Za-z0-9._/-]", "-", key)


class _Commit:
    """Renders the parts of one commit action, each at its place in the item's file."""

    def __init__(self, renderer: Renderer, spec: TaskSpec, spaces: Mapping[str, Any]) -> None:
        self.renderer, self.spec, self.spaces = renderer, spec, spaces
        self.config: Mapping[str, Any] = spec.action.config
        self.base: JsonPath = (*spec.action.path, "config")

    def text(self, path: JsonPath, target: Target = Target.TEXT) -> str:
        source: Any = self.config
        for key in path:
            source = source[key]
        return self.renderer.render_text(
            self.spec, (*self.base, *path), source, target, self.spaces
        )

    def fail(self, path: JsonPath, message: str, hint: str) -> NoReturn:
        self.renderer.fail(self.spec, (*self.base, *path), message, hint)

    def one_line(self, path: JsonPath) -> str:
        text = self.text(path).strip()
        if "\n" in text or "\r" in text:
            self.fail(path, "renders to more than one line", "Use a one-line template here.")
        return text

    def file(self, index: int) -> RenderedFile:
        entry = self.config["files"][index]
        path = self.path(index)
        operation = str(entry["operation"])
        if operation == "delete":
            return RenderedFile(path, operation)
        where: JsonPath = ("files", index, "contentTemplate")
        target = _TARGETS.get(PurePosixPath(path).suffix.lower(), Target.TEXT)
        content = self.text(where, target)
        self.check_content(where, path, content, target)
        return RenderedFile(path, operation, content if content.endswith("\n") else content + "\n")

    def path(self, index: int) -> str:
        where: JsonPath = ("files", index, "path")
        rendered = self.one_line(where)
        parts = PurePosixPath(rendered).parts
        if (
            not rendered
            or rendered.startswith("/")
            or _BAD_PATH.search(rendered)
            or any(p in ("..", ".") for p in parts)
            or (parts and parts[0] == ".git")
        ):
            self.fail(
                where,
                f"the path rendered as {rendered!r}, which leaves the repository or is not a "
                "plain relative path",
                "Write the folders in the template itself and insert only names checked by a "
                "form pattern such as '^[a-z0-9-]+$'.",
            )
        return "/".join(parts)

    def check_content(self, where: JsonPath, path: str, content: str, target: Target) -> None:
        if target is Target.TEXT:
            return
        try:
            if target is Target.JSON:
                json.loads(content)
            else:
                import yaml

                yaml.safe_load(content)
        except ValueError as exc:
            self._invalid(where, path, "JSON", exc)
        except Exception as exc:  # yaml.YAMLError, imported only when needed
            self._invalid(where, path, "YAML", exc)

    def _invalid(self, where: JsonPath, path: str, kind: str, exc: Exception) -> NoReturn:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self.fail(
            where,
            f"{path} is not valid {kind} after rendering ({first})",
            f"Check the template's own {kind}; values are encoded by pac as quoted "
            "strings, numbers or lists, so write no quotes around them.",
        )


class GitCommit:
    """Files committed to an infrastructure repository, directly or through a pull request."""

    name = GIT_COMMIT.name
    linked = False
    # PAC_GIT_SSH_KEY is the path of a key file, not a secret in itself.
    secret_variables: tuple[str, ...] = ("PAC_GITHUB_TOKEN", "PAC_GITHUB_APP_KEY")

    def render(
        self, renderer: Renderer, spec: TaskSpec, spaces: Mapping[str, Any]
    ) -> RenderedCommit:
        commit = _Commit(renderer, spec, spaces)
        config = commit.config
        pull = bool(config.get("createPullRequest", False))
        files = [commit.file(i) for i in range(len(config["files"]))]
        seen: set[str] = set()
        for index, rendered in enumerate(files):
            if rendered.path in seen:
                commit.fail(
                    ("files", index, "path"),
                    f"{rendered.path} is named twice in one commit",
                    "Give each file its own path.",
                )
            seen.add(rendered.path)
        return RenderedCommit(
            repository=str(config["repository"]),
            branch=commit.one_line(("branch",)),
            message=commit.text(("commitMessage",)).strip() or "pac",
            files=files,
            pull_request=pull,
            title=commit.one_line(("pullRequestTitle",)) if "pullRequestTitle" in config else "",
            body=commit.text(("pullRequestBody",)) if "pullRequestBody" in config else "",
            reviewers=[
                commit.one_line(("reviewers", i)) for i in range(len(config.get("reviewers", [])))
            ],
            assignees=[
                commit.one_line(("assignees", i)) for i in range(len(config.get("assignees", [])))
            ],
            merge_strategy=str(config.get("mergeStrategy", "")),
        )

    def step_line(self, rendered: Rendered) -> str:
        assert isinstance(rendered, RenderedCommit)
        count = len(rendered.files)
        how = "pull request into" if rendered.pull_request else "commit to"
        return (
            f"{how} {rendered.repository}@{rendered.branch}: {count} file"
            f"{'s' if count != 1 else ''} ({', '.join(f.path for f in rendered.files[:3])}"
            f"{', …' if count > 3 else ''})"
        )

    def preview_lines(self, task: PreviewTask) -> list[str]:
        rendered = task.rendered
        assert isinstance(rendered, RenderedCommit)
        lines = [f"   {self.step_line(rendered)}", "   message:", indent(rendered.message)]
        if rendered.pull_request:
            lines.append(f"   pull request branch: {pull_branch(task.key)}")
            lines.append(f"   title: {rendered.title or rendered.message.splitlines()[0]}")
            if rendered.reviewers:
                lines.append(f"   reviewers: {', '.join(rendered.reviewers)}")
        if rendered.compared:
            lines.append(f"   ({rendered.compared})")
        for file in rendered.files:
            if file.diff is not None:
                lines += [f"   {file.operation} {file.path} (diff):", indent(file.diff or "(same)")]
            elif file.operation == "delete":
                lines.append(f"   delete {file.path}")
            else:
                lines += [f"   {file.operation} {file.path}:", indent(file.content.rstrip("\n"))]
        return lines

    def compare(self, rendered: Rendered, root: Path, author: tuple[str, str]) -> None:
        """Diffs against the branch's content when the repository is reachable from here."""
        from pac.fulfilment.backends.gitremote import GitRemotes, reachable

        assert isinstance(rendered, RenderedCommit)
        if not reachable(rendered.repository, os.environ):
            rendered.compared = (
                f"full files: {rendered.repository} is not set up on this machine; set "
                "PAC_GITHUB_TOKEN or PAC_GIT_URL_* to see diffs against its branch"
            )
            return
        try:
            current = GitRemotes(root, author).read(
                rendered.repository, rendered.branch, [f.path for f in rendered.files]
            )
        except BackendError as exc:
            rendered.compared = f"full files: {exc.message}"
            return
        for file in rendered.files:
            before = current.get(file.path)
            after = None if file.operation == "delete" else file.content
            file.diff = "".join(
                difflib.unified_diff(
                    (before or "").splitlines(keepends=True),
                    (after or "").splitlines(keepends=True),
                    f"a/{file.path}" if before is not None else "/dev/null",
                    f"b/{file.path}" if after is not None else "/dev/null",
                )
            )

    def start(self, run: TaskRun, unfinished: list[TaskSpec]) -> None:
        """Nothing to look up for all tasks at once: each finds its own commit by trailer."""

    def perform(
        self, run: TaskRun, task: TaskStatus, spec: TaskSpec, outputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        # Rendered with secrets masked: a commit is kept for ever, and read by many.
        rendered = run.shown.render_action(spec, outputs)
        assert isinstance(rendered, RenderedCommit)
        from pac.fulfilment.backends.gitremote import FileChange

        branch = pull_branch(task.key) if rendered.pull_request else rendered.branch
        changes = [FileChange(f.path, f.operation, f.content) for f in rendered.files]
        run.act(task)
        pushed = _remotes(run).commit(
            rendered.repository, rendered.branch, branch, changes, rendered.message, task.key
        )
        task.refs.update(repository=rendered.repository, branch=branch, commit=pushed.commit)
        run.store.save(run.status)
        what = "pushed" if pushed.made else "found" if pushed.commit else "nothing to change"
        run.say(f"{task.component}: {rendered.repository}@{branch} {what} {pushed.commit[:12]}")
        response: dict[str, Any] = {"commit": pushed.commit, "branch": branch}
        response["pullRequest"] = {"number": "", "url": ""}
        if rendered.pull_request and pushed.commit:
            response["pullRequest"] = self._pull(run, task, rendered, branch)
        return response

    def _pull(
        self, run: TaskRun, task: TaskStatus, rendered: RenderedCommit, branch: str
    ) -> dict[str, Any]:
        api = _github(run)
        repository, base = rendered.repository, rendered.branch
        pull = api.find_pull(repository, branch, base)
        if pull is None:
            run.act(task)
            title = rendered.title or rendered.message.splitlines()[0]
            body = rendered.body + (
                f"\n\nMerge with: {rendered.merge_strategy}" if rendered.merge_strategy else ""
            )
            body += f"\n\n<!-- {task.key} -->"
            try:
                pull = api.create_pull(repository, branch, base, title, body.strip())
            except BackendError as exc:
                # 422: one exists already (a run whose answer was lost made it): adopt it.
                again = api.find_pull(repository, branch, base) if exc.http_status == 422 else None
                if again is None:
                    raise
                pull = again
            else:
                api.ask_review(repository, pull.number, rendered.reviewers, rendered.assignees)
        task.refs.update(pullRequest=pull.url)
        run.store.save(run.status)
        run.say(f"{task.component}: pull request {pull.url}")
        return {"number": pull.number, "url": pull.url}


def _remotes(run: TaskRun) -> GitRemotes:
    from pac.fulfilment.backends.gitremote import GitRemotes

    author = (run.repo.config.commit_name, run.repo.config.commit_email)
    return run.clients.get("git", lambda: GitRemotes(run.repo.root, author))


def _github(run: TaskRun) -> GitHubApi:
    from pac.fulfilment.backends.github import GitHubApi

    return run.clients.get("github", GitHubApi)


ACTION = GitCommit()
