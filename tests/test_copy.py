"""`facilitator db copy`: a workshop started on SQLite moves to PostgreSQL without loss, and
its phones carry on where they were (same ids, seqs and epochs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from facilitator.app import create_app
from facilitator.cli.main import main
from facilitator.config import Settings
from facilitator.store.database import Database
from tests import backends
from tests.conftest import Socket, World, connect
from tests.support import all_rows, live, shared_workshop


@pytest.fixture
def backend() -> str:
    return "sqlite+memory"  # the laptop the workshop started on


@pytest.fixture
def target() -> Iterator[str]:
    backends.require_servers()
    with backends.scratch_database() as url:
        yield url


def copy(source: str, target: str) -> Result:
    return CliRunner().invoke(main, ["db", "copy", "--from", source, "--to", target])


def read_all(url: str) -> dict[str, list[tuple[object, ...]]]:
    db = Database(url)
    try:
        return db.read_sync(all_rows)
    finally:
        db.close()


def test_a_workshop_moves_to_postgres_and_its_phones_carry_on(
    world: World, settings: Settings, target: str
) -> None:
    group = shared_workshop(world).groups[0]
    phone = world.phone(group.code)
    with live(phone, group.id) as sock:
        for n in range(3):
            sock.send({"type": "submit", "key": f"key-copy-{n:04}", "text": f"Idea {n}"})
            sock.until_type("ack", key=f"key-copy-{n:04}")
        sock.until_seq(3)
        seq, epoch, ideas = sock.seq, sock.epoch, dict(sock.ideas)
    assert seq == 3

    result = copy(settings.database_url, target)
    assert result.exit_code == 0, result.output
    assert read_all(target) == read_all(settings.database_url)

    moved = replace(settings, database_url=target)
    with TestClient(create_app(moved), base_url="http://testserver") as client:
        phone.http = TestClient(
            client.app, base_url="http://testserver", cookies=phone.http.cookies
        )
        phone.http.portal = client.portal
        with connect(phone, group.id, since=seq, epoch=epoch) as ws:
            sock = Socket(ws)
            sock.seq, sock.epoch, sock.ideas = seq, epoch, dict(ideas)
            sock.send({"type": "submit", "key": "key-copy-late", "text": "After the move"})
            ack = sock.until_type("ack", key="key-copy-late")
            sock.until_seq(seq + 1)  # the same log goes on: no fresh board, no gap
            assert not [f for f in sock.frames if f["type"] == "reset"]
            assert ack["idea_id"] == max(ideas) + 1  # the id sequence moved past the copy
            assert sorted(sock.ideas.values()) == ["After the move", "Idea 0", "Idea 1", "Idea 2"]


def test_a_copy_into_a_database_with_data_is_refused(
    world: World, settings: Settings, target: str
) -> None:
    world.organiser()
    assert copy(settings.database_url, target).exit_code == 0
    before = read_all(target)
    again = copy(settings.database_url, target)
    assert again.exit_code != 0
    assert "already has data" in again.output
    assert read_all(target) == before


def test_a_source_behind_the_code_is_refused(tmp_path: Path, target: str) -> None:
    empty = f"sqlite:///{tmp_path / 'old.db'}"
    refused = copy(empty, target)
    assert refused.exit_code != 0
    assert "facilitator db upgrade" in refused.output
