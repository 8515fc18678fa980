"""The duplicate hint: while a phone types, the ideas already on its board that say much the
same, each with "+1 that instead of sending mine". A phone asks at every pause in typing, so
this is one read and a ranking by the group's engine (see docs/clustering.md)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import Session, select

from facilitator.domain import participants, suggestions
from facilitator.domain.access import require_member
from facilitator.domain.actors import Participant
from facilitator.domain.ideas import shown_to_phones
from facilitator.models import Idea, IdeaStatus
from facilitator.store.database import Database
from facilitator.store.statements import core

HINT_THRESHOLD = 0.45
HINT_COUNT = 3
HINT_MIN_LENGTH = 12
# Threads of the hint's own: in the loop's default ones, hints queued behind suggestions
# that wait seconds for a board's vectors, and a phone's hint came 15 s late.
_SCORING = ThreadPoolExecutor(4, thread_name_prefix="hint")


@dataclass(frozen=True, slots=True)
class Similar:
    """An idea on the board as the hint shows it."""

    id: int
    text: str
    participant_id: int | None


# What the hint reads of a board: three columns, not whole rows (a phone asks at every pause
# in typing: 167 requests a second at a 5,000-phone event).
_BOARD_TEXTS = select(Idea.id, Idea.text, Idea.participant_id, Idea.status).where(
    Idea.group_id == bindparam("group_id"), Idea.status == IdeaStatus.visible
)


async def similar_ideas(
    db: Database, code: str, device: str, text: str
) -> tuple[Participant, list[Similar]] | None:
    """For the phone with this device in the group with this code: ideas already on its
    board that say much the same as what it is typing. None when the device does not sit in
    that group (or the code is no group's: the same answer). The phone, the group's rules
    and the board come in one read."""
    draft = " ".join(str(text).split())[:500]

    def read(s: Session) -> tuple[Participant, list[Similar]] | None:
        who = participants.member_by_code(s, code, device)
        if who is None or who.group_id is None:
            return None
        if len(draft) < HINT_MIN_LENGTH:
            return who, []
        group = require_member(s, who, who.group_id)
        rows = core(s, _BOARD_TEXTS, {"group_id": who.group_id}).all()
        return who, [
            Similar(r.id, r.text, r.participant_id) for r in rows if shown_to_phones(group, r)
        ]

    found = await db.read(read)
    if found is None:
        return None
    who, ideas = found
    group_id = who.group_id
    assert group_id is not None
    suggestions.use(group_id)
    if not ideas:
        return who, []
    # By meaning, in any language, for the ideas whose vectors are kept; the others by shared
    # words while their vectors are computed in the background (only for groups whose phones
    # ask for hints). Only the draft's vector is computed in the request.
    clustering = await suggestions.hint_engine(db, group_id)
    backend = clustering.default_backend()
    scores = await asyncio.get_running_loop().run_in_executor(
        _SCORING, clustering.hint_scores, draft, [i.text for i in ideas], backend
    )
    ranked = sorted(zip(scores, ideas, strict=True), key=lambda pair: -pair[0])
    return who, [idea for score, idea in ranked[:HINT_COUNT] if score >= HINT_THRESHOLD]
