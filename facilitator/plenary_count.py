"""Counting a plenary vote: pure functions, ballots in, scores and places out.

Dots: a recommendation's score is the dots it got. Ranking (Borda count): each ballot
orders every recommendation in the vote; with n of them, the first gets n - 1 points, the
next n - 2, the last 0. Equal scores share a place (1, 2, 2, 4), so a tie shows as a tie.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    id: int
    points: int
    place: int  # 1 is first; equal points, equal place
    tied: bool  # another recommendation has the same points


def dot_points(items: Sequence[int], ballots: Iterable[Mapping[int, int]]) -> dict[int, int]:
    points = dict.fromkeys(items, 0)
    for ballot in ballots:
        for item, dots in ballot.items():
            if item in points:
                points[item] += dots
    return points


def borda_points(items: Sequence[int], ballots: Iterable[Sequence[int]]) -> dict[int, int]:
    points = dict.fromkeys(items, 0)
    n = len(items)
    for order in ballots:
        for index, item in enumerate(order):
            if item in points:
                points[item] += n - 1 - index
    return points


def places(items: Sequence[int], points: Mapping[int, int]) -> list[Score]:
    """Best first; equal points share a place and keep the vote's order among them."""
    ordered = sorted(items, key=lambda i: -points.get(i, 0))
    counts: dict[int, int] = {}
    for item in items:
        counts[points.get(item, 0)] = counts.get(points.get(item, 0), 0) + 1
    out: list[Score] = []
    for index, item in enumerate(ordered):
        value = points.get(item, 0)
        same = out[-1].place if out and out[-1].points == value else index + 1
        out.append(Score(item, value, same, counts[value] > 1))
    return out


# -- turnout and the whole count --------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """A group as turnout counts it: its phones now, and its round ('' without rounds)."""

    group_id: int
    group: str
    round_id: int | None
    round: str
    phones: int


@dataclass(frozen=True)
class Cast:
    """One device's ballot: dots by recommendation, or an order; where the phone sat."""

    marks: Mapping[int, int] | Sequence[int]
    group_id: int | None
    round_id: int | None


@dataclass(frozen=True)
class Turnout:
    label: str
    voted: int
    phones: int


@dataclass(frozen=True)
class Tally:
    method: str
    scores: list[Score]
    voted: int
    phones: int
    groups: list[Turnout]
    rounds: list[Turnout]  # empty in a workshop without rounds

    @property
    def top(self) -> int:
        return max((s.points for s in self.scores), default=0)


def tally(
    method: str, items: Sequence[int], ballots: Sequence[Cast], seats: Sequence[Seat]
) -> Tally:
    """The whole count: scores with places, and turnout for the event, each group and each
    round. A phone counts where it sat when it voted; `phones` are those seated now."""
    if method == "ranking":
        points = borda_points(items, [b.marks for b in ballots if isinstance(b.marks, list)])
    else:
        points = dot_points(items, [b.marks for b in ballots if isinstance(b.marks, dict)])
    by_group: dict[int | None, int] = {}
    by_round: dict[int | None, int] = {}
    for ballot in ballots:
        by_group[ballot.group_id] = by_group.get(ballot.group_id, 0) + 1
        by_round[ballot.round_id] = by_round.get(ballot.round_id, 0) + 1
    groups = [Turnout(s.group, by_group.get(s.group_id, 0), s.phones) for s in seats]
    rounds: dict[int, Turnout] = {}
    for seat in seats:
        if seat.round_id is None:
            continue
        was = rounds.get(seat.round_id, Turnout(seat.round, by_round.get(seat.round_id, 0), 0))
        rounds[seat.round_id] = Turnout(was.label, was.voted, was.phones + seat.phones)
    return Tally(
        method,
        places(items, points),
        len(ballots),
        sum(s.phones for s in seats),
        groups,
        list(rounds.values()),
    )
