"""Which ideas a facilitator might merge an idea into, the most alike first (issue #21).

The same similarity engine as the phone's duplicate hint (clustering.hint_scores), called once
per request, so that the engine's improvements reach the console's *Merge into…* list too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlmodel import Session, col, select

from facilitator.domain.access import get_row, require_facilitator
from facilitator.domain.actors import Actor
from facilitator.domain.errors import NotFound
from facilitator.domain.suggestions import engine
from facilitator.i18n import N_
from facilitator.models import Idea, IdeaStatus
from facilitator.store.database import Database

# At least this score reads as "says much the same" (the phone's hint uses the same bar).
ALIKE = 0.45


@dataclass(frozen=True)
class Candidate:
    idea_id: int
    score: float  # in [0, 1]; 1: the same text

    @property
    def alike(self) -> bool:
        return self.score >= ALIKE


async def merge_candidates(
    db: Database, actor: Actor, group_id: int, idea_id: int
) -> list[Candidate]:
    """Every other idea on the group's board (visible or awaiting approval), most alike first;
    ties keep the board's order."""

    def read(s: Session) -> tuple[str, list[tuple[int, str]]]:
        require_facilitator(s, actor, group_id)
        idea = get_row(s, Idea, idea_id)
        if idea is None or idea.group_id != group_id or idea.status == IdeaStatus.merged:
            raise NotFound(N_("That idea is not on the board any more."))
        rows = s.exec(
            select(Idea.id, Idea.text)
            .where(
                Idea.group_id == group_id,
                col(Idea.status).in_([IdeaStatus.visible, IdeaStatus.pending]),
                Idea.id != idea_id,
            )
            .order_by(col(Idea.id))
        ).all()
        return idea.text, [(int(i), str(t)) for i, t in rows if i is not None]

    text, others = await db.read(read)
    if not others:
        return []
    clustering = await engine()
    scores = await asyncio.to_thread(
        clustering.hint_scores, text, [t for _, t in others], clustering.default_backend()
    )
    ranked = sorted(zip(scores, others, strict=True), key=lambda pair: -pair[0])
    return [Candidate(ident, round(float(score), 3)) for score, (ident, _) in ranked]
