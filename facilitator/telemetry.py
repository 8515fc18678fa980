"""How the server is doing, as Prometheus metrics (`/metrics`, the Server panel).

Not to be confused with `facilitator.metrics`, the participation figures of a workshop.

Every instrument is defined here once, with prometheus-client; the layers record into them
(store: writes; hub: publishing, Redis; live: sockets, frames, acks; web: commands). When
`serve --workers N` runs several processes, the client's multiprocess mode (its
PROMETHEUS_MULTIPROC_DIR, set by the command line before the workers start) keeps each
process's values in a file, and a scrape adds them up (`registry()`).

The hottest counts (every frame sent to every socket) are plain integers in `TALLY`, moved
into their counters by `Sampler.sample`, a few times a minute and at each scrape: a metric's
`inc` takes a lock, and in multiprocess mode writes to a file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.process_collector import ProcessCollector

log = logging.getLogger(__name__)

# Seconds: from a millisecond to ten seconds, where a person notices and then gives up.
LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SAMPLE_SECONDS = 5.0  # how often a process moves its tallies and gauges into the metrics
LAG_SECONDS = 0.5  # how often the event loop's lag is measured

# The instruments register nowhere: `registry()` builds what a scrape reads.
SOCKETS = Gauge(
    "facilitator_sockets_open",
    "WebSockets open, by audience (participant, facilitator, projector).",
    ["audience"],
    registry=None,
    multiprocess_mode="livesum",
)
FRAMES_SENT = Counter(
    "facilitator_frames_sent", "WebSocket messages written to sockets.", registry=None
)
BYTES_SENT = Counter(
    "facilitator_sent_bytes", "Bytes of WebSocket messages written to sockets.", registry=None
)
FRAMES_RECEIVED = Counter(
    "facilitator_frames_received", "WebSocket messages received from sockets.", registry=None
)
BYTES_RECEIVED = Counter(
    "facilitator_received_bytes", "Bytes of WebSocket messages received.", registry=None
)
COMMANDS = Counter(
    "facilitator_commands",
    "Commands run (from sockets and forms), by kind; refused ones included.",
    ["kind"],
    registry=None,
)
REFUSED = Counter(
    "facilitator_commands_refused",
    "Commands and socket messages refused, by reason.",
    ["reason"],
    registry=None,
)
WRITES_WAITING = Gauge(
    "facilitator_writes_waiting",
    "Write jobs handed to the write path and not yet answered (its queue depth).",
    registry=None,
    multiprocess_mode="livesum",
)
WRITE_SECONDS = Histogram(
    "facilitator_write_seconds",
    "From a write job handed to the write path to its commit answered.",
    buckets=LATENCY,
    registry=None,
)
ACK_SECONDS = Histogram(
    "facilitator_ack_seconds",
    "From a socket's command received to its answer queued for that socket.",
    buckets=LATENCY,
    registry=None,
)
PUBLISH_SECONDS = Histogram(
    "facilitator_hub_publish_seconds",
    "From a committed event handed to the publisher to its publication on the hub.",
    buckets=LATENCY,
    registry=None,
)
PUBLISH_DROPPED = Counter(
    "facilitator_hub_publish_dropped",
    "Events not published because the publish queue was full (rooms read them by seq).",
    registry=None,
)
REDIS_RECONNECTS = Counter(
    "facilitator_redis_reconnects", "Times the Redis hub connected again.", registry=None
)
LOOP_LAG = Histogram(
    "facilitator_event_loop_lag_seconds",
    "How late the event loop ran a timer: time it spent busy on other work.",
    buckets=LATENCY,
    registry=None,
)
MEMORY = Gauge(
    "facilitator_process_resident_memory_bytes",
    "Resident memory of each server process.",
    registry=None,
    multiprocess_mode="liveall",
)
CPU = Gauge(
    "facilitator_process_cpu_seconds",
    "CPU time (user and system) each server process has used.",
    registry=None,
    multiprocess_mode="liveall",
)
GROUPS_LIVE = Gauge(
    "facilitator_groups_live",
    "Channels (groups, workshops) with a socket open, counted per process.",
    registry=None,
    multiprocess_mode="livesum",
)
WORKSHOPS_LIVE = Gauge(
    "facilitator_workshops_live",
    "Workshops with a phone connected, counted per process.",
    registry=None,
    multiprocess_mode="livesum",
)
INSTRUMENTS = (
    SOCKETS,
    FRAMES_SENT,
    BYTES_SENT,
    FRAMES_RECEIVED,
    BYTES_RECEIVED,
    COMMANDS,
    REFUSED,
    WRITES_WAITING,
    WRITE_SECONDS,
    ACK_SECONDS,
    PUBLISH_SECONDS,
    PUBLISH_DROPPED,
    REDIS_RECONNECTS,
    LOOP_LAG,
    MEMORY,
    CPU,
    GROUPS_LIVE,
    WORKSHOPS_LIVE,
)


class Tally:
    """Counts too frequent for a metric's lock: plain integers, read by the sampler."""

    __slots__ = ("bytes_received", "bytes_sent", "frames_received", "frames_sent")

    def __init__(self) -> None:
        self.frames_sent = self.bytes_sent = self.frames_received = self.bytes_received = 0

    def sent(self, size: int) -> None:
        self.frames_sent += 1
        self.bytes_sent += size

    def received(self, size: int) -> None:
        self.frames_received += 1
        self.bytes_received += size


TALLY = Tally()


def multiprocess_dir() -> str | None:
    """Where prometheus-client keeps each process's values, when several processes serve."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def registry() -> CollectorRegistry:
    """What a scrape reads: this process's instruments, or every process's files."""
    reg = CollectorRegistry(auto_describe=True)
    path = multiprocess_dir()
    if path is not None:
        MultiProcessCollector(reg, path=path)
    else:
        for instrument in INSTRUMENTS:
            reg.register(instrument)
    return reg


def process_ended() -> None:
    """A server process stops: its live gauges leave the sums (its counters stay)."""
    path = multiprocess_dir()
    if path is not None:
        mark_process_dead(os.getpid(), path)


@dataclass(frozen=True)
class Census:
    """What is open in this process now, counted by the app from its rooms."""

    sockets: dict[str, int] = field(default_factory=dict)  # by audience
    channels: int = 0
    workshops: int = 0


class Sampler:
    """Moves tallies and gauges into the metrics, and measures the event loop's lag."""

    def __init__(self, census: Callable[[], Census], audiences: Iterable[str]):
        self._census = census
        self._audiences = tuple(audiences)
        self._moved = Tally()
        self._process = ProcessCollector(registry=None)

    def sample(self) -> None:
        census = self._census()
        for audience in self._audiences:
            SOCKETS.labels(audience).set(census.sockets.get(audience, 0))
        GROUPS_LIVE.set(census.channels)
        WORKSHOPS_LIVE.set(census.workshops)
        moved = self._moved
        for counter, name in (
            (FRAMES_SENT, "frames_sent"),
            (BYTES_SENT, "bytes_sent"),
            (FRAMES_RECEIVED, "frames_received"),
            (BYTES_RECEIVED, "bytes_received"),
        ):
            now = getattr(TALLY, name)
            if now > getattr(moved, name):
                counter.inc(now - getattr(moved, name))
            setattr(moved, name, now)
        for family in self._process.collect():
            value = _first_value(family)
            if family.name == "process_resident_memory_bytes" and value is not None:
                MEMORY.set(value)
            elif family.name == "process_cpu_seconds" and value is not None:
                CPU.set(value)

    async def run(self) -> None:
        """Sample every SAMPLE_SECONDS; measure the loop's lag every LAG_SECONDS."""
        loop = asyncio.get_running_loop()
        next_sample = 0.0
        while True:
            asked = loop.time()
            await asyncio.sleep(LAG_SECONDS)
            now = loop.time()
            LOOP_LAG.observe(max(0.0, now - asked - LAG_SECONDS))
            if now >= next_sample:
                next_sample = now + SAMPLE_SECONDS
                try:
                    self.sample()
                except Exception:  # a census that fails must not stop the measurements
                    log.exception("sampling the server's figures failed")


def _first_value(family: Metric) -> float | None:
    return family.samples[0].value if family.samples else None


def since(started: float) -> float:
    """Seconds since a `time.perf_counter()` reading, for a histogram."""
    return time.perf_counter() - started
