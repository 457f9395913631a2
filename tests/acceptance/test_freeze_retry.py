"""A retry or an escalation inside a change freeze, end to end (SPEC §6.4, §7): real
`pac plan`, `pac apply` and `pac status` processes against the fake JIRA and platform API.

The failed request waits out the freeze like a new one: plan and apply say so in the same
words, nothing reaches JIRA or the platform, and nothing calls it an emergency. With
`priority: emergency` it goes through, and is marked as such.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pac.records.store import StatusStore
from tests.acceptance.test_apply_live import TOKEN, WEBAPP, environment
from tests.conftest import fast_retries, pac_in, pac_settings, point_rest_at
from tests.fakes.jira import FakeJira
from tests.fakes.rest import FakeRestTarget

BEFORE = "2026-06-01"  # outside the sample's "Retail peak season" (09-25 to 01-15)
FROZEN = "2026-10-01"  # inside it; the web stack's databases and compute are in its scope
HELD = "the {what} waits for the change freeze 'Retail peak season' until 2027-01-15"
GOES_THROUGH = "this emergency request goes through and is marked as such"
PASSED = "emergency request: passed the change freeze 'Retail peak season'"


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(credentials=("bot", TOKEN)) as fake:
        yield fake  # type: ignore[misc]


def pac_on(day: str, root: Path, jira: FakeJira, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `pac` command on `day` (PAC_TODAY), against the fakes."""
    done = pac_in(root, {**environment(jira), "PAC_TODAY": day}, *args)
    assert "internal error" not in done.stderr
    return done


def failed_webapp(root: Path, jira: FakeJira, platform: FakeRestTarget) -> None:
    """The web stack, failed for good before the freeze: its cluster create refused."""
    point_rest_at(root, platform.url)
    fast_retries(root)
    pac_settings(root, transient_retries=0)
    platform.fail_next("POST", "/api/v1/clusters$", 409)
    first = pac_on(BEFORE, root, jira, "apply", WEBAPP)
    assert first.returncode == 1, first.stdout + first.stderr
    status = StatusStore(root).load(WEBAPP)
    assert status is not None and status.state == "failed"


def edit_request(root: Path, old: str, new: str) -> None:
    path = root / f"requests/payments/{WEBAPP}.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("operations", "what"), [("{retry: 1}", "retry"), ("{escalate: true}", "escalation")]
)
def test_a_retry_or_escalation_waits_out_a_freeze_unless_it_is_an_emergency(
    sample_root: Path, jira: FakeJira, platform: FakeRestTarget, operations: str, what: str
) -> None:
    failed_webapp(sample_root, jira, platform)
    edit_request(sample_root, "bundleId:", f"operations: {operations}\nbundleId:")
    held = HELD.format(what=what)
    sent, asked = len(platform.requests), len(jira.log)
    status_file = sample_root / f"requests/.status/{WEBAPP}.yaml"
    before = status_file.read_text()

    planned = pac_on(FROZEN, sample_root, jira, "plan", WEBAPP)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "defer: inside a change freeze" in planned.stdout
    assert held in planned.stdout
    assert GOES_THROUGH not in planned.stdout

    applied = pac_on(FROZEN, sample_root, jira, "apply", WEBAPP)
    said = applied.stdout + applied.stderr
    assert applied.returncode == 0, said
    assert f"{WEBAPP}: failed; {held}" in said  # the plan's words
    assert "emergency" not in said
    assert len(platform.requests) == sent  # no call sent again
    assert len(jira.log) == asked and jira.issues == {}  # nothing sent to JIRA
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and status.state == "failed" and status.handled_retry == 0
    assert not any("emergency" in h["event"] for h in status.history)
    assert status_file.read_text() != before  # it says why it waits
    shown = pac_on(FROZEN, sample_root, jira, "status", WEBAPP)
    assert shown.returncode == 1, shown.stdout + shown.stderr  # a failed request
    assert "emergency" not in shown.stdout

    # The same request as an emergency: it goes through the freeze, and says so.
    edit_request(sample_root, "  requester:", "  priority: emergency\n  requester:")
    planned = pac_on(FROZEN, sample_root, jira, "plan", WEBAPP)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert GOES_THROUGH in planned.stdout
    applied = pac_on(FROZEN, sample_root, jira, "apply", WEBAPP)
    said = applied.stdout + applied.stderr
    assert applied.returncode == 0, said
    assert "emergency: passing the change freeze 'Retail peak season'" in said
    status = StatusStore(sample_root).load(WEBAPP)
    assert status is not None and any(PASSED in h["event"] for h in status.history)
    if what == "retry":
        assert status.state == "completed" and status.handled_retry == 1
        assert len(platform.requests) > sent and jira.issues == {}
    else:  # the manual tickets, with their teams
        assert status.state == "waiting" and len(jira.issues) >= 1
        assert len(platform.requests) == sent
    shown = pac_on(FROZEN, sample_root, jira, "status", WEBAPP)
    assert "emergency" in shown.stdout
