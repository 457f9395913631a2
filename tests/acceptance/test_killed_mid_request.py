"""`pac apply` killed in the middle of sending a REST call, then run again.

urllib3 sends a request's head and its body in two writes. A SIGKILL between them leaves
the target a head announcing `Content-Length` bytes and a connection that closes before
they came: no request at all, to a real server. Run again, pac sends the call under the
same `Idempotency-Key` with the same bytes, and the target does it once. (The kill loop of
tests/acceptance/test_apply_upstream.py hit this instant about one run in seven.)
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.acceptance.test_apply_live import TOKEN, WEBAPP, environment
from tests.acceptance.test_apply_upstream import each_call_once
from tests.conftest import pac_in, point_rest_at
from tests.fakes.jira import FakeJira
from tests.fakes.rest import FakeRestTarget

# Runs `pac` with urllib3's socket writes watched: the write of the deploy call's body
# never happens, the process dies there as under SIGKILL (no cleanup, no answer awaited).
KILLED_BEFORE_THE_BODY = """
import os, runpy, signal, sys
import urllib3.connection

send = urllib3.connection.HTTPConnection.send

def watched(self, data):
    if isinstance(data, bytes) and data.lstrip().startswith(b"{") and b'"replicas"' in data:
        os.kill(os.getpid(), signal.SIGKILL)
    return send(self, data)

urllib3.connection.HTTPConnection.send = watched
sys.argv = ["pac", *sys.argv[1:]]
runpy.run_module("pac", run_name="__main__", alter_sys=True)
"""


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(credentials=("bot", TOKEN)) as fake:
        yield fake  # type: ignore[misc]


def test_killed_between_a_calls_head_and_body_the_rerun_sends_the_same_bytes_once(
    sample_root: Path, tmp_path: Path, jira: FakeJira, platform: FakeRestTarget
) -> None:
    point_rest_at(sample_root, platform.url)
    driver = tmp_path / "killed_before_the_body.py"
    driver.write_text(KILLED_BEFORE_THE_BODY)
    killed = subprocess.run(
        [sys.executable, str(driver), "apply", WEBAPP],
        cwd=sample_root,
        env=environment(jira),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -9, killed.stdout + killed.stderr
    deploys = [r for r in platform.requests if r.path.endswith("/apps")]
    assert deploys == []  # a head without its body is no request
    done = pac_in(sample_root, environment(jira), "apply", WEBAPP)
    assert done.returncode == 0, done.stdout + done.stderr
    assert each_call_once(platform) == 4
    deploys = [r for r in platform.requests if r.path.endswith("/apps")]
    assert len(deploys) == 1 and deploys[0].json()["name"] == "payments-api"


def test_a_head_whose_body_never_comes_is_no_request(platform: FakeRestTarget) -> None:
    """The fakes behave like a real server: a connection closed before `Content-Length`
    bytes of body came carries no request; the next, whole one is done as usual."""
    where = urlsplit(platform.url)
    head = (
        b"POST /api/v1/clusters HTTP/1.1\r\nHost: target\r\nContent-Type: application/json\r\n"
        b"Idempotency-Key: k-1\r\nContent-Length: 40\r\n\r\n"
    )
    with socket.create_connection((where.hostname or "127.0.0.1", where.port or 80)) as cut:
        cut.sendall(head + b'{"name": "ha')
    whole = requests.post(
        f"{platform.url}/api/v1/clusters", json={"name": "db"}, headers={"Idempotency-Key": "k-2"}
    )
    assert whole.status_code == 201
    assert [r.headers["Idempotency-Key"] for r in platform.requests] == ["k-2"]
    assert [r.json() for r in platform.effects] == [{"name": "db"}]
