"""Limits on guessing and flooding: failure counts by key, and a token bucket per socket.

Failures are counted in fixed windows: a key that failed `failures` times in the current
window is refused until the next one. Attempts are counted before they run and taken back
when they succeed, so attempts in flight count too, and only failures stay: a venue where
hundreds of phones share one address is never refused for its successful joins (at worst
they wait a moment for those in flight). Failures are also counted on their own, so a key
that has used its failures is refused at once, without waiting.

Where the counts live follows the deployment: one process (SQLite) keeps them in memory;
several processes (PostgreSQL and Redis, which `serve --workers` requires) keep them in
Redis, so every process sees the same counts and a guesser gains nothing by spreading
requests over processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Protocol

from facilitator.i18n import N_

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
Clock = Callable[[], float]


@dataclass(frozen=True)
class Limit:
    name: str
    failures: int  # refused once this many failed in the window
    window: int  # seconds


# A mistyped code at a venue is common, so the join limit is generous; SECURITY.md shows
# that it still keeps the chance of guessing a live code in a day under 1 in 10,000.
JOIN_BY_ADDRESS = Limit("join", 100, 600)
LOGIN_BY_ACCOUNT = Limit("login-account", 10, 900)
LOGIN_BY_ADDRESS = Limit("login-address", 50, 900)


def address_key(host: str) -> str:
    """An IPv4 address, or an IPv6 address's /64: one home or phone gets a whole /64."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class Counter(Protocol):
    async def add(self, key: str, expires: int) -> int: ...  # the count, this one included
    async def count(self, key: str) -> int: ...
    async def release(self, key: str) -> None: ...
    async def clear(self, key: str) -> None: ...
    async def close(self) -> None: ...


class MemoryCounter:
    """Counts in this process; the oldest keys go first when there are very many.

    Each method reads and writes without awaiting, so on the event loop each is atomic:
    two requests can never both read the same count."""

    MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    async def add(self, key: str, expires: int) -> int:
        # Keys name their window, so a key of a past window is never read again; dropping
        # the oldest bounds memory without touching the current window of anyone active.
        count = self._counts[key] = self._counts.pop(key, 0) + 1
        while len(self._counts) > self.MAX_KEYS:
            del self._counts[next(iter(self._counts))]
        return count

    async def count(self, key: str) -> int:
        return self._counts.get(key, 0)

    async def release(self, key: str) -> None:
        if self._counts.get(key, 0) > 0:
            self._counts[key] -= 1

    async def clear(self, key: str) -> None:
        self._counts.pop(key, None)

    async def close(self) -> None:
        self._counts.clear()


# DECR only a key that is still there: one that expired meanwhile must not come back as -1,
# with no expiry, as a standing credit of attempts.
_RELEASE = """
if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end
return 0
"""


class RedisCounter:
    """Counts shared by every process: INCR with an expiry, one round trip.

    While Redis cannot be reached the throttle lets requests through (and logs it): phones
    must still join a workshop in progress, and 40-bit codes alone hold for a short outage.
    """

    def __init__(self, client: Redis, prefix: str):
        self.client, self.prefix = client, prefix + "throttle:"

    async def add(self, key: str, expires: int) -> int:
        from redis.exceptions import RedisError

        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.incr(self.prefix + key)
                pipe.expire(self.prefix + key, expires)
                count, _ = await pipe.execute()
                return int(count)
        except RedisError:
            log.warning("throttle: Redis unreachable, not counting", exc_info=True)
            return 0

    async def count(self, key: str) -> int:
        from redis.exceptions import RedisError

        try:
            return int(await self.client.get(self.prefix + key) or 0)
        except RedisError:
            return 0  # as `add`: an outage lets requests through

    async def release(self, key: str) -> None:
        from redis.exceptions import RedisError

        with contextlib.suppress(RedisError):
            await self.client.eval(_RELEASE, 1, self.prefix + key)  # type: ignore[no-untyped-call]

    async def clear(self, key: str) -> None:
        from redis.exceptions import RedisError

        with contextlib.suppress(RedisError):
            await self.client.delete(self.prefix + key)

    async def close(self) -> None:
        await self.client.aclose()


def create_counter(redis_url: str, prefix: str) -> Counter:
    if not redis_url:
        return MemoryCounter()
    from redis.asyncio import BlockingConnectionPool, Redis  # the driver is needed only here

    # A blocking pool: attempts sent at once wait for a connection. The default pool raises
    # when its connections are all in use, which the counter would take for an outage and
    # let those attempts through uncounted.
    pool = BlockingConnectionPool.from_url(
        redis_url, max_connections=50, timeout=5.0, socket_timeout=5.0
    )
    return RedisCounter(Redis.from_pool(pool), prefix)


SETTLE = 0.05  # seconds before the first look again while attempts in flight settle
SETTLE_MOST = 0.4  # and at most between looks: thousands may wait at once


@dataclass(frozen=True)
class Attempt:
    """An attempt counted before it runs, under one key per limit (`keys`; `failures` are
    the keys of failures alone); `allowed` when every limit had room for it."""

    keys: tuple[str, ...]
    failures: tuple[str, ...]
    windows: tuple[int, ...]  # each limit's, in seconds: how long its counts are kept
    allowed: bool
    spent: bool = False  # refused because a limit's failures are used up: waiting is no use


class Throttle:
    """Attempts by key within each limit's current window.

    An attempt is counted (atomically: INCR, or one step of the event loop) before it is
    checked, so attempts still running count too: 80 wrong passwords sent at once meet the
    limit as 80 sent one by one do. A refused attempt is taken back (it never ran), and so
    is one that turns out not to be a failure (`release`); a failure stays counted.

    An attempt that finds no room only because of attempts in flight waits (`patience`)
    for them to settle before it is refused: the phones of a whole venue share one address
    behind its NAT, and thousands of them joining with the right code at once must all get
    in. One whose failures are used up is refused at once. Guesses sent at once are held to
    the limit either way: failures and attempts in flight together never pass it.
    """

    def __init__(
        self,
        counter: Counter,
        clock: Clock = time.time,
        patience: float = 5.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.counter, self.clock, self.patience, self.sleep = counter, clock, patience, sleep

    def _key(self, limit: Limit, key: str) -> str:
        return f"{limit.name}:{int(self.clock() // limit.window)}:{key}"

    async def attempt(self, *limits: tuple[Limit, str]) -> Attempt:
        deadline, pause = time.monotonic() + self.patience, SETTLE
        while True:
            attempt = await self._try(limits)
            if attempt.allowed or attempt.spent or time.monotonic() >= deadline:
                return attempt
            # Jittered and growing, so that a crowd waiting together does not look together.
            await self.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(2 * pause, SETTLE_MOST)

    async def _try(self, limits: tuple[tuple[Limit, str], ...]) -> Attempt:
        keys = tuple(self._key(limit, key) for limit, key in limits)
        failures = tuple(f"failed:{key}" for key in keys)
        windows = tuple(limit.window for limit, _ in limits)
        for (limit, _), failed in zip(limits, failures, strict=True):
            if await self.counter.count(failed) >= limit.failures:
                return Attempt(keys, failures, windows, allowed=False, spent=True)
        allowed = True
        for (limit, _), key in zip(limits, keys, strict=True):
            allowed = await self.counter.add(key, limit.window) <= limit.failures and allowed
        attempt = Attempt(keys, failures, windows, allowed)
        if not allowed:
            await self.release(attempt)
        return attempt

    async def release(self, attempt: Attempt) -> None:
        """Take back an attempt that did not fail; the keys are its own window's."""
        for key in attempt.keys:
            await self.counter.release(key)

    async def failed(self, attempt: Attempt) -> None:
        """The attempt failed: it stays counted, and counts among the failures too."""
        for failed, window in zip(attempt.failures, attempt.windows, strict=True):
            await self.counter.add(failed, window)

    async def clear(self, limit: Limit, key: str) -> None:
        counted = self._key(limit, key)
        await self.counter.clear(counted)
        await self.counter.clear(f"failed:{counted}")


class TokenBucket:
    """Messages one socket may send: `burst` at once, then `rate` a second."""

    def __init__(self, rate: float, burst: int, clock: Clock = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = float(burst)
        self.at = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


MAX_FRAME = 64 * 1024  # bytes; also uvicorn's ws_max_size in `facilitator serve`


@dataclass(frozen=True)
class SocketLimits:
    max_message: int  # characters; more than any command needs: an error frame
    rate: float  # messages a second, after
    burst: int  # this many at once
    max_frame: int = MAX_FRAME  # bytes; the socket closes, as uvicorn does in front


SLOW_DOWN = N_("You are sending too fast. Please wait a moment.")


class Verdict(IntEnum):
    """What to do with one message; the closing verdicts are WebSocket close codes."""

    ok = 0
    slow_down = 1  # an error frame, the message dropped
    flood = 1008  # still sending after another `burst` of slow-downs: policy violation
    too_big = 1009


class SocketGuard:
    """The limits of one socket, message by message."""

    def __init__(self, limits: SocketLimits, clock: Clock = time.monotonic):
        self.limits = limits
        self.bucket = TokenBucket(limits.rate, limits.burst, clock)
        self.refused = 0

    def admit(self, data: str | bytes) -> Verdict:
        """`data` is a text frame's text or a binary frame's bytes."""
        if len(data) > self.limits.max_frame // 4 and self._size(data) > self.limits.max_frame:
            return Verdict.too_big
        if self.bucket.take():
            self.refused = 0
            return Verdict.ok
        self.refused += 1
        return Verdict.flood if self.refused > self.limits.burst else Verdict.slow_down

    @staticmethod
    def _size(data: str | bytes) -> int:
        return len(data) if isinstance(data, bytes) else len(data.encode())
