"""The gallery's part of a workshop's snapshot (the room's +1s, each ended round's seats),
read, and restored from an archive by the rules of the commands."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from facilitator import i18n
from facilitator.domain import archive_rules as rules
from facilitator.i18n import N_
from facilitator.models import GalleryPlus, Group, Recommendation, RoundSeat
from facilitator.snapshot import GalleryPlusSnap, SeatSnap, Snapshot, utc


def read(s: Session, workshop_id: int) -> dict[str, Any]:
    """The snapshot's gallery fields, as keyword arguments."""
    plus = s.exec(
        select(GalleryPlus)
        .join(Recommendation, col(Recommendation.id) == GalleryPlus.recommendation_id)
        .where(Recommendation.workshop_id == workshop_id, col(GalleryPlus.given))
        .order_by(col(GalleryPlus.recommendation_id), col(GalleryPlus.participant_id))
    ).all()
    seats = s.exec(
        select(RoundSeat)
        .join(Group, col(Group.id) == RoundSeat.group_id)
        .where(Group.workshop_id == workshop_id)
        .order_by(col(RoundSeat.round_id), col(RoundSeat.participant_id))
    ).all()
    return {
        "gallery_plus": tuple(
            GalleryPlusSnap(p.recommendation_id, p.participant_id, utc(p.created_at)) for p in plus
        ),
        "seats": tuple(SeatSnap(t.round_id, t.participant_id, t.group_id) for t in seats),
    }


def restore(
    s: Session,
    snap: Snapshot,
    rec_ids: dict[int, int],
    people: dict[int, int],
    group_ids: dict[int, int],
) -> None:
    """The file's +1s (one per phone per group recommendation: one agreed, or agreed once
    and taken back, which keeps its +1s) and seats (one per phone per round, in a group of
    that round)."""
    given: set[tuple[int, int]] = set()
    for n, p in enumerate(snap.gallery_plus):
        at = f"gallery_plus[{n}]"
        rec = rules.ref(rec_ids, p.recommendation_id, f"{at}.recommendation_id")
        person = rules.ref(people, p.participant_id, f"{at}.participant_id")
        if (rec, person) in given:
            message = i18n.gettext(N_("You have given this recommendation your +1 already."))
            raise rules.BadArchive(at, message)
        given.add((rec, person))
        s.add(
            GalleryPlus(
                recommendation_id=rec,
                participant_id=person,
                client_key=f"imported-{n}",
                created_at=p.created_at,
                updated_at=p.created_at,
            )
        )
    rounds = {g.id: g.round_id for g in snap.groups}
    seated: set[tuple[int, int]] = set()
    for n, t in enumerate(snap.seats):
        at = f"seats[{n}]"
        group = rules.ref(group_ids, t.group_id, f"{at}.group_id")
        person = rules.ref(people, t.participant_id, f"{at}.participant_id")
        if rounds.get(t.group_id) != t.round_id or (t.round_id, person) in seated:
            message = i18n.gettext(N_("A phone sits in one group of each round."))
            raise rules.BadArchive(f"{at}.round_id", message)
        seated.add((t.round_id, person))
        row = s.get(Group, group)
        assert row is not None and row.round_id is not None
        s.add(RoundSeat(round_id=row.round_id, participant_id=person, group_id=group))
