"""An outbox ticket file that is broken, huge or built to hurt: refused, naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pac.errors import RepositoryError
from pac.fulfilment.backends.outbox import Outbox
from pac.fulfilment.backends.outbox_files import MAX_BYTES, read_ticket

TICKET = {"key": "MSG-9", "id": "10009", "url": ".pac/outbox/MSG-9.json", "labels": ["pac-r.t"]}


def test_a_ticket_pac_wrote_is_read(tmp_path: Path) -> None:
    path = tmp_path / "MSG-9.json"
    path.write_text(json.dumps({**TICKET, "links": [], "comments": [{"body": "ok"}]}))
    assert read_ticket(path)["labels"] == ["pac-r.t"]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"not json", ".pac/outbox/MSG-9.json:1:1: the outbox ticket file is not JSON"),
        (b'{"key": "MSG-9",\n "id": }', "MSG-9.json:2:8: the outbox ticket file is not JSON"),
        (b"[" * 100_000, "MSG-9.json: the outbox ticket file nests more than 32 levels deep"),
        (b'{"a": ' * 40 + b"1" + b"}" * 40, "nests more than 32 levels deep"),
        (b" " * (MAX_BYTES + 1), "is 1,048,577 bytes, more than an outbox ticket"),
        (b"\xff\xfe{}", "is not UTF-8 text (byte 0)"),
        (b"[1]", "holds an array, not a ticket (a JSON object)"),
        (b"null", "holds null, not a ticket"),
        (json.dumps({**TICKET, "key": "MSG-8"}).encode(), "says it is ticket 'MSG-8', but is"),
        (json.dumps({**TICKET, "url": None}).encode(), "has no 'url' (text)"),
        (json.dumps({k: v for k, v in TICKET.items() if k != "key"}).encode(), "has no 'key'"),
        (json.dumps({**TICKET, "labels": "pac-r.t"}).encode(), "'labels' that are not a list"),
        (json.dumps({**TICKET, "links": [{"key": 1}]}).encode(), "'links' that are not a list"),
        (json.dumps({**TICKET, "fields": []}).encode(), "has 'fields' that is not an object"),
    ],
)
def test_a_broken_ticket_file_is_named_with_what_is_wrong_and_how_to_fix_it(
    tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "MSG-9.json"
    path.write_bytes(content)
    with pytest.raises(RepositoryError) as caught:
        read_ticket(path)
    assert said in caught.value.message
    assert caught.value.message.startswith(".pac/outbox/MSG-9.json")
    assert "restore it from a backup" in caught.value.hint
    assert caught.value.exit_code == 2


def test_brackets_inside_strings_are_no_nesting(tmp_path: Path) -> None:
    path = tmp_path / "MSG-9.json"
    path.write_text(json.dumps({**TICKET, "summary": "[" * 1000 + '"\\' + "{" * 1000}))
    assert read_ticket(path)["summary"].startswith("[[[")


def test_every_outbox_reader_refuses_a_broken_file(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    outbox.folder.mkdir(parents=True)
    (outbox.folder / "MSG-9.json").write_text("not json")
    for read in (
        lambda: outbox.find(["pac-r.t"]),
        lambda: outbox.read(["pac-r.t"]),
        outbox.tickets,
        lambda: outbox.state("MSG-9"),
        lambda: outbox.resolve("MSG-9"),
        lambda: outbox.link("MSG-9", "MSG-1", "Blocks"),
    ):
        with pytest.raises(RepositoryError, match=r"MSG-9.json:1:1: the outbox ticket file"):
            read()
