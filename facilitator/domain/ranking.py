"""The vote's results: what took the dots, ranked, with ties shown as ties; and how many
phones have voted so far. Pure functions of what the board already read, plus one count."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator.models import Group, Participant, Vote


@dataclass(frozen=True)
class Turnout:
    """How many of the group's phones have put at least one dot down."""

    voters: int
    phones: int


@dataclass(frozen=True)
class Ranked:
    kind: str  # "cluster" (a theme) or "idea" (one not in a theme)
    id: int
    label: str
    dots: int
    rank: int  # 1 for the most dots; equal dots share a rank (1, 1, 3)
    tied: bool  # another item has as many dots
    ideas: int  # for a theme, how many ideas it holds; 1 for an idea
    share: int  # the bar's length: per cent of the top item's dots

    @property
    def item(self) -> str:
        return f"{self.kind}-{self.id}"


def turnout(s: Session, group_id: int) -> Turnout:
    voters = s.exec(
        select(func.count(func.distinct(Vote.participant_id))).where(Vote.group_id == group_id)
    ).one()
    phones = s.exec(
        select(func.count()).select_from(Participant).where(Participant.group_id == group_id)
    ).one()
    return Turnout(voters, max(phones, voters))  # a voter who moved on still voted here


def turnout_by_group(s: Session, workshop_id: int) -> dict[int, Turnout]:
    """Every group's turnout in a workshop, counted as `turnout` counts one group's."""
    voters = dict(
        s.exec(
            select(Vote.group_id, func.count(func.distinct(Vote.participant_id)))
            .join(Group, col(Group.id) == Vote.group_id)
            .where(Group.workshop_id == workshop_id)
            .group_by(col(Vote.group_id))
        ).all()
    )
    phones: dict[int, int] = {}
    for group_id, count in s.exec(
        select(Participant.group_id, func.count())
        .where(Participant.workshop_id == workshop_id)
        .group_by(col(Participant.group_id))
    ).all():
        if group_id is not None:
            phones[group_id] = count
    out = {}
    for group_id in voters.keys() | phones.keys():
        voted = voters.get(group_id, 0)
        out[group_id] = Turnout(voted, max(phones.get(group_id, 0), voted))
    return out


def rank(items: list[tuple[str, int, str, int]], tallies: dict[str, int]) -> list[Ranked]:
    """Items (kind, id, label, ideas held) ranked by their dots, most first; equal dots keep
    the board's order and share a rank."""
    dots = [tallies.get(f"{kind}-{ident}", 0) for kind, ident, _, _ in items]
    top = max(dots, default=0)
    order = sorted(range(len(items)), key=lambda i: -dots[i])
    out = []
    for i in order:
        kind, ident, label, held = items[i]
        n = dots[i]
        out.append(
            Ranked(
                kind,
                ident,
                label,
                n,
                rank=1 + sum(1 for d in dots if d > n),
                tied=dots.count(n) > 1,
                ideas=held,
                share=round(100 * n / top) if top else 0,
            )
        )
    return out
