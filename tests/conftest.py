"""Shared fixtures: a fresh copy of the shipped sample repository for every test, and the
`pac` command run through Typer's runner (`invoke`) or as a real subprocess (`pac`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pac.cli.app import app
from pac.documents.repository import Repository
from tests.fakes.rest import FakeRestTarget, platform_api
from tests.sample import SAMPLE_PARTS, sample_source

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

runner = CliRunner()


def invoke(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--repo", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def pac_in(root: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real `pac` command in `root` with exactly `env`, to its end: never a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "pac", *args],
        cwd=root,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def pac(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PAC_REPO", None)
    return subprocess.run(
        [sys.executable, "-m", "pac", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def platform() -> Iterator[FakeRestTarget]:
    """The sample's platform APIs as a real HTTP server on 127.0.0.1."""
    with platform_api(FakeRestTarget()) as target:
        yield target  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests behave the same on a laptop and in CI: `CI=true` (set by the runner) would turn
    on `--commit` and refuse the outbox in every `pac apply`. Tests that mean CI set it."""
    monkeypatch.delenv("CI", raising=False)


def project_files(folder: str, pattern: str = "*.yaml") -> list[Path]:
    """The checked-in files under `folder` of this repository, never run-time output.

    Running the README's quick start in a clone writes `requests/.status/` and `.pac/`
    and its day-2 block edits a request; tests must pass the same before and after, so the
    sample is read as committed (`sample_source`) and hidden folders are not walked.
    """
    root = (sample_source() if folder in SAMPLE_PARTS else PROJECT) / folder
    return sorted(
        path
        for path in root.rglob(pattern)
        if not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


# The sample request changed after it was fulfilled means something only with its shipped
# status, which copies leave out (run-time output): a plain copy holds the two day-1
# requests that tests count on; `copy_sample(..., day_two=True)` adds it with its status.
DAY_TWO_SAMPLE = "payments-refunds"


def copy_sample(target: Path, day_two: bool = False) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    skipped = () if day_two else (f"{DAY_TWO_SAMPLE}.yaml",)
    sample = sample_source()  # as committed: the README's reader edits the working tree
    for part in SAMPLE_PARTS:
        source = sample / part
        if source.is_dir():
            shutil.copytree(
                source,
                target / part,
                ignore=shutil.ignore_patterns(".*", "__pycache__", *skipped),
            )
        else:
            shutil.copy2(source, target / part)
    if day_two:
        status = Path("requests", ".status", f"{DAY_TWO_SAMPLE}.yaml")
        (target / status).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sample / status, target / status)
    return target


def resolve_tickets(
    root: Path, *, wont_do: bool = False, fields: dict[str, str] | None = None
) -> list[str]:
    """Resolve every open outbox ticket as its team would, for tests that go past the
    hand-off (a ticket is not a result, SPEC §6.7); the keys resolved."""
    from pac.fulfilment.backends.outbox import Outbox

    box = Outbox(root)
    keys = [ticket.key for ticket in box.tickets() if not ticket.resolved]
    for key in keys:
        box.resolve(key, wont_do=wont_do, fields=fields)
    return keys


@pytest.fixture
def sample_root(tmp_path: Path) -> Path:
    """A writable copy of the sample catalog repository (no git)."""
    return copy_sample(tmp_path / "repo")


@pytest.fixture
def sample_repo(sample_root: Path) -> Repository:
    return Repository(sample_root)


def git_commit_all(root: Path, message: str) -> str:
    import git

    repo = git.Repo(root)
    repo.git.add(A=True)
    repo.index.commit(message)
    return repo.head.commit.hexsha


@pytest.fixture
def sample_git(sample_root: Path) -> Path:
    """The sample repository as a git repository with one commit on `main`."""
    import git

    repo = git.Repo.init(sample_root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test User")
        config.set_value("user", "email", "test@company.com")
        config.set_value("commit", "gpgsign", "false")
    git_commit_all(sample_root, "sample catalog")
    return sample_root


REST_HOSTS = (
    "https://dbaas.platform.internal",
    "https://secrets.platform.internal",
    "https://k8s.platform.internal",
)


def point_rest_at(root: Path, base_url: str) -> None:
    """Send the sample items' REST calls to `base_url` (a local test server)."""
    for path in (root / "catalog").rglob("*.yaml"):
        text = path.read_text()
        for host in REST_HOSTS:
            text = text.replace(host, base_url)
        path.write_text(text)


def fast_retries(root: Path) -> None:
    """Keep retries but make their waits tiny, so failure tests run in milliseconds."""
    for path in (root / "catalog").rglob("*.yaml"):
        text = path.read_text()
        text = text.replace("backoff: exponential}", "backoff: exponential, delaySeconds: 0.01}")
        text = text.replace("backoff: linear}", "backoff: linear, delaySeconds: 0.01}")
        text = text.replace("timeout: 30", "timeout: 2").replace("timeout: 60", "timeout: 2")
        path.write_text(text)


def pac_settings(
    root: Path, *, transient_retries: int | None = None, search_lag: float | None = None
) -> None:
    """Set `apply.transientRetries` and `jira.searchLag` in the sample's pac.yaml."""
    path = root / "pac.yaml"
    text = path.read_text()
    if transient_retries is not None:
        text = text.replace("\napply:\n", f"\napply:\n  transientRetries: {transient_retries}\n")
    if search_lag is not None:
        text = text.replace("\njira:\n", f"\njira:\n  searchLag: {search_lag}\n")
    path.write_text(text)
