"""Suggested themes and the duplicate hint, from the similarity engine (facilitator.clustering).

Nothing here changes the board: a facilitator previews suggestions and accepts all, some or
edited ones (clusters.apply_suggestions); a phone is only shown similar ideas.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from sqlmodel import Session, col, select

from facilitator import clustering, vocabulary
from facilitator.domain.access import require_facilitator, require_member
from facilitator.domain.actors import Actor
from facilitator.domain.ideas import shown_to_phones
from facilitator.models import Idea, IdeaStatus
from facilitator.store.database import Database
from facilitator.store.events import Wired, group_channel
from facilitator.vocabulary import IdeaView

HINT_THRESHOLD = 0.45
HINT_COUNT = 3
HINT_MIN_LENGTH = 12

# The channels of groups whose facilitator asked for suggestions, or whose phones asked for
# the hint, in this process: only their ideas' vectors are worth computing (each costs 15–30 ms
# of CPU).
_in_use: set[str] = set()
# Events whose idea has a text that is new to the board.
_NEW_TEXT = frozenset(
    kind.name
    for kind in (
        vocabulary.IDEA_SUBMITTED,
        vocabulary.IDEA_EDITED,
        vocabulary.IDEA_MODERATED,
        vocabulary.IDEA_APPROVED,
        vocabulary.IDEA_RESTORED,
    )
)


def use(group_id: int) -> None:
    """Marks a group as using suggestions or hints: from now on its new ideas get their vectors
    in the background (:func:`ideas_committed`)."""
    _in_use.add(group_channel(group_id))


def prepare(group_id: int, texts: list[str]) -> None:
    """A group about to use suggestions (its console is open): its ideas' vectors are computed
    in the background, and those of its next ideas too. Returns at once."""
    use(group_id)
    clustering.warm(texts)


def ideas_committed(events: Sequence[Wired]) -> None:
    """Called with every batch of committed events (after the publisher): queues the vector of
    each new or changed idea of a group that uses suggestions or hints, to be computed in the
    background at low priority. Returns at once; events of other groups are not even decoded."""
    texts = []
    for channel, _, raw in events:
        if channel in _in_use:
            event = orjson.loads(raw)
            if event.get("kind") in _NEW_TEXT:
                texts.append(str(event["payload"]["idea"]["text"]))
    if texts:
        clustering.warm(texts)


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
    use(group_id)
    texts = [i.text for i in ideas]
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
    use(group_id)
    if not ideas:
        return []
    # By meaning, in any language, for the ideas whose vectors are kept; the others by shared
    # words while their vectors are computed in the background (only for groups whose phones
    # ask for hints). Only the draft's vector is computed in the request.
    backend = clustering.default_backend()
    scores = await asyncio.to_thread(
        clustering.hint_scores, draft, [i.text for i in ideas], backend
    )
    ranked = sorted(zip(scores, ideas, strict=True), key=lambda pair: -pair[0])
    return [idea for score, idea in ranked[:HINT_COUNT] if score >= HINT_THRESHOLD]
