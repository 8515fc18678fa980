"""create_app(settings) -> Starlette: routes, middleware, error pages, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import sys
import threading
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from facilitator import logs, telemetry
from facilitator.config import Settings
from facilitator.domain import JOB_MODULES, suggestions
from facilitator.domain.errors import DomainError
from facilitator.hub import create_hub
from facilitator.hub.publisher import Publisher
from facilitator.i18n import N_, gettext
from facilitator.live.collector import Freezer, freeze_survivors
from facilitator.live.rooms import Rooms
from facilitator.paths import static_dir
from facilitator.server_status import Window
from facilitator.store import migrate
from facilitator.store.database import Database
from facilitator.store.events import Wired
from facilitator.throttle import Throttle, create_counter
from facilitator.vocabulary import Audience
from facilitator.web import (
    account,
    downloads,
    facilitator,
    follow_up,
    gallery,
    language,
    mission_control,
    operations,
    organiser,
    participant,
    plenary,
    questions,
    rounds,
    sockets,
    synthesis,
    system,
)
from facilitator.web.downloads import MEDIA
from facilitator.web.fragments import GroupRenderer
from facilitator.web.gallery_live import ChannelRenderer, GalleryRenderer
from facilitator.web.middleware import WebMiddleware
from facilitator.web.pages import error_page
from facilitator.web.request_ids import RequestIds
from facilitator.web.state import Services
from facilitator.web.templating import Templates


class Static(StaticFiles):
    """Static files; content-hashed URLs (?v=...) are cached for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if b"v=" in scope.get("query_string", b""):
            response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return await error_page(request, exc.status, exc.message)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {
        404: N_("There is no page at this address."),
        405: N_("That action is not possible here."),
    }
    message = messages.get(exc.status_code)
    return await error_page(request, exc.status_code, gettext(message) if message else exc.detail)


# Word and Excel files are zip archives already: compressing them again only costs time.
NOT_COMPRESSED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, MEDIA["docx"], MEDIA["xlsx"])


def _socket_chatter(record: logging.LogRecord) -> bool:
    """Drop the WebSocket library's "connection open" and "connection closed" lines: uvicorn
    already logs each socket once ("[accepted]"), and after a Wi-Fi drop thousands of phones
    reconnect at once (writing the lines was 4 % of the event loop's samples then)."""
    return record.msg not in ("connection open", "connection closed")


# Modules only some requests need, and slow to import: after a crash, phones wait for the
# server to be up, so these are imported in the background once it is (docs/operations.md).
DEFERRED = ("facilitator.clustering", "facilitator.export.formats")


def _import_later(loop: asyncio.AbstractEventLoop) -> None:
    def run() -> None:
        for name in DEFERRED:
            try:
                importlib.import_module(name)
            except Exception:  # the request that needs it will say what is wrong
                logging.getLogger(__name__).exception("importing %s failed", name)
        # The embedding model and the language identifier then load at low priority, so
        # that no facilitator or phone waits for them.
        with contextlib.suppress(Exception):
            suggestions.load_engine().preload()
        loop.call_soon_threadsafe(freeze_survivors)  # start-up made them: frozen, like the rest

    threading.Thread(target=run, name="deferred-imports", daemon=True).start()


def create_app(settings: Settings, *, server: bool = False) -> Starlette:
    """The app; `server` is set by `facilitator serve`, which owns its process."""
    templates = Templates()
    suggestions.use_model(settings.embedding_model)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        hub = create_hub(settings.redis_url, prefix=settings.redis_prefix)
        await hub.connect()
        publisher = Publisher(hub)
        publisher.start()

        def committed(events: Sequence[Wired]) -> None:
            publisher(events)
            # New ideas of groups that use suggestions or hints get their vectors in the
            # background; a failure there must not stop the publishing.
            try:
                suggestions.ideas_committed(events)
            except Exception:
                logging.getLogger(__name__).exception("queueing idea vectors failed")

        try:
            # Built after the hub, so what it commits is published from its first write.
            db = Database(settings.database_url, on_commit=committed, job_modules=JOB_MODULES)
            try:
                migrate.check(db.read_engine)
                if server:
                    db.start()  # so that the first write does not wait for the writer
                rooms = Rooms(
                    db,
                    hub,
                    ChannelRenderer(GroupRenderer(templates, db), GalleryRenderer(templates, db)),
                    resync_limit=settings.resync_limit,
                    heartbeat_seconds=settings.heartbeat_seconds,
                )
                counter = create_counter(settings.redis_url, settings.redis_prefix)
                # Idea vectors, once computed, are kept in this database (idea_vectors).
                suggestions.keep_vectors(db)
                app.state.services = Services(
                    settings, db, hub, templates, rooms, Throttle(counter)
                )
                # The server's own figures (/metrics, the Server panel): always kept, cheaply.
                app.state.sampler = telemetry.Sampler(rooms.census, [a.value for a in Audience])
                app.state.server_window = Window.starting(list(telemetry.registry().collect()))
                sampling = asyncio.get_running_loop().create_task(app.state.sampler.run())
                # A plenary vote's timer closes it here, in every process (the command
                # makes a second close a no-op).
                closer = asyncio.get_running_loop().create_task(plenary.close_when_due(db))
                if server:
                    # What start-up made (modules, templates, engines) lives as long as the
                    # process: frozen, the collector stops rescanning it, which made the
                    # worst latency tails with thousands of sockets (issue #7's pilot: p99
                    # 71-531 ms at 8,000 connections, 6-14 ms frozen). Not in tests, which
                    # share a process.
                    gc.collect()
                    gc.freeze()
                    logging.getLogger("uvicorn.error").addFilter(_socket_chatter)
                    logs.redact_uvicorn()
                    # ... and so, as sockets come, is what each of them keeps (collector.py).
                    steward = asyncio.get_running_loop().create_task(Freezer().run(rooms.sockets))
                    _import_later(asyncio.get_running_loop())
                yield
                suggestions.stop_keeping(db)
                sampling.cancel()
                closer.cancel()
                telemetry.process_ended()
                if server:
                    steward.cancel()
                await rooms.close_all()
                await counter.close()
                # The vector workers, if this process started any (imported late: numpy).
                workers = sys.modules.get("facilitator.vector_worker")
                if workers is not None:
                    await asyncio.to_thread(workers.shutdown)
            finally:
                db.close()  # answers (and publishes) every write in flight first
        finally:
            await publisher.stop()
            await hub.disconnect()

    routes = [
        *participant.routes,
        *account.routes,
        *organiser.routes,
        *mission_control.routes,
        *rounds.routes,
        *gallery.routes,
        *plenary.routes,
        *synthesis.routes,
        *questions.routes,
        *follow_up.routes,
        *downloads.routes,
        *facilitator.routes,
        *sockets.routes,
        *system.routes,
        *operations.routes,
        *language.routes,
        Mount("/static", Static(directory=static_dir()), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestIds),
            Middleware(GZipMiddleware, minimum_size=800, exclude_content_types=NOT_COMPRESSED),
            Middleware(WebMiddleware, secure_cookies=settings.secure_cookies),
        ],
        exception_handlers={DomainError: domain_error, HTTPException: http_error},
        lifespan=lifespan,
    )


def create_app_from_env() -> Starlette:
    """The app factory worker processes import (`facilitator serve --workers N`)."""
    return create_app(Settings.from_env(), server=True)
