"""The in-process hub: the embedded default, for one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from facilitator.hub.base import Subscription


class MemoryHub:
    def __init__(self, queue_size: int = 1000):
        self.queue_size = queue_size
        self._subscribers: dict[str, set[Subscription]] = {}

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._subscribers.clear()

    async def publish(self, channel: str, message: bytes) -> None:
        for sub in tuple(self._subscribers.get(channel, ())):
            sub.put(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        sub = Subscription(channel, self.queue_size)
        self._subscribers.setdefault(channel, set()).add(sub)
        try:
            yield sub
        finally:
            subs = self._subscribers.get(channel)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscribers[channel]

    def healthy(self) -> bool:
        return True
