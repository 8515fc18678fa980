"""Keep Python's cyclic garbage collector off the sockets.

With thousands of open sockets, a full collection scans every object of every connection:
issue #7's benchmark measured full collections of 200-450 ms at 5,000 phones, each a stall
for every socket. Objects moved into the permanent generation (`gc.freeze`) are not scanned.
So, as the number of sockets grows by a quarter, what is alive is frozen. When it falls by
half (the Wi-Fi went), the mark comes down with it, so that the sockets coming back are
frozen as they come. What closed is freed by reference counting, frozen or not: a closed
connection leaves no cycles (`wire.FrameWritingProtocol.connection_lost`; a test
checks). Unfreezing and collecting there instead stalled the loop for 0.8 s at the start
of every reconnect storm, just when 5,000 phones came back.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from dataclasses import dataclass, field

GROWTH = 1.25  # freeze again when there are this many times the sockets of the last freeze
SLACK = 50  # ... and at least this many more
SHRINK = 0.5  # lower the mark when fewer than this share remain
PERIOD = 2.0  # seconds between looks


def freeze_survivors() -> None:
    """Freeze what is alive, after collecting the young generations (a few ms), so that
    garbage waiting there is not frozen with it."""
    gc.collect(1)
    gc.freeze()


@dataclass
class Freezer:
    frozen_at: int = 0  # sockets open at the last freeze
    freeze: Callable[[], None] = field(default=freeze_survivors)

    def look(self, sockets: int) -> None:
        if sockets >= self.frozen_at * GROWTH + SLACK:
            self.freeze()
            self.frozen_at = sockets
        elif sockets < self.frozen_at * SHRINK:
            self.frozen_at = sockets

    async def run(self, count: Callable[[], int]) -> None:
        while True:
            await asyncio.sleep(PERIOD)
            self.look(count())
