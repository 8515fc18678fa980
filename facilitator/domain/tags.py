"""The tag a phone gives at join (its organisation, its country), which a round can seat
phones by so that tables mix. Asked only when the workshop names it (`tag_label`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from facilitator.domain.actors import Participant
from facilitator.domain.errors import Invalid
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import Participant as ParticipantRow
from facilitator.models import Workshop
from facilitator.store.jobs import write_job

TAG_LIMIT = 60


@dataclass(frozen=True)
class JoinTag:
    label: str  # the workshop's question, "Your organisation"; "" asks nothing
    value: str  # this phone's answer


def join_tag(s: Session, participant_id: int) -> JoinTag:
    row = s.get(ParticipantRow, participant_id)
    workshop = s.get(Workshop, row.workshop_id) if row else None
    if row is None or workshop is None:
        return JoinTag("", "")
    return JoinTag(workshop.tag_label, row.tag)


@write_job
def set_tag(s: Session, actor: Participant, tag: object) -> str:
    """The phone's answer to the workshop's question; a phone sets only its own."""
    value = clean(tag, limit=TAG_LIMIT, multiline=False, required=False)
    row = s.get(ParticipantRow, actor.id)
    if row is None or row.workshop_id != actor.workshop_id:
        raise Invalid(N_("Please join your group again."))
    row.tag = value
    s.add(row)
    return value
