"""Where a workshop's rounds stand: which is on now, and which groups phones may join."""

from __future__ import annotations

from sqlmodel import Session, col, select

from facilitator.models import Group, Round, RoundSeat

MAX_ROUNDS = 12


def ordered(s: Session, workshop_id: int) -> list[Round]:
    return list(
        s.exec(select(Round).where(Round.workshop_id == workshop_id).order_by(col(Round.position)))
    )


def current_round(s: Session, workshop_id: int) -> Round | None:
    """The last round started, else the first; None in a workshop without rounds."""
    rounds = ordered(s, workshop_id)
    started = [r for r in rounds if r.started_at is not None]
    return started[-1] if started else (rounds[0] if rounds else None)


def group_ids(s: Session, round_id: int) -> list[int]:
    rows = s.exec(select(Group.id).where(Group.round_id == round_id).order_by(col(Group.position)))
    return [g for g in rows if g is not None]


def open_group_ids(s: Session, workshop_id: int) -> list[int] | None:
    """The groups a phone may join now: the current round's; None: any (no rounds)."""
    now = current_round(s, workshop_id)
    return None if now is None or now.id is None else group_ids(s, now.id)


def joinable(s: Session, group: Group) -> bool:
    """Whether phones may join this group now: it is in the current round, or the
    workshop has no rounds."""
    if group.round_id is None:
        return True
    now = current_round(s, group.workshop_id)
    return now is not None and now.id == group.round_id


def seated(s: Session, participant_id: int, group_id: int) -> bool:
    """Whether the phone sat in this group in a round that has ended."""
    found = s.exec(
        select(RoundSeat.round_id).where(
            RoundSeat.participant_id == participant_id, RoundSeat.group_id == group_id
        )
    ).first()
    return found is not None
