"""The README's day-2 walk-through, run as written: the quick start's request is changed,
then decommissioned, offline with the outbox, in a git clone of the sample."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pac.records.states import RequestState
from pac.records.store import StatusStore
from tests.conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")
_BASH = re.compile(r"```bash\n(?P<body>.*?)```", re.S)


def readme_block(after: str) -> list[str]:
    """The command lines of the first bash block after the sentence starting `after`."""
    start = README.index(after)
    block = _BASH.search(README, start)
    assert block is not None, f"no bash block after {after!r}"
    return [line for line in block.group("body").splitlines() if line.strip()]


def run(root: Path, line: str) -> subprocess.CompletedProcess[str]:
    # `pac` as the README's reader has it, but this checkout's code.
    script = f'pac() {{ "{sys.executable}" -m pac "$@"; }}\n{line}\n'
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PAC_REPO", None)
    for name in ("PAC_JIRA_URL", "PAC_JIRA_USER", "PAC_JIRA_TOKEN"):
        env.pop(name, None)
    return subprocess.run(
        ["bash", "-ec", script],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_day_two_block_is_what_the_docs_describe() -> None:
    lines = readme_block("Then live through day 2")
    assert any(line.startswith("pac plan requests/payments/payments-events.yaml") for line in lines)
    assert sum("pac apply --outbox" in line for line in lines) == 2
    assert any("decommission: {reason:" in line for line in lines)


@pytest.mark.slow
def test_quick_start_then_change_then_decommission(sample_git: Path) -> None:
    quick_start = "pac apply requests/payments/payments-events.yaml && pac status payments-events"
    assert quick_start in README
    done = run(sample_git, quick_start)
    assert done.returncode == 0, done.stdout + done.stderr
    waiting = StatusStore(sample_git).load("payments-events")
    assert waiting is not None and waiting.state is RequestState.WAITING
    for line in readme_block("A ticket is a hand-off, not a result"):
        result = run(sample_git, line)
        assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
    completed = StatusStore(sample_git).load("payments-events")
    assert completed is not None and completed.state is RequestState.COMPLETED
    for line in readme_block("Then live through day 2"):
        result = run(sample_git, line)
        assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
    status = StatusStore(sample_git).load("payments-events")
    assert status is not None
    assert status.state is RequestState.DECOMMISSIONED
    assert [r.operation.value for r in status.revisions] == ["create", "update"]
    assert len(list((sample_git / ".pac/outbox").glob("*.json"))) == 3
