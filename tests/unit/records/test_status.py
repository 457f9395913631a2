"""The status store: atomic files, round trips, and merging two runs' statuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from pac.records.states import RequestState, TaskState
from pac.records.status import RequestStatus, TaskError, TaskStatus
from pac.records.store import StatusError, StatusStore
from tests.conftest import invoke


def _status() -> RequestStatus:
    status = RequestStatus(
        request="r-1", state=RequestState.FAILED, target_kind="CatalogItem", target_id="x"
    )
    status.tasks = [
        TaskStatus(
            "r-1/a/manual/0",
            "a",
            "x",
            "jira-ticket",
            "manual",
            0,
            state=TaskState.COMPLETED,
            ticket_key="DBA-1",
            ticket_url="u",
            outputs={"k": "v"},
        ),
        TaskStatus(
            "r-1/a/manual/1",
            "a",
            "x",
            "rest-api",
            "manual",
            1,
            state=TaskState.FAILED,
            http_status=503,
            http_method="POST",
            http_url="https://h",
            error=TaskError("boom", "retry later", "team (t@c.com)"),
        ),
    ]
    return status


def test_round_trip(tmp_path: Path) -> None:
    store = StatusStore(tmp_path)
    path = store.save(_status())
    assert path == tmp_path / "requests/.status/r-1.yaml"
    assert path.read_text().startswith("# Written by `pac apply`; do not edit.")
    loaded = store.load("r-1")
    assert loaded is not None
    assert loaded.as_dict() == _status().as_dict() | {
        "createdAt": loaded.created_at,
        "updatedAt": loaded.updated_at,
    }
    assert loaded.outputs() == {"k": "v"}
    assert [s.request for s in store.all()] == ["r-1"]


def test_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    store = StatusStore(tmp_path)
    for _ in range(3):
        store.save(_status())
    assert sorted(p.name for p in (tmp_path / "requests/.status").iterdir()) == ["r-1.yaml"]


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["request: payments-events", f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "alias bomb": _alias_bomb(),
    "deep nesting": "request: payments-events\ndeep: " + "[" * 5000 + "]" * 5000 + "\n",
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_status_file_is_refused_naming_the_file(tmp_path: Path, content: str) -> None:
    store = StatusStore(tmp_path)
    store.folder.mkdir(parents=True)
    store.path("payments-events").write_text(content)
    with pytest.raises(StatusError) as caught:
        store.load("payments-events")
    assert caught.value.message.startswith("requests/.status/payments-events.yaml:")
    assert "git checkout -- requests/.status/payments-events.yaml" in caught.value.hint


@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("status", "payments-events"),
        ("report",),
        ("plan", "payments-events"),
        ("apply", "payments-events"),
    ],
    ids=" ".join,
)
@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_every_command_reading_status_refuses_a_hostile_one(
    sample_root: Path, command: tuple[str, ...], content: str
) -> None:
    status_file = sample_root / "requests/.status/payments-events.yaml"
    status_file.parent.mkdir(parents=True)
    status_file.write_text(content)
    code, out = invoke(sample_root, *command)
    # `pac plan` and `pac apply` report it as that request's failure among the others.
    assert code == (1 if command[0] in ("plan", "apply") else 2), out
    assert "requests/.status/payments-events.yaml:" in out
    assert "Restore it from git" in out
    assert "Traceback" not in out and "internal error" not in out.lower()
    if command[0] == "apply":  # nothing was done for it
        assert "0 request(s) acted on, 0 ticket(s) created, 1 failed" in out


def test_status_merged_in_git_uses_the_hardened_loader() -> None:
    from pac.fulfilment.commit import _status

    with pytest.raises(StatusError, match="cannot be read"):
        _status(_alias_bomb())


def test_the_last_attempt_and_transient_faults_survive_a_round_trip(tmp_path: Path) -> None:
    import pytest

    from pac.records.status import Attempt, Effect, Known
    from pac.records.store import StatusError

    store = StatusStore(tmp_path)
    status = _status()
    status.tasks[1].attempt = Attempt(
        Effect.CALL, "2026-06-01T10:00:00.123456Z", Known.UNKNOWN, "k"
    )
    status.tasks[1].transient_failures, status.tasks[1].transient_error = 3, "answered 503"
    store.save(status)
    loaded = store.load("r-1")
    assert loaded is not None
    task = loaded.tasks[1]
    assert task.attempt == Attempt(Effect.CALL, "2026-06-01T10:00:00.123456Z", Known.UNKNOWN, "k")
    assert task.attempt.maybe_done
    assert (task.transient_failures, task.transient_error) == (3, "answered 503")
    assert loaded.tasks[0].attempt is None

    # An outcome pac does not know is an altered file, not a guess.
    path = store.path("r-1")
    path.write_text(path.read_text().replace("known: unknown", "known: probably"))
    with pytest.raises(StatusError, match="has been altered"):
        store.load("r-1")
