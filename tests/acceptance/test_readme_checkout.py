"""The README's two halves in one checkout: a reader walks through the quick start and the
day-2 block (which edit the sample request and write its status), then runs the tests.
The tests read the sample as committed, so they pass the same in that checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import git
import pytest

from tests.acceptance.test_readme_day_two import readme_block, run
from tests.conftest import PROJECT

QUICK_START = "pac apply requests/payments/payments-events.yaml && pac status payments-events"
EDITED = "requests/payments/payments-events.yaml"
# Tests that copy the sample and act on the edited request: each failed while the
# fixtures copied the working tree's files.
SOME_TESTS = (
    "tests/acceptance/test_apply_live.py::test_a_lost_answer_to_a_create_adopts_the_ticket",
    "tests/acceptance/test_apply_live.py::test_jira_rejections_fail_the_task_with_jiras_reason",
    "tests/acceptance/test_cli.py::test_validate_the_sample_succeeds",
    "tests/unit/documents/test_schemas.py",
)


def readers_checkout(target: Path) -> Path:
    """This project as a reader's fresh clone has it: its files (new ones too), committed."""
    try:
        listed = git.Repo(PROJECT).git.ls_files("-z", "--cached", "--others", "--exclude-standard")
        files = [name for name in listed.split("\0") if name]
    except git.InvalidGitRepositoryError:  # an unpacked tarball: everything but caches
        files = [
            str(path.relative_to(PROJECT))
            for path in PROJECT.rglob("*")
            if path.is_file()
            and not {".git", ".venv", "node_modules", "__pycache__"} & set(path.parts)
        ]
    for name in files:
        source = PROJECT / name
        if source.is_file():  # a file deleted but not yet staged is listed, not there
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    repo = git.Repo.init(target, initial_branch="main")
    repo.git.add(A=True)
    author = git.Actor("Reader", "reader@company.com")
    repo.index.commit("a reader's clone", author=author, committer=author)
    return target


@pytest.mark.slow
def test_the_tests_pass_after_the_readme_walk_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = readers_checkout(tmp_path / "clone")
    # Its own code and tests, as `pip install -e .` in that clone would give them.
    monkeypatch.setenv("PYTHONPATH", str(checkout / "src"))
    lines = [
        QUICK_START,
        *readme_block("A ticket is a hand-off, not a result"),
        *readme_block("Then live through day 2"),
    ]
    for line in lines:
        done = run(checkout, line)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    changed = git.Repo(checkout).git.status("--porcelain")
    assert f" M {EDITED}" in changed.splitlines()  # the walk-through left its edit
    assert "decommission:" in (checkout / EDITED).read_text()
    assert (checkout / "requests/.status/payments-events.yaml").is_file()
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SOME_TESTS],
        cwd=checkout,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=600,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout
