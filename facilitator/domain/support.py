"""A phone's "+1" to an idea already on the board, offered by the duplicate hint instead of
sending its own: one per participant (a device in a workshop) per idea, counted on the board
beside the idea."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import get_row, require_member
from facilitator.domain.actors import Actor, Participant
from facilitator.domain.errors import Forbidden, NotFound
from facilitator.domain.ideas import shown_to_phones
from facilitator.i18n import N_
from facilitator.models import Idea, IdeaStatus, IdeaSupport
from facilitator.store.jobs import write_job


def support_counts(s: Session, group_id: int) -> dict[int, int]:
    """Each idea of the group with any +1, and how many."""
    rows = s.exec(
        select(IdeaSupport.idea_id, func.count())
        .where(IdeaSupport.group_id == group_id)
        .group_by(col(IdeaSupport.idea_id))
    ).all()
    return {idea_id: count for idea_id, count in rows}


@write_job
def support_idea(s: Session, actor: Actor, group_id: int, idea_id: int) -> int:
    """Records this phone's +1 to an idea of its group; the idea's +1s after it. A second +1
    from the same phone to the same idea changes nothing (and records no event)."""
    if not isinstance(actor, Participant):
        raise Forbidden(N_("Only participants can add their +1 to an idea."))
    group = require_member(s, actor, group_id)
    idea = get_row(s, Idea, idea_id)
    if (
        idea is None
        or idea.group_id != group_id
        or idea.status != IdeaStatus.visible
        or not shown_to_phones(group, idea)
    ):
        raise NotFound(N_("That idea is not on the board any more."))
    if idea.participant_id == actor.id:
        raise Forbidden(N_("That idea is yours already."))
    given = s.exec(
        select(IdeaSupport.id).where(
            IdeaSupport.idea_id == idea_id, IdeaSupport.participant_id == actor.id
        )
    ).first()
    if given is None:
        s.add(IdeaSupport(group_id=group_id, idea_id=idea_id, participant_id=actor.id))
        s.flush()
    count = support_counts(s, group_id).get(idea_id, 0)
    if given is None:
        payload = vocabulary.IdeaSupported(idea_id, idea.text, count)
        record.to_group(s, group_id, vocabulary.IDEA_SUPPORTED, payload, actor)
    return count
