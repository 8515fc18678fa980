"""The write path: group commit with a savepoint per job, seq without holes, durable pragmas,
and no "database is locked" for a user while another process holds the lock."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, col, select

from facilitator import events
from facilitator.config import Settings
from facilitator.db import Database
from facilitator.domain.errors import Invalid
from facilitator.events import LiveEvent
from facilitator.models import Channel, Event
from tests import backends


def opened(url: str) -> Iterator[Database]:
    database = Database(url)
    database.write_sync(lambda s: events.create_channel(s, "group:1"))
    yield database
    database.close()


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """On each backend (the settings fixture's parameter)."""
    yield from opened(settings.database_url)


@pytest.fixture
def sqlite_db(tmp_path: Path, migrated_db: Path) -> Iterator[Database]:
    path = tmp_path / "t.db"
    path.write_bytes(migrated_db.read_bytes())
    yield from opened(f"sqlite:///{path}")


def append(s: Session, n: int) -> int:
    return events.append(s, "group:1", "test", {"n": n}, "test").seq


def test_pragmas_are_durable(sqlite_db: Database) -> None:
    with sqlite_db.write_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_concurrent_writes_get_contiguous_seqs_and_a_refused_one_spoils_nothing(
    db: Database,
) -> None:
    published: list[LiveEvent] = []
    db.on_commit = published.extend

    def refused(s: Session) -> int:
        append(s, -1)  # allocates a seq, then the command refuses: it must leave no hole
        raise Invalid("no")

    async def main() -> list[object]:
        jobs = [db.write(lambda s, n=n: append(s, n)) for n in range(200)]
        jobs[50:50] = [db.write(refused)]
        return await asyncio.gather(*jobs, return_exceptions=True)

    results = asyncio.run(main())
    assert sum(isinstance(r, Invalid) for r in results) == 1
    seqs = sorted(r for r in results if isinstance(r, int))
    assert seqs == list(range(1, 201))
    stored = db.read_sync(
        lambda s: [e.seq for e in s.exec(select(Event).order_by(col(Event.seq))).all()]
    )
    assert stored == list(range(1, 201))
    assert db.read_sync(lambda s: s.get(Channel, "group:1")).seq == 200  # type: ignore[union-attr]
    # Published after commit, the refused one not at all; in seq order from SQLite's one
    # writer, in any order from PostgreSQL's writer threads (rooms order by seq).
    order = [e.seq for e in published]
    assert (order if db.is_sqlite else sorted(order)) == list(range(1, 201))
    assert all(e.payload["n"] != -1 for e in published)


def test_a_lock_held_by_another_process_delays_but_never_fails_a_write(
    sqlite_db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # like a CLI command writing at the same moment
    release = threading.Timer(1.0, lambda: other.execute("COMMIT"))
    release.start()

    async def main() -> int:
        return await sqlite_db.write(lambda s: append(s, 1))

    try:
        assert asyncio.run(main()) == 1
    finally:
        release.join()
        other.close()


def test_on_postgres_two_processes_commit_in_seq_order(postgres_url: str) -> None:
    """When a transaction takes seq n, every seq below n is already committed: the row lock
    on the channel counter makes commit order equal seq order, across processes too."""
    backends.truncate_all(postgres_url)
    one, two = Database(postgres_url), Database(postgres_url)  # as two processes would
    one.write_sync(lambda s: events.create_channel(s, "group:1"))
    observer = create_engine(postgres_url, isolation_level="AUTOCOMMIT")

    def take_seq(s: Session, n: int) -> tuple[int, int]:
        seq = append(s, n)
        with observer.connect() as other:  # sees only what is committed
            before = other.execute(
                text("SELECT count(*) FROM event WHERE channel = 'group:1' AND seq < :seq"),
                {"seq": seq},
            ).scalar_one()
        return seq, before

    async def main() -> list[tuple[int, int]]:
        jobs = [(one if n % 2 else two).write(lambda s, n=n: take_seq(s, n)) for n in range(60)]
        return await asyncio.gather(*jobs)

    try:
        results = asyncio.run(main())
    finally:
        one.close()
        two.close()
        observer.dispose()
    assert sorted(seq for seq, _ in results) == list(range(1, 61))
    assert all(before == seq - 1 for seq, before in results)
