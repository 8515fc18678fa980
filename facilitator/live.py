"""Live updates: one Room per channel per process, one render per audience per event.

    socket ── hello(since, epoch) ──▶ authorise ─▶ join Room ─▶ catch up from the log
      ▲                                                     (events since, or a fresh board)
      └── frames ◀── Viewer queue (bounded) ◀── Room ◀── hub subscription (gaps read from the DB)

A Room subscribes to the hub once and renders each event once per audience and language;
every socket of that audience and language gets the same bytes. Per-person details travel
in small personal frames. What a socket is offered in one turn of the event loop leaves at
its end as one message, written straight to the transport when nothing else is being sent
to it (live_wire), else by the socket's pump through the ordinary ASGI send.
A socket that cannot keep up is closed with 1013 and catches up by seq when it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import orjson
from starlette.websockets import WebSocket, WebSocketState

from facilitator import events, i18n, live_wire
from facilitator.db import Database
from facilitator.domain.actors import Actor, Participant
from facilitator.events import LiveEvent
from facilitator.hub import LOST, Hub

log = logging.getLogger(__name__)

TRY_AGAIN = 1013  # the socket fell behind: come back and catch up
RESTARTING = 1012  # the server is restarting: come back with jitter
PRESENCE_DELAY = 2.0  # seconds; joins and leaves in a burst (the Wi-Fi is back) make one update
RECENT = 64  # events a room keeps, rendered, for sockets that come back (a Wi-Fi blip)
BATCH = 64  # frames at most in one WebSocket message
# Seconds a room outlives its last socket. When the venue Wi-Fi drops, every socket of a
# room goes at once; kept, the room and its latest events are still here when they return.
LINGER = 60.0


class Audience(StrEnum):
    participant = "participant"
    facilitator = "facilitator"
    projector = "projector"  # what phones see, large, for a screen; opened by staff


Frame = str  # one encoded JSON message, shared by every socket of an audience
# An event's frames by audience and language, as far as made.
Rendered = dict[tuple["Audience", str], "Frame | None"]


def frame(message: dict[str, Any]) -> Frame:
    return orjson.dumps(message).decode()


class Renderer(Protocol):
    """Turns events and boards into frames for an audience (implemented by the web layer)."""

    def replayable(self, event: LiveEvent) -> bool:
        """Whether a socket that missed this event can be sent it alone (else a fresh board)."""
        ...

    async def event(self, event: LiveEvent, audience: Audience) -> Frame | None: ...

    def personal(self, event: LiveEvent, viewer: Viewer) -> list[Frame]:
        """Small frames for this one socket (its own ideas, its dots), often none; in the
        socket's language."""
        ...

    def board(
        self, channel: str, audience: Audience, viewer: Viewer
    ) -> Awaitable[tuple[int, Frame]]: ...

    def presence(self, room: Room, audience: Audience) -> Frame | None: ...


@dataclass(eq=False)
class Viewer:
    """One open socket on one channel."""

    ws: WebSocket
    audience: Audience
    actor: Actor
    queue_size: int
    locale: str = i18n.DEFAULT  # what it reads in: its frames are rendered in this language
    sent_seq: int = -1
    closed: bool = False
    # Frames waiting for the pump, and the pump's wake-up while it waits for them: lighter
    # than an asyncio.Queue, and every frame of every socket passes here.
    waiting: deque[tuple[int | None, Frame]] = field(init=False, default_factory=deque)
    _wake: asyncio.Future[None] | None = field(init=False, default=None)
    _marked: bool = field(init=False, default=False)  # in this loop turn's flush list
    # Writes an encoded frame to the transport at once (see live_wire); None in tests.
    _write_now: live_wire.WriteNow | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._write_now = live_wire.write_now_of(self.ws.scope)

    @property
    def name(self) -> str:
        return self.actor.display_name if isinstance(self.actor, Participant) else self.actor.name

    def offer(self, seq: int | None, message: Frame) -> None:
        """Queue a frame; seq frames at or below what was sent are skipped by the sender.
        A socket with `queue_size` frames waiting has fallen behind: it is closed.

        What is offered in one turn of the event loop goes out together at its end
        (`flush`), as one message per socket."""
        if self.closed:
            return
        if len(self.waiting) >= self.queue_size:
            self.closed = True
            asyncio.get_running_loop().create_task(self.close(TRY_AGAIN))
            return
        self.waiting.append((seq, message))
        if not self._marked:
            self._marked = True
            _to_flush(self)

    def flush(self) -> None:
        """Write what waits straight to the transport if the pump is idle (nothing in
        flight, so order holds), else leave it to the pump."""
        self._marked = False
        waiting, wake = self.waiting, self._wake
        if self.closed or not waiting or wake is None or wake.done():
            return  # nothing to do, or the pump is busy and will find it
        write_now = self._write_now
        while write_now is not None and waiting:
            items = list(itertools.islice(waiting, BATCH))
            frames, last = self._unsent(items)
            if frames:
                if not write_now(live_wire.encoded(tuple(frames))):
                    break
                self.sent_seq = last
            for _ in items:
                waiting.popleft()
        if waiting:
            wake.set_result(None)

    async def send_now(self, seq: int | None, message: Frame) -> None:
        await self.send_all([(seq, message)])

    async def send_all(self, items: list[tuple[int | None, Frame]]) -> None:
        """Send frames in order, in one WebSocket message when there are several (a JSON
        array of them): the transport's cost is per message, and under load, or in a
        catch-up, a socket has many waiting. Seq frames already sent are skipped."""
        frames, last = self._unsent(items)
        if frames:
            await self.ws.send_text(live_wire.message(frames))
            self.sent_seq = last

    def _unsent(self, items: list[tuple[int | None, Frame]]) -> tuple[list[Frame], int]:
        """These frames without the seq frames already sent, and the last seq among them."""
        frames, last = [], self.sent_seq
        for seq, message in items:
            if seq is not None:
                if seq <= last:
                    continue
                last = seq
            frames.append(message)
        return frames, last

    async def pump(self) -> None:
        """The writer to the socket once the catch-up is done, when `flush` cannot write at
        once: whatever is waiting when it wakes goes out together."""
        waiting, loop = self.waiting, asyncio.get_running_loop()
        while True:
            if not waiting:
                self._wake = loop.create_future()
                await self._wake
            items = [waiting.popleft() for _ in range(min(len(waiting), BATCH))]
            await self.send_all(items)

    async def close(self, code: int) -> None:
        self.closed = True
        if self.ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.ws.close(code)


# Sockets with frames offered in this turn of each event loop, flushed once at its end.
_flushing: dict[asyncio.AbstractEventLoop, list[Viewer]] = {}


def _to_flush(viewer: Viewer) -> None:
    loop = asyncio.get_running_loop()
    marked = _flushing.get(loop)
    if marked is None:
        marked = _flushing[loop] = []
        loop.call_soon(_flush, loop)
    marked.append(viewer)


def _flush(loop: asyncio.AbstractEventLoop) -> None:
    for viewer in _flushing.pop(loop, ()):
        try:
            viewer.flush()
        except Exception:  # one broken socket must not hold up the others
            log.exception("writing to a socket failed")


class Room:
    """One channel's live state in this process."""

    def __init__(self, rooms: Rooms, channel: str):
        self.rooms = rooms
        self.channel = channel
        self.viewers: set[Viewer] = set()
        self.seq = 0
        self.epoch = ""
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.started: asyncio.Future[None] | None = None
        self._presence_pending = False
        self.linger: asyncio.TimerHandle | None = None  # set while the room has no sockets
        # The latest events with the frames made for them: a reconnect storm after the
        # venue Wi-Fi returns replays from here, without a database read or a render each.
        self.recent: deque[tuple[LiveEvent, Rendered]] = deque(maxlen=RECENT)

    def missed_since(self, since: int, epoch: str) -> list[tuple[LiveEvent, Rendered]] | None:
        """What a socket at `since` missed, from memory; None when only the log can tell."""
        if epoch != self.epoch or since > self.seq:
            return None
        if since == self.seq:
            return []
        if not self.recent or self.recent[0][0].seq > since + 1:
            return None
        return [item for item in self.recent if item[0].seq > since]

    async def start(self) -> None:
        """Subscribe and read the head; raise if that fails (the socket then closes)."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self.channel)
        ready = asyncio.ensure_future(self._ready.wait())
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not self._ready.is_set():
            ready.cancel()
            await self._task  # raises what stopped it

    def cancel(self) -> None:
        """Stop without waiting; the subscription ends as the task unwinds."""
        if self._task is not None:
            self._task.cancel()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        hub, db = self.rooms.hub, self.rooms.db
        async with hub.subscribe(self.channel) as sub:
            # Subscribe first, then read the head: nothing falls between the two.
            head = await db.read(lambda s: events.head(s, self.channel))
            self.seq, self.epoch = head.seq, head.epoch
            self._ready.set()
            heartbeat = asyncio.get_running_loop().create_task(self._heartbeat())
            try:
                while True:
                    try:
                        message = await sub.get()
                        if message is LOST:
                            await self._catch_up()
                        else:
                            await self._receive(LiveEvent.decode(message))  # type: ignore[arg-type]
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # one bad message must not stop the room
                        log.exception("room %s failed to handle a message", self.channel)
            finally:
                heartbeat.cancel()

    async def _receive(self, event: LiveEvent) -> None:
        if event.seq <= self.seq:
            return
        if event.seq > self.seq + 1 or event.epoch != self.epoch:
            await self._catch_up()  # a gap: read what is missing, in order, from the log
            return
        await self._deliver(event)

    async def _catch_up(self) -> None:
        db, limit = self.rooms.db, self.rooms.resync_limit
        head = await db.read(lambda s: events.head(s, self.channel))
        if head.epoch != self.epoch:
            self.epoch, self.seq = head.epoch, head.seq
            self.recent.clear()
            for viewer in tuple(self.viewers):
                viewer.closed = True
                await viewer.close(TRY_AGAIN)  # each comes back for a fresh board
            return
        missed = await db.read(lambda s: events.since(s, self.channel, self.seq, limit))
        if missed is None:
            self.seq = head.seq
            self.recent.clear()  # a hole: memory no longer holds a contiguous run
            for viewer in tuple(self.viewers):
                await viewer.close(TRY_AGAIN)
            return
        for event in missed:
            await self._deliver(event)

    async def _deliver(self, event: LiveEvent) -> None:
        self.seq = event.seq
        renderer = self.rooms.renderer
        frames: Rendered = {}
        self.recent.append((event, frames))  # filled in below, and by later replays
        moved_on: Frame | None = None  # a frame with nothing but the seq, made once
        for viewer in tuple(self.viewers):
            key = (viewer.audience, viewer.locale)
            if key not in frames:
                with i18n.using(viewer.locale):
                    frames[key] = await renderer.event(event, viewer.audience)
            message = frames[key]
            if message is None:  # nothing for this audience: its seq still moves on
                message = moved_on = moved_on or frame({"type": "seq", "seq": event.seq})
            viewer.offer(event.seq, message)
            for personal in renderer.personal(event, viewer):
                viewer.offer(None, personal)

    async def _heartbeat(self) -> None:
        """Tell sockets the latest seq, and find events whose publication was lost."""
        db = self.rooms.db
        while True:
            await asyncio.sleep(self.rooms.heartbeat_seconds)
            try:
                head = await db.read(lambda s: events.head(s, self.channel))
                if head.seq > self.seq or head.epoch != self.epoch:
                    await self._catch_up()
            except Exception:
                log.exception("heartbeat of %s failed", self.channel)
            beat = frame({"type": "hb", "seq": self.seq, "epoch": self.epoch})
            for viewer in tuple(self.viewers):
                viewer.offer(None, beat)

    # -- presence ------------------------------------------------------------------------
    def presence_changed(self) -> None:
        if self._presence_pending:
            return
        self._presence_pending = True
        asyncio.get_running_loop().call_later(PRESENCE_DELAY, self._send_presence)

    def _send_presence(self) -> None:
        self._presence_pending = False
        frames: dict[tuple[Audience, str], Frame | None] = {}
        for viewer in tuple(self.viewers):
            key = (viewer.audience, viewer.locale)
            if key not in frames:
                with i18n.using(viewer.locale):
                    frames[key] = self.rooms.renderer.presence(self, viewer.audience)
            message = frames[key]
            if message is not None:
                viewer.offer(None, message)


class Rooms:
    """The rooms of this process, made on first use and dropped a while after the last
    socket goes (LINGER)."""

    def __init__(
        self,
        db: Database,
        hub: Hub,
        renderer: Renderer,
        *,
        resync_limit: int,
        heartbeat_seconds: float,
        linger_seconds: float = LINGER,
    ):
        self.db, self.hub, self.renderer = db, hub, renderer
        self.linger_seconds = linger_seconds
        self.resync_limit = resync_limit
        self.heartbeat_seconds = heartbeat_seconds
        self._rooms: dict[str, Room] = {}

    def get(self, channel: str) -> Room | None:
        return self._rooms.get(channel)

    async def enter(self, channel: str, viewer: Viewer) -> Room:
        room = self._rooms.get(channel)
        if room is None:
            room = Room(self, channel)
            self._rooms[channel] = room
            room.started = asyncio.ensure_future(room.start())
        try:
            await asyncio.shield(room.started)  # type: ignore[arg-type]
        except BaseException:
            if self._rooms.get(channel) is room:
                del self._rooms[channel]
            raise
        if room.linger is not None:
            room.linger.cancel()
            room.linger = None
        room.viewers.add(viewer)
        room.presence_changed()
        return room

    def leave(self, room: Room, viewer: Viewer) -> None:
        room.viewers.discard(viewer)
        if room.viewers:
            room.presence_changed()
            return
        if room.linger is None and self._rooms.get(room.channel) is room:
            loop = asyncio.get_running_loop()
            room.linger = loop.call_later(self.linger_seconds, self._drop_if_empty, room)

    def _drop_if_empty(self, room: Room) -> None:
        room.linger = None
        if room.viewers:
            return
        if self._rooms.get(room.channel) is room:
            del self._rooms[room.channel]
        room.cancel()

    def sockets(self) -> int:
        """Sockets open in this process."""
        return sum(len(room.viewers) for room in self._rooms.values())

    async def close_all(self, code: int = RESTARTING) -> None:
        for room in tuple(self._rooms.values()):
            if room.linger is not None:
                room.linger.cancel()
            for viewer in tuple(room.viewers):
                await viewer.close(code)
            await room.stop()
        self._rooms.clear()
