"""The plenary vote on the final recommendations (issue #23): the organiser sets it up,
opens and closes it (by a click, or a timer kept on the server); every phone of the event
casts one ballot, which it may change until the vote closes.

A ballot replaces the device's earlier one, whole; it never adds to it. A message sent
again (the phone's outbox after a reconnect) carries the key it was first sent with, and a
key the ballot has already taken changes nothing. The device's row lock orders two ballots
from one phone at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import bindparam, delete, func
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import get_row, get_workshop, require_organiser
from facilitator.domain.actors import Actor, Participant
from facilitator.domain.errors import Conflict, Forbidden, Invalid, NotFound
from facilitator.domain.follow_up import finals
from facilitator.domain.plenary_vote import VoteView, is_open, items_of, marks_of, view_of
from facilitator.domain.text import client_key
from facilitator.i18n import N_
from facilitator.models import (
    Ballot,
    BallotPoints,
    Group,
    Plenary,
    PlenaryMethod,
    utcnow,
)
from facilitator.models import Participant as ParticipantRow
from facilitator.plenary_count import ballot_points
from facilitator.snapshot import utc
from facilitator.store.events import ballot_channel
from facilitator.store.jobs import write_job
from facilitator.store.statements import core
from facilitator.vocabulary import BallotCast, PlenaryChanged, PlenarySet

MAX_BUDGET, MAX_ITEMS = 20, 30
MIN_MINUTES, MAX_MINUTES = 0.5, 240.0
KEYS_KEPT = 20  # a device's latest message keys: far more than an outbox holds
TIMER = "timer"  # the actor of a close the timer made


@dataclass(frozen=True)
class Setup:
    method: PlenaryMethod
    budget: int
    cap: int
    items: tuple[int, ...]


def check_setup(method: object, budget: object, cap: object, items: Sequence[int]) -> Setup:
    """The organiser's choices, checked (the recommendations are checked in the command)."""
    if method not in {m.value for m in PlenaryMethod}:
        raise Invalid(N_("Choose dots or ranking."))
    chosen = tuple(dict.fromkeys(items))
    if not 2 <= len(chosen) <= MAX_ITEMS:
        raise Invalid(
            N_("Choose between 2 and {n} final recommendations for the vote."), n=MAX_ITEMS
        )
    if method == PlenaryMethod.ranking:
        return Setup(PlenaryMethod.ranking, 0, 0, chosen)
    whole = [_whole(budget), _whole(cap)]
    if not 1 <= whole[0] <= MAX_BUDGET or not 1 <= whole[1] <= whole[0]:
        raise Invalid(
            N_("Give each phone 1 to {n} dots, and at most that many on one recommendation."),
            n=MAX_BUDGET,
        )
    return Setup(PlenaryMethod.dots, whole[0], whole[1], chosen)


def _whole(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise Invalid(N_("Give a whole number of dots."))
    try:
        return int(str(raw).strip())
    except ValueError:
        raise Invalid(N_("Give a whole number of dots.")) from None


# -- reading ---------------------------------------------------------------------------------


def ballots_count(s: Session, workshop_id: int) -> int:
    return s.exec(select(func.count()).where(Ballot.workshop_id == workshop_id)).one()


# -- the organiser's commands ----------------------------------------------------------------


def _locked(s: Session, workshop_id: int) -> Plenary | None:
    return s.get(Plenary, workshop_id, with_for_update=True)


@write_job
def set_up(s: Session, actor: Actor, workshop_id: int, setup: Setup) -> None:
    """Choose how the vote counts and which final recommendations are in it; only before
    it opens, so every ballot is cast on the same vote."""
    require_organiser(s, actor, workshop_id)
    plenary = _locked(s, workshop_id)
    if plenary is not None and plenary.opened_at is not None:
        raise Conflict(N_("The plenary vote has opened, so it can no longer change."))
    known = {r.id for r in finals(s, workshop_id)}
    if not set(setup.items) <= known:
        raise NotFound(N_("Only final recommendations can be in the vote. Please reload the page."))
    plenary = plenary or Plenary(workshop_id=workshop_id)
    plenary.method, plenary.budget, plenary.cap = setup.method, setup.budget, setup.cap
    plenary.items = orjson.dumps(list(setup.items)).decode()
    plenary.updated_at = utcnow()
    s.add(plenary)
    payload = PlenarySet(setup.method.value, setup.budget, setup.cap, list(setup.items))
    record.to_workshop(s, workshop_id, vocabulary.PLENARY_SET, payload, actor)


def check_minutes(raw: object) -> float | None:
    """A timer in minutes, or None (no timer) for an empty field."""
    if raw in (None, ""):
        return None
    try:
        minutes = float(str(raw).replace(",", "."))
    except ValueError:
        minutes = -1.0
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise Invalid(
            N_("A timer runs from {low} to {high} minutes."), low=MIN_MINUTES, high=int(MAX_MINUTES)
        )
    return minutes


@write_job
def open_vote(s: Session, actor: Actor, workshop_id: int, minutes: float | None) -> None:
    require_organiser(s, actor, workshop_id)
    plenary = _locked(s, workshop_id)
    if plenary is None:
        raise Conflict(N_("Set up the plenary vote first."))
    if plenary.opened_at is not None:
        if is_open(plenary):
            raise Conflict(N_("The plenary vote is open already."))
        raise Conflict(N_("The plenary vote has closed; its results stand."))
    now = utcnow()
    plenary.opened_at = now
    plenary.closes_at = None if minutes is None else now + dt.timedelta(minutes=minutes)
    s.add(plenary)
    ends = plenary.closes_at.isoformat() if plenary.closes_at else None
    _tell_everyone(s, workshop_id, vocabulary.PLENARY_OPENED, PlenaryChanged(True, ends), actor)


@write_job
def close_vote(s: Session, actor: Actor, workshop_id: int) -> None:
    require_organiser(s, actor, workshop_id)
    plenary = _locked(s, workshop_id)
    if not is_open(plenary):
        raise Conflict(N_("The plenary vote is not open."))
    assert plenary is not None
    _close(s, plenary, utcnow(), actor)


def _close(s: Session, plenary: Plenary, at: dt.datetime, actor: Actor | str) -> None:
    plenary.closed_at = at
    s.add(plenary)
    count = ballots_count(s, plenary.workshop_id)
    payload = PlenaryChanged(False, None, count)
    _tell_everyone(s, plenary.workshop_id, vocabulary.PLENARY_CLOSED, payload, actor)


def _tell_everyone(
    s: Session,
    workshop_id: int,
    kind: vocabulary.Kind[PlenaryChanged],
    payload: PlenaryChanged,
    actor: Actor | str,
) -> None:
    """On the workshop's channel, and on every group's, which is where phones listen."""
    record.to_workshop(s, workshop_id, kind, payload, actor)
    groups = s.exec(select(Group.id).where(Group.workshop_id == workshop_id))
    for group_id in (g for g in groups if g is not None):
        record.to_group(s, group_id, kind, payload, actor)


def due(s: Session) -> list[int]:
    """Workshops whose plenary timer has run out but which are not marked closed yet."""
    return list(
        s.exec(
            select(Plenary.workshop_id).where(
                col(Plenary.opened_at).is_not(None),
                col(Plenary.closed_at).is_(None),
                col(Plenary.closes_at) <= utcnow(),
            )
        ).all()
    )


@write_job
def close_due(s: Session, workshop_id: int) -> bool:
    """The timer's close: the vote closed at its deadline (ballots were refused from then
    on, whenever this runs: after a restart too). False if it was closed already."""
    plenary = _locked(s, workshop_id)
    if plenary is None or plenary.closed_at is not None or plenary.closes_at is None:
        return False
    if utc(plenary.closes_at) > utcnow():
        return False
    _close(s, plenary, plenary.closes_at, TIMER)
    return True


# -- a phone's ballot ------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    repeated: bool  # the key was seen: nothing changed
    vote: VoteView  # with the device's ballot as it stands: the phone's card, no read again
    code: str  # the voter's group's code (the card's form posts to it)


def check_ballot(plenary: Plenary, dots: object, ranking: object) -> dict[int, int] | list[int]:
    """A ballot as sent, against the vote: dots within the budget and the cap, or a
    ranking of every recommendation in the vote, each once."""
    items = items_of(plenary)
    if plenary.method == PlenaryMethod.ranking:
        if not isinstance(ranking, list | tuple) or not ranking:
            raise Invalid(N_("Put the recommendations in your order, then send."))
        order = [_ident(i) for i in ranking]
        if len(set(order)) != len(order):
            raise Invalid(N_("Each recommendation takes one place in your order."))
        if not set(order) <= set(items):
            raise Invalid(N_("That recommendation is not in this vote. Please reload the page."))
        if len(order) != len(items):
            raise Invalid(N_("Give every recommendation in the vote a place."))
        return order
    if not isinstance(dots, Mapping):
        raise Invalid(N_("Place your dots, then send."))
    placed = {_ident(k): _dots(v) for k, v in dots.items()}
    placed = {k: v for k, v in placed.items() if v}
    if not set(placed) <= set(items):
        raise Invalid(N_("That recommendation is not in this vote. Please reload the page."))
    if any(v > plenary.cap for v in placed.values()):
        raise Invalid(N_("At most {cap} dots on one recommendation."), cap=plenary.cap)
    if sum(placed.values()) > plenary.budget:
        raise Invalid(
            N_("You have {budget} dots; this ballot places {n}."),
            budget=plenary.budget,
            n=sum(placed.values()),
        )
    if not placed:
        raise Invalid(N_("Place at least one dot, then send."))
    return {k: placed[k] for k in items if k in placed}


def _ident(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise Invalid(N_("That recommendation is not in this vote. Please reload the page."))
    try:
        return int(str(raw))
    except ValueError:
        raise Invalid(
            N_("That recommendation is not in this vote. Please reload the page.")
        ) from None


def _dots(raw: object) -> int:
    number = _whole(raw if raw != "" else 0)
    if number < 0:
        raise Invalid(N_("Give a whole number of dots."))
    return number


@write_job
def cast_ballot(
    s: Session, actor: Actor, workshop_id: int, key: object, dots: object, ranking: object
) -> Receipt:
    """This device's ballot, replacing any earlier one, while the vote is open."""
    if not isinstance(actor, Participant):
        raise Forbidden(N_("Only participants' phones vote in the plenary."))
    if actor.workshop_id != workshop_id:
        raise Forbidden(N_("This phone belongs to another workshop."))
    row = get_row(s, ParticipantRow, actor.id, lock=True)  # orders one phone's ballots
    if row is None or row.workshop_id != workshop_id:
        raise Invalid(N_("Please join your group again."))
    key = client_key(key)
    ballot = s.get(Ballot, (workshop_id, actor.id))
    seen = orjson.loads(ballot.keys) if ballot is not None else []
    plenary = s.get(Plenary, workshop_id)
    group = get_row(s, Group, row.group_id) if row.group_id is not None else None
    code = group.code if group is not None else ""
    if key in seen and ballot is not None and plenary is not None:
        return Receipt(True, view_of(s, plenary, marks_of(ballot)), code)
    if plenary is None:
        raise NotFound(N_("The plenary vote is not open."))
    if plenary.opened_at is None:
        raise Conflict(N_("The plenary vote is not open."))
    if not is_open(plenary):
        raise Conflict(N_("The plenary vote has closed, so ballots can no longer change."))
    checked = check_ballot(plenary, dots, ranking)
    replaced = ballot is not None
    if ballot is None:
        ballot = Ballot(workshop_id=workshop_id, participant_id=actor.id, marks="")
    ballot.updated_at = utcnow()
    ballot.group_id = row.group_id
    ballot.round_id = group.round_id if group is not None else None
    ballot.keys = orjson.dumps([*seen, key][-KEYS_KEPT:]).decode()
    keep(s, plenary, ballot, checked, replaced)
    payload = BallotCast(replaced)
    if row.group_id is not None:  # see vocabulary.BALLOT_CAST
        record.record(s, ballot_channel(row.group_id), vocabulary.BALLOT_CAST, payload, actor)
    else:
        record.to_workshop(s, workshop_id, vocabulary.BALLOT_CAST, payload, actor)
    return Receipt(False, view_of(s, plenary, checked), code)


_FORGET_POINTS = delete(BallotPoints).where(
    col(BallotPoints.workshop_id) == bindparam("w"),
    col(BallotPoints.participant_id) == bindparam("p"),
)


def keep(
    s: Session,
    plenary: Plenary,
    ballot: Ballot,
    marks: dict[int, int] | list[int],
    replaced: bool = False,
) -> None:
    """Store a checked ballot (new, or `replaced`: the device's earlier one's row) and the
    points it gives each recommendation, which the live results add up (`plenary_views`)."""
    ballot.marks = orjson.dumps(marks, option=orjson.OPT_NON_STR_KEYS).decode()
    s.add(ballot)
    s.flush()
    if replaced:
        core(s, _FORGET_POINTS, {"w": ballot.workshop_id, "p": ballot.participant_id})
    points = ballot_points(plenary.method, items_of(plenary), marks)
    s.add_all(
        BallotPoints(
            workshop_id=ballot.workshop_id,
            participant_id=ballot.participant_id,
            item_id=item,
            points=value,
        )
        for item, value in points.items()
    )


def get_plenary(s: Session, workshop_id: int) -> Plenary | None:
    get_workshop(s, workshop_id)
    return s.get(Plenary, workshop_id)
