"""Engines, sessions and the write path.

Reads run in a thread pool; writes run as transaction functions `fn(session) -> result`:
- on SQLite, on one writer thread that commits queued jobs together (group commit), so
  "database is locked" never reaches a user and the event loop never waits on the disk.
  Jobs run without savepoints first, as they almost never fail and a SAVEPOINT per job
  cost ~15 % of the writer's time; when one fails, the transaction is rolled back and the
  batch run again with a SAVEPOINT per job from the failed one on, so a refused job never
  spoils another (jobs are idempotent: a rerun is safe, as retries already assume);
- on PostgreSQL, in a thread pool, one transaction per job, retried on lost connections.
Events appended by a job are handed to `on_commit` after the commit: in commit order on
SQLite; on PostgreSQL, jobs that commit close together may hand theirs over in either
order, and receivers put them in seq order (live.Room reads a gap from the log).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import SingletonThreadPool
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from facilitator.events import LiveEvent

T = TypeVar("T")
log = logging.getLogger(__name__)

OnCommit = Callable[[Sequence["LiveEvent"]], None]
MAX_BATCH = 100
RETRIES = 5


def make_engine(url: str, *, writer: bool = False) -> Engine:
    """An engine with durable SQLite pragmas; `writer` engines take the write lock at BEGIN."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        # The writer thread keeps one open connection: opening one (and its pragmas) per
        # batch cost about as much as a small batch itself. One per thread, so write_sync
        # from another thread never shares it.
        poolclass=SingletonThreadPool if writer else None,
    )
    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN, so SAVEPOINTs work (SQLAlchemy docs).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


@dataclass
class _Job:
    fn: Callable[[Session], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    result: Any = None
    error: BaseException | None = None
    events: list[LiveEvent] = field(default_factory=list)


class Database:
    """The process's access to the database: `await db.read(fn)`, `await db.write(fn)`."""

    def __init__(self, url: str, *, on_commit: OnCommit | None = None, readers: int = 4):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.read_engine = make_engine(url)
        self.write_engine = make_engine(url, writer=True) if self.is_sqlite else self.read_engine
        self.on_commit: OnCommit = on_commit or (lambda events: None)
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="db-read")
        self._writers = (
            None if self.is_sqlite else ThreadPoolExecutor(8, thread_name_prefix="db-write")
        )
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer_thread: threading.Thread | None = None
        if self.is_sqlite:
            self._writer_thread = threading.Thread(
                target=self._sqlite_writer, name="db-writer", daemon=True
            )
            self._writer_thread.start()

    # -- reads ---------------------------------------------------------------------------
    async def read(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in one read transaction (a consistent snapshot) off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._run_read, fn)

    def _run_read(self, fn: Callable[[Session], T]) -> T:
        with Session(self.read_engine, expire_on_commit=False) as s:
            if not self.is_sqlite:
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            return fn(s)

    def read_sync(self, fn: Callable[[Session], T]) -> T:
        """For the CLI and tests, outside any event loop."""
        return self._run_read(fn)

    # -- writes --------------------------------------------------------------------------
    async def write(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in a write transaction; return its result once committed.

        `fn` must return plain data (no ORM objects) and may raise a domain error, which
        rolls back its changes only and is raised here.
        """
        loop = asyncio.get_running_loop()
        job = _Job(fn, loop.create_future(), loop)
        if self.is_sqlite:
            self._queue.put(job)
        else:
            assert self._writers is not None
            self._writers.submit(self._postgres_job, job)
        return await job.future

    def write_sync(self, fn: Callable[[Session], T]) -> T:
        """For the CLI and tests, outside any event loop; events are published by nobody."""
        for attempt in range(RETRIES):
            try:
                with Session(self.write_engine, expire_on_commit=False) as s:
                    s.info["events"] = []
                    result = fn(s)
                    s.commit()
                    return result
            except OperationalError:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def _sqlite_writer(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._queue.put(None)
                    break
                batch.append(job)
            self._commit_batch(batch)

    def _commit_batch(self, batch: list[_Job]) -> None:
        # Jobs from this index on run in a savepoint of their own: none at first. A job that
        # fails without one lowers it to its own index, so the loop ends (at worst all in
        # savepoints) even when a job's outcome changes between runs.
        first_savepoint = len(batch)
        for attempt in range(RETRIES):
            try:
                while (failed := self._run_batch(batch, first_savepoint)) is not None:
                    first_savepoint = failed
                break
            except OperationalError as exc:  # locked by another process, disk trouble
                log.warning("write batch failed (attempt %d): %s", attempt + 1, exc)
                if attempt == RETRIES - 1:
                    for job in batch:
                        job.error, job.events = exc, []
                    break
                time.sleep(0.05 * 2**attempt)
        self._deliver(batch)

    def _run_batch(self, batch: list[_Job], first_savepoint: int) -> int | None:
        """Run the batch in one transaction and commit it; or, when a job before
        `first_savepoint` fails, roll everything back and return that job's index: its
        partial writes cannot be undone alone."""
        with Session(self.write_engine, expire_on_commit=False) as s:
            for i, job in enumerate(batch):
                if i >= first_savepoint:
                    self._run_in_savepoint(s, job)
                elif not self._run_bare(s, job):
                    return i  # closing the session rolls the transaction back
            s.commit()
        return None

    @staticmethod
    def _run_bare(s: Session, job: _Job) -> bool:
        """Run one job with no savepoint; False when it failed (the batch runs again)."""
        job.result, job.error, job.events = None, None, []
        s.info["events"] = job.events
        try:
            job.result = job.fn(s)
            s.flush()  # so a write this job caused fails here, not in a later job or commit
        except OperationalError:
            raise
        except Exception:
            return False
        return True

    @staticmethod
    def _run_in_savepoint(s: Session, job: _Job) -> None:
        job.result, job.error, job.events = None, None, []
        s.info["events"] = job.events
        savepoint = s.begin_nested()
        try:
            job.result = job.fn(s)
            s.flush()
            savepoint.commit()
        except OperationalError:
            raise
        except Exception as exc:
            savepoint.rollback()
            job.result, job.error, job.events = None, exc, []

    def _postgres_job(self, job: _Job) -> None:
        for attempt in range(RETRIES):
            try:
                with Session(self.write_engine, expire_on_commit=False) as s:
                    job.error, job.events = None, []
                    s.info["events"] = job.events
                    try:
                        job.result = job.fn(s)
                    except DBAPIError:
                        raise
                    except Exception as exc:
                        s.rollback()
                        job.result, job.error, job.events = None, exc, []
                    else:
                        s.commit()
                break
            except DBAPIError as exc:
                # A lost connection may hide a commit that happened; the retry is safe
                # because every command checks its idempotency key first.
                # An IntegrityError is a concurrent insert of the same key: the retry finds it.
                retryable = exc.connection_invalidated or isinstance(
                    exc, OperationalError | IntegrityError
                )
                if not retryable or attempt == RETRIES - 1:
                    job.error, job.events = exc, []
                    break
                time.sleep(0.05 * 2**attempt)
        self._deliver([job])

    def _deliver(self, batch: list[_Job]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
        for job in batch:
            by_loop.setdefault(job.loop, []).append(job)
        for loop, jobs in by_loop.items():
            try:
                loop.call_soon_threadsafe(self._resolve, jobs)
            except RuntimeError:  # that loop has closed: nobody is waiting any more
                log.warning("dropped %d results for a closed event loop", len(jobs))

    def _resolve(self, batch: list[_Job]) -> None:
        events = [e for job in batch for e in job.events]
        if events:
            try:
                self.on_commit(events)
            except Exception:  # publishing is best effort; subscribers resync by seq
                log.exception("publishing after commit failed")
        for job in batch:
            if job.future.done():
                continue
            if job.error is not None:
                job.future.set_exception(job.error)
            else:
                job.future.set_result(job.result)

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        if self._writer_thread is not None:
            self._queue.put(None)
            self._writer_thread.join(timeout=10)
            self._writer_thread = None
        if self._writers is not None:
            self._writers.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self.read_engine.dispose()
        self.write_engine.dispose()
