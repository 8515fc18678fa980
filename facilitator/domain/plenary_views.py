"""What pages show of the plenary vote: the live results (projector and mission control)
and the organiser's set-up (a phone's ballot card is `plenary_vote`'s). Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator.domain.access import require_organiser
from facilitator.domain.actors import Actor
from facilitator.domain.follow_up import finals
from facilitator.domain.plenary_vote import Item, VoteView, items_of, status_of, vote
from facilitator.models import Ballot, BallotPoints, Group, Plenary, Round
from facilitator.models import Participant as ParticipantRow
from facilitator.plenary_count import Counted, Seat, Tally, tally
from facilitator.store import events


@dataclass(frozen=True)
class Row:
    item: Item
    points: int
    place: int
    tied: bool
    share: float  # of the top score, for the bar's length (0..1)


@dataclass(frozen=True)
class Results:
    vote: VoteView
    rows: tuple[Row, ...]
    tally: Tally
    version: str  # changes with the vote and with every ballot (see `version`)


def seats(s: Session, workshop_id: int) -> list[Seat]:
    """Every group with the phones seated in it now, in round then group order."""
    phones = dict(
        s.exec(
            select(ParticipantRow.group_id, func.count())
            .where(ParticipantRow.workshop_id == workshop_id)
            .group_by(col(ParticipantRow.group_id))
        ).all()
    )
    rounds = {r.id: r for r in s.exec(select(Round).where(Round.workshop_id == workshop_id)).all()}
    groups = s.exec(select(Group).where(Group.workshop_id == workshop_id)).all()

    def order(g: Group) -> tuple[int, int, int]:
        at = rounds[g.round_id].position if g.round_id in rounds else 0
        return at, g.position, g.id or 0

    return [
        Seat(
            g.id or 0,
            g.name,
            g.round_id,
            rounds[g.round_id].name if g.round_id in rounds else "",
            phones.get(g.id, 0),
        )
        for g in sorted(groups, key=order)
    ]


def results(s: Session, workshop_id: int) -> Results | None:
    """The live count: the same for the projector, mission control and a reload."""
    view = vote(s, workshop_id)
    if view is None:
        return None
    count = tally(
        view.method, [i.id for i in view.items], counted(s, workshop_id), seats(s, workshop_id)
    )
    by_id = {i.id: i for i in view.items}
    top = count.top or 1
    rows = tuple(
        Row(by_id[sc.id], sc.points, sc.place, sc.tied, sc.points / top) for sc in count.scores
    )
    return Results(view, rows, count, version(s, workshop_id))


def counted(s: Session, workshop_id: int) -> Counted:
    """The ballots added up in the database: two grouped reads, however many ballots."""
    points = s.exec(
        select(BallotPoints.item_id, func.sum(BallotPoints.points))
        .where(BallotPoints.workshop_id == workshop_id)
        .group_by(col(BallotPoints.item_id))
    ).all()
    cast = s.exec(
        select(Ballot.group_id, Ballot.round_id, func.count())
        .where(Ballot.workshop_id == workshop_id)
        .group_by(col(Ballot.group_id), col(Ballot.round_id))
    ).all()
    return Counted(
        {item: int(n) for item, n in points},
        {(group, round_): int(n) for group, round_, n in cast},
    )


def version(s: Session, workshop_id: int) -> str:
    """What the results depend on, in a few characters: the workshop's log (the vote set
    up, opened, closed) and its ballots (logged on the groups' channels: their count and
    the last change)."""
    head = events.head(s, events.workshop_channel(workshop_id))
    n, last = s.exec(
        select(func.count(), func.max(Ballot.updated_at)).where(Ballot.workshop_id == workshop_id)
    ).one()
    stamp = last.strftime("%Y%m%d%H%M%S%f") if last is not None else "0"
    return f"{head.epoch}-{head.seq}-{n}-{stamp}"


@dataclass(frozen=True)
class Choice:
    id: int
    title: str
    chosen: bool


@dataclass(frozen=True)
class Setup:
    """The organiser's panel: the vote (if set up), and the final recommendations to pick."""

    workshop_id: int
    status: str
    method: str
    budget: int
    cap: int
    choices: tuple[Choice, ...]


def setup(s: Session, actor: Actor, workshop_id: int) -> Setup:
    require_organiser(s, actor, workshop_id)
    plenary = s.get(Plenary, workshop_id)
    chosen = set(items_of(plenary)) if plenary is not None else None
    choices = tuple(
        Choice(r.id or 0, r.title, chosen is None or (r.id in chosen))
        for r in finals(s, workshop_id)
    )
    if plenary is None:
        return Setup(workshop_id, "none", "dots", 5, 3, choices)
    return Setup(
        workshop_id,
        status_of(plenary),
        plenary.method,
        plenary.budget or 5,
        plenary.cap or 3,
        choices,
    )
