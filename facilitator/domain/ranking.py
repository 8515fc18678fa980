"""The vote's results: what took the dots, ranked, with ties shown as ties; and how many
phones have voted so far. Pure functions of what the board already read, plus one count."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from facilitator.models import Participant, Vote


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
