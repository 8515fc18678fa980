"""Suggested themes and the duplicate hint, from the similarity engine (facilitator.clustering).

Nothing here changes the board: a facilitator previews suggestions and accepts all, some or
edited ones (clusters.apply_suggestions); a phone is only shown similar ideas.
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from types import ModuleType

from sqlmodel import Session, col, select

from facilitator.domain.access import require_facilitator, require_member
from facilitator.domain.actors import Actor
from facilitator.domain.ideas import shown_to_phones
from facilitator.models import Idea, IdeaStatus
from facilitator.store.database import Database
from facilitator.vocabulary import IdeaView

HINT_THRESHOLD = 0.45
HINT_COUNT = 3
HINT_MIN_LENGTH = 12

# Groups whose facilitator asked for suggestions, or whose phones asked for the hint, in this
# process: only their ideas' vectors are worth computing (each costs 15–25 ms of CPU).
_in_use: set[int] = set()


async def _engine() -> ModuleType:
    """The similarity engine. Imported on first use, off the event loop: its libraries
    (scikit-learn, SciPy) took 40 % of a restart's import time, while phones waited to come
    back. The server imports it in the background once it is up (app.py)."""
    return await asyncio.to_thread(importlib.import_module, "facilitator.clustering")


def idea_added(group_id: int, text: str) -> None:
    """Queues a new idea's vector, computed in the background at low priority, when its group
    uses suggestions or hints; returns at once, and does nothing for other groups."""
    if group_id in _in_use:
        from facilitator import clustering

        clustering.warm([text])


@dataclass(frozen=True)
class Proposal:
    name: str
    ideas: list[IdeaView]


@dataclass(frozen=True)
class Preview:
    backend: str
    proposals: list[Proposal]
    left_alone: list[IdeaView]


async def preview(db: Database, actor: Actor, group_id: int) -> Preview:
    """Groupings of the ideas not yet in a theme, each with a suggested name."""

    def read(s: Session) -> list[IdeaView]:
        require_facilitator(s, actor, group_id)
        rows = s.exec(
            select(Idea)
            .where(
                Idea.group_id == group_id,
                Idea.status == IdeaStatus.visible,
                col(Idea.cluster_id).is_(None),
            )
            .order_by(col(Idea.id))
        ).all()
        return [IdeaView.of(r) for r in rows]

    ideas = await db.read(read)
    _in_use.add(group_id)
    texts = [i.text for i in ideas]
    clustering = await _engine()
    backend = clustering.default_backend()
    # Vectors missing now are computed in this request (all cores); those of the group's next
    # ideas are computed in the background, so that "Suggest again" is quick.
    # The engine is CPU work: run it off the event loop.
    groups = await asyncio.to_thread(clustering.suggest_clusters, texts, backend)
    names = await asyncio.to_thread(clustering.suggest_names, texts, groups)
    placed = {i for g in groups for i in g}
    return Preview(
        backend,
        [Proposal(name, [ideas[i] for i in g]) for name, g in zip(names, groups, strict=True)],
        [idea for n, idea in enumerate(ideas) if n not in placed],
    )


async def similar_ideas(db: Database, actor: Actor, group_id: int, text: str) -> list[IdeaView]:
    """Ideas already on this phone's board that say much the same as what it is typing."""
    draft = " ".join(str(text).split())[:500]
    if len(draft) < HINT_MIN_LENGTH:
        return []

    def read(s: Session) -> list[IdeaView]:
        group = require_member(s, actor, group_id)
        rows = s.exec(
            select(Idea).where(Idea.group_id == group_id, Idea.status == IdeaStatus.visible)
        ).all()
        return [IdeaView.of(r) for r in rows if shown_to_phones(group, r)]

    ideas = await db.read(read)
    _in_use.add(group_id)
    if not ideas:
        return []
    # By meaning, in any language, for the ideas whose vectors are kept; the others by shared
    # words while their vectors are computed in the background (only for groups whose phones
    # ask for hints). Only the draft's vector is computed in the request.
    clustering = await _engine()
    backend = clustering.default_backend()
    scores = await asyncio.to_thread(
        clustering.hint_scores, draft, [i.text for i in ideas], backend
    )
    ranked = sorted(zip(scores, ideas, strict=True), key=lambda pair: -pair[0])
    return [idea for score, idea in ranked[:HINT_COUNT] if score >= HINT_THRESHOLD]
