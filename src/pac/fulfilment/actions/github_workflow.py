"""`github-workflow` actions (SPEC §4.3): a `workflow_dispatch`, its run identified and followed.

The run is identified without guessing: GitHub answers the dispatch with the run it
started (`return_run_details`). Where that answer is lost (a run killed after sending, a
dropped connection) or not given (an older GitHub Enterprise), the task's dispatch id —
sent in the workflow input `dispatchIdInput` names, which the workflow shows in its
`run-name` — finds the run again; without it pac never dispatches a second time on its
own (§6.4). With `waitForCompletion` the task is `waiting` and every later `pac apply`
reads the run's state (`follow`), so a long workflow never holds the apply job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pac.documents.action_types import GITHUB_WORKFLOW
from pac.fulfilment.actions.base import Rendered, TaskRun, Waiting, known_from
from pac.fulfilment.backends import BackendError
from pac.records.status import (
    Attempt,
    Effect,
    Known,
    RequestStatus,
    TaskStatus,
    parse_time,
    precise_now_text,
)
from pac.templating.encoders import Target

if TYPE_CHECKING:
    from pac.fulfilment.backends.github import GitHubApi, RunState
    from pac.fulfilment.preview import PreviewTask
    from pac.fulfilment.rendering import Renderer
    from pac.fulfilment.tasks import TaskSpec

DEFAULT_TIMEOUT = 6 * 3600  # seconds from dispatch a followed run may take
LISTING_LAG = 60.0  # seconds GitHub may take to list a run just dispatched
_SUCCEEDED = ("success", "skipped", "neutral")


@dataclass
class RenderedRun:
    repository: str
    workflow: str
    ref: str
    inputs: dict[str, str] = field(default_factory=dict)
    wait: bool = False
    timeout: int = DEFAULT_TIMEOUT
    fail_on_failure: bool = True
    dispatch_input: str = ""

    kind = "github-workflow"

    def as_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "workflowFile": self.workflow,
            "ref": self.ref,
            "inputs": dict(self.inputs),
            "waitForCompletion": self.wait,
            "timeout": self.timeout,
            "failOnWorkflowFailure": self.fail_on_failure,
            "dispatchIdInput": self.dispatch_input,
        }


def dispatch_id(status: RequestStatus, task: TaskStatus) -> str:
    """The id a dispatch carries: the task key, new only for an operations.retry."""
    return task.key + (f"#retry-{status.handled_retry}" if status.handled_retry else "")


class GithubWorkflow:
    """A GitHub Actions workflow started for a task, and followed when asked to."""

    name = GITHUB_WORKFLOW.name
    linked = False
    secret_variables: tuple[str, ...] = ("PAC_GITHUB_TOKEN", "PAC_GITHUB_APP_KEY")

    def render(self, renderer: Renderer, spec: TaskSpec, spaces: Mapping[str, Any]) -> RenderedRun:
        config = spec.action.config
        base = (*spec.action.path, "config")
        ref = renderer.render_text(spec, (*base, "ref"), config["ref"], Target.TEXT, spaces)
        if not ref.strip() or any(c.isspace() for c in ref.strip()):
            renderer.fail(
                spec,
                (*base, "ref"),
                f"the ref rendered as {ref!r}, which is not a branch or tag name",
                "Write a branch or tag name, or insert a field whose pattern allows no spaces.",
            )
        inputs = {
            str(name): renderer.render_text(
                spec, (*base, "inputs", name), value, Target.TEXT, spaces
            )
            for name, value in (config.get("inputs") or {}).items()
        }
        return RenderedRun(
            repository=str(config["repository"]),
            workflow=str(config["workflowFile"]),
            ref=ref.strip(),
            inputs=inputs,
            wait=bool(config.get("waitForCompletion", False)),
            timeout=int(config.get("timeout", DEFAULT_TIMEOUT)),
            fail_on_failure=bool(config.get("failOnWorkflowFailure", True)),
            dispatch_input=str(config.get("dispatchIdInput", "")),
        )

    def step_line(self, rendered: Rendered) -> str:
        assert isinstance(rendered, RenderedRun)
        wait = ", then wait for it" if rendered.wait else ""
        return f"run workflow {rendered.workflow} in {rendered.repository}@{rendered.ref}{wait}"

    def preview_lines(self, task: PreviewTask) -> list[str]:
        rendered = task.rendered
        assert isinstance(rendered, RenderedRun)
        lines = [f"   {self.step_line(rendered)}"]
        lines += [f"   input {name}: {value}" for name, value in rendered.inputs.items()]
        if rendered.dispatch_input:
            lines.append(f"   input {rendered.dispatch_input}: {task.key} (the dispatch id)")
        if rendered.wait:
            failing = "fails the task" if rendered.fail_on_failure else "is recorded"
            lines.append(
                f"   followed across runs for up to {rendered.timeout}s; a failed run {failing}"
            )
        return lines

    def start(self, run: TaskRun, unfinished: list[TaskSpec]) -> None:
        """Nothing to look up for all tasks at once: each knows its own dispatch."""

    def perform(
        self, run: TaskRun, task: TaskStatus, spec: TaskSpec, outputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        # Masked: workflow inputs show in GitHub's run page and logs.
        rendered = run.shown.render_action(spec, outputs)
        assert isinstance(rendered, RenderedRun)
        api = _github(run)
        if task.refs.get("dispatch") != dispatch_id(run.status, task):
            self._dispatch(run, task, rendered, api)
        return self._settle(run, task, rendered, api)

    def follow(
        self, run: TaskRun, task: TaskStatus, spec: TaskSpec, outputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        return self.perform(run, task, spec, outputs)

    # --- starting the run -------------------------------------------------------------

    def _dispatch(
        self, run: TaskRun, task: TaskStatus, rendered: RenderedRun, api: GitHubApi
    ) -> None:
        key = dispatch_id(run.status, task)
        earlier = task.attempt
        if (
            earlier is not None
            and earlier.effect is Effect.DISPATCH
            and earlier.key == key
            and earlier.maybe_done
            and earlier.known is not Known.DONE
        ):
            found = self._lost_answer(run, rendered, api, earlier)
            if found is not None:
                self._record(run, task, key, found.id, found.url, earlier.at)
                return
        inputs = dict(rendered.inputs)
        if rendered.dispatch_input:
            inputs[rendered.dispatch_input] = key
        run.act(task)
        # Written before sending: a run killed before the answer looks for this dispatch.
        task.attempt = attempt = Attempt(Effect.DISPATCH, precise_now_text(), key=key)
        run.store.save(run.status)
        try:
            started = api.dispatch(rendered.repository, rendered.workflow, rendered.ref, inputs)
        except BackendError as exc:
            attempt.known = known_from(exc)
            raise
        attempt.known = Known.DONE
        if started is None:
            state = self._by_marker(rendered, api, key, attempt.at)
            if state is None:
                raise BackendError(
                    f"GitHub started {rendered.workflow} but did not say which run",
                    "This GitHub does not return the run of a dispatch: set the action's "
                    "dispatchIdInput to a workflow input shown in the workflow's run-name, so "
                    "pac can find its run (the owning team's change).",
                )
            started = (state.id, state.url)
        self._record(run, task, key, started[0], started[1], attempt.at)

    def _lost_answer(
        self, run: TaskRun, rendered: RenderedRun, api: GitHubApi, earlier: Attempt
    ) -> RunState | None:
        """The run an earlier dispatch started, when its answer never arrived; None when it
        surely started none (so dispatching again does not run the workflow twice)."""
        if not rendered.dispatch_input:
            raise BackendError(
                f"an earlier run dispatched {rendered.workflow} at {earlier.at} and its answer "
                "was lost, so pac cannot tell whether a workflow run started",
                f"Look at the runs of {rendered.workflow} in {rendered.repository}: if none "
                "started then, raise operations.retry to dispatch again. Setting the action's "
                "dispatchIdInput lets pac find such a run by itself.",
            )
        found = self._by_marker(rendered, api, earlier.key, earlier.at)
        sent = parse_time(earlier.at)
        listed = sent is not None and _age(sent) > LISTING_LAG
        if found is None and not listed:
            raise BackendError(
                f"the run an earlier dispatch of {rendered.workflow} may have started is not "
                "listed yet",
                "GitHub lists a new run within a minute; the next run looks again.",
                transient=True,
            )
        return found

    def _by_marker(
        self, rendered: RenderedRun, api: GitHubApi, key: str, at: str
    ) -> RunState | None:
        if not rendered.dispatch_input:
            return None
        sent = parse_time(at) or dt.datetime.now(dt.UTC)
        since = (sent - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return api.find_run(rendered.repository, rendered.workflow, key, since)

    def _record(
        self, run: TaskRun, task: TaskStatus, key: str, run_id: int, url: str, at: str
    ) -> None:
        task.refs = {"dispatch": key, "runId": str(run_id), "url": url, "dispatchedAt": at}
        run.store.save(run.status)
        run.say(f"{task.component}: started {url}")

    # --- following it ----------------------------------------------------------------

    def _settle(
        self, run: TaskRun, task: TaskStatus, rendered: RenderedRun, api: GitHubApi
    ) -> dict[str, Any]:
        run_id, url = int(task.refs["runId"]), task.refs["url"]
        if not rendered.wait:
            return {"runId": run_id, "url": url, "conclusion": ""}
        state = api.run_state(rendered.repository, run_id)
        if not state.finished:
            sent = parse_time(task.refs.get("dispatchedAt", ""))
            if sent is not None and _age(sent) > rendered.timeout:
                raise BackendError(
                    f"workflow run {url} did not finish within {rendered.timeout}s of its "
                    f"dispatch (it is {state.status})",
                    "Look at the run; cancel it if it hangs. Raise operations.retry to start a "
                    "new run, or the owning team raises the action's timeout.",
                )
            raise Waiting(f"workflow run {url} is {state.status.replace('_', ' ')}")
        if state.conclusion in _SUCCEEDED or not rendered.fail_on_failure:
            run.say(f"{task.component}: {url} ended {state.conclusion}")
            return {"runId": run_id, "url": url, "conclusion": state.conclusion}
        jobs = ", ".join(f"{name} ({job_url})" for name, job_url in state.failed_jobs)
        raise BackendError(
            f"workflow run {url} ended {state.conclusion}"
            + (f"; failed jobs: {jobs}" if jobs else ""),
            "Read the failed jobs' logs; once the cause is fixed, raise operations.retry to "
            "start a new run (or escalate to the item's manual tickets).",
        )


def _age(since: dt.datetime) -> float:
    return (dt.datetime.now(dt.UTC) - since).total_seconds()


def _github(run: TaskRun) -> GitHubApi:
    from pac.fulfilment.backends.github import GitHubApi

    return run.clients.get("github", GitHubApi)


ACTION = GithubWorkflow()
