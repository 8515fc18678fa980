"""Group recommendations: promoted from themes or ideas, edited, ordered and agreed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import get_row, require_facilitator
from facilitator.domain.actors import Actor, Staff
from facilitator.domain.errors import Invalid, NotFound
from facilitator.domain.ordering import check_direction, step
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import (
    Cluster,
    Idea,
    IdeaStatus,
    Recommendation,
    RecommendationSource,
    VoteTarget,
    utcnow,
)
from facilitator.store.database import Database
from facilitator.vocabulary import Kind, RecommendationChanged


@dataclass(frozen=True)
class Draft:
    title: str
    text: str
    rationale: str


def check_draft(title: object, text: object, rationale: object) -> Draft:
    return Draft(
        clean(title, limit=200, multiline=False),
        clean(text, limit=2000, required=False),
        clean(rationale, limit=2000, required=False),
    )


def _recommendation(s: Session, actor: Actor, rec_id: int) -> Recommendation:
    rec = get_row(s, Recommendation, rec_id)
    if rec is None:
        raise NotFound(N_("That recommendation no longer exists."))
    require_facilitator(s, actor, rec.group_id)
    return rec


def _event(
    s: Session, actor: Actor, rec: Recommendation, kind: Kind[RecommendationChanged]
) -> None:
    assert rec.id is not None
    payload = RecommendationChanged(rec.id, rec.title)
    record.to_group(s, rec.group_id, kind, payload, actor)


async def promote(
    db: Database, actor: Actor, group_id: int, source: object, source_id: int, draft: Draft
) -> int:
    """Make a recommendation from a theme or an idea, remembering where it came from."""
    try:
        kind = VoteTarget(str(source))
    except ValueError:
        raise Invalid(N_("Promote a theme or an idea.")) from None
    return await db.write(_promote, actor, group_id, kind, source_id, draft)


def _promote(
    s: Session, actor: Actor, group_id: int, kind: VoteTarget, source_id: int, draft: Draft
) -> int:
    require_facilitator(s, actor, group_id)
    row: Cluster | Idea | None = (
        get_row(s, Cluster, source_id)
        if kind is VoteTarget.cluster
        else get_row(s, Idea, source_id)
    )
    if (
        row is None
        or row.group_id != group_id
        or (isinstance(row, Idea) and row.status != IdeaStatus.visible)
    ):
        raise NotFound(N_("That theme or idea is not on the board any more."))
    top = s.exec(
        select(func.max(Recommendation.position)).where(Recommendation.group_id == group_id)
    ).one()
    rec = Recommendation(
        group_id=group_id,
        title=draft.title,
        text=draft.text,
        rationale=draft.rationale,
        position=(top or 0) + 1,
        created_by=actor.id if isinstance(actor, Staff) else None,
    )
    s.add(rec)
    s.flush()
    assert rec.id is not None
    s.add(RecommendationSource(recommendation_id=rec.id, target=kind, target_id=source_id))
    _event(s, actor, rec, vocabulary.RECOMMENDATION_CREATED)
    return rec.id


async def edit(db: Database, actor: Actor, rec_id: int, draft: Draft) -> None:
    await db.write(_edit, actor, rec_id, draft)


def _edit(s: Session, actor: Actor, rec_id: int, draft: Draft) -> None:
    rec = _recommendation(s, actor, rec_id)
    if (rec.title, rec.text, rec.rationale) == (draft.title, draft.text, draft.rationale):
        return
    rec.title, rec.text, rec.rationale = draft.title, draft.text, draft.rationale
    rec.updated_at = utcnow()
    s.add(rec)
    _event(s, actor, rec, vocabulary.RECOMMENDATION_EDITED)


async def set_agreed(db: Database, actor: Actor, rec_id: int, agreed: bool) -> None:
    """Mark a recommendation agreed (phones see agreed ones), or take that back."""
    await db.write(_set_agreed, actor, rec_id, agreed)


def _set_agreed(s: Session, actor: Actor, rec_id: int, agreed: bool) -> None:
    rec = _recommendation(s, actor, rec_id)
    if rec.agreed == agreed:
        return
    rec.agreed, rec.updated_at = agreed, utcnow()
    s.add(rec)
    _event(s, actor, rec, vocabulary.RECOMMENDATION_AGREED)


async def move(db: Database, actor: Actor, rec_id: int, direction: object) -> None:
    """Move a recommendation one place up or down."""
    where = check_direction(direction)
    await db.write(_move, actor, rec_id, where)


def _move(s: Session, actor: Actor, rec_id: int, where: str) -> None:
    rec = _recommendation(s, actor, rec_id)
    recs = list(
        s.exec(
            select(Recommendation)
            .where(Recommendation.group_id == rec.group_id)
            .order_by(col(Recommendation.position), col(Recommendation.id))
        ).all()
    )
    if step(s, recs, rec, where):
        _event(s, actor, rec, vocabulary.RECOMMENDATION_MOVED)


async def delete(db: Database, actor: Actor, rec_id: int) -> None:
    await db.write(_delete, actor, rec_id)


def _delete(s: Session, actor: Actor, rec_id: int) -> None:
    rec = _recommendation(s, actor, rec_id)
    _event(s, actor, rec, vocabulary.RECOMMENDATION_DELETED)
    s.delete(rec)
