"""The hub carries committed events between processes: `publish` and `subscribe` by channel."""

from __future__ import annotations

from facilitator.hub.base import LOST, Hub, Message, Subscription
from facilitator.hub.memory import MemoryHub


def create_hub(url: str = "", queue_size: int = 1000, prefix: str = "facilitator:") -> Hub:
    """The backend follows the URL scheme; no URL means in-process."""
    if not url or url.startswith("memory://"):
        return MemoryHub(queue_size=queue_size)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from facilitator.hub.redis import RedisHub  # the driver is needed only here

        return RedisHub(url, queue_size=queue_size, prefix=prefix)
    raise ValueError(f"Unsupported hub URL {url!r}: use redis://, rediss:// or leave it empty")


__all__ = ["LOST", "Hub", "MemoryHub", "Message", "Subscription", "create_hub"]
