"""Counting a plenary vote: pure functions, ballots in, scores and places out.

Dots: a recommendation's score is the dots it got. Ranking (Borda count): each ballot
orders every recommendation in the vote; with n of them, the first gets n - 1 points, the
next n - 2, the last 0. Equal scores share a place (1, 2, 2, 4), so a tie shows as a tie.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Marks = Mapping[int, int] | Sequence[int]  # dots by recommendation, or an order


@dataclass(frozen=True)
class Score:
    id: int
    points: int
    place: int  # 1 is first; equal points, equal place
    tied: bool  # another recommendation has the same points


def ballot_points(method: str, items: Sequence[int], marks: Marks) -> dict[int, int]:
    """The points one ballot gives each recommendation in the vote: its dots, or its Borda
    points (n - 1 for the first of n, down to 0 for the last)."""
    if method == "ranking":
        if not isinstance(marks, Sequence):
            return {}
        n = len(items)
        return {item: n - 1 - index for index, item in enumerate(marks) if item in items}
    if not isinstance(marks, Mapping):
        return {}
    return {item: dots for item, dots in marks.items() if item in items}


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

    marks: Marks
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


Where = tuple[int | None, int | None]  # the group and round a ballot was cast in


@dataclass(frozen=True)
class Counted:
    """What the count needs of the ballots: points by recommendation, and how many ballots
    were cast in each (group, round). The live results read these in SQL; the exports
    add up a snapshot's ballots (`count_casts`)."""

    points: Mapping[int, int]
    cast: Mapping[Where, int]


def count_casts(method: str, items: Sequence[int], casts: Iterable[Cast]) -> Counted:
    points = dict.fromkeys(items, 0)
    cast: dict[Where, int] = {}
    for ballot in casts:
        for item, value in ballot_points(method, items, ballot.marks).items():
            points[item] += value
        where = (ballot.group_id, ballot.round_id)
        cast[where] = cast.get(where, 0) + 1
    return Counted(points, cast)


def tally(method: str, items: Sequence[int], counted: Counted, seats: Sequence[Seat]) -> Tally:
    """The whole count: scores with places, and turnout for the event, each group and each
    round. A phone counts where it sat when it voted; `phones` are those seated now."""
    by_group: dict[int | None, int] = {}
    by_round: dict[int | None, int] = {}
    for (group_id, round_id), n in counted.cast.items():
        by_group[group_id] = by_group.get(group_id, 0) + n
        by_round[round_id] = by_round.get(round_id, 0) + n
    groups = [Turnout(s.group, by_group.get(s.group_id, 0), s.phones) for s in seats]
    rounds: dict[int, Turnout] = {}
    for seat in seats:
        if seat.round_id is None:
            continue
        was = rounds.get(seat.round_id, Turnout(seat.round, by_round.get(seat.round_id, 0), 0))
        rounds[seat.round_id] = Turnout(was.label, was.voted, was.phones + seat.phones)
    return Tally(
        method,
        places(items, counted.points),
        sum(counted.cast.values()),
        sum(s.phones for s in seats),
        groups,
        list(rounds.values()),
    )
