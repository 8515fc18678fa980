"""Keep Python's cyclic garbage collector off the sockets.

With thousands of open sockets, a full collection scans every object of every connection:
issue #7's benchmark measured full collections of 200-450 ms at 5,000 phones, each a stall
for every socket. Objects moved into the permanent generation (`gc.freeze`) are not scanned.
So, as the number of sockets grows by a quarter, what is alive is frozen; when it falls by
half (the Wi-Fi went), what was frozen is unfrozen and collected once, so connections that
closed are not kept for ever, and what survives is frozen again.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from dataclasses import dataclass, field

GROWTH = 1.25  # freeze again when there are this many times the sockets of the last freeze
SLACK = 50  # ... and at least this many more
SHRINK = 0.5  # collect what was frozen when fewer than this share remain
PERIOD = 2.0  # seconds between looks


@dataclass
class Freezer:
    frozen_at: int = 0  # sockets open at the last freeze
    freeze: Callable[[], None] = field(default=gc.freeze)
    unfreeze: Callable[[], None] = field(default=gc.unfreeze)
    collect: Callable[[], object] = field(default=gc.collect)

    def look(self, sockets: int) -> None:
        if sockets >= self.frozen_at * GROWTH + SLACK:
            self.freeze()
            self.frozen_at = sockets
        elif sockets < self.frozen_at * SHRINK:
            self.unfreeze()
            self.collect()
            self.freeze()
            self.frozen_at = sockets

    async def run(self, count: Callable[[], int]) -> None:
        while True:
            await asyncio.sleep(PERIOD)
            self.look(count())
