"""One open socket on one channel (a Viewer): its waiting frames, and how they leave.

What a socket is offered in one turn of the event loop leaves at its end as one message,
written straight to the transport when nothing else is being sent to it (live/wire.py),
else by the socket's pump through the ordinary ASGI send. A socket that cannot keep up is
closed with 1013 and catches up by seq when it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from facilitator import i18n
from facilitator.domain.actors import Actor, Participant
from facilitator.live import wire
from facilitator.telemetry import TALLY
from facilitator.vocabulary import Audience

log = logging.getLogger(__name__)

TRY_AGAIN = 1013  # the socket fell behind: come back and catch up
BATCH = 64  # frames at most in one WebSocket message


Frame = str  # one encoded JSON message, shared by every socket of an audience


class Disconnected(Exception):
    """The other end has gone."""


class Socket(Protocol):
    """What live updates need of an accepted WebSocket; web/sockets.py adapts Starlette's.

    `write_now` writes a ready-made frame at once when the server offers that (see wire.py),
    else it is None."""

    write_now: wire.WriteNow | None

    @property
    def open(self) -> bool: ...

    async def receive(self) -> str | None:
        """The next message: its text, or None for one that is not text. Raises
        Disconnected when the other end has gone."""
        ...

    async def send(self, text: str) -> None: ...

    async def close(self, code: int) -> None: ...


def frame(message: dict[str, Any]) -> Frame:
    return orjson.dumps(message).decode()


@dataclass(eq=False)
class Viewer:
    """One open socket on one channel."""

    ws: Socket
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
    # Writes an encoded frame to the transport at once (see wire.py); None in tests.
    _write_now: wire.WriteNow | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._write_now = self.ws.write_now

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
        if write_now is not None and len(waiting) == 1:  # most turns: one frame, one event
            seq, message = waiting[0]
            if seq is not None and seq <= self.sent_seq:
                waiting.popleft()
                return
            data = wire.encoded_frame(message)
            if write_now(data):
                TALLY.sent(len(data))
                waiting.popleft()
                if seq is not None:
                    self.sent_seq = seq
                return
            write_now = None  # the transport cannot take it now: the pump will
        while write_now is not None and waiting:
            items = list(itertools.islice(waiting, BATCH))
            frames, last = self._unsent(items)
            if frames:
                data = wire.encoded(tuple(frames))
                if not write_now(data):
                    break
                TALLY.sent(len(data))
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
            text = wire.message(frames)
            await self.ws.send(text)
            TALLY.sent(len(text))  # characters: bytes, but for the few beyond ASCII
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
        if self.ws.open:
            with contextlib.suppress(Exception):
                await self.ws.close(code)


# Sockets with frames offered in this turn of each event loop, flushed once at its end.
# A plain dict: a weak one cost 0.13 µs more per delivery, to guard against a loop closed
# before its flush ran, which asyncio.run never does (it runs ready callbacks as it ends).
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
