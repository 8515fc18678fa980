"""Carry forward: a group of a later round starts from an earlier group's agreed
recommendations, each as a seed card that remembers the recommendation it came from."""

from __future__ import annotations

from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain.actors import Staff
from facilitator.domain.ideas import publish_idea
from facilitator.models import (
    Group,
    GroupCarry,
    Idea,
    IdeaStatus,
    Recommendation,
    Scope,
    utcnow,
)

SEED_LIMIT = 5000  # characters of a card: a recommendation's title and text


def seed(s: Session, actor: Staff, group_ids: list[int]) -> int:
    """Seed cards in these groups (a round starting) from the groups they carry from; the
    same recommendation is never seeded twice into a group (its key says which it is)."""
    links = s.exec(select(GroupCarry).where(col(GroupCarry.group_id).in_(group_ids))).all()
    if not links:
        return 0
    sources = {link.source_id for link in links}
    names = {g.id: g.name for g in s.exec(select(Group).where(col(Group.id).in_(sources))) if g.id}
    agreed = s.exec(
        select(Recommendation)
        .where(
            col(Recommendation.group_id).in_(sources),
            Recommendation.scope == Scope.group,
            col(Recommendation.agreed).is_(True),
        )
        .order_by(col(Recommendation.group_id), col(Recommendation.position))
    ).all()
    made = 0
    for link in sorted(links, key=lambda link: (link.group_id, link.source_id)):
        taken = set(s.exec(select(Idea.seed_of).where(Idea.group_id == link.group_id)).all())
        for rec in (r for r in agreed if r.group_id == link.source_id and r.id not in taken):
            text = f"{rec.title}\n\n{rec.text}".strip() if rec.text else rec.title
            now = utcnow()
            idea = Idea(
                group_id=link.group_id,
                user_id=actor.id,  # the organiser who started the round
                client_key=f"carried-{rec.id}",
                author_name=names.get(link.source_id, ""),
                text=text[:SEED_LIMIT],
                status=IdeaStatus.visible,
                created_at=now,
                updated_at=now,
                seed_of=rec.id,
            )
            s.add(idea)
            s.flush()
            publish_idea(s, vocabulary.IDEA_CARRIED, actor, idea)
            made += 1
    return made
