"""Live updates: one Room per channel per process, one render per audience per event.

    socket ── hello(since, epoch) ──▶ authorise ─▶ join Room ─▶ catch up from the log
      ▲                                                     (events since, or a fresh board)
      └── frames ◀── Viewer queue (bounded) ◀── Room ◀── hub subscription (gaps read from the DB)

A Room subscribes to the hub once and renders each event once per audience and language;
every socket of that audience and language gets the same bytes. Per-person details travel
in small personal frames; how they leave for each socket is viewer.py's part.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable
from typing import Protocol

from facilitator import i18n
from facilitator.domain.actors import Participant
from facilitator.hub import LOST, Hub, Message, Subscription
from facilitator.live.viewer import TRY_AGAIN, Frame, Viewer, frame
from facilitator.store import events
from facilitator.store.database import Database
from facilitator.store.events import LiveEvent
from facilitator.telemetry import Census
from facilitator.vocabulary import Audience

log = logging.getLogger(__name__)

RESTARTING = 1012  # the server is restarting: come back with jitter
PRESENCE_DELAY = 2.0  # seconds; joins and leaves in a burst (the Wi-Fi is back) make one update
RECENT = 64  # events a room keeps, rendered, for sockets that come back (a Wi-Fi blip)
# Seconds a room outlives its last socket. When the venue Wi-Fi drops, every socket of a
# room goes at once; kept, the room and its latest events are still here when they return.
LINGER = 60.0
# Seconds a room waits for a missing event before reading it from the log. On PostgreSQL,
# two commits close together (threads, processes) may be published in either order, so a
# gap is usually the event before, a moment late. Reading the log at each gap had taken
# an eighth of a two-process server's interpreter time (py-spy, 10,000 phones).
REORDER_WAIT = 0.2
EARLY_MAX = 64  # events held while waiting; more, and the log is read at once


# An event's frames by audience and language, as far as made.
Rendered = dict[tuple[Audience, str], "Frame | None"]


class Renderer(Protocol):
    """Turns events and boards into frames for an audience (implemented by the web layer)."""

    def replayable(self, event: LiveEvent) -> bool:
        """Whether a socket that missed this event can be sent it alone (else a fresh board)."""
        ...

    async def event(self, event: LiveEvent, audience: Audience) -> Frame | None: ...

    async def personal(self, event: LiveEvent, viewer: Viewer) -> list[Frame]:
        """Small frames for this one socket (its own ideas, its dots, its questions card),
        often none; in the socket's language. Only rare events may read the database here."""
        ...

    def board(
        self, channel: str, audience: Audience, viewer: Viewer
    ) -> Awaitable[tuple[int, Frame]]: ...

    def presence(self, room: Room, audience: Audience) -> Frame | None: ...


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
        # Events that arrived before the one they follow, by seq, and when to stop waiting.
        self._early: dict[int, LiveEvent] = {}
        self._early_until = 0.0

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
                        message = await self._next(sub)
                        if message is None or message is LOST:  # waited enough, or dropped
                            await self._catch_up()
                        else:
                            await self._receive(LiveEvent.decode(message))  # type: ignore[arg-type]
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # one bad message must not stop the room
                        log.exception("room %s failed to handle a message", self.channel)
            finally:
                heartbeat.cancel()

    async def _next(self, sub: Subscription) -> Message | None:
        """The next message; None when an awaited missing event has not come in time."""
        if not self._early:
            return await sub.get()
        left = self._early_until - asyncio.get_running_loop().time()
        try:
            # On a timeout the queue keeps its message (asyncio.Queue.get is cancel-safe).
            return await asyncio.wait_for(sub.get(), max(left, 0.0))
        except TimeoutError:
            return None

    async def _receive(self, event: LiveEvent) -> None:
        if event.seq <= self.seq:
            return
        if event.epoch != self.epoch:
            await self._catch_up()
            return
        if event.seq > self.seq + 1:  # a gap: wait a moment for the missing event
            if not self._early:
                self._early_until = asyncio.get_running_loop().time() + REORDER_WAIT
            self._early[event.seq] = event
            if len(self._early) > EARLY_MAX:
                await self._catch_up()
            return
        await self._deliver(event)
        while self.seq + 1 in self._early:
            await self._deliver(self._early.pop(self.seq + 1))
        if self._early:  # what is left waits for another missing event
            self._early = {seq: e for seq, e in self._early.items() if seq > self.seq}

    async def _catch_up(self) -> None:
        """Read what is missing, in order, from the log (which has any event held early:
        it was committed before it was published)."""
        self._early.clear()
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
            for personal in await renderer.personal(event, viewer):
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

    def census(self) -> Census:
        """What is open in this process, for the server's figures (telemetry)."""
        sockets: dict[str, int] = {}
        workshops: set[int] = set()
        channels = 0
        for room in self._rooms.values():
            channels += bool(room.viewers)
            for viewer in room.viewers:
                sockets[viewer.audience.value] = sockets.get(viewer.audience.value, 0) + 1
                if isinstance(viewer.actor, Participant):
                    workshops.add(viewer.actor.workshop_id)
        return Census(sockets, channels, len(workshops))

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
