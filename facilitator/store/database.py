"""The process's access to the database: reads in a thread pool, writes as named jobs.

A write is a job `fn(session, *args)`, with `fn` a module-level function, run in one
transaction:
- on SQLite, in the writer process (`facilitator.store.writer`), which commits the jobs waiting
  together (group commit), so "database is locked" never reaches a user and neither the event
  loop nor the interpreter lock waits on the writer;
- on PostgreSQL, in a thread pool, one transaction per job, retried on lost connections.
Events appended by a job are handed to `on_commit` after the commit: in commit order on
SQLite; on PostgreSQL, jobs that commit close together may hand theirs over in either
order, and receivers put them in seq order (live.Room reads a gap from the log).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from facilitator import telemetry
from facilitator.store.engines import make_engine
from facilitator.store.events import Tx, Wired, wire
from facilitator.store.jobs import WriteJob, body
from facilitator.store.writer import Outcome, Writer, require_named

T = TypeVar("T")
log = logging.getLogger(__name__)

OnCommit = Callable[[Sequence[Wired]], None]
RETRIES = 5
POSTGRES_WRITERS = 8  # threads that run write jobs on PostgreSQL
# Who waits for a job: its future, on its event loop.
Waiter = tuple[asyncio.Future[Any], asyncio.AbstractEventLoop]


class Database:
    """The process's access to the database: `await db.read(fn)`, `await db.write(fn, *args)`."""

    def __init__(
        self,
        url: str,
        *,
        on_commit: OnCommit | None = None,
        readers: int = 4,
        job_modules: Sequence[str] = (),
    ):
        """`job_modules`: the modules whose write jobs SQLite's writer process imports once,
        at its start, rather than at each one's first run."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # On PostgreSQL one engine serves the readers and the writers.
        self.read_engine = make_engine(url, threads=readers + POSTGRES_WRITERS)
        # On SQLite, for write_sync only: the server's writes go through the writer process.
        self.write_engine = make_engine(url, writer=True) if self.is_sqlite else self.read_engine
        self.on_commit: OnCommit = on_commit or (lambda events: None)
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="db-read")
        self._writer = Writer(url, self._deliver, job_modules) if self.is_sqlite else None
        self._writers = (
            None
            if self.is_sqlite
            else ThreadPoolExecutor(POSTGRES_WRITERS, thread_name_prefix="db-write")
        )

    def start(self) -> None:
        """Start what the first write would otherwise start (SQLite's writer process)."""
        if self._writer is not None:
            self._writer.start()

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
    async def write(self, fn: Callable[..., T] | WriteJob[Any, T], *args: Any) -> T:
        """Run `fn(session, *args)` in a write transaction; return its result once committed.

        `fn` must be a module-level function (it may run in another process), `args` and
        its result plain, picklable data (no ORM objects). It may raise a domain error,
        which rolls back its changes only and is raised here.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if self._writer is not None:
            self._writer.submit(fn, args, (future, loop))
        else:
            require_named(fn)  # the same rule on both, so code that runs on one runs on both
            assert self._writers is not None
            self._writers.submit(self._postgres_job, fn, args, (future, loop))
        started = time.perf_counter()
        telemetry.WRITES_WAITING.inc()
        try:
            return await future
        finally:
            telemetry.WRITES_WAITING.dec()
            telemetry.WRITE_SECONDS.observe(telemetry.since(started))

    def write_sync(self, fn: Callable[..., T] | WriteJob[Any, T], *args: Any) -> T:
        """For the CLI and tests, outside any event loop; events are published by nobody."""
        for attempt in range(RETRIES):
            try:
                with Tx(self.write_engine) as s:
                    result = body(fn)(s, *args)
                    s.commit()
                    return result
            except OperationalError:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def _postgres_job(self, fn: Callable[..., Any], args: tuple[Any, ...], waiter: Waiter) -> None:
        outcome: Outcome = (None, None, [])
        for attempt in range(RETRIES):
            try:
                with Tx(self.write_engine) as s:
                    try:
                        outcome = (body(fn)(s, *args), None, wire(s.events))
                    except DBAPIError:
                        raise
                    except Exception as exc:
                        s.rollback()
                        outcome = (None, exc, [])
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
                    outcome = (None, exc, [])
                    break
                time.sleep(0.05 * 2**attempt)
        self._deliver([(waiter, outcome)])

    def _deliver(self, answers: list[tuple[Waiter, Outcome]]) -> None:
        """Hand outcomes (in commit order) to the loops that wait for them."""
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Waiter, Outcome]]] = {}
        for answer in answers:
            by_loop.setdefault(answer[0][1], []).append(answer)
        for loop, mine in by_loop.items():
            try:
                loop.call_soon_threadsafe(self._resolve, mine)
            except RuntimeError:  # that loop has closed: nobody is waiting any more
                log.warning("dropped %d results for a closed event loop", len(mine))

    def _resolve(self, answers: list[tuple[Waiter, Outcome]]) -> None:
        events = [e for _, (_, _, job_events) in answers for e in job_events]
        if events:
            try:
                self.on_commit(events)
            except Exception:  # publishing is best effort; subscribers resync by seq
                log.exception("publishing after commit failed")
        for (future, _), (result, error, _) in answers:
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._writers is not None:
            self._writers.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self.read_engine.dispose()
        self.write_engine.dispose()
