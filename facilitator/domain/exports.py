"""A workshop as one Snapshot, read in one transaction, for its organisers to take away.

Names are blanked at read time unless asked for, so no export can leak them by mistake.
Everything downstream (facilitator/export/, metrics) is a pure function of the snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlmodel import Session, col, select

from facilitator.domain import gallery_snapshot, impact_snapshot, plenary_snapshot, round_state
from facilitator.domain.access import get_workshop, require_organiser
from facilitator.domain.actors import Actor
from facilitator.models import (
    Cluster,
    Event,
    Group,
    GroupCarry,
    GroupFacilitator,
    Idea,
    IdeaRevision,
    IdeaSupport,
    Participant,
    Recommendation,
    RecommendationSource,
    Scope,
    SourceKind,
    User,
    Vote,
    WorkshopOrganiser,
)
from facilitator.snapshot import (
    ClusterSnap,
    EventSnap,
    FinalSnap,
    GroupSnap,
    IdeaSnap,
    ParticipantSnap,
    RecommendationSnap,
    RevisionSnap,
    RoundSnap,
    Snapshot,
    SourceSnap,
    SupportSnap,
    VoteSnap,
    WorkshopSnap,
    utc,
)
from facilitator.store import events
from facilitator.store.database import Database


def _scrub(payload: dict[str, Any]) -> dict[str, Any]:
    """An event payload without the author's display name."""
    idea = payload.get("idea")
    if isinstance(idea, dict) and idea.get("author_name"):
        return {**payload, "idea": {**idea, "author_name": ""}}
    return payload


def read_snapshot(
    s: Session, workshop_id: int, *, include_names: bool = False, now: dt.datetime | None = None
) -> Snapshot:
    w = get_workshop(s, workshop_id)
    assert w.id is not None
    include_names = include_names and not w.chatham_house  # the rule wins over any option
    emails = {u.id: u.email for u in s.exec(select(User)).all()}
    groups = s.exec(
        select(Group).where(Group.workshop_id == workshop_id).order_by(col(Group.position))
    ).all()
    gids = [g.id for g in groups if g.id is not None]
    in_groups = col(Idea.group_id).in_(gids)
    facilitators: dict[int, list[str]] = {}
    for link in s.exec(
        select(GroupFacilitator).where(col(GroupFacilitator.group_id).in_(gids))
    ).all():
        facilitators.setdefault(link.group_id, []).append(emails[link.user_id])
    organisers = sorted(
        emails[o.user_id]
        for o in s.exec(
            select(WorkshopOrganiser).where(WorkshopOrganiser.workshop_id == workshop_id)
        ).all()
    )

    def actor(ref: str) -> str:
        kind, _, ident = ref.partition(":")
        if kind == "user" and ident.isdigit() and int(ident) in emails:
            return f"staff:{emails[int(ident)]}"
        return ref

    revisions: dict[int, list[RevisionSnap]] = {}
    for r in s.exec(
        select(IdeaRevision)
        .join(Idea, col(Idea.id) == IdeaRevision.idea_id)
        .where(in_groups)
        .order_by(col(IdeaRevision.id))
    ).all():
        revisions.setdefault(r.idea_id, []).append(
            RevisionSnap(r.text, actor(r.edited_by), r.note, utc(r.at))
        )

    sources: dict[int, list[SourceSnap]] = {}
    recs = [
        (r, r.group_id)
        for r in s.exec(
            select(Recommendation)
            .where(col(Recommendation.group_id).in_(gids))
            .order_by(col(Recommendation.group_id), col(Recommendation.position))
        ).all()
        if r.group_id is not None
    ]
    for src in s.exec(
        select(RecommendationSource).where(
            col(RecommendationSource.recommendation_id).in_([r.id for r, _ in recs])
        )
    ).all():
        sources.setdefault(src.recommendation_id, []).append(
            SourceSnap(str(src.target), src.target_id)
        )

    carries: dict[int, list[int]] = {}
    for carry in s.exec(select(GroupCarry).where(col(GroupCarry.group_id).in_(gids))).all():
        carries.setdefault(carry.group_id, []).append(carry.source_id)

    def name(text: str) -> str:
        return text if include_names else ""

    channels = [events.workshop_channel(workshop_id)]
    channels += [events.group_channel(g) for g in gids] + [events.ballot_channel(g) for g in gids]
    rows = s.exec(
        select(Event)
        .where(col(Event.channel).in_(channels))
        .order_by(col(Event.channel), col(Event.seq))
    ).all()

    def channel(name: str) -> str:
        return "workshop" if name.startswith("workshop:") else name

    return Snapshot(
        workshop=WorkshopSnap(
            w.id,
            w.title,
            w.date,
            w.description,
            w.code,
            tuple(organisers),
            utc(w.created_at),
            w.language,
            w.tag_label,
            w.chatham_house,
        ),
        groups=tuple(
            GroupSnap(
                g.id or 0,
                g.name,
                g.prompt,
                g.description,
                g.code,
                str(g.phase),
                g.position,
                g.settings,
                g.ideas_revealed,
                g.votes_revealed,
                g.writing_locked,
                utc(g.timer_ends_at) if g.timer_ends_at else None,
                tuple(sorted(facilitators.get(g.id or 0, []))),
                utc(g.created_at),
                g.round_id,
                tuple(sorted(carries.get(g.id or 0, []))),
            )
            for g in groups
        ),
        ideas=tuple(
            IdeaSnap(
                i.id or 0,
                i.group_id,
                i.participant_id,
                emails.get(i.user_id) if i.user_id else None,
                name(i.author_name),
                i.client_key,
                i.text,
                str(i.status),
                i.cluster_id,
                i.position,
                i.merged_into,
                i.hidden_reason,
                i.edited_by_facilitator,
                utc(i.created_at),
                utc(i.updated_at),
                tuple(revisions.get(i.id or 0, [])),
                i.seed_of,
            )
            for i in s.exec(select(Idea).where(in_groups).order_by(col(Idea.id))).all()
        ),
        clusters=tuple(
            ClusterSnap(c.id or 0, c.group_id, c.name, c.position, utc(c.created_at))
            for c in s.exec(
                select(Cluster).where(col(Cluster.group_id).in_(gids)).order_by(col(Cluster.id))
            ).all()
        ),
        votes=tuple(
            VoteSnap(
                v.id or 0,
                v.group_id,
                v.participant_id,
                str(v.target),
                v.target_id,
                utc(v.created_at),
            )
            for v in s.exec(
                select(Vote).where(col(Vote.group_id).in_(gids)).order_by(col(Vote.id))
            ).all()
        ),
        recommendations=tuple(
            RecommendationSnap(
                r.id or 0,
                group_id,
                r.title,
                r.text,
                r.rationale,
                r.position,
                r.agreed,
                emails.get(r.created_by) if r.created_by else None,
                utc(r.created_at),
                utc(r.updated_at),
                tuple(sorted(sources.get(r.id or 0, []), key=_source_key)),
                r.who_acts,
            )
            for r, group_id in recs
        ),
        participants=tuple(
            ParticipantSnap(
                p.id or 0, p.group_id, name(p.display_name), utc(p.created_at), name(p.tag)
            )
            for p in s.exec(
                select(Participant)
                .where(Participant.workshop_id == workshop_id)
                .order_by(col(Participant.id))
            ).all()
        ),
        events=tuple(
            EventSnap(
                channel(e.channel),
                e.seq,
                e.kind,
                (lambda p: p if include_names else _scrub(p))(orjson.loads(e.payload)),
                actor(e.actor),
                utc(e.at),
            )
            for e in rows
        ),
        taken_at=utc(now or dt.datetime.now(dt.UTC)),
        include_names=include_names,
        final_recommendations=_finals(s, workshop_id),
        rounds=tuple(
            RoundSnap(
                r.id or 0,
                r.name,
                r.position,
                str(r.assignment),
                utc(r.started_at) if r.started_at else None,
            )
            for r in round_state.ordered(s, workshop_id)
        ),
        **impact_snapshot.read(s, workshop_id),
        **gallery_snapshot.read(s, workshop_id),
        **plenary_snapshot.read(s, workshop_id),
        supports=tuple(
            SupportSnap(p.idea_id, p.participant_id, utc(p.created_at))
            for p in s.exec(
                select(IdeaSupport)
                .where(col(IdeaSupport.group_id).in_(gids))
                .order_by(col(IdeaSupport.id))
            ).all()
        ),
    )


def _finals(s: Session, workshop_id: int) -> tuple[FinalSnap, ...]:
    rows = s.exec(
        select(Recommendation)
        .where(Recommendation.workshop_id == workshop_id, Recommendation.scope == Scope.workshop)
        .order_by(col(Recommendation.position), col(Recommendation.id))
    ).all()
    out = []
    for f in rows:
        sources = s.exec(
            select(RecommendationSource.target_id).where(
                RecommendationSource.recommendation_id == f.id,
                RecommendationSource.target == SourceKind.recommendation,
            )
        ).all()
        out.append(
            FinalSnap(
                f.id or 0,
                f.title,
                f.text,
                f.rationale,
                f.position,
                f.agreed,
                utc(f.created_at),
                utc(f.updated_at),
                tuple(sorted(sources)),
                f.who_acts,
            )
        )
    return tuple(out)


def _source_key(src: SourceSnap) -> tuple[str, int]:
    return (src.target, src.target_id)


async def workshop_snapshot(
    db: Database, actor: Actor, workshop_id: int, include_names: bool
) -> Snapshot:
    """The workshop as one consistent snapshot, for an export; organisers only."""

    def read(s: Session) -> Snapshot:
        require_organiser(s, actor, workshop_id)
        return read_snapshot(s, workshop_id, include_names=include_names)

    return await db.read(read)
