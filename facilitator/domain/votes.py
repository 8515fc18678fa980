"""Dot voting: a budget of dots per phone and a cap per item, on themes and on unclustered
ideas, only while the group votes. Tallies reach phones only once revealed."""

from __future__ import annotations

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import AnyGroup, get_row, require_member
from facilitator.domain.actors import Actor, Participant
from facilitator.domain.errors import Forbidden, Invalid, NotFound
from facilitator.i18n import N_
from facilitator.models import Cluster, Group, Idea, IdeaStatus, Phase, Vote, VoteTarget
from facilitator.models import Participant as ParticipantRow
from facilitator.store.database import Database
from facilitator.store.jobs import write_job
from facilitator.store.statements import core
from facilitator.vocabulary import DotsBack, Kind, VoteChanged, VoteState


def item_key(target: VoteTarget | str, target_id: int) -> str:
    return f"{VoteTarget(target).value}-{target_id}"


_PLACED = (
    select(Vote.target, Vote.target_id, func.count())
    .where(Vote.group_id == bindparam("group_id"), Vote.participant_id == bindparam("voter"))
    .group_by(col(Vote.target), col(Vote.target_id))
)  # built once: every vote and every reconnecting phone asks


def vote_state(s: Session, group: AnyGroup, participant_id: int) -> VoteState:
    rows = core(s, _PLACED, {"group_id": group.id, "voter": participant_id}).all()
    placed = {item_key(t, i): n for t, i, n in rows}
    return VoteState(max(0, group.settings.vote_budget - sum(placed.values())), placed)


def voter_states(s: Session, group_id: int, voters: set[int]) -> DotsBack:
    """The dots of phones whose dots a facilitator's action changed, to tell each of them."""
    group = s.get(Group, group_id)
    assert group is not None
    return {str(v): vote_state(s, group, v) for v in sorted(voters)}


def give_back(s: Session, group_id: int, target: VoteTarget, target_id: int) -> DotsBack:
    """Drop the dots on an item that can no longer take them (a deleted theme, a hidden
    idea, an idea gone into a theme): each phone gets its dots back, and is told."""
    on_it = (col(Vote.target) == target, col(Vote.target_id) == target_id)
    voters = set(s.exec(select(Vote.participant_id).where(*on_it)))
    if not voters:
        return {}
    s.exec(Vote.__table__.delete().where(*on_it))  # type: ignore[attr-defined]
    return voter_states(s, group_id, voters)


def tallies(s: Session, group_id: int) -> dict[str, int]:
    rows = s.exec(
        select(Vote.target, Vote.target_id, func.count())
        .where(Vote.group_id == group_id)
        .group_by(col(Vote.target), col(Vote.target_id))
    ).all()
    return {item_key(t, i): n for t, i, n in rows}


def _check_target(s: Session, group: AnyGroup, target: object, target_id: int) -> VoteTarget:
    try:
        kind = VoteTarget(str(target))
    except ValueError:
        raise Invalid(N_("Vote for a theme or an idea.")) from None
    if kind is VoteTarget.cluster:
        cluster = get_row(s, Cluster, target_id)
        if cluster is None or cluster.group_id != group.id:
            raise NotFound(N_("That theme no longer exists."))
    else:
        idea = get_row(s, Idea, target_id)
        if idea is None or idea.group_id != group.id or idea.status != IdeaStatus.visible:
            raise NotFound(N_("That idea is not on the board any more."))
        if idea.cluster_id is not None:
            raise Invalid(N_("That idea is part of a theme: vote for the theme."))
    return kind


def _voter(actor: Actor) -> Participant:
    if not isinstance(actor, Participant):
        raise Forbidden(N_("Only participants vote."))
    return actor


@write_job
def cast_vote(s: Session, actor: Actor, group_id: int, target: object, target_id: int) -> VoteState:
    """Put one dot on a theme or an unclustered idea."""
    voter = _voter(actor)
    group = require_member(s, voter, group_id)
    get_row(s, ParticipantRow, voter.id, lock=True)  # one phone's dots, one at a time
    if group.phase != Phase.vote:
        raise Invalid(N_("Voting is not open right now."))
    kind = _check_target(s, group, target, target_id)
    state = vote_state(s, group, voter.id)
    if state.remaining <= 0:
        raise Invalid(N_("You have used all your dots. Take one back to move it."))
    if state.placed.get(item_key(kind, target_id), 0) >= group.settings.vote_cap:
        raise Invalid(
            N_("That is the most dots one item can take from you ({cap})."),
            cap=group.settings.vote_cap,
        )
    s.add(Vote(group_id=group_id, participant_id=voter.id, target=kind, target_id=target_id))
    s.flush()
    return _publish(s, group, voter, kind, target_id, vocabulary.VOTE_CAST)


@write_job
def retract_vote(
    s: Session, actor: Actor, group_id: int, target: object, target_id: int
) -> VoteState:
    """Take one dot back (undo)."""
    voter = _voter(actor)
    group = require_member(s, voter, group_id)
    if group.phase != Phase.vote:
        raise Invalid(N_("Voting is not open right now."))
    try:
        kind = VoteTarget(str(target))
    except ValueError:
        raise Invalid(N_("Vote for a theme or an idea.")) from None
    vote = s.exec(
        select(Vote)
        .where(
            Vote.group_id == group_id,
            Vote.participant_id == voter.id,
            Vote.target == kind,
            Vote.target_id == target_id,
        )
        .order_by(col(Vote.id).desc())
    ).first()
    if vote is None:
        raise Invalid(N_("You have no dot there to take back."))
    s.delete(vote)
    s.flush()
    return _publish(s, group, voter, kind, target_id, vocabulary.VOTE_RETRACTED)


def _publish(
    s: Session,
    group: AnyGroup,
    voter: Participant,
    kind: VoteTarget,
    target_id: int,
    event: Kind[VoteChanged],
) -> VoteState:
    assert group.id is not None
    state = vote_state(s, group, voter.id)
    key = item_key(kind, target_id)
    tally = s.exec(
        select(func.count()).where(
            Vote.group_id == group.id, Vote.target == kind, Vote.target_id == target_id
        )
    ).one()
    payload = VoteChanged(key, tally, voter.id, state, group.votes_revealed)
    record.to_group(s, group.id, event, payload, voter)
    return state


async def my_votes(db: Database, actor: Participant, group_id: int) -> VoteState:
    def read(s: Session) -> VoteState:
        return vote_state(s, require_member(s, actor, group_id), actor.id)

    return await db.read(read)
