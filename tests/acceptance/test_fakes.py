"""The test doubles themselves: strict like JIRA, faults and gates as documented."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
import requests
from jira import JIRA
from jira.exceptions import JIRAError

from tests.conftest import PROJECT
from tests.fakes.jira import FakeJira
from tests.fakes.rest import FakeRestTarget


def client(fake: FakeJira) -> JIRA:
    return JIRA(server=fake.url, basic_auth=("bot", "token"), max_retries=0, timeout=5)


def create(jira: JIRA, **fields: object) -> object:
    base: dict[str, object] = {
        "project": {"key": "DBA"},
        "issuetype": {"name": "Task"},
        "summary": "A database",
    }
    return jira.create_issue(fields={**base, **fields}, prefetch=False)


def test_the_jira_client_works_against_the_fake() -> None:
    with FakeJira() as fake:
        jira = client(fake)
        first = create(jira, labels=["pac-a"])
        second = create(jira, labels=["pac-b"], priority={"name": "High"})
        assert (first.key, second.key) == ("DBA-1", "DBA-2")  # type: ignore[attr-defined]
        found = jira.search_issues('labels in ("pac-a", "pac-b")', fields="labels")
        assert [i.key for i in found] == ["DBA-1", "DBA-2"]
        assert next(t.name for t in jira.issue_link_types()) == "Blocks"
        jira._session.post(
            jira._get_url("issueLink"),
            json={
                "type": {"name": "Blocks"},
                "inwardIssue": {"key": "DBA-1"},
                "outwardIssue": {"key": "DBA-2"},
            },
        )
        # Jira reads this link "DBA-1 blocks DBA-2": the blocked issue lists its blocker as
        # its inward issue, the blocker the blocked one as its outward issue.
        assert fake.blocked_by("DBA-2") == {"DBA-1"} and fake.blocked_by("DBA-1") == set()
        links = jira.issue("DBA-2", fields="issuelinks").raw["fields"]["issuelinks"]
        assert [link["inwardIssue"]["key"] for link in links] == ["DBA-1"]
        links = jira.issue("DBA-1", fields="issuelinks").raw["fields"]["issuelinks"]
        assert [link["outwardIssue"]["key"] for link in links] == ["DBA-2"]
        assert jira.issue("DBA-1", fields="status").fields.status.name == "Open"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"project": {"key": "NOPE"}}, "project", "valid project is required"),
        ({"issuetype": {"name": "Epic"}}, "issuetype", "valid issue type is required"),
        ({"summary": "x" * 256}, "summary", "less than 255 characters"),
        ({"summary": "two\nlines"}, "summary", "newline"),
        ({"labels": ["has space"]}, "labels", "contains spaces"),
        ({"priority": {"name": "Urgent"}}, "priority", "is not valid"),
        ({"customfield_10016": "12"}, "customfield_10016", "must be a number"),
        ({"customfield_10020": "7d"}, "customfield_10020", "valid 'id' or 'value'"),
        ({"customfield_10020": {"value": "2d"}}, "customfield_10020", "'2d' is not valid"),
        ({"customfield_10021": "fraud"}, "customfield_10021", "not an array"),
        ({"customfield_10022": ["a b"]}, "customfield_10022", "contains spaces"),
        ({"customfield_10023": "dana"}, "customfield_10023", "not an object"),
        ({"customfield_10024": "01/02/2027"}, "customfield_10024", "yyyy-MM-dd"),
        ({"customfield_10010": 5}, "customfield_10010", "must be a string"),
        ({"customfield_99999": "x"}, "customfield_99999", "cannot be set"),
    ],
)
def test_the_fake_is_as_strict_as_jira(fields: dict[str, object], field: str, message: str) -> None:
    with FakeJira() as fake:
        with pytest.raises(JIRAError) as caught:
            create(client(fake), **fields)
        assert caught.value.status_code == 400
        assert message in (caught.value.response.json()["errors"][field])


def test_unknown_issues_and_authentication() -> None:
    with FakeJira(credentials=("bot", "right")) as fake:
        with pytest.raises(JIRAError) as caught:
            JIRA(server=fake.url, basic_auth=("bot", "wrong"), max_retries=0)
        assert caught.value.status_code == 401
        jira = JIRA(server=fake.url, basic_auth=("bot", "right"), max_retries=0)
        with pytest.raises(JIRAError) as missing:
            jira.issue("DBA-99")
        assert missing.value.status_code == 404


def test_faults_status_drop_and_timeout() -> None:
    with FakeRestTarget() as target:
        target.fail_next("POST", "/x", 503)
        assert requests.post(f"{target.url}/x", timeout=2).status_code == 503
        assert requests.post(f"{target.url}/x", timeout=2).status_code == 200
        target.fail_next("POST", "/x", "drop")
        with pytest.raises(requests.ConnectionError):
            requests.post(f"{target.url}/x", timeout=2)
        target.fail_next("POST", "/x", "timeout", hold=1.0)
        with pytest.raises(requests.Timeout):
            requests.post(f"{target.url}/x", timeout=0.2)


def test_a_fault_after_the_effect_loses_only_the_answer() -> None:
    with FakeJira() as fake:
        fake.fail_next("POST", "/issue$", "drop", after_effect=True)
        with pytest.raises(requests.ConnectionError):
            create(client(fake))
        assert list(fake.issues) == ["DBA-1"]


def test_latency_and_idempotency() -> None:
    with FakeRestTarget(latency=0.05) as target:
        started = time.perf_counter()
        headers = {"Idempotency-Key": "k1"}
        first = requests.post(f"{target.url}/things", json={"a": 1}, headers=headers, timeout=2)
        again = requests.post(f"{target.url}/things", json={"a": 1}, headers=headers, timeout=2)
        assert time.perf_counter() - started >= 0.1
        assert first.json() == again.json()
        assert (len(target.requests), len(target.effects)) == (2, 1)


def test_a_gate_holds_a_request_until_released() -> None:
    with FakeJira() as fake:
        gate = fake.pause_on("POST", "/issue$", after_effect=True)
        thread = threading.Thread(target=lambda: create(client(fake)))
        thread.start()
        assert gate.reached.wait(5)
        assert list(fake.issues) == ["DBA-1"]  # created, but the answer is held
        gate.release()
        thread.join(5)
        assert not thread.is_alive()


def test_the_fakes_run_as_processes() -> None:
    for module in ("tests.fakes.jira", "tests.fakes.rest"):
        process = subprocess.Popen(
            [sys.executable, "-m", module, "--latency", "0"],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            ready = process.stdout.readline().split()
            assert ready[0] == "READY"
            assert requests.get(f"{ready[1]}/_fake/stats", timeout=5).json()["requests"] == {}
        finally:
            process.terminate()
            process.wait(10)


def test_the_fake_jiras_search_lags_behind_creation_as_jiras_index_does() -> None:
    with FakeJira(search_lag=0.5) as fake:
        jira = client(fake)
        issue = create(jira, labels=["pac-lag"])
        assert list(jira.search_issues('labels = "pac-lag"')) == []
        assert jira.issue(issue.key).key == "DBA-1"  # type: ignore[attr-defined]
        for _ in range(100):  # indexed a little later
            found = [i.key for i in jira.search_issues('labels = "pac-lag"')]
            if found:
                break
            time.sleep(0.05)
        assert found == ["DBA-1"]
