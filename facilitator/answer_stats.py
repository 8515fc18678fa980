"""Figures from answers, pure: n, mean, median and distribution of a question at a moment, and
the paired change between two moments on the same devices with a bootstrap interval.

The interval is a percentile bootstrap of the mean change, from a seeded generator: the same
answers always give the same interval, on every page, export and machine.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

RESAMPLES = 2000
SEED = 24  # any fixed number: the interval must not move between two reloads
LEVEL = 0.95


@dataclass(frozen=True)
class Summary:
    """One question at one moment."""

    n: int  # devices that answered
    mean: float | None  # scales only
    median: float | None
    distribution: tuple[int, ...]  # devices per scale value (low..high) or per choice

    @property
    def peak(self) -> int:
        return max(self.distribution, default=0)


def scale_summary(values: Sequence[int], low: int, high: int) -> Summary:
    counts = [0] * (high - low + 1)
    for v in values:
        if low <= v <= high:  # a stored value is always in range; be safe anyway
            counts[v - low] += 1
    if not values:
        return Summary(0, None, None, tuple(counts))
    return Summary(
        len(values), statistics.fmean(values), float(statistics.median(values)), tuple(counts)
    )


def choice_summary(answers: Sequence[int | Sequence[int]], choices: int) -> Summary:
    """Devices per choice: a multiple choice answer counts once for each choice it ticks."""
    counts = [0] * choices
    for answer in answers:
        for picked in [answer] if isinstance(answer, int) else answer:
            if 0 <= picked < choices:
                counts[picked] += 1
    return Summary(len(answers), None, None, tuple(counts))


@dataclass(frozen=True)
class Change:
    """The change from one moment to a later one, on the devices that answered both."""

    n: int  # pairs
    mean: float | None  # mean of (later - earlier)
    low: float | None  # the 95% interval of that mean; None under two pairs
    high: float | None

    @property
    def clear(self) -> bool:
        """Whether the interval leaves out zero: a change unlikely to be chance alone."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def paired_change(
    pairs: Sequence[tuple[int, int]], resamples: int = RESAMPLES, seed: int = SEED
) -> Change:
    """Mean change over (earlier, later) pairs, with a seeded percentile bootstrap interval."""
    diffs = [later - earlier for earlier, later in pairs]
    if not diffs:
        return Change(0, None, None, None)
    mean = statistics.fmean(diffs)
    if len(diffs) < 2:
        return Change(1, mean, None, None)
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(statistics.fmean(rng.choices(diffs, k=n)) for _ in range(resamples))
    tail = (1 - LEVEL) / 2
    return Change(n, mean, _quantile(means, tail), _quantile(means, 1 - tail))


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    at = q * (len(ordered) - 1)
    below = int(at)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (at - below)
