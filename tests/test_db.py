"""The write path: group commit (savepoints only once a job fails) in a writer process of its
own, seq without holes, durable pragmas, and no "database is locked" for a user while another
process holds the lock."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, bindparam, create_engine, event, insert, text
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from facilitator.config import Settings
from facilitator.domain.errors import Conflict, Invalid
from facilitator.models import Channel, Event
from facilitator.store import events
from facilitator.store.database import POSTGRES_WRITERS, Database
from facilitator.store.engines import make_engine
from facilitator.store.events import LiveEvent, Wired
from facilitator.store.statements import core
from facilitator.store.writer import Job, WriterStopped, commit_batch
from tests import backends
from tests.support import until


def opened(url: str) -> Iterator[Database]:
    database = Database(url)
    database.write_sync(events.create_channel, "group:1")
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


# Write jobs are module-level functions: on SQLite they run in the writer process.
def append(s: Session, n: int) -> int:
    return events.append(s, "group:1", "test", {"n": n}, "test").seq


def refuse(s: Session) -> None:
    append(s, -1)  # writes, then refuses: the write must go
    raise Invalid("no")


def refuse_with(s: Session, n: int) -> None:
    append(s, -1)
    raise Invalid("Only {n} left.", n=n)


def fail_on_flush(s: Session) -> None:
    append(s, -1)
    s.add(Channel(name="group:1", seq=0, epoch="dup"))  # the key exists: the flush fails


def append_and_hold(s: Session, n: int, inside: str) -> int:
    """Append, say so by creating the file `inside`, then hold the transaction open."""
    seq = append(s, n)
    Path(inside).touch()
    time.sleep(30)
    return seq


def pragmas(s: Session) -> list[Any]:
    names = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
    return [s.connection().exec_driver_sql(f"PRAGMA {name}").scalar() for name in names]


def writer_pid(s: Session) -> int:
    return os.getpid()


def unsendable(s: Session) -> Callable[[], int]:
    append(s, 7)
    return lambda: 7  # commits, but the result cannot cross back


def stored_payloads(db: Database) -> list[tuple[int, int]]:
    return db.read_sync(
        lambda s: [
            (e.seq, orjson.loads(e.payload)["n"])
            for e in s.exec(select(Event).order_by(col(Event.seq))).all()
        ]
    )


def test_pragmas_are_durable_in_the_writer(sqlite_db: Database) -> None:
    journal, synchronous, busy_timeout, foreign_keys = asyncio.run(sqlite_db.write(pragmas))
    assert journal == "wal"
    assert synchronous == 2  # FULL
    assert busy_timeout >= 5000
    assert foreign_keys == 1
    # ... and in a process of its own, off the server's interpreter lock.
    assert asyncio.run(sqlite_db.write(writer_pid)) != os.getpid()


def test_the_writer_process_does_without_scikit_learn() -> None:
    """The writer's modules are imported in its fork server; scikit-learn would add a second
    of start-up and some 90 MB to every server on SQLite."""
    code = (
        "import importlib, sys; from facilitator.domain import JOB_MODULES; "
        "[importlib.import_module(m) for m in JOB_MODULES]; "
        "print(len(JOB_MODULES), 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules, sklearn = out.stdout.split()
    assert int(modules) > 10  # the domain's modules, whose functions are the jobs
    assert sklearn == "False"


def test_concurrent_writes_get_contiguous_seqs_and_a_refused_one_spoils_nothing(
    db: Database,
) -> None:
    wired: list[Wired] = []
    db.on_commit = wired.extend

    async def main() -> list[object]:
        jobs = [db.write(append, n) for n in range(200)]
        jobs[50:50] = [db.write(refuse)]
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
    # Each crosses in its wire form, which decodes to the event committed.
    published = [LiveEvent.decode(data) for _, _, data in wired]
    assert [(e.channel, e.seq) for e in published] == [(c, n) for c, n, _ in wired]
    order = [e.seq for e in published]
    assert (order if db.is_sqlite else sorted(order)) == list(range(1, 201))
    assert all(e.payload["n"] != -1 for e in published)


def test_a_write_job_must_be_a_named_function(db: Database) -> None:
    """So that what runs on PostgreSQL's threads runs in SQLite's writer process too."""

    async def main() -> None:
        with pytest.raises(TypeError, match="module-level function"):
            await db.write(lambda s: append(s, 1))
        with pytest.raises(TypeError, match="module-level function"):
            await db.write(functools.partial(append, n=1))

    asyncio.run(main())
    assert stored_payloads(db) == []


def test_a_refusal_crosses_back_with_its_parameters(db: Database) -> None:
    async def main() -> None:
        with pytest.raises(Invalid) as refused:
            await db.write(refuse_with, 3)
        assert refused.value.message == "Only 3 left."

    asyncio.run(main())
    assert stored_payloads(db) == []


def test_a_result_that_cannot_cross_back_is_a_clear_error(sqlite_db: Database) -> None:
    published: list[Wired] = []
    sqlite_db.on_commit = published.extend
    with pytest.raises(TypeError, match="unsendable: its outcome cannot be sent back"):
        asyncio.run(sqlite_db.write(unsendable))
    # What it wrote is committed, and its event published all the same.
    assert stored_payloads(sqlite_db) == [(1, 7)]
    assert [seq for _, seq, _ in published] == [1]


def test_closing_answers_every_write_already_sent(sqlite_db: Database) -> None:
    async def main() -> list[int]:
        tasks = [asyncio.create_task(sqlite_db.write(append, n)) for n in range(50)]
        await asyncio.sleep(0)  # each task has sent its job
        sqlite_db.close()  # blocks this loop until the writer has answered and ended
        return await asyncio.wait_for(asyncio.gather(*tasks), 30)

    assert asyncio.run(main()) == list(range(1, 51))


def test_a_writer_that_dies_fails_its_jobs_and_the_next_write_starts_another(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    inside = tmp_path / "inside-the-transaction"

    async def main() -> tuple[object, int, int]:
        first = await sqlite_db.write(writer_pid)
        slow = asyncio.create_task(sqlite_db.write(append_and_hold, 1, str(inside)))
        await until(inside.exists, "the job appended, inside its transaction")
        os.kill(first, signal.SIGKILL)
        lost = await asyncio.wait_for(asyncio.gather(slow, return_exceptions=True), 30)
        return lost[0], await sqlite_db.write(writer_pid), await sqlite_db.write(append, 2)

    error, second, seq = asyncio.run(main())
    assert isinstance(error, WriterStopped)
    assert "writer process ended unexpectedly (exit code -9)" in caplog.text
    assert second != os.getpid()
    # The killed transaction never committed: the seq it took is free again, no hole.
    assert seq == 1
    assert stored_payloads(sqlite_db) == [(1, 2)]


def test_a_lock_held_by_another_process_delays_but_never_fails_a_write(
    sqlite_db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "t.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # like a CLI command writing at the same moment
    release = threading.Timer(1.0, lambda: other.execute("COMMIT"))
    release.start()

    async def main() -> int:
        return await sqlite_db.write(append, 1)

    try:
        assert asyncio.run(main()) == 1
    finally:
        release.join()
        other.close()


@functools.cache
def _observer(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT")


def take_seq(s: Session, n: int, url: str) -> tuple[int, int]:
    seq = append(s, n)
    with _observer(url).connect() as other:  # sees only what is committed
        before = other.execute(
            text("SELECT count(*) FROM event WHERE channel = 'group:1' AND seq < :seq"),
            {"seq": seq},
        ).scalar_one()
    return seq, before


def test_on_postgres_two_processes_commit_in_seq_order(postgres_url: str) -> None:
    """When a transaction takes seq n, every seq below n is already committed: the row lock
    on the channel counter makes commit order equal seq order, across processes too."""
    backends.truncate_all(postgres_url)
    one, two = Database(postgres_url), Database(postgres_url)  # as two processes would
    one.write_sync(events.create_channel, "group:1")

    async def main() -> list[tuple[int, int]]:
        jobs = [(one if n % 2 else two).write(take_seq, n, postgres_url) for n in range(60)]
        return await asyncio.gather(*jobs)

    try:
        results = asyncio.run(main())
    finally:
        one.close()
        two.close()
        _observer(postgres_url).dispose()
    assert sorted(seq for seq, _ in results) == list(range(1, 61))
    assert all(before == seq - 1 for seq, before in results)


def pause(s: Session, seconds: float) -> None:
    s.execute(text("SELECT pg_sleep(:seconds)"), {"seconds": seconds})


def test_on_postgres_a_busy_server_keeps_its_connections(postgres_url: str) -> None:
    """Every reader and writer thread keeps its pooled connection, so under load no query
    waits for a new PostgreSQL backend (a pool of 5 + 5 had opened one per query beyond 5
    and closed it again: 30 connections here)."""
    db = Database(postgres_url, readers=4)
    opened: list[object] = []
    event.listen(db.read_engine, "connect", lambda *_: opened.append(1))

    async def main() -> None:
        for _ in range(5):  # every thread busy at once, five times over
            writes = [db.write(pause, 0.05) for _ in range(POSTGRES_WRITERS)]
            reads = [db.read(functools.partial(pause, seconds=0.05)) for _ in range(4)]
            await asyncio.gather(*writes, *reads)

    try:
        asyncio.run(main())
    finally:
        db.close()
    assert 0 < len(opened) <= 4 + POSTGRES_WRITERS


# -- group commit, in this process: the writer's batches, one at a time ----------------------


@pytest.fixture
def writer_engine(sqlite_db: Database) -> Iterator[Engine]:
    engine = make_engine(sqlite_db.url, writer=True)
    yield engine
    engine.dispose()


def statements(engine: Engine) -> list[str]:
    """The SQL the engine sends from now on (BEGIN and SAVEPOINTs too)."""
    sent: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _sent(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    return sent


def run_batch(
    engine: Engine, fns: list[Callable[[Session], Any]]
) -> tuple[list[object], list[tuple[int, int]]]:
    """Each job's result or error, and the (seq, n) of the events to publish, in order."""
    batch = [Job(fn) for fn in fns]
    commit_batch(engine, batch)
    results = [job.error if job.error is not None else job.result for job in batch]
    return results, [(e.seq, e.payload["n"]) for job in batch for e in job.events]


def appending(n: int) -> Callable[[Session], int]:
    return functools.partial(append, n=n)


def test_a_batch_that_does_not_fail_takes_no_savepoint(
    sqlite_db: Database, writer_engine: Engine
) -> None:
    sent = statements(writer_engine)

    results, published = run_batch(writer_engine, [appending(n) for n in range(5)])

    assert results == [1, 2, 3, 4, 5]
    assert sent.count("BEGIN IMMEDIATE") == 1  # one transaction for the five
    assert not [q for q in sent if "SAVEPOINT" in q.upper()]
    assert stored_payloads(sqlite_db) == [(seq, seq - 1) for seq in range(1, 6)]
    assert published == [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)]


@pytest.mark.parametrize("where", [0, 1, 3])
@pytest.mark.parametrize(
    ("bad", "error"), [(refuse, Invalid), (fail_on_flush, IntegrityError)], ids=["raises", "flush"]
)
def test_a_job_that_fails_in_a_batch_is_undone_alone_and_the_others_commit(
    sqlite_db: Database,
    writer_engine: Engine,
    where: int,
    bad: Callable[[Session], None],
    error: type[Exception],
) -> None:
    sent = statements(writer_engine)
    jobs: list[Callable[[Session], Any]] = [appending(n) for n in range(1, 4)]
    jobs.insert(where, bad)

    results, published = run_batch(writer_engine, jobs)

    assert isinstance(results.pop(where), error)
    assert results == [1, 2, 3]  # the good ones' results, from the run that committed
    assert stored_payloads(sqlite_db) == [(1, 1), (2, 2), (3, 3)]  # no -1, no hole
    assert published == [(1, 1), (2, 2), (3, 3)]
    assert any(q.startswith("SAVEPOINT") for q in sent)  # the batch ran again, in savepoints


def test_a_job_that_fails_only_when_run_again_is_undone_alone(
    sqlite_db: Database, writer_engine: Engine
) -> None:
    """Rerunning a batch may change a job's outcome (another process wrote in between):
    one that succeeded on the fast path and fails on the rerun is still undone alone."""
    runs = 0

    def changes(s: Session) -> int:
        nonlocal runs
        runs += 1
        seq = append(s, 2)
        if runs > 1:
            raise Conflict("changed")
        return seq

    results, published = run_batch(writer_engine, [appending(1), changes, appending(3), refuse])

    assert runs >= 2  # it did run again
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], Conflict) and isinstance(results[3], Invalid)
    assert stored_payloads(sqlite_db) == [(1, 1), (2, 3)]
    assert published == [(1, 1), (2, 3)]


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
