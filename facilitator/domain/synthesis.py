"""Synthesis: the organiser turns every group's recommendations into the workshop's final
ones. Each final recommendation keeps its sources, so its provenance can be walked down to
the group recommendations, their themes and ideas, and the groups, and back up again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import get_row, require_organiser
from facilitator.domain.actors import Actor, Staff
from facilitator.domain.errors import Invalid, NotFound
from facilitator.domain.ordering import check_direction, step
from facilitator.domain.recommendations import Draft
from facilitator.domain.votes import item_key, tallies
from facilitator.i18n import N_
from facilitator.models import (
    Cluster,
    FinalRecommendation,
    FinalSource,
    Group,
    Idea,
    IdeaStatus,
    Recommendation,
    RecommendationSource,
    VoteTarget,
    Workshop,
    utcnow,
)
from facilitator.store.database import Database
from facilitator.vocabulary import Kind, RecommendationChanged


@dataclass(frozen=True)
class SourceTrace:
    """A theme or idea behind a group recommendation, with its dots and its ideas."""

    kind: str
    id: int
    label: str
    votes: int
    ideas: list[str]


@dataclass(frozen=True)
class GroupRecommendation:
    id: int
    group_id: int
    group_name: str
    title: str
    text: str
    rationale: str
    agreed: bool
    sources: list[SourceTrace]
    finals: list[int] = field(default_factory=list)  # the final ones it feeds (walk up)

    @property
    def votes(self) -> int:
        return sum(s.votes for s in self.sources)


@dataclass(frozen=True)
class Final:
    id: int
    title: str
    text: str
    rationale: str
    final: bool
    sources: list[GroupRecommendation]

    @property
    def groups(self) -> list[str]:
        return sorted({s.group_name for s in self.sources})

    @property
    def votes(self) -> int:
        return sum(s.votes for s in self.sources)


@dataclass(frozen=True)
class Synthesis:
    workshop_id: int
    title: str
    recommendations: list[GroupRecommendation]  # every group's, in group order
    finals: list[Final]

    def number(self, final_id: int) -> int:
        """A final recommendation's number as the list shows it (1, 2, ...)."""
        return next(n for n, f in enumerate(self.finals, 1) if f.id == final_id)


def _traces(s: Session, rec: Recommendation, votes: dict[str, int]) -> list[SourceTrace]:
    out = []
    for link in s.exec(
        select(RecommendationSource).where(RecommendationSource.recommendation_id == rec.id)
    ):
        if link.target == VoteTarget.cluster:
            cluster = s.get(Cluster, link.target_id)
            label = cluster.name if cluster else "—"
            ideas = s.exec(
                select(Idea.text).where(
                    Idea.cluster_id == link.target_id, Idea.status == IdeaStatus.visible
                )
            ).all()
        else:
            idea = s.get(Idea, link.target_id)
            label = idea.text if idea else "—"
            merged = s.exec(
                select(Idea.text).where(
                    Idea.merged_into == link.target_id, Idea.status == IdeaStatus.merged
                )
            ).all()
            ideas = [label, *merged]
        out.append(
            SourceTrace(
                link.target,
                link.target_id,
                label,
                votes.get(item_key(link.target, link.target_id), 0),
                list(ideas),
            )
        )
    return out


def synthesis(s: Session, workshop_id: int) -> Synthesis:
    """The whole synthesis board, read in one snapshot."""
    workshop = s.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(N_("That workshop does not exist."))
    groups = s.exec(
        select(Group).where(Group.workshop_id == workshop_id).order_by(col(Group.position))
    ).all()
    links: dict[int, list[int]] = {}
    finals_rows = s.exec(
        select(FinalRecommendation)
        .where(FinalRecommendation.workshop_id == workshop_id)
        .order_by(col(FinalRecommendation.position), col(FinalRecommendation.id))
    ).all()
    final_sources: dict[int, list[int]] = {}
    for row in s.exec(
        select(FinalSource).where(col(FinalSource.final_id).in_([f.id for f in finals_rows]))
    ):
        links.setdefault(row.recommendation_id, []).append(row.final_id)
        final_sources.setdefault(row.final_id, []).append(row.recommendation_id)
    recs: dict[int, GroupRecommendation] = {}
    for group in groups:
        assert group.id is not None
        votes = tallies(s, group.id)
        for rec in s.exec(
            select(Recommendation)
            .where(Recommendation.group_id == group.id)
            .order_by(col(Recommendation.position), col(Recommendation.id))
        ):
            assert rec.id is not None
            recs[rec.id] = GroupRecommendation(
                rec.id,
                group.id,
                group.name,
                rec.title,
                rec.text,
                rec.rationale,
                rec.agreed,
                _traces(s, rec, votes),
                sorted(links.get(rec.id, [])),
            )
    finals = [
        Final(
            f.id,
            f.title,
            f.text,
            f.rationale,
            f.final,
            [recs[r] for r in sorted(final_sources.get(f.id, [])) if r in recs],
        )
        for f in finals_rows
        if f.id is not None
    ]
    return Synthesis(workshop_id, workshop.title, list(recs.values()), finals)


async def board(db: Database, actor: Actor, workshop_id: int) -> Synthesis:
    def read(s: Session) -> Synthesis:
        require_organiser(s, actor, workshop_id)
        return synthesis(s, workshop_id)

    return await db.read(read)


async def first_title(db: Database, actor: Actor, workshop_id: int, rec_ids: list[int]) -> str:
    """The title of the first chosen group recommendation, as a starting point."""

    def read(s: Session) -> str:
        require_organiser(s, actor, workshop_id)
        for rec_id in rec_ids:
            rec = get_row(s, Recommendation, rec_id)
            if rec is not None:
                return rec.title
        raise Invalid(N_("Choose at least one group recommendation."))

    return await db.read(read)


async def near_duplicates(
    board: Synthesis, threshold: float = 0.3
) -> list[tuple[GroupRecommendation, GroupRecommendation, float]]:
    """Pairs of recommendations from different groups that say much the same, not yet
    merged: a suggestion a person approves or ignores."""

    recs = board.recommendations
    pairs = [
        (a, b)
        for i, a in enumerate(recs)
        for b in recs[i + 1 :]
        if a.group_id != b.group_id and not set(a.finals) & set(b.finals)
    ]
    if not pairs:
        return []
    # Imported here: this module's jobs run in the writer process, which imports the module
    # and has no use for scikit-learn (a second and some 90 MB).
    from facilitator import clustering

    text = lambda r: f"{r.title}. {r.text}"  # noqa: E731
    scores = await asyncio.to_thread(
        clustering.similarity, [text(a) for a, _ in pairs], [text(b) for _, b in pairs]
    )
    found = [
        (a, b, score) for (a, b), score in zip(pairs, scores, strict=True) if score >= threshold
    ]
    return sorted(found, key=lambda t: -t[2])[:20]


# -- commands ------------------------------------------------------------------------------


def _final(s: Session, actor: Actor, final_id: int) -> FinalRecommendation:
    row = get_row(s, FinalRecommendation, final_id)
    if row is None:
        raise NotFound(N_("That final recommendation no longer exists."))
    require_organiser(s, actor, row.workshop_id)
    return row


def _check_recommendation(s: Session, workshop_id: int, rec_id: int) -> None:
    rec = get_row(s, Recommendation, rec_id)
    group = s.get(Group, rec.group_id) if rec else None
    if group is None or group.workshop_id != workshop_id:
        raise NotFound(N_("That group recommendation is not in this workshop."))


def _event(
    s: Session, actor: Actor, row: FinalRecommendation, kind: Kind[RecommendationChanged]
) -> None:
    assert row.id is not None
    payload = RecommendationChanged(row.id, row.title)
    record.to_workshop(s, row.workshop_id, kind, payload, actor)


async def create_final(
    db: Database, actor: Actor, workshop_id: int, draft: Draft, rec_ids: list[int]
) -> int:
    """A final recommendation from one or more group recommendations (merging them)."""
    if not rec_ids:
        raise Invalid(N_("Choose at least one group recommendation."))
    return await db.write(_create_final, actor, workshop_id, rec_ids, draft)


def _create_final(
    s: Session, actor: Actor, workshop_id: int, rec_ids: list[int], draft: Draft
) -> int:
    require_organiser(s, actor, workshop_id)
    for rec_id in rec_ids:
        _check_recommendation(s, workshop_id, rec_id)
    top = s.exec(
        select(func.max(FinalRecommendation.position)).where(
            FinalRecommendation.workshop_id == workshop_id
        )
    ).one()
    row = FinalRecommendation(
        workshop_id=workshop_id,
        title=draft.title,
        text=draft.text,
        rationale=draft.rationale,
        position=(top or 0) + 1,
        created_by=actor.id if isinstance(actor, Staff) else None,
    )
    s.add(row)
    s.flush()
    assert row.id is not None
    for rec_id in dict.fromkeys(rec_ids):
        s.add(FinalSource(final_id=row.id, recommendation_id=rec_id))
    _event(s, actor, row, vocabulary.RECOMMENDATION_CREATED)
    return row.id


async def add_source(db: Database, actor: Actor, final_id: int, rec_id: int) -> None:
    await db.write(_add_source, actor, final_id, rec_id)


def _add_source(s: Session, actor: Actor, final_id: int, rec_id: int) -> None:
    row = _final(s, actor, final_id)
    _check_recommendation(s, row.workshop_id, rec_id)
    if s.get(FinalSource, (final_id, rec_id)) is None:
        s.add(FinalSource(final_id=final_id, recommendation_id=rec_id))
        _event(s, actor, row, vocabulary.RECOMMENDATION_SOURCES)


async def remove_source(db: Database, actor: Actor, final_id: int, rec_id: int) -> None:
    await db.write(_remove_source, actor, final_id, rec_id)


def _remove_source(s: Session, actor: Actor, final_id: int, rec_id: int) -> None:
    row = _final(s, actor, final_id)
    link = s.get(FinalSource, (final_id, rec_id))
    if link is None:
        return
    remaining = s.exec(select(func.count()).where(FinalSource.final_id == final_id)).one()
    if remaining <= 1:
        raise Invalid(N_("A final recommendation keeps at least one source."))
    s.delete(link)
    _event(s, actor, row, vocabulary.RECOMMENDATION_SOURCES)


async def edit_final(db: Database, actor: Actor, final_id: int, draft: Draft) -> None:
    await db.write(_edit_final, actor, final_id, draft)


def _edit_final(s: Session, actor: Actor, final_id: int, draft: Draft) -> None:
    row = _final(s, actor, final_id)
    row.title, row.text, row.rationale = draft.title, draft.text, draft.rationale
    row.updated_at = utcnow()
    s.add(row)
    _event(s, actor, row, vocabulary.RECOMMENDATION_EDITED)


async def set_final(db: Database, actor: Actor, final_id: int, final: bool) -> None:
    await db.write(_set_final, actor, final_id, final)


def _set_final(s: Session, actor: Actor, final_id: int, final: bool) -> None:
    row = _final(s, actor, final_id)
    if row.final == final:
        return
    row.final, row.updated_at = final, utcnow()
    s.add(row)
    _event(s, actor, row, vocabulary.RECOMMENDATION_AGREED)


async def move_final(db: Database, actor: Actor, final_id: int, direction: object) -> None:
    where = check_direction(direction)
    await db.write(_move_final, actor, final_id, where)


def _move_final(s: Session, actor: Actor, final_id: int, where: str) -> None:
    row = _final(s, actor, final_id)
    rows = list(
        s.exec(
            select(FinalRecommendation)
            .where(FinalRecommendation.workshop_id == row.workshop_id)
            .order_by(col(FinalRecommendation.position), col(FinalRecommendation.id))
        ).all()
    )
    if step(s, rows, row, where):
        _event(s, actor, row, vocabulary.RECOMMENDATION_MOVED)


async def delete_final(db: Database, actor: Actor, final_id: int) -> None:
    await db.write(_delete_final, actor, final_id)


def _delete_final(s: Session, actor: Actor, final_id: int) -> None:
    row = _final(s, actor, final_id)
    _event(s, actor, row, vocabulary.RECOMMENDATION_DELETED)
    s.delete(row)
