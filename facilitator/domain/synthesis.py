"""Synthesis: the organiser turns every group's recommendations into the workshop's final
ones. Each final recommendation keeps its sources, so its provenance can be walked down to
the group recommendations, their themes and ideas, and the groups, and back up again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from facilitator.domain.access import require_organiser
from facilitator.domain.actors import Actor
from facilitator.domain.errors import NotFound
from facilitator.domain.votes import item_key, tallies
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
)
from facilitator.store.database import Database


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
    who_acts: str = ""

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
    who_acts: str = ""

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
        if link.target == SourceKind.cluster:
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
        select(Recommendation)
        .where(Recommendation.workshop_id == workshop_id, Recommendation.scope == Scope.workshop)
        .order_by(col(Recommendation.position), col(Recommendation.id))
    ).all()
    final_sources: dict[int, list[int]] = {}
    for row in s.exec(
        select(RecommendationSource).where(
            col(RecommendationSource.recommendation_id).in_([f.id for f in finals_rows]),
            RecommendationSource.target == SourceKind.recommendation,
        )
    ):
        links.setdefault(row.target_id, []).append(row.recommendation_id)
        final_sources.setdefault(row.recommendation_id, []).append(row.target_id)
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
                rec.who_acts,
            )
    finals = [
        Final(
            f.id,
            f.title,
            f.text,
            f.rationale,
            f.agreed,
            [recs[r] for r in sorted(final_sources.get(f.id, [])) if r in recs],
            f.who_acts,
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
