"""The hub on both backends: delivery by channel, the bounded queue's LOST policy, and the
Redis hub's supervised listener, which reconnects, resubscribes and says LOST after a drop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from facilitator.hub import LOST, Hub, create_hub
from facilitator.hub.redis import RedisHub
from tests import backends

WAIT = 10.0  # seconds; generous, a wait is never an assertion


@pytest.fixture(params=["memory", "redis"])
def hub_url(request: pytest.FixtureRequest) -> str:
    if request.param == "redis":
        backends.require_servers()
        return backends.REDIS
    return ""


async def _with_hub(url: str, body: Callable[[Hub], Awaitable[None]], size: int = 1000) -> None:
    hub = create_hub(url, queue_size=size, prefix=backends.redis_prefix())
    await hub.connect()
    try:
        await body(hub)
    finally:
        await hub.disconnect()


async def until(predicate: Callable[[], bool]) -> None:
    """Wait for a state that is only observable by asking (as /healthz asks)."""
    async with asyncio.timeout(WAIT):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def test_a_subscriber_gets_its_channels_messages_in_order_and_no_others(hub_url: str) -> None:
    async def body(hub: Hub) -> None:
        async with hub.subscribe("group:1") as one, hub.subscribe("group:2") as two:
            for n in range(5):
                await hub.publish("group:1", b"one-%d" % n)
            await hub.publish("group:2", b"two")
            async with asyncio.timeout(WAIT):
                assert [await one.get() for _ in range(5)] == [b"one-%d" % n for n in range(5)]
                assert await two.get() == b"two"
        assert hub.healthy()

    asyncio.run(_with_hub(hub_url, body))


def test_a_full_queue_is_emptied_and_says_lost(hub_url: str) -> None:
    async def body(hub: Hub) -> None:
        async with hub.subscribe("group:1") as sub, hub.subscribe("group:2") as marker:
            for n in range(3):  # one more than the queue holds
                await hub.publish("group:1", b"%d" % n)
            await hub.publish("group:1", b"after")
            await hub.publish("group:2", b"done")
            async with asyncio.timeout(WAIT):
                # Delivered in publish order: once the marker is here, so is all before it.
                assert await marker.get() == b"done"
                assert await sub.get() is LOST  # the subscriber re-reads the log by seq
                assert await sub.get() == b"after"

    asyncio.run(_with_hub(hub_url, body, size=2))


def test_the_redis_hub_reconnects_resubscribes_and_says_lost_after_a_drop() -> None:
    backends.require_servers()

    async def body(hub: Hub) -> None:
        assert isinstance(hub, RedisHub)
        async with hub.subscribe("group:1") as sub:
            assert backends.kill_redis_clients(hub.prefix) >= 1
            async with asyncio.timeout(WAIT):
                assert await sub.get() is LOST  # whatever was sent meanwhile, re-read it
            await until(hub.healthy)
            assert hub.reconnects == 1
            await hub.publish("group:1", b"after")  # the publishing client reconnects too
            async with asyncio.timeout(WAIT):
                assert await sub.get() == b"after"

    asyncio.run(_with_hub(backends.REDIS, body))


def test_the_redis_hub_is_unhealthy_while_redis_refuses_it() -> None:
    backends.require_servers()

    async def body(hub: Hub) -> None:
        assert isinstance(hub, RedisHub) and hub.healthy()
        hub.url = "redis://127.0.0.1:1/0"  # as if Redis went away for good
        backends.kill_redis_clients(hub.prefix)
        await until(lambda: not hub.healthy())
        hub.url = backends.REDIS  # and came back
        await until(hub.healthy)

    asyncio.run(_with_hub(backends.REDIS, body))


def test_an_unreachable_redis_stops_the_start_with_a_clear_error() -> None:
    hub = create_hub("redis://127.0.0.1:1/0")
    with pytest.raises(Exception, match=r"(?i)connect"):
        asyncio.run(hub.connect())


def test_an_unknown_hub_url_is_refused() -> None:
    with pytest.raises(ValueError, match="redis://"):
        create_hub("kafka://somewhere")
