"""One socket's life on the live channel: catch up, then pump frames out and take commands in.

The rooms and viewers it joins are in `live`; this is the part each accepted socket runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from facilitator import telemetry
from facilitator.i18n import N_, gettext
from facilitator.live.rooms import Rendered, Room, Rooms
from facilitator.live.viewer import BATCH, TRY_AGAIN, Disconnected, Frame, Viewer, frame
from facilitator.store import events
from facilitator.store.events import LiveEvent
from facilitator.telemetry import TALLY
from facilitator.throttle import SLOW_DOWN, SocketGuard, SocketLimits, Verdict

log = logging.getLogger(__name__)
UNREADABLE = N_("That message could not be read.")


async def catch_up(room: Room, viewer: Viewer, since: int | None, epoch: str) -> bool:
    """Bring a newly joined socket up to date: the events it missed, or a fresh board
    (then True)."""
    db, limit, renderer = room.rooms.db, room.rooms.resync_limit, room.rooms.renderer
    missed: list[tuple[LiveEvent, Rendered]] | None = None
    if since is not None and epoch:
        missed = room.missed_since(since, epoch)
        if missed is not None and len(missed) > limit:
            missed = None  # far behind: a fresh board, as from the log
        elif missed is None:

            def read(s: Any) -> list[LiveEvent] | None:
                head = events.head(s, room.channel)
                if head.epoch != epoch or not 0 <= since <= head.seq:
                    return None
                return events.since(s, room.channel, since, limit)

            logged = await db.read(read)
            missed = None if logged is None else [(event, {}) for event in logged]
    if missed is not None and not all(renderer.replayable(e) for e, _ in missed):
        missed = None  # a region changed: the whole board is cheaper than the replay
    if missed is None:
        seq, message = await renderer.board(room.channel, viewer.audience, viewer)
        await viewer.send_now(seq, message)
        return True
    viewer.sent_seq = since if since is not None else 0
    key = (viewer.audience, viewer.locale)  # the caller set this socket's language
    replay: list[tuple[int | None, Frame]] = []
    for event, frames in missed:
        if key not in frames:
            frames[key] = await renderer.event(event, viewer.audience)
        rendered = frames[key]
        replay.append((event.seq, rendered or frame({"type": "seq", "seq": event.seq})))
        replay += [(None, personal) for personal in await renderer.personal(event, viewer)]
    for start in range(0, len(replay), BATCH):
        await viewer.send_all(replay[start : start + BATCH])
    return False


class Endpoint(Protocol):
    """One kind of socket, as the web layer defines it: its channel and limits, what it
    sends a socket that has just caught up, and how it runs a command."""

    @property
    def channel(self) -> str: ...

    @property
    def limits(self) -> SocketLimits: ...

    async def greet(self, viewer: Viewer, fresh: bool) -> None:
        """After the catch-up; `fresh`: the socket was sent a whole board."""
        ...

    async def handle(self, viewer: Viewer, message: dict[str, Any]) -> dict[str, Any] | None:
        """Run one command; the reply goes back to this socket."""
        ...


@dataclass(frozen=True)
class Resume:
    """Where a socket that comes back was: the last seq it saw, in which epoch."""

    since: int | None = None
    epoch: str = ""


async def serve_socket(rooms: Rooms, endpoint: Endpoint, viewer: Viewer, resume: Resume) -> None:
    """Run one accepted socket: join the room, catch up, then pump frames and take commands.

    The caller sets the socket's language (i18n.using) around this, for its fresh boards and
    its command errors."""
    room = await rooms.enter(endpoint.channel, viewer)
    limits = endpoint.limits
    pump: asyncio.Task[None] | None = None
    try:
        fresh = await catch_up(room, viewer, resume.since, resume.epoch)
        await endpoint.greet(viewer, fresh)
        pump = asyncio.get_running_loop().create_task(viewer.pump())
        guard = SocketGuard(limits)
        while True:
            text = await viewer.ws.receive()
            if text is None:  # a binary frame, say: answered like any unreadable message
                telemetry.REFUSED.labels("unreadable").inc()
                viewer.offer(None, frame(_unreadable()))
                continue
            TALLY.received(len(text))
            verdict = guard.admit(text)
            if verdict is not Verdict.ok:
                telemetry.REFUSED.labels(verdict.name).inc()
            if verdict is Verdict.slow_down:
                # With its key, so the page keeps that message and sends it again later.
                refusal = {"type": "error", "status": 429, "message": gettext(SLOW_DOWN)}
                viewer.offer(None, frame({**refusal, "key": _key_of(text, limits.max_message)}))
                continue
            if verdict:
                await viewer.close(verdict)
                return
            reply = await _dispatch(viewer, text, endpoint, limits.max_message)
            if reply is not None:
                viewer.offer(None, frame(reply))
    except (Disconnected, RuntimeError):
        pass
    finally:
        # Nothing here awaits: the server (or a test client) may cancel a closing socket's
        # task at any await, and leaving must happen all the same. The cancelled tasks end
        # at their next step on the loop.
        viewer.closed = True
        if pump is not None:
            pump.cancel()
        rooms.leave(room, viewer)


def _key_of(text: str, max_message: int) -> str | None:
    """The outbox key of a message, if it has a readable one."""
    if len(text) > max_message:
        return None
    try:
        key = orjson.loads(text).get("key")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return key if isinstance(key, str) and len(key) <= 64 else None


def _unreadable() -> dict[str, Any]:
    return {"type": "error", "message": gettext(UNREADABLE)}


async def _dispatch(
    viewer: Viewer, text: str, endpoint: Endpoint, max_message: int
) -> dict[str, Any] | None:
    """Parse one message and run it; a bad message gets an error frame, never a dropped socket."""
    if len(text) > max_message:
        telemetry.REFUSED.labels("too_big").inc()
        return {"type": "error", "message": gettext(N_("That message is too large."))}
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        message = None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        telemetry.REFUSED.labels("unreadable").inc()
        return _unreadable()
    if message["type"] == "ping":
        return {"type": "pong"}
    started = time.perf_counter()
    try:
        reply = await endpoint.handle(viewer, message)
        telemetry.ACK_SECONDS.observe(telemetry.since(started))
        return reply
    except Exception:
        telemetry.REFUSED.labels("failed").inc()
        # The database stayed unreachable through the write path's retries. Whether the
        # command committed is unknown, so no answer is given: "try again" makes the page
        # reconnect and send its outbox again with the same keys (idempotent).
        log.exception("a %s command failed; the socket is told to try again", message["type"])
        await viewer.close(TRY_AGAIN)
        return None
