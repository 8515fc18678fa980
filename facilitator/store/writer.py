"""The SQLite writer: a process of its own that runs write jobs and commits them together.

Why a process: in a burst, the writer's Python (statements, events, the session) took a sixth
of the interpreter lock's time, on the core where the fan-out to the sockets runs; in a
process of its own it uses the other core. So a job crosses as a named command, a
module-level function and its arguments, pickled; its result or error and the events it
appended come back the same way, a batch at a time, in commit order.

Group commit: the jobs waiting run in one transaction without savepoints, as they almost
never fail and a SAVEPOINT per job cost ~15 % of the writer's time; when one fails, the
transaction is rolled back and the batch run again with a SAVEPOINT per job from the failed
one on, so a refused job never spoils another (jobs are idempotent: a rerun is safe, as
retries already assume).

If the process dies, the jobs in flight fail with `WriterStopped` (callers retry with the
same keys) and the next write starts a new process.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import multiprocessing.forkserver
import pickle
import queue
import signal
import threading
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from facilitator.store.engines import make_engine
from facilitator.store.events import LiveEvent, Tx, Wired, wire
from facilitator.store.jobs import body

log = logging.getLogger(__name__)

MAX_BATCH = 100
RETRIES = 5
PICKLE = pickle.HIGHEST_PROTOCOL

# What a job gives back: its result, or the error it raised, and the events it appended.
Outcome = tuple[Any, BaseException | None, list[Wired]]
# Called from the writer's threads with (token, outcome) pairs, in commit order.
Deliver = Callable[[list[tuple[Any, Outcome]]], None]


class WriterStopped(RuntimeError):
    """The writer process ended before answering; the job may or may not have committed."""


def require_named(fn: Callable[..., Any]) -> None:
    """A write job must be a module-level function (or a `@write_job` of one), so that it
    can cross to the writer."""
    fn = body(fn)
    name = getattr(fn, "__qualname__", repr(fn))
    if not isinstance(fn, types.FunctionType) or "<" in name:  # <lambda>, <locals>
        raise TypeError(
            f"{name}: a write job must be a module-level function, given its values as arguments"
        )


# -- group commit (in the writer process) --------------------------------------------------


@dataclass
class Job:
    """One write, `fn(session, *args)`, and its outcome once run."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    result: Any = None
    error: BaseException | None = None
    events: list[LiveEvent] = field(default_factory=list)


def commit_batch(engine: Engine, batch: list[Job]) -> None:
    """Run `batch` in one transaction and commit it, each job's outcome set on it."""
    # Jobs from this index on run in a savepoint of their own: none at first. A job that
    # fails without one lowers it to its own index, so the loop ends (at worst all in
    # savepoints) even when a job's outcome changes between runs.
    first_savepoint = len(batch)
    for attempt in range(RETRIES):
        try:
            while (failed := _run_batch(engine, batch, first_savepoint)) is not None:
                first_savepoint = failed
            return
        except OperationalError as exc:  # locked by another process, disk trouble
            log.warning("write batch failed (attempt %d): %s", attempt + 1, exc)
            if attempt == RETRIES - 1:
                for job in batch:
                    job.result, job.error, job.events = None, exc, []
                return
            time.sleep(0.05 * 2**attempt)


def _run_batch(engine: Engine, batch: list[Job], first_savepoint: int) -> int | None:
    """Run the batch in one transaction and commit it; or, when a job before
    `first_savepoint` fails, roll everything back and return that job's index: its
    partial writes cannot be undone alone."""
    with Tx(engine) as s:
        for i, job in enumerate(batch):
            if i >= first_savepoint:
                _run_in_savepoint(s, job)
            elif not _run_bare(s, job):
                return i  # closing the session rolls the transaction back
        s.commit()
    return None


def _run_bare(s: Tx, job: Job) -> bool:
    """Run one job with no savepoint; False when it failed (the batch runs again)."""
    job.result, job.error, job.events = None, None, []
    s.events = job.events
    try:
        job.result = body(job.fn)(s, *job.args)
        s.flush()  # so a write this job caused fails here, not in a later job or commit
    except OperationalError:
        raise
    except Exception as exc:
        job.error = exc
        return False
    return True


def _run_in_savepoint(s: Tx, job: Job) -> None:
    job.result, job.error, job.events = None, None, []
    s.events = job.events
    savepoint = s.begin_nested()
    try:
        job.result = body(job.fn)(s, *job.args)
        s.flush()
        savepoint.commit()
    except OperationalError:
        raise
    except Exception as exc:
        savepoint.rollback()
        job.result, job.error, job.events = None, exc, []


def _serve(jobs: Connection, results: Connection, url: str) -> None:
    """The writer process: read jobs, commit them in batches, answer each batch in order."""
    # Ctrl-C reaches the whole process group; the server ends this process by closing the
    # pipe, once every job it sent has been answered.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    engine = make_engine(url, writer=True)
    try:
        while True:
            waiting: list[tuple[int, bytes]] = []
            try:
                waiting += pickle.loads(jobs.recv_bytes())
                while len(waiting) < MAX_BATCH and jobs.poll():
                    waiting += pickle.loads(jobs.recv_bytes())
            except EOFError:  # the server closed the pipe: answer what came before, then end
                _answer(engine, waiting, results)
                return
            _answer(engine, waiting, results)
    finally:
        engine.dispose()


def _answer(engine: Engine, waiting: list[tuple[int, bytes]], results: Connection) -> None:
    for start in range(0, len(waiting), MAX_BATCH):
        chunk = waiting[start : start + MAX_BATCH]
        batch = [_read_job(blob) for _, blob in chunk]
        commit_batch(engine, [job for job in batch if job.fn is not _unreadable])
        answers = [(job_id, _outcome(job)) for (job_id, _), job in zip(chunk, batch, strict=True)]
        results.send_bytes(pickle.dumps(answers, PICKLE))


def _unreadable(s: Session) -> None:
    raise AssertionError("never run")


def _read_job(blob: bytes) -> Job:
    try:
        fn, args = pickle.loads(blob)
    except Exception as exc:  # e.g. a module the writer cannot import
        return Job(_unreadable, error=exc)
    return Job(fn, args)


def _outcome(job: Job) -> bytes:
    try:
        return pickle.dumps((job.result, job.error, wire(job.events)), PICKLE)
    except Exception as exc:
        error = TypeError(f"{job.fn.__qualname__}: its outcome cannot be sent back: {exc}")
        return pickle.dumps((None, error, wire(job.events)), PICKLE)


# -- the server's side ----------------------------------------------------------------------


def _context(job_modules: Sequence[str]) -> Any:
    # A fork server forks each writer from a clean process that has imported the job
    # modules (named by the caller; a job from any other module is imported at its first
    # run): quick to start, and no copy of the server's threads and sockets.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__, *job_modules])
    return ctx


def warm_up(job_modules: Sequence[str]) -> None:
    """Start the fork server now, so that its imports overlap the server's own start-up."""
    _context(job_modules)
    multiprocessing.forkserver.ensure_running()  # type: ignore[attr-defined]


class Writer:
    """The server's handle on its writer process: `submit` a job, outcomes go to `deliver`."""

    def __init__(self, url: str, deliver: Deliver, job_modules: Sequence[str] = ()):
        self._url, self._deliver, self._job_modules = url, deliver, tuple(job_modules)
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._life: _Life | None = None
        self._closed = False

    def start(self) -> None:
        """Start the process now rather than at the first write (it takes a moment)."""
        with self._lock:
            self._current()

    def submit(self, fn: Callable[..., Any], args: tuple[Any, ...], token: Any) -> None:
        require_named(fn)
        blob = pickle.dumps((fn, args), PICKLE)  # what cannot cross fails here, at once
        with self._lock:
            self._current().send(next(self._ids), blob, token)

    def _current(self) -> _Life:
        if self._closed:
            raise RuntimeError("the database is closed")
        if self._life is None or not self._life.alive:
            if self._life is not None:
                self._life.retire()  # it died: its sender fails whatever reaches it now
            self._life = _Life(self._url, self._deliver, self._job_modules)
        return self._life

    def close(self) -> None:
        """Answer every job sent, then end the process."""
        with self._lock:
            self._closed = True
            life, self._life = self._life, None
        if life is not None:
            life.retire()
            life.join()


class _Life:
    """One writer process, its two pipes, and the threads that feed and read them."""

    def __init__(self, url: str, deliver: Deliver, job_modules: Sequence[str]):
        self._deliver = deliver
        ctx = _context(job_modules)
        jobs_end, self._jobs = ctx.Pipe(duplex=False)
        self._results, results_end = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_serve, args=(jobs_end, results_end, url), name="db-writer", daemon=True
        )
        self.process.start()
        jobs_end.close()  # the process's ends: closed here, so its exit reads as EOF
        results_end.close()
        self._pending: dict[int, Any] = {}
        self._outbox: queue.SimpleQueue[tuple[int, bytes] | None] = queue.SimpleQueue()
        self.alive = True
        self._retired = False
        self._threads = [
            threading.Thread(target=self._send, name="db-writer-send", daemon=True),
            threading.Thread(target=self._receive, name="db-writer-receive", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def send(self, job_id: int, blob: bytes, token: Any) -> None:
        self._pending[job_id] = token
        self._outbox.put((job_id, blob))

    def retire(self) -> None:
        """No more jobs: the process ends once it has answered those sent."""
        self._retired = True
        self._outbox.put(None)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=30)
        self.process.join(timeout=10)
        if self.process.is_alive():
            log.warning("the writer process did not end; stopping it")
            self.process.kill()
            self.process.join()

    def _send(self) -> None:
        broken = False
        while (item := self._outbox.get()) is not None:
            batch, last = [item], False
            while len(batch) < MAX_BATCH:  # what queued meanwhile goes in the same message
                try:
                    item = self._outbox.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    last = True
                    break
                batch.append(item)
            if not broken:
                try:
                    self._jobs.send_bytes(pickle.dumps(batch, PICKLE))
                except OSError:  # the process has gone
                    broken = True
            if broken:
                self._fail([job_id for job_id, _ in batch])
            if last:
                break
        with contextlib.suppress(OSError):
            self._jobs.close()

    def _receive(self) -> None:
        while True:
            try:
                message = self._results.recv_bytes()
            except (EOFError, OSError):
                break
            self._deliver(
                [
                    (self._pending.pop(job_id), _decode(blob))
                    for job_id, blob in pickle.loads(message)
                ]
            )
        self.alive = False
        self._results.close()
        if not self._retired:
            self.process.join(5)
            log.warning(
                "the writer process ended unexpectedly (exit code %s); the next write starts "
                "another",
                self.process.exitcode,
            )
        # Jobs still pending were sent but never answered: the process ended first.
        self._fail(list(self._pending))

    def _fail(self, job_ids: list[int]) -> None:
        stopped: Outcome = (None, WriterStopped("The database writer stopped. Please retry."), [])
        answers = [(self._pending.pop(j), stopped) for j in job_ids if j in self._pending]
        if answers:
            log.warning("the writer process ended; %d writes failed", len(answers))
            self._deliver(answers)


def _decode(blob: bytes) -> Outcome:
    try:
        outcome: Outcome = pickle.loads(blob)
    except Exception as exc:
        return None, TypeError(f"a write's outcome could not be read: {exc}"), []
    return outcome
