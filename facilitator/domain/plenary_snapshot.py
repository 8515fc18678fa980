"""The plenary vote's part of a workshop's snapshot, read, and restored from an archive by
the same checks as a live ballot."""

from __future__ import annotations

from typing import Any

import orjson
from sqlmodel import Session, col, select

from facilitator.domain import archive_rules as rules
from facilitator.domain import plenary as pl
from facilitator.domain.errors import Invalid
from facilitator.domain.plenary_vote import items_of, marks_of
from facilitator.models import Ballot, Group, Plenary, PlenaryMethod, utcnow
from facilitator.snapshot import BallotSnap, PlenarySnap, Snapshot, utc


def read(s: Session, workshop_id: int) -> dict[str, Any]:
    """The snapshot's plenary fields, as keyword arguments."""
    row = s.get(Plenary, workshop_id)
    if row is None:
        return {}
    ballots = s.exec(
        select(Ballot)
        .where(Ballot.workshop_id == workshop_id)
        .order_by(col(Ballot.cast_at), col(Ballot.participant_id))
    ).all()
    return {
        "plenary": PlenarySnap(
            str(row.method),
            row.budget,
            row.cap,
            tuple(items_of(row)),
            utc(row.opened_at) if row.opened_at else None,
            utc(row.closes_at) if row.closes_at else None,
            utc(row.closed_at) if row.closed_at else None,
        ),
        "ballots": tuple(_snap(b) for b in ballots),
    }


def _snap(b: Ballot) -> BallotSnap:
    marks = marks_of(b)
    dots = marks if isinstance(marks, dict) else {}
    ranking = tuple(marks) if isinstance(marks, list) else ()
    return BallotSnap(
        b.participant_id,
        b.group_id,
        b.round_id,
        dots,
        ranking,
        utc(b.cast_at),
        utc(b.updated_at),
    )


def restore(
    s: Session,
    snap: Snapshot,
    workshop_id: int,
    group_ids: dict[int, int],
    people: dict[int, int],
    final_ids: dict[int, int],
) -> None:
    """The vote and its ballots, with this instance's ids; each ballot checked against the
    vote as a live one is (a bad file is refused whole, with where)."""
    if snap.plenary is None:
        return
    p = snap.plenary
    items = [rules.ref(final_ids, i, f"plenary.items[{n}]") for n, i in enumerate(p.items)]
    row = Plenary(
        workshop_id=workshop_id,
        method=PlenaryMethod(p.method) if p.method in set(PlenaryMethod) else _bad("method"),
        budget=p.budget,
        cap=p.cap,
        items=orjson.dumps(items).decode(),
        opened_at=p.opened_at,
        closes_at=p.closes_at,
        closed_at=p.closed_at,
    )
    s.add(row)
    s.flush()
    groups = s.exec(select(Group).where(Group.workshop_id == workshop_id)).all()
    rounds = {g.id: g.round_id for g in groups}
    for n, b in enumerate(snap.ballots):
        at = f"ballots[{n}]"
        who = rules.ref(people, b.participant_id, f"{at}.participant_id")
        group = rules.ref(group_ids, b.group_id, f"{at}.group_id") if b.group_id else None
        dots = {final_ids.get(k, -1): v for k, v in b.dots.items()}
        ranking = [final_ids.get(k, -1) for k in b.ranking]
        try:
            marks = pl.check_ballot(row, dots or None, ranking or None)
        except Invalid as exc:
            raise rules.BadArchive(at, exc.message) from None
        ballot = Ballot(
            workshop_id=workshop_id,
            participant_id=who,
            marks="",
            group_id=group,
            round_id=rounds.get(group) if group is not None else None,
            cast_at=b.cast_at or p.opened_at or utcnow(),
            updated_at=b.updated_at or b.cast_at or p.opened_at or utcnow(),
        )
        pl.keep(s, row, ballot, marks)


def _bad(what: str) -> PlenaryMethod:
    raise rules.BadArchive(f"plenary.{what}", "dots or ranking")
