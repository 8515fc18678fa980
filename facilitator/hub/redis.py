"""The Redis hub: committed events travel between processes over Redis pub/sub.

One connection per process listens for every channel this process has rooms for; a
supervisor reconnects it with backoff after Redis restarts or drops the client, and
resubscribes. Pub/sub is at-most-once, so after a reconnect every subscription gets LOST
(its room re-reads the log from the database by seq), and rooms re-read the channel's head
from the shared database at every heartbeat, which finds a lost message within one beat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from facilitator import telemetry
from facilitator.hub.base import LOST, Subscribers, Subscription

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.client import PubSub

log = logging.getLogger(__name__)

CONTROL = "_hub"  # always subscribed, so the listener has a connection even with no rooms
SUBSCRIBE_WAIT = 5.0  # seconds a new subscriber waits for Redis to confirm its SUBSCRIBE
BACKOFF_MAX = 2.0  # seconds between reconnection attempts, at most
SOCKET_TIMEOUT = 5.0


class RedisHub:
    """`redis://host:port/db` pub/sub with a supervised listener; channels get `prefix`."""

    def __init__(self, url: str, queue_size: int = 1000, prefix: str = "facilitator:"):
        self.url, self.queue_size, self.prefix = url, queue_size, prefix
        self._subscribers = Subscribers(queue_size)
        self._confirmed: dict[str, asyncio.Event] = {}
        self._resync: set[str] = set()
        self._client: Redis | None = None
        self._pubsub: PubSub | None = None
        self._listener: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._connected = False
        self.reconnects = 0

    def _client_options(self) -> dict[str, Any]:
        return {
            "socket_connect_timeout": SOCKET_TIMEOUT,
            "health_check_interval": 10,  # a silent half-open connection is noticed
            "client_name": f"{self.prefix}hub",
        }

    async def connect(self) -> None:
        """Connect, or raise at start when Redis cannot be reached (a wrong URL fails fast)."""
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError, TimeoutError

        # A publish right after Redis dropped us retries on a new connection; if Redis
        # stays away the Publisher logs it and rooms find the event by seq.
        self._client = Redis.from_url(
            self.url,
            socket_timeout=SOCKET_TIMEOUT,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
            retry_on_error=[ConnectionError, TimeoutError],
            **self._client_options(),
        )
        await self._client.ping()
        first = asyncio.Event()
        self._listener = asyncio.get_running_loop().create_task(
            self._supervise(first), name="redis-hub"
        )
        await asyncio.wait_for(first.wait(), SOCKET_TIMEOUT * 2)

    async def disconnect(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        for task in tuple(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._subscribers.by_channel.clear()
        self._connected = False

    def healthy(self) -> bool:
        return self._connected and self._listener is not None and not self._listener.done()

    async def publish(self, channel: str, message: bytes) -> None:
        assert self._client is not None, "connect() first"
        await self._client.publish(self.prefix + channel, message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        """A subscription that is live in Redis (or marked for LOST) when this yields."""
        sub, first = self._subscribers.add(channel)
        try:
            if first:
                await self._subscribe(channel)
            else:
                await self._confirmed[channel].wait()
            yield sub
        finally:
            if self._subscribers.remove(sub):
                self._confirmed.pop(channel, None)
                # Not awaited here: leaving must not wait on the network (a closing
                # socket's task may be cancelled at any await).
                task = asyncio.get_running_loop().create_task(self._unsubscribe(channel))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _subscribe(self, channel: str) -> None:
        confirmed = self._confirmed[channel] = asyncio.Event()
        pubsub = self._pubsub
        if pubsub is not None and self._connected:
            with contextlib.suppress(Exception):  # the supervisor resubscribes after a drop
                await pubsub.subscribe(self.prefix + channel)
                await asyncio.wait_for(confirmed.wait(), SUBSCRIBE_WAIT)
                return
        # Not confirmed: whatever happens in between, the reconnect puts LOST in its queue.
        self._resync.add(channel)
        confirmed.set()

    async def _unsubscribe(self, channel: str) -> None:
        if channel in self._subscribers.by_channel:  # a new subscriber came in the meantime
            return
        self._resync.discard(channel)
        if self._pubsub is not None and self._connected:
            with contextlib.suppress(Exception):
                await self._pubsub.unsubscribe(self.prefix + channel)

    # -- the listener --------------------------------------------------------------------
    async def _supervise(self, first: asyncio.Event) -> None:
        """Keep one listening connection alive for as long as the hub is connected."""
        backoff = 0.05
        while True:
            try:
                await self._listen(first)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection refused, reset, killed, timed out
                if self._connected:
                    log.warning("redis hub lost its connection (%s); reconnecting", exc)
                self._connected = False
                # Everything sent while we were away is gone: each room must re-read.
                self._resync.update(self._subscribers.by_channel)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
            else:
                backoff = 0.05

    async def _listen(self, first: asyncio.Event) -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(self.url, **self._client_options())
        pubsub = client.pubsub()
        try:
            channels = [CONTROL, *self._subscribers.by_channel]
            await pubsub.subscribe(*(self.prefix + c for c in channels))
            self._pubsub = pubsub
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None:
                    self._dispatch(message, first)
        finally:
            self._pubsub = None
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()

    def _dispatch(self, message: dict[str, Any], first: asyncio.Event) -> None:
        name = message["channel"]
        name = name.decode() if isinstance(name, bytes) else name
        channel = name.removeprefix(self.prefix)
        if message["type"] == "subscribe":
            if channel == CONTROL:
                if first.is_set():  # not the first connection: this is a reconnect
                    self.reconnects += 1
                    telemetry.REDIS_RECONNECTS.inc()
                    log.info("redis hub connected again")
                self._connected = True
                first.set()
            elif channel in self._resync:
                self._resync.discard(channel)
                self._subscribers.put(channel, LOST)
            if channel in self._confirmed:
                self._confirmed[channel].set()
            return
        if message["type"] != "message":
            return
        self._subscribers.put(channel, message["data"])
