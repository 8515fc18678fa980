"""Rounds: ordered sittings of breakouts. The organiser starts the next one, and every
phone of the workshop is seated in a group of it (or chooses one), live.

A phone is one participant row for the whole workshop (its device), so it keeps its name,
its tag and its past ideas across rounds; only its group changes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import carry, record, round_state
from facilitator.domain.access import get_row, require_organiser
from facilitator.domain.actors import Actor, Participant, Staff
from facilitator.domain.assignment import Phone, assign, read_list
from facilitator.domain.errors import Conflict, Invalid
from facilitator.domain.participants import find_participant
from facilitator.i18n import N_
from facilitator.models import Assignment, Group, Idea, IdeaStatus, RoundSeat, Workshop, utcnow
from facilitator.models import Participant as ParticipantRow
from facilitator.store.database import Database
from facilitator.store.jobs import write_job
from facilitator.vocabulary import RoundStarted


@dataclass(frozen=True)
class RoundView:
    id: int
    name: str
    position: int
    assignment: str
    started: bool
    groups: tuple[tuple[int, str], ...]  # (id, name), in order


@dataclass(frozen=True)
class Rounds:
    """A workshop's rounds as mission control shows them."""

    rounds: tuple[RoundView, ...]
    current: int  # index into rounds
    waiting: dict[int, int]  # ideas waiting for approval, by group of the current round

    @property
    def now(self) -> RoundView:
        return self.rounds[self.current]

    @property
    def next(self) -> RoundView | None:
        nxt = self.current + 1
        return self.rounds[nxt] if nxt < len(self.rounds) else None


def _waiting(s: Session, group_ids: list[int]) -> dict[int, int]:
    rows = s.exec(
        select(Idea.group_id, func.count())
        .where(col(Idea.group_id).in_(group_ids), Idea.status == IdeaStatus.pending)
        .group_by(col(Idea.group_id))
    ).all()
    return {gid: n for gid, n in rows}


def overview(s: Session, actor: Actor, workshop_id: int) -> Rounds | None:
    require_organiser(s, actor, workshop_id)
    rounds = round_state.ordered(s, workshop_id)
    if not rounds:
        return None
    names: dict[int, tuple[int | None, str]] = {
        g.id: (g.round_id, g.name)
        for g in s.exec(
            select(Group).where(Group.workshop_id == workshop_id).order_by(col(Group.position))
        )
        if g.id is not None
    }
    views = []
    for r in rounds:
        assert r.id is not None
        groups = tuple((gid, name) for gid, (rid, name) in names.items() if rid == r.id)
        views.append(
            RoundView(r.id, r.name, r.position, r.assignment, r.started_at is not None, groups)
        )
    now = round_state.current_round(s, workshop_id)
    index = next(i for i, r in enumerate(rounds) if now is not None and r.id == now.id)
    waiting = _waiting(s, [gid for gid, _ in views[index].groups])
    return Rounds(tuple(views), index, waiting)


async def rounds_overview(db: Database, actor: Actor, workshop_id: int) -> Rounds | None:
    return await db.read(lambda s: overview(s, actor, workshop_id))


@dataclass(frozen=True)
class Started:
    name: str
    seated: int  # phones put in a group
    choosing: int  # phones that choose their group on their phone


@write_job
def start_next_round(
    s: Session,
    actor: Actor,
    workshop_id: int,
    from_round: int,
    listed_text: str,
    seed: int | None,
) -> Started:
    """Start the round after `from_round` (the one the organiser saw as current: a second
    click, or another organiser's at once, is refused rather than skipping a round)."""
    workshop = require_organiser(s, actor, workshop_id)
    get_row(s, Workshop, workshop_id, lock=True)  # one start at a time, across processes
    rounds = round_state.ordered(s, workshop_id)
    now = round_state.current_round(s, workshop_id)
    if now is None:
        raise Invalid(N_("This workshop has no rounds."))
    if now.id != from_round:
        raise Conflict(N_("That round has already moved on. Reload to see the current one."))
    index = next(i for i, r in enumerate(rounds) if r.id == now.id)
    if index + 1 >= len(rounds):
        raise Invalid(N_("This is the last round."))
    nxt = rounds[index + 1]
    assert now.id is not None and nxt.id is not None
    old_groups, new_groups = round_state.group_ids(s, now.id), round_state.group_ids(s, nxt.id)
    waiting = _waiting(s, old_groups)
    if waiting:
        names = [g.name for g in s.exec(select(Group).where(col(Group.id).in_(waiting)))]
        raise Invalid(
            N_(
                "Some ideas are still waiting for approval in {groups}. Approve or hide "
                "them first: they stay in this round."
            ),
            groups=", ".join(sorted(names)),
        )
    listed = None
    if nxt.assignment == Assignment.list:
        groups = {g.name: g.id for g in s.exec(select(Group).where(Group.round_id == nxt.id))}
        listed = read_list(listed_text, {n: gid for n, gid in groups.items() if gid is not None})
    phones = [
        Phone(p.id, p.group_id, p.tag, p.display_name)
        for p in s.exec(select(ParticipantRow).where(ParticipantRow.workshop_id == workshop_id))
        if p.id is not None
    ]
    seats = assign(
        Assignment(nxt.assignment), phones, old_groups, new_groups, random.Random(seed), listed
    )
    # Where each phone sat in the round that ends: an idea it wrote there offline and sends
    # later is still taken there, and the reports count each round's phones.
    sat = [
        {"round_id": now.id, "participant_id": p.id, "group_id": p.group_id}
        for p in phones
        if p.group_id in old_groups
    ]
    if sat:
        s.connection().execute(insert(RoundSeat), sat)
    by_group: dict[int | None, list[int]] = {}
    for pid, gid in seats.items():
        by_group.setdefault(gid, []).append(pid)
    for gid, pids in by_group.items():
        s.connection().execute(
            update(ParticipantRow).where(col(ParticipantRow.id).in_(pids)).values(group_id=gid)
        )
    at = utcnow()
    if now.started_at is None:
        now.started_at = at
        s.add(now)
    nxt.started_at = at
    s.add(nxt)
    payload = RoundStarted(nxt.id, nxt.name, nxt.position, workshop.code)
    record.to_workshop(s, workshop_id, vocabulary.ROUND_STARTED, payload, actor)
    for gid in old_groups:  # their phones go on to their new group
        record.to_group(s, gid, vocabulary.ROUND_STARTED, payload, actor)
    assert isinstance(actor, Staff)  # an organiser: require_organiser said so
    carry.seed(s, actor, new_groups)
    choosing = len(by_group.get(None, []))
    return Started(nxt.name, len(seats) - choosing, choosing)


def check_assignment(raw: object) -> Assignment:
    try:
        return Assignment(str(raw))
    except ValueError:
        raise Invalid(
            N_("Choose how phones find their group: {ways}."), ways=", ".join(Assignment)
        ) from None


def moved_on_from(s: Session, group_id: int) -> RoundStarted | None:
    """The round now on, if this group's round is over (phones here go on to their group)."""
    group = get_row(s, Group, group_id)
    if group is None or group.round_id is None or round_state.joinable(s, group):
        return None
    now = round_state.current_round(s, group.workshop_id)
    workshop = s.get(Workshop, group.workshop_id)
    if now is None or now.id is None or workshop is None:
        return None
    return RoundStarted(now.id, now.name, now.position, workshop.code)


def moved_on(s: Session, device_hash: str, group_id: int) -> Participant | None:
    """A phone of this group's workshop, after the group's round: its socket may still open
    here, to be sent on to its group (after a reconnect, or from a page left open)."""
    group = get_row(s, Group, group_id)
    if group is None or moved_on_from(s, group_id) is None:
        return None
    return find_participant(s, device_hash, group.workshop_id)
