"""The in-process hub: the embedded default, for one process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from facilitator.hub.base import Subscribers, Subscription


class MemoryHub:
    def __init__(self, queue_size: int = 1000):
        self._subscribers = Subscribers(queue_size)

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._subscribers.by_channel.clear()

    async def publish(self, channel: str, message: bytes) -> None:
        self._subscribers.put(channel, message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        sub, _ = self._subscribers.add(channel)
        try:
            yield sub
        finally:
            self._subscribers.remove(sub)

    def healthy(self) -> bool:
        return True
