"""The write path: group commit (savepoints only once a job fails), seq without holes,
durable pragmas, and no "database is locked" for a user while another process holds the lock."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import bindparam, create_engine, event, insert, text
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from facilitator import events
from facilitator.config import Settings
from facilitator.db import Database
from facilitator.domain.errors import Conflict, Invalid
from facilitator.driver_sql import core
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


def appending(n: int) -> Callable[[Session], int]:
    return lambda s: append(s, n)


def in_one_batch(db: Database, jobs: list[Callable[[Session], Any]]) -> list[object]:
    """Run `jobs` as one batch of the SQLite writer: a first job holds the writer until all
    are queued. Returns each job's result or exception, in order."""
    started, release = threading.Event(), threading.Event()

    def hold(s: Session) -> None:
        started.set()
        release.wait(10)

    async def main() -> list[object]:
        holder = asyncio.create_task(db.write(hold))
        assert await asyncio.to_thread(started.wait, 10)  # the holder is a batch of its own
        tasks = [asyncio.create_task(db.write(fn)) for fn in jobs]
        await asyncio.sleep(0)  # each task queues its job
        assert db._queue.qsize() == len(jobs)
        release.set()
        # A bounded wait: a writer thread that died would otherwise hang the test.
        await asyncio.wait_for(holder, 30)
        return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)

    return asyncio.run(main())


def statements(db: Database) -> list[str]:
    """The SQL the writer sends from now on (BEGIN and SAVEPOINTs too)."""
    sent: list[str] = []

    @event.listens_for(db.write_engine, "before_cursor_execute")
    def _sent(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    return sent


def stored_payloads(db: Database) -> list[tuple[int, int]]:
    return db.read_sync(
        lambda s: [
            (e.seq, orjson.loads(e.payload)["n"])
            for e in s.exec(select(Event).order_by(col(Event.seq))).all()
        ]
    )


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


def test_a_batch_that_does_not_fail_takes_no_savepoint(sqlite_db: Database) -> None:
    published: list[LiveEvent] = []
    sqlite_db.on_commit = published.extend
    sent = statements(sqlite_db)

    results = in_one_batch(sqlite_db, [appending(n) for n in range(5)])

    assert results == [1, 2, 3, 4, 5]
    assert sent.count("BEGIN IMMEDIATE") == 1  # one transaction for the five
    assert not [q for q in sent if "SAVEPOINT" in q.upper()]
    assert stored_payloads(sqlite_db) == [(seq, seq - 1) for seq in range(1, 6)]
    assert [(e.seq, e.payload["n"]) for e in published] == [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)]


def refuse(s: Session) -> None:
    append(s, -1)  # writes, then refuses: the write must go
    raise Invalid("no")


def fail_on_flush(s: Session) -> None:
    append(s, -1)
    s.add(Channel(name="group:1", seq=0, epoch="dup"))  # the key exists: the flush fails


@pytest.mark.parametrize("where", [0, 1, 3])
@pytest.mark.parametrize(
    ("bad", "error"), [(refuse, Invalid), (fail_on_flush, IntegrityError)], ids=["raises", "flush"]
)
def test_a_job_that_fails_in_a_batch_is_undone_alone_and_the_others_commit(
    sqlite_db: Database, where: int, bad: Callable[[Session], None], error: type[Exception]
) -> None:
    published: list[LiveEvent] = []
    sqlite_db.on_commit = published.extend
    sent = statements(sqlite_db)
    jobs: list[Callable[[Session], Any]] = [appending(n) for n in range(1, 4)]
    jobs.insert(where, bad)

    results = in_one_batch(sqlite_db, jobs)

    assert isinstance(results.pop(where), error)
    assert results == [1, 2, 3]  # the good ones' results, from the run that committed
    assert stored_payloads(sqlite_db) == [(1, 1), (2, 2), (3, 3)]  # no -1, no hole
    assert [(e.seq, e.payload["n"]) for e in published] == [(1, 1), (2, 2), (3, 3)]
    assert any(q.startswith("SAVEPOINT") for q in sent)  # the batch ran again, in savepoints


def test_a_job_that_fails_only_when_run_again_is_undone_alone(sqlite_db: Database) -> None:
    """Rerunning a batch may change a job's outcome (another process wrote in between):
    one that succeeded on the fast path and fails on the rerun is still undone alone."""
    published: list[LiveEvent] = []
    sqlite_db.on_commit = published.extend
    runs = 0

    def changes(s: Session) -> int:
        nonlocal runs
        runs += 1
        seq = append(s, 2)
        if runs > 1:
            raise Conflict("changed")
        return seq

    results = in_one_batch(sqlite_db, [appending(1), changes, appending(3), refuse])

    assert runs >= 2  # it did run again
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], Conflict) and isinstance(results[3], Invalid)
    assert stored_payloads(sqlite_db) == [(1, 1), (2, 3)]
    assert [(e.seq, e.payload["n"]) for e in published] == [(1, 1), (2, 3)]


_EVENTS = Event.__table__  # type: ignore[attr-defined]
_EVENT_INSERT = insert(_EVENTS)
_EVENTS_AT = core_select(_EVENTS.c.seq, _EVENTS.c.at.label("when")).where(
    _EVENTS.c.channel == bindparam("channel")
)
_EVENTS_IN = core_select(_EVENTS.c.seq).where(_EVENTS.c.seq.in_(bindparam("seqs", expanding=True)))


def test_core_runs_on_the_driver_with_sqlalchemys_conversions_and_errors(db: Database) -> None:
    at = dt.datetime(2026, 11, 27, 10, 30, 15, 123456, tzinfo=dt.UTC)
    row = {"channel": "c", "seq": 1, "kind": "k", "payload": "{}", "actor": "a", "at": at}

    def write(s: Session) -> None:
        core(s, _EVENT_INSERT, row)
        # Other columns given, the same statement: its own compiled form (no actor).
        core(s, _EVENT_INSERT, {k: v for k, v in row.items() if k != "actor"} | {"seq": 2})

    db.write_sync(write)

    def read(s: Session) -> tuple[Any, Any, list[int], list[int]]:
        rows = core(s, _EVENTS_AT, {"channel": "c"})
        empty = core(s, _EVENTS_AT, {"channel": "none"})
        expanding = core(s, _EVENTS_IN, {"seqs": [2, 5]})  # SQLAlchemy's own path
        return rows.all(), empty.first(), [r.seq for r in expanding], [r[0] for r in rows]

    rows, empty, expanding, seqs = db.read_sync(read)
    assert seqs == [1, 2] and expanding == [2]
    assert rows[0].when == at and rows[0].when.tzinfo is not None  # a datetime, not text
    assert empty is None
    with pytest.raises(IntegrityError):  # the driver's error, wrapped as SQLAlchemy's
        db.write_sync(lambda s: core(s, _EVENT_INSERT, row))
    with pytest.raises(ValueError, match="expected one row"):
        db.read_sync(lambda s: core(s, _EVENTS_AT, {"channel": "c"}).one())
