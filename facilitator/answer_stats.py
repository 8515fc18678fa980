"""Figures from answers, pure: n, mean, median and distribution of a question at a moment, and
the paired change between two moments on the same devices with a bootstrap interval; and
`results`, the one grouping and pairing of a workshop's answers that mission control, the
projector and the report all show.

The interval is a percentile bootstrap of the mean change, from a seeded generator: the same
answers always give the same interval, on every page, export and machine.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from facilitator import moments
from facilitator.snapshot import QuestionSnap

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


# -- a workshop's results: answers grouped by question, moment and device, and paired --------

BASELINE = "joining"


class AnswerLike(Protocol):
    """One device's answer at one moment (an AnswerSnap, or anything shaped like it)."""

    @property
    def question_id(self) -> int: ...
    @property
    def participant_id(self) -> int: ...
    @property
    def moment(self) -> str: ...
    @property
    def value(self) -> object: ...


@dataclass(frozen=True)
class MomentResult:
    moment: str  # an occasion's key: a moment, or round-N (facilitator.moments)
    summary: Summary


@dataclass(frozen=True)
class ChangeRow:
    later: str  # the moment compared with the baseline
    group: str  # a group's name; "" for the whole event
    change: Change


@dataclass(frozen=True)
class QuestionResult:
    question: QuestionSnap
    moments: tuple[MomentResult, ...]
    changes: tuple[ChangeRow, ...]  # scales asked on joining and later only

    def labels(self) -> tuple[str, ...]:
        """What each bar of the distribution stands for."""
        q = self.question
        if q.kind == "scale":
            return tuple(str(v) for v in range(q.low, q.high + 1))
        return q.choices


def results(
    questions: Sequence[QuestionSnap],
    answers: Iterable[AnswerLike],
    group_of: Mapping[int, str],
    rounds: int = 0,
) -> tuple[QuestionResult, ...]:
    """Each question at each of its occasions (the end of a round once for each of the
    workshop's `rounds`), and the change from the baseline on the same devices for the
    event and for each group (`group_of`: a device's group name). The one computation
    behind mission control, the projector and the report."""
    # question -> moment -> device -> value (one answer per device and moment)
    given: dict[int, dict[str, dict[int, object]]] = defaultdict(lambda: defaultdict(dict))
    for a in answers:
        given[a.question_id][a.moment][a.participant_id] = a.value
    return tuple(
        _question(q, moments.keys(q.moments, rounds), given[q.id], group_of) for q in questions
    )


def _summary(q: QuestionSnap, values: list[object]) -> Summary:
    if q.kind == "scale":
        return scale_summary([v for v in values if _whole(v)], q.low, q.high)  # type: ignore[misc]
    if q.kind == "text":
        return Summary(len(values), None, None, ())
    picked = [v for v in values if _whole(v) or isinstance(v, list)]
    return choice_summary(picked, len(q.choices))  # type: ignore[arg-type]


def _whole(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _question(
    q: QuestionSnap,
    occasions: tuple[str, ...],
    answers: Mapping[str, Mapping[int, object]],
    group_of: Mapping[int, str],
) -> QuestionResult:
    found = tuple(
        MomentResult(m, _summary(q, list(answers.get(m, {}).values()))) for m in occasions
    )
    changes: list[ChangeRow] = []
    if q.kind == "scale" and BASELINE in occasions:
        baseline = answers.get(BASELINE, {})
        for later in (m for m in occasions if m != BASELINE):
            pairs: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for device, value in answers.get(later, {}).items():
                before = baseline.get(device)
                if _whole(before) and _whole(value):
                    pair = (int(before), int(value))  # type: ignore[call-overload]
                    pairs[""].append(pair)
                    if group_of.get(device):
                        pairs[group_of[device]].append(pair)
            changes.append(ChangeRow(later, "", paired_change(pairs[""])))
            changes += [ChangeRow(later, n, paired_change(pairs[n])) for n in sorted(pairs) if n]
    return QuestionResult(q, found, tuple(changes))
