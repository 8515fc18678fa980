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
Message = bytes | _Lost  # what a subscription yields


class Subscription:
    """A bounded queue of raw messages for one subscriber.

    Policy when full: the queue is emptied and LOST is put in its place, so the subscriber
    learns that it missed messages and re-reads the log from the database by seq. Nothing
    is dropped silently, and a slow subscriber never holds up the publisher.
    """

    def __init__(self, channel: str, size: int):
        self.channel = channel
        self._queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=size)

    def put(self, message: Message) -> None:
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(LOST)

    async def get(self) -> Message:
        return await self._queue.get()


class Subscribers:
    """This process's subscriptions by channel; what each hub backend keeps."""

    def __init__(self, queue_size: int):
        self.queue_size = queue_size
        self.by_channel: dict[str, set[Subscription]] = {}

    def add(self, channel: str) -> tuple[Subscription, bool]:
        """A new subscription, and whether it is the channel's first."""
        sub = Subscription(channel, self.queue_size)
        first = channel not in self.by_channel
        self.by_channel.setdefault(channel, set()).add(sub)
        return sub, first

    def remove(self, sub: Subscription) -> bool:
        """Forget `sub`; True when its channel has no subscriber left."""
        subs = self.by_channel.get(sub.channel)
        if subs is None:
            return False
        subs.discard(sub)
        if subs:
            return False
        del self.by_channel[sub.channel]
        return True

    def put(self, channel: str, message: bytes | _Lost) -> None:
        for sub in tuple(self.by_channel.get(channel, ())):
            sub.put(message)


class Hub(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def publish(self, channel: str, message: bytes) -> None: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]: ...

    def healthy(self) -> bool: ...
