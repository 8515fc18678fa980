"""The plenary vote as it stands, read from its row: open or not, what is in it, and the
vote as a phone shows it (its ballot card). Reads only; the commands are in `plenary`,
the results in `plenary_views`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from sqlmodel import Session, col, select

from facilitator.domain.actors import Participant
from facilitator.models import Ballot, Plenary, Recommendation, utcnow
from facilitator.snapshot import utc


def items_of(plenary: Plenary) -> list[int]:
    return [int(i) for i in orjson.loads(plenary.items)]


def is_open(plenary: Plenary | None, now: dt.datetime | None = None) -> bool:
    if plenary is None or plenary.opened_at is None or plenary.closed_at is not None:
        return False
    return plenary.closes_at is None or utc(plenary.closes_at) > (now or utcnow())


def status_of(plenary: Plenary | None) -> str:
    """ "none" (not set up), "ready" (set up, not opened), "open" or "closed"."""
    if plenary is None:
        return "none"
    if is_open(plenary):
        return "open"
    return "ready" if plenary.opened_at is None else "closed"


def marks_of(ballot: Ballot) -> dict[int, int] | list[int]:
    raw = orjson.loads(ballot.marks)
    if isinstance(raw, dict):
        return {int(k): int(v) for k, v in raw.items()}
    return [int(i) for i in raw]


def my_ballot(s: Session, who: Participant) -> dict[int, int] | list[int] | None:
    ballot = s.get(Ballot, (who.workshop_id, who.id))
    return None if ballot is None else marks_of(ballot)


def titles(s: Session, ids: Sequence[int]) -> dict[int, Recommendation]:
    if not ids:
        return {}
    rows = s.exec(select(Recommendation).where(col(Recommendation.id).in_(list(ids)))).all()
    return {r.id: r for r in rows if r.id is not None}


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    text: str


@dataclass(frozen=True)
class VoteView:
    """The vote as a phone shows it; `mine` is this device's ballot (None: none yet)."""

    workshop_id: int
    status: str  # status_of
    method: str
    budget: int
    cap: int
    closes_at: dt.datetime | None
    now: dt.datetime
    items: tuple[Item, ...]
    mine: dict[int, int] | list[int] | None = None

    def ordered(self) -> tuple[Item, ...]:
        """For a ranking: the device's order if it has one, else the vote's."""
        if not isinstance(self.mine, list):
            return self.items
        place = {i: n for n, i in enumerate(self.mine)}
        return tuple(sorted(self.items, key=lambda i: place.get(i.id, len(place))))

    def dots(self, item_id: int) -> int:
        return self.mine.get(item_id, 0) if isinstance(self.mine, dict) else 0


def vote(s: Session, workshop_id: int, who: Participant | None = None) -> VoteView | None:
    """The vote for a phone (with its ballot), or None while it is not set up."""
    plenary = s.get(Plenary, workshop_id)
    if plenary is None:
        return None
    return view_of(s, plenary, my_ballot(s, who) if who is not None else None)


def view_of(s: Session, plenary: Plenary, mine: dict[int, int] | list[int] | None) -> VoteView:
    """The vote with these marks as the phone's ballot (a command has them in hand)."""
    ids = items_of(plenary)
    found = titles(s, ids)
    items = tuple(Item(i, found[i].title, found[i].text) for i in ids if i in found)
    closes = utc(plenary.closes_at) if plenary.closes_at else None
    return VoteView(
        plenary.workshop_id,
        status_of(plenary),
        plenary.method,
        plenary.budget,
        plenary.cap,
        closes,
        utcnow(),
        items,
        mine,
    )
