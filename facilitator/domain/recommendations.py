"""Recommendations at every scope, with one set of commands.

A group's are promoted from its themes or ideas by its facilitators; the workshop's final
ones are synthesised from group recommendations by its organisers. Both are edited, ordered,
agreed (for the workshop: marked final) and deleted by the same commands, each checking the
role its scope asks for, and each keeps its sources so provenance can be walked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy import delete as sql_delete
from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import get_row, require_facilitator, require_organiser
from facilitator.domain.actors import Actor, Staff
from facilitator.domain.errors import Invalid, NotFound
from facilitator.domain.ordering import check_direction, step
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import (
    Cluster,
    Group,
    Idea,
    IdeaStatus,
    Recommendation,
    RecommendationSource,
    Scope,
    SourceKind,
    Workshop,
    utcnow,
)
from facilitator.store.jobs import write_job
from facilitator.vocabulary import Kind, RecommendationChanged

WHO_LIMIT = 300
WHO = "→ "  # how "who acts" was written into the text before it had a column (0014)


@dataclass(frozen=True)
class Draft:
    title: str
    text: str
    rationale: str
    who_acts: str = ""


def check_draft(
    title: object,
    text: object,
    rationale: object,
    who_acts: object = "",
    *,
    blank_title: bool = False,
) -> Draft:
    """What a person typed, checked; `blank_title` lets a synthesis take its source's title."""
    return Draft(
        clean(title, limit=200, multiline=False, required=not blank_title),
        clean(text, limit=2000, required=False),
        clean(rationale, limit=2000, required=False),
        clean(who_acts, limit=WHO_LIMIT, multiline=False, required=False),
    )


def split_who(text: str) -> tuple[str, str]:
    """A text written before "who acts" had its own column: the text without its last
    paragraph when that one starts with WHO, and who acts; else the text and no one."""
    paragraphs = re.split(r"\n\s*\n", text.rstrip())
    last = paragraphs[-1].strip()
    if len(paragraphs) > 1 and last.startswith(WHO) and last[len(WHO) :].strip():
        return "\n\n".join(paragraphs[:-1]).rstrip(), last[len(WHO) :].strip()
    return text, ""


def _recommendation(s: Session, actor: Actor, rec_id: int) -> Recommendation:
    """The recommendation, once the actor is allowed to change it at its scope."""
    rec = get_row(s, Recommendation, rec_id)
    if rec is None:
        raise NotFound(N_("That recommendation no longer exists."))
    if rec.group_id is not None:
        require_facilitator(s, actor, rec.group_id)
    else:
        require_organiser(s, actor, rec.workshop_id)
    return rec


def _siblings(s: Session, rec: Recommendation) -> list[Recommendation]:
    """The recommendations listed with this one (its group's, or the workshop's), in order."""
    query = select(Recommendation).where(
        Recommendation.workshop_id == rec.workshop_id, Recommendation.scope == rec.scope
    )
    if rec.group_id is not None:
        query = query.where(Recommendation.group_id == rec.group_id)
    return list(s.exec(query.order_by(col(Recommendation.position), col(Recommendation.id))).all())


def _event(
    s: Session, actor: Actor, rec: Recommendation, kind: Kind[RecommendationChanged]
) -> None:
    assert rec.id is not None
    payload = RecommendationChanged(rec.id, rec.title)
    if rec.group_id is None:
        record.to_workshop(s, rec.workshop_id, kind, payload, actor)
        return
    record.to_group(s, rec.group_id, kind, payload, actor)
    shown = rec.agreed or kind is vocabulary.RECOMMENDATION_AGREED  # or just taken back
    workshop = s.get(Workshop, rec.workshop_id) if shown else None
    if workshop is not None and workshop.gallery_open:
        record.to_workshop(s, rec.workshop_id, vocabulary.GALLERY_CHANGED, payload, actor)


def _add(
    s: Session, actor: Actor, workshop_id: int, group_id: int | None, draft: Draft
) -> Recommendation:
    """A new recommendation at the end of its list."""
    scope = Scope.group if group_id is not None else Scope.workshop
    top = s.exec(
        select(func.max(Recommendation.position)).where(
            Recommendation.workshop_id == workshop_id,
            Recommendation.scope == scope,
            Recommendation.group_id == group_id,
        )
    ).one()
    rec = Recommendation(
        workshop_id=workshop_id,
        scope=scope,
        group_id=group_id,
        title=draft.title,
        text=draft.text,
        rationale=draft.rationale,
        who_acts=draft.who_acts,
        position=(top or 0) + 1,
        created_by=actor.id if isinstance(actor, Staff) else None,
    )
    s.add(rec)
    s.flush()
    return rec


# -- a group's ------------------------------------------------------------------------------


@write_job
def promote(
    s: Session, actor: Actor, group_id: int, source: object, source_id: int, draft: Draft
) -> int:
    """Make a group recommendation from a theme or an idea, remembering where it came from."""
    if source not in (SourceKind.cluster, SourceKind.idea):
        raise Invalid(N_("Promote a theme or an idea."))
    kind = SourceKind(str(source))
    group = require_facilitator(s, actor, group_id)
    row: Cluster | Idea | None = (
        get_row(s, Cluster, source_id)
        if kind is SourceKind.cluster
        else get_row(s, Idea, source_id)
    )
    if (
        row is None
        or row.group_id != group_id
        or (isinstance(row, Idea) and row.status != IdeaStatus.visible)
    ):
        raise NotFound(N_("That theme or idea is not on the board any more."))
    rec = _add(s, actor, group.workshop_id, group_id, draft)
    assert rec.id is not None
    s.add(RecommendationSource(recommendation_id=rec.id, target=kind, target_id=source_id))
    _event(s, actor, rec, vocabulary.RECOMMENDATION_CREATED)
    return rec.id


# -- the workshop's -------------------------------------------------------------------------


@write_job
def synthesise(s: Session, actor: Actor, workshop_id: int, draft: Draft, rec_ids: list[int]) -> int:
    """A final recommendation of the workshop from one or more group ones (merging them).

    Blanks start from the sources: the first one's title, and when there is only one, its
    text, rationale and who acts too (several need a person to write what they share)."""
    if not rec_ids:
        raise Invalid(N_("Choose at least one group recommendation."))
    require_organiser(s, actor, workshop_id)
    sources = [_check_group_recommendation(s, workshop_id, rec_id) for rec_id in rec_ids]
    first = sources[0]
    if not draft.title:
        draft = replace(draft, title=first.title)
    if len({r.id for r in sources}) == 1 and not (draft.text or draft.rationale or draft.who_acts):
        draft = replace(draft, text=first.text, rationale=first.rationale, who_acts=first.who_acts)
    rec = _add(s, actor, workshop_id, None, draft)
    assert rec.id is not None
    for rec_id in dict.fromkeys(rec_ids):
        s.add(_link(rec.id, rec_id))
    _event(s, actor, rec, vocabulary.RECOMMENDATION_CREATED)
    return rec.id


def _link(rec_id: int, source_id: int) -> RecommendationSource:
    return RecommendationSource(
        recommendation_id=rec_id, target=SourceKind.recommendation, target_id=source_id
    )


def _check_group_recommendation(s: Session, workshop_id: int, rec_id: int) -> Recommendation:
    rec = get_row(s, Recommendation, rec_id)
    group = s.get(Group, rec.group_id) if rec is not None and rec.group_id else None
    if rec is None or group is None or group.workshop_id != workshop_id:
        raise NotFound(N_("That group recommendation is not in this workshop."))
    return rec


def _final(s: Session, actor: Actor, rec_id: int) -> Recommendation:
    rec = _recommendation(s, actor, rec_id)
    if rec.scope != Scope.workshop:
        raise NotFound(N_("That final recommendation no longer exists."))
    return rec


@write_job
def add_source(s: Session, actor: Actor, rec_id: int, source_id: int) -> None:
    """Add a group recommendation to what a final one draws on."""
    rec = _final(s, actor, rec_id)
    _check_group_recommendation(s, rec.workshop_id, source_id)
    if s.get(RecommendationSource, (rec_id, SourceKind.recommendation, source_id)) is None:
        s.add(_link(rec_id, source_id))
        _event(s, actor, rec, vocabulary.RECOMMENDATION_SOURCES)


@write_job
def remove_source(s: Session, actor: Actor, rec_id: int, source_id: int) -> None:
    rec = _final(s, actor, rec_id)
    link = s.get(RecommendationSource, (rec_id, SourceKind.recommendation, source_id))
    if link is None:
        return
    remaining = s.exec(
        select(func.count()).where(RecommendationSource.recommendation_id == rec_id)
    ).one()
    if remaining <= 1:
        raise Invalid(N_("A final recommendation keeps at least one source."))
    s.delete(link)
    _event(s, actor, rec, vocabulary.RECOMMENDATION_SOURCES)


# -- any scope ------------------------------------------------------------------------------


@write_job
def edit(s: Session, actor: Actor, rec_id: int, draft: Draft) -> None:
    rec = _recommendation(s, actor, rec_id)
    now = (rec.title, rec.text, rec.rationale, rec.who_acts)
    if now == (draft.title, draft.text, draft.rationale, draft.who_acts):
        return
    rec.title, rec.text, rec.rationale = draft.title, draft.text, draft.rationale
    rec.who_acts = draft.who_acts
    rec.updated_at = utcnow()
    s.add(rec)
    _event(s, actor, rec, vocabulary.RECOMMENDATION_EDITED)


@write_job
def set_agreed(s: Session, actor: Actor, rec_id: int, agreed: bool) -> None:
    """Mark a recommendation agreed (a workshop's: final), or take that back. Phones see a
    group's agreed ones."""
    rec = _recommendation(s, actor, rec_id)
    if rec.agreed == agreed:
        return
    rec.agreed, rec.updated_at = agreed, utcnow()
    s.add(rec)
    _event(s, actor, rec, vocabulary.RECOMMENDATION_AGREED)


@write_job
def move(s: Session, actor: Actor, rec_id: int, direction: object) -> None:
    """Move a recommendation one place up or down in its list."""
    where = check_direction(direction)
    rec = _recommendation(s, actor, rec_id)
    if step(s, _siblings(s, rec), rec, where):
        _event(s, actor, rec, vocabulary.RECOMMENDATION_MOVED)


@write_job
def delete(s: Session, actor: Actor, rec_id: int) -> None:
    rec = _recommendation(s, actor, rec_id)
    _event(s, actor, rec, vocabulary.RECOMMENDATION_DELETED)
    # Wider recommendations that drew on it no longer do (their own sources stay).
    s.exec(
        sql_delete(RecommendationSource).where(
            col(RecommendationSource.target) == SourceKind.recommendation,
            col(RecommendationSource.target_id) == rec_id,
        )
    )
    s.delete(rec)
