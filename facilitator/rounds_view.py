"""Rounds in the exports (issue #23): each group's round, each round's phones by group, and
where a carried card came from. Pure functions of a snapshot.

Definitions (also in docs/exports.md, "Rounds"):
- phones seated: for a round that has ended, the phones that sat in the group when it
  ended (the seats recorded then); for the round on now, or a workshop without rounds, the
  phones whose group it is now;
- phones that took part: phones that wrote an idea, placed a dot or gave a +1 there.
"""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.snapshot import GroupSnap, IdeaSnap, Snapshot


@dataclass(frozen=True)
class Turnout:
    round: str  # "" in a workshop without rounds
    group: str
    seated: int
    took_part: int


def round_name(snap: Snapshot, group: GroupSnap) -> str:
    return next((r.name for r in snap.rounds if r.id == group.round_id), "")


def turnout(snap: Snapshot) -> list[Turnout]:
    """Each group's phones, in the order of rounds, then groups."""
    ended = {t.round_id for t in snap.seats}
    positions = {r.id: r.position for r in snap.rounds}
    out = []
    for g in sorted(snap.groups, key=lambda g: (positions.get(g.round_id or 0, 0), g.position)):
        if g.round_id in ended:
            seated = sum(1 for t in snap.seats if t.group_id == g.id)
        else:
            seated = sum(1 for p in snap.participants if p.group_id == g.id)
        active = {i.participant_id for i in snap.ideas if i.group_id == g.id}
        active |= {v.voter for v in snap.votes if v.group_id == g.id}
        group_ideas = {i.id for i in snap.ideas if i.group_id == g.id}
        active |= {p.participant_id for p in snap.supports if p.idea_id in group_ideas}
        active.discard(None)
        out.append(Turnout(round_name(snap, g), g.name, seated, len(active)))
    return out


def carried_from(snap: Snapshot, card: IdeaSnap) -> tuple[str, str, str] | None:
    """A carried card's recommendation: (its title, its group, that group's round)."""
    if card.seed_of is None:
        return None
    rec = next((r for r in snap.recommendations if r.id == card.seed_of), None)
    if rec is None:
        return None
    group = snap.group(rec.group_id)
    return rec.title, group.name, round_name(snap, group)
