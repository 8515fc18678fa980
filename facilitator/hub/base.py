"""The hub interface: a tiny front over a backend, after encode/broadcaster."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Final, Protocol


class _Lost:
    """Marker put in a subscription when messages were dropped: resync from the database."""

    def __repr__(self) -> str:
        return "LOST"


LOST: Final = _Lost()


class Subscription:
    """A bounded queue of raw messages for one subscriber.

    Policy when full: the queue is emptied and LOST is put in its place, so the subscriber
    learns that it missed messages and re-reads the log from the database by seq. Nothing
    is dropped silently, and a slow subscriber never holds up the publisher.
    """

    def __init__(self, channel: str, size: int):
        self.channel = channel
        self._queue: asyncio.Queue[bytes | _Lost] = asyncio.Queue(maxsize=size)

    def put(self, message: bytes | _Lost) -> None:
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(LOST)

    async def get(self) -> bytes | _Lost:
        return await self._queue.get()


class Hub(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def publish(self, channel: str, message: bytes) -> None: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]: ...

    def healthy(self) -> bool: ...
