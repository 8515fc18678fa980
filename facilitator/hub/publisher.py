"""Hands committed events to the hub, in commit order, without holding up the writer."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from facilitator import telemetry
from facilitator.hub.base import Hub
from facilitator.store.events import Wired

log = logging.getLogger(__name__)


class Publisher:
    """A bounded queue drained by one task.

    Policy when full (the hub is down or far behind): the event is not published and a
    warning is logged. Nothing is lost: the event is committed, and subscribers find the
    gap by seq (the next event, or the heartbeat) and read it from the database.
    """

    def __init__(self, hub: Hub, size: int = 10_000):
        self.hub = hub
        # Each event with when it was handed over (for the publish latency).
        self._queue: asyncio.Queue[tuple[Wired, float]] = asyncio.Queue(maxsize=size)
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="publisher")

    async def stop(self) -> None:
        if self._task is not None:
            await self.flush()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def __call__(self, events: Sequence[Wired]) -> None:
        for event in events:
            try:
                self._queue.put_nowait((event, time.perf_counter()))
            except asyncio.QueueFull:
                self.dropped += 1
                telemetry.PUBLISH_DROPPED.inc()
                log.warning("publish queue full; %s seq %d left to resync", *event[:2])

    async def flush(self) -> None:
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            (channel, seq, data), handed = await self._queue.get()
            try:
                await self.hub.publish(channel, data)
                telemetry.PUBLISH_SECONDS.observe(telemetry.since(handed))
            except Exception:
                log.exception("publishing %s seq %d failed", channel, seq)
            finally:
                self._queue.task_done()
