"""What a group's board shows, read in one snapshot, for phones or for facilitators.

Phones never receive what they may not see: hidden, pending or merged ideas, other
people's ideas in private mode before the reveal, tallies before the reveal, and
recommendations not yet agreed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from facilitator.domain.access import AnyGroup, get_group, require_facilitator, require_member
from facilitator.domain.actors import Actor, Participant
from facilitator.domain.ideas import counts, shown_to_phones
from facilitator.domain.ranking import Ranked, Turnout, rank, turnout
from facilitator.domain.support import support_counts
from facilitator.domain.votes import item_key, tallies, vote_state
from facilitator.group_settings import GroupSettings
from facilitator.models import (
    Cluster,
    Group,
    Idea,
    IdeaRevision,
    IdeaStatus,
    Phase,
    Recommendation,
    RecommendationSource,
    VoteTarget,
    Workshop,
    utcnow,
)
from facilitator.store import events
from facilitator.store.database import Database
from facilitator.store.statements import core
from facilitator.vocabulary import Counts, IdeaView, VoteState


@dataclass(frozen=True)
class GroupState:
    id: int
    name: str
    prompt: str
    code: str
    phase: str
    settings: GroupSettings
    ideas_revealed: bool
    votes_revealed: bool
    timer_ends_at: str | None
    writing_locked: bool
    now: str
    announcement: str = ""

    @property
    def writing_open(self) -> bool:
        """For phones: writing only in collect, unpaused, and not after a locking timer."""
        if self.phase != Phase.collect or self.writing_locked:
            return False
        return not self.settings.time_is_up(self.timer_ends_at, self.now)

    @classmethod
    def of(cls, g: Group, announcement: str = "") -> GroupState:
        assert g.id is not None
        return cls(
            g.id,
            g.name,
            g.prompt,
            g.code,
            g.phase,
            g.settings,
            g.ideas_revealed,
            g.votes_revealed,
            g.timer_ends_at.isoformat() if g.timer_ends_at else None,
            g.writing_locked,
            utcnow().isoformat(),
            announcement,
        )


@dataclass(frozen=True)
class ClusterView:
    id: int
    name: str
    ideas: list[IdeaView]


@dataclass(frozen=True)
class SourceView:
    kind: str  # "cluster" or "idea"
    id: int
    label: str
    votes: int


@dataclass(frozen=True)
class RecommendationView:
    id: int
    title: str
    text: str
    rationale: str
    agreed: bool
    sources: list[SourceView]
    who_acts: str = ""


@dataclass(frozen=True)
class Board:
    group: GroupState
    seq: int
    epoch: str
    counts: Counts
    ideas: list[IdeaView]  # every idea the audience may see, newest first
    clusters: list[ClusterView]
    unclustered: list[IdeaView]
    recommendations: list[RecommendationView]
    tallies: dict[str, int] | None  # None: not for this audience yet
    pending: list[IdeaView] = field(default_factory=list)
    hidden: list[IdeaView] = field(default_factory=list)
    merged: dict[int, list[IdeaView]] = field(default_factory=dict)
    turnout: Turnout = field(default_factory=lambda: Turnout(0, 0))
    support: dict[int, int] = field(default_factory=dict)  # +1s by idea, for every audience
    gallery: str = ""  # the workshop's code while its report-back gallery is open

    def tally(self, kind: str, ident: int) -> int | None:
        return None if self.tallies is None else self.tallies.get(item_key(kind, ident), 0)

    @property
    def ranking(self) -> list[Ranked]:
        """Themes and ideas not in a theme, by their dots; empty while tallies are not for
        this audience."""
        if self.tallies is None:
            return []
        items = [("cluster", c.id, c.name, len(c.ideas)) for c in self.clusters]
        items += [("idea", i.id, i.text, 1) for i in self.unclustered]
        return rank(items, self.tallies)


def board(s: Session, group_id: int, *, staff: bool) -> Board:
    """The group's board as phones (staff=False) or facilitators (staff=True) see it."""
    group = get_group(s, group_id)
    head = events.head(s, events.group_channel(group_id))
    rows = s.exec(
        select(Idea)
        .where(Idea.group_id == group_id, Idea.status != IdeaStatus.withdrawn)
        .order_by(col(Idea.created_at).desc(), col(Idea.id).desc())
    ).all()
    edited = set(
        s.exec(
            select(IdeaRevision.idea_id).where(col(IdeaRevision.idea_id).in_([r.id for r in rows]))
        )
    )
    views = {r.id: IdeaView.of(r, r.id in edited) for r in rows if r.id is not None}
    workshop = s.get(Workshop, group.workshop_id)
    state = GroupState.of(group, workshop.announcement if workshop else "")
    if staff:
        shown = [views[r.id] for r in rows if r.status == IdeaStatus.visible and r.id]
    else:
        shown = [views[r.id] for r in rows if shown_to_phones(state, r) and r.id]
    cluster_rows = s.exec(
        select(Cluster).where(Cluster.group_id == group_id).order_by(col(Cluster.position))
    ).all()
    in_cluster: dict[int, list[IdeaView]] = {c.id: [] for c in cluster_rows if c.id}
    by_position = sorted(
        (r for r in rows if r.cluster_id is not None), key=lambda r: (r.position, r.id or 0)
    )
    visible_ids = {v.id for v in shown}
    for r in by_position:
        if r.id in visible_ids and r.cluster_id in in_cluster:
            in_cluster[r.cluster_id].append(views[r.id])  # type: ignore[index]
    clusters = [ClusterView(c.id, c.name, in_cluster[c.id]) for c in cluster_rows if c.id]
    unclustered = [v for v in shown if v.cluster_id is None]
    all_tallies = tallies(s, group_id)
    merged: dict[int, list[IdeaView]] = {}
    for r in rows:
        if r.status == IdeaStatus.merged and r.merged_into is not None and r.id:
            merged.setdefault(r.merged_into, []).append(views[r.id])
    return Board(
        group=state,
        seq=head.seq,
        epoch=head.epoch,
        counts=counts(s, group_id),
        ideas=shown,
        clusters=clusters,
        unclustered=unclustered,
        recommendations=_recommendations(s, group_id, all_tallies, agreed_only=not staff),
        tallies=all_tallies if staff or group.votes_revealed else None,
        pending=[views[r.id] for r in rows if r.status == IdeaStatus.pending and r.id]
        if staff
        else [],
        hidden=[views[r.id] for r in rows if r.status == IdeaStatus.hidden and r.id]
        if staff
        else [],
        merged=merged if staff else {},
        turnout=turnout(s, group_id) if group.phase != Phase.collect else Turnout(0, 0),
        support=support_counts(s, group_id),
        gallery=workshop.code if workshop is not None and workshop.gallery_open else "",
    )


def _recommendations(
    s: Session, group_id: int, all_tallies: dict[str, int], *, agreed_only: bool
) -> list[RecommendationView]:
    query = select(Recommendation).where(Recommendation.group_id == group_id)
    if agreed_only:
        query = query.where(Recommendation.agreed == True)  # noqa: E712
    recs = s.exec(query.order_by(col(Recommendation.position), col(Recommendation.id))).all()
    out = []
    for rec in recs:
        assert rec.id is not None
        sources = []
        for link in s.exec(
            select(RecommendationSource).where(RecommendationSource.recommendation_id == rec.id)
        ):
            if link.target == VoteTarget.cluster:
                cluster = s.get(Cluster, link.target_id)
                label = cluster.name if cluster else "—"
            else:
                idea = s.get(Idea, link.target_id)
                label = idea.text if idea else "—"
            sources.append(
                SourceView(
                    link.target,
                    link.target_id,
                    label,
                    all_tallies.get(item_key(link.target, link.target_id), 0),
                )
            )
        out.append(
            RecommendationView(
                rec.id, rec.title, rec.text, rec.rationale, rec.agreed, sources, rec.who_acts
            )
        )
    return out


@dataclass(frozen=True)
class OwnState:
    """What is a phone's own in its group: its ideas, their states, its dots."""

    mine: set[int]
    own: list[IdeaView]  # its ideas that other phones do not see, with why
    votes: VoteState


@dataclass(frozen=True)
class PhoneView:
    """A phone's board, with what is its own."""

    board: Board
    me: OwnState


# A phone's own ideas, built once: every reconnecting phone asks.
_MINE = (
    select(Idea.id, Idea.status)
    .where(
        Idea.group_id == bindparam("group_id"),
        Idea.participant_id == bindparam("participant_id"),
        Idea.status != IdeaStatus.withdrawn,
    )
    .order_by(col(Idea.created_at).desc())
)
_IDEAS_BY_ID = select(Idea).where(col(Idea.id).in_(bindparam("ids", expanding=True)))


def _own_state(s: Session, group: AnyGroup, participant_id: int) -> OwnState:
    assert group.id is not None
    rows = core(s, _MINE, {"group_id": group.id, "participant_id": participant_id}).all()
    mine = {r.id for r in rows}
    # Most phones' ideas are on the board for all; only the others are loaded whole.
    apart = [r.id for r in rows if not shown_to_phones(group, r)]
    own = []
    if apart:
        found = {i.id: i for i in s.exec(_IDEAS_BY_ID, params={"ids": apart}).all()}
        own = [IdeaView.of(found[i]) for i in apart]
    return OwnState(mine, own, vote_state(s, group, participant_id))


async def phone_view(db: Database, actor: Participant, group_id: int) -> PhoneView:
    def read(s: Session) -> PhoneView:
        group = require_member(s, actor, group_id)
        return PhoneView(board(s, group_id, staff=False), _own_state(s, group, actor.id))

    return await db.read(read)


async def own_state(db: Database, actor: Participant, group_id: int) -> OwnState:
    """A phone's own part alone, without the board: sent after a fresh board."""
    return await db.read(lambda s: _own_state(s, require_member(s, actor, group_id), actor.id))


async def console_view(db: Database, actor: Actor, group_id: int) -> Board:
    def read(s: Session) -> Board:
        require_facilitator(s, actor, group_id)
        return board(s, group_id, staff=True)

    return await db.read(read)


async def projector_view(db: Database, actor: Actor, group_id: int) -> Board:
    """What phones see, for a screen in the room; opened by its facilitators."""

    def read(s: Session) -> Board:
        require_facilitator(s, actor, group_id)
        return board(s, group_id, staff=False)

    return await db.read(read)


def seconds_left(state: GroupState) -> float | None:
    if state.timer_ends_at is None:
        return None
    ends = dt.datetime.fromisoformat(state.timer_ends_at)
    return max(0.0, (ends - dt.datetime.fromisoformat(state.now)).total_seconds())
