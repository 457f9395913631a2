"""REST calls against a real local server: what is retried, with which waits (SPEC §4.3, §6.4)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pac.fulfilment.backends import BackendError
from pac.fulfilment.backends.rest import RenderedCall, RestClient
from tests.fakes.rest import FakeRestTarget


@pytest.fixture
def target() -> Iterator[FakeRestTarget]:
    with FakeRestTarget() as fake:
        yield fake  # type: ignore[misc]


def call(url: str, *, attempts: int, backoff: str, timeout: float = 5.0) -> RenderedCall:
    return RenderedCall(
        method="POST",
        url=f"{url}/things",
        headers={"Content-Type": "application/json"},
        body='{"name": "x"}',
        body_type="json",
        timeout=timeout,
        retry_attempts=attempts,
        backoff=backoff,
        retry_delay=2.0,
        authentication="",
    )


@pytest.mark.parametrize(
    ("backoff", "waits"), [("linear", [2.0, 4.0, 6.0]), ("exponential", [2.0, 4.0, 8.0])]
)
def test_5xx_timeouts_and_dropped_connections_are_retried_with_the_configured_backoff(
    target: FakeRestTarget, backoff: str, waits: list[float]
) -> None:
    slept: list[float] = []
    client = RestClient(sleep=slept.append)
    target.fail_next("POST", "/things", 503)
    target.fail_next("POST", "/things", "timeout", hold=1.0)
    target.fail_next("POST", "/things", "drop")
    result = client.send(call(target.url, attempts=3, backoff=backoff, timeout=0.3), "k-1")
    client.close()
    assert (result.status, result.attempts) == (200, 4)
    assert slept == waits
    assert {r.headers["Idempotency-Key"] for r in target.requests} == {"k-1"}


def test_a_4xx_is_not_retried_and_giving_up_says_how_often_it_tried(
    target: FakeRestTarget,
) -> None:
    slept: list[float] = []
    client = RestClient(sleep=slept.append)
    target.fail_next("POST", "/things", 409)
    with pytest.raises(BackendError) as rejected:
        client.send(call(target.url, attempts=3, backoff="linear"), "k-2")
    assert rejected.value.http_status == 409 and not rejected.value.transient
    assert slept == [] and target.count("POST") == 1

    target.fail_next("POST", "/things", 502, times=3)
    with pytest.raises(BackendError) as unavailable:
        client.send(call(target.url, attempts=2, backoff="linear"), "k-3")
    client.close()
    assert unavailable.value.transient and unavailable.value.http_status == 502
    assert "failed after 3 attempts" in unavailable.value.message
    assert target.count("POST") == 4


def test_408_and_429_are_transient_and_a_short_retry_after_is_waited_out(
    target: FakeRestTarget,
) -> None:
    slept: list[float] = []
    client = RestClient(sleep=slept.append)
    target.fail_next("POST", "/things", 429, headers={"Retry-After": "7"})
    target.fail_next("POST", "/things", 408)
    result = client.send(call(target.url, attempts=3, backoff="linear"), "k-1")
    assert (result.status, result.attempts) == (200, 3)
    assert slept == [7.0, 4.0]  # the service's wait when longer than the backoff

    # Asked to come back in an hour: not waited out here, left to the next run.
    slept.clear()
    target.fail_next("POST", "/things", 429, headers={"Retry-After": "3600"})
    with pytest.raises(BackendError) as later:
        client.send(call(target.url, attempts=3, backoff="linear"), "k-2")
    client.close()
    assert slept == []
    error = later.value
    assert (error.transient, error.unknown, error.retry_after) == (True, False, 3600.0)
    assert "failed after 1 attempt: answered 429" in error.message


def test_an_answer_lost_after_sending_is_an_unknown_outcome_a_refused_connection_is_not(
    target: FakeRestTarget,
) -> None:
    client = RestClient(sleep=lambda seconds: None)
    target.fail_next("POST", "/things", "drop", after_effect=True)
    with pytest.raises(BackendError) as lost:
        client.send(call(target.url, attempts=0, backoff="linear"), "k-1")
    assert lost.value.transient and lost.value.unknown
    with pytest.raises(BackendError) as refused:
        client.send(call("http://127.0.0.1:9", attempts=0, backoff="linear"), "k-2")
    client.close()
    assert refused.value.transient and not refused.value.unknown
    assert "Connection refused" in refused.value.message
