"""The Server panel's one line: green, amber or red, from the same figures as /metrics.

Pure: metric families in, a `Status` out. Latencies are read over a recent window (the
difference between two readings of a histogram), so a slow minute an hour ago no longer
colours the line.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from prometheus_client.metrics_core import Metric

from facilitator.i18n import N_

WINDOW = 60.0  # seconds over which latencies are read
Buckets = dict[float, float]  # a histogram's cumulative counts, by upper bound


class Colour(enum.StrEnum):
    green = "green"
    amber = "amber"
    red = "red"


@dataclass(frozen=True)
class Limits:
    """Where amber and red begin (docs/operations.md, "The Server panel")."""

    ack_amber: float = 0.25  # seconds, p99
    ack_red: float = 1.0
    lag_amber: float = 0.1  # seconds, p99
    lag_red: float = 0.5
    writes_amber: int = 20  # writes waiting
    writes_red: int = 200


LIMITS = Limits()
MEANINGS = {
    Colour.green: N_("All well: answers are quick and nothing is waiting."),
    Colour.amber: N_("Slow: phones wait longer than usual. Watch it; avoid big broadcasts."),
    Colour.red: N_("In trouble: phones wait seconds or the database or hub is unreachable."),
}


@dataclass(frozen=True)
class Reading:
    """The figures the line is made of; latencies in seconds, None when nothing happened."""

    phones: int = 0
    sockets: int = 0
    ack_p99: float | None = None
    loop_lag_p99: float | None = None
    writes_waiting: int = 0
    hub_ok: bool = True
    database_ok: bool = True


@dataclass(frozen=True)
class Status:
    colour: Colour
    reading: Reading
    reasons: tuple[str, ...] = ()  # msgids of what made it amber or red


def judge(reading: Reading, limits: Limits = LIMITS) -> Status:
    reds: list[str] = []
    ambers: list[str] = []
    if not reading.database_ok:
        reds.append(N_("The database does not answer."))
    if not reading.hub_ok:
        reds.append(N_("The hub between processes is unreachable."))
    for value, amber, red, message in (
        (reading.ack_p99, limits.ack_amber, limits.ack_red, N_("Answers to phones are slow.")),
        (
            reading.loop_lag_p99,
            limits.lag_amber,
            limits.lag_red,
            N_("The server is too busy to keep up."),
        ),
        (
            reading.writes_waiting,
            limits.writes_amber,
            limits.writes_red,
            N_("Writes are queueing up."),
        ),
    ):
        if value is None:
            continue
        # Latencies are read as their bucket's upper bound ("at most"): only above a limit
        # is a figure known to be past it.
        if value > red:
            reds.append(message)
        elif value > amber:
            ambers.append(message)
    if reds:
        return Status(Colour.red, reading, tuple(reds + ambers))
    if ambers:
        return Status(Colour.amber, reading, tuple(ambers))
    return Status(Colour.green, reading)


def quantile(now: Buckets, before: Buckets, q: float) -> float | None:
    """The q-quantile of what a histogram counted between two readings: the upper bound of
    the first bucket that holds it (as Prometheus's histogram_quantile would, roughly)."""
    counts = sorted((bound, now[bound] - before.get(bound, 0.0)) for bound in now)
    total = counts[-1][1] if counts else 0.0
    if total <= 0:
        return None
    for bound, count in counts:
        if count >= q * total:
            return bound
    return None  # unreachable: the +Inf bucket holds all


def buckets(families: Iterable[Metric], name: str) -> Buckets:
    """A histogram's cumulative bucket counts, added up over labels and processes."""
    out: Buckets = {}
    for family in families:
        if family.name != name:
            continue
        for sample in family.samples:
            if sample.name == name + "_bucket":
                bound = float(sample.labels["le"])
                out[bound] = out.get(bound, 0.0) + sample.value
    return out


def total(families: Iterable[Metric], name: str, **labels: str) -> float:
    """A gauge or counter's value, added up over the samples that carry these labels."""
    value = 0.0
    for family in families:
        if family.name != name:
            continue
        for sample in family.samples:
            if sample.name in (name, name + "_total") and all(
                sample.labels.get(k) == v for k, v in labels.items()
            ):
                value += sample.value
    return value


@dataclass
class Window:
    """Histogram readings of the last WINDOW seconds, to read latencies over that window."""

    history: deque[tuple[float, dict[str, Buckets]]] = field(default_factory=deque)

    @classmethod
    def starting(cls, families: list[Metric], now: float | None = None) -> Window:
        """A window whose first reading is now: what came before (another app in the same
        process, say) does not count."""
        now = time.monotonic() if now is None else now
        return cls(deque([(now, _histograms(families))]))

    def read(
        self,
        families: list[Metric],
        *,
        hub_ok: bool,
        database_ok: bool,
        now: float | None = None,
    ) -> Reading:
        now = time.monotonic() if now is None else now
        current = _histograms(families)
        while len(self.history) > 1 and self.history[1][0] <= now - WINDOW:
            self.history.popleft()  # keep one reading at least WINDOW old, as the base
        before = self.history[0][1] if self.history else {}
        self.history.append((now, current))
        base = {name: before.get(name, {}) for name in current}
        return Reading(
            phones=int(total(families, "facilitator_sockets_open", audience="participant")),
            sockets=int(total(families, "facilitator_sockets_open")),
            ack_p99=quantile(
                current["facilitator_ack_seconds"], base["facilitator_ack_seconds"], 0.99
            ),
            loop_lag_p99=quantile(
                current["facilitator_event_loop_lag_seconds"],
                base["facilitator_event_loop_lag_seconds"],
                0.99,
            ),
            writes_waiting=int(total(families, "facilitator_writes_waiting")),
            hub_ok=hub_ok,
            database_ok=database_ok,
        )


def _histograms(families: list[Metric]) -> dict[str, Buckets]:
    return {
        name: buckets(families, name)
        for name in ("facilitator_ack_seconds", "facilitator_event_loop_lag_seconds")
    }
