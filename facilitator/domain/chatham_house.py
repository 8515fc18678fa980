"""The Chatham House Rule for a workshop: what is said may be used, but no one is named.

While the rule is on, phones are not asked for a name, no participant's or author's name is
stored with an idea, and no page, live fragment or export shows one (exports are made without
names whatever their options say). Switching it on erases the names given so far (each
phone's name and each idea's author), in the same transaction: a name that is not kept can
never be shown by a page or export written later. The event log's older payloads keep the
names their events were written with; every export leaves them out, and no page reads them.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import get_row, require_organiser
from facilitator.domain.actors import Actor
from facilitator.i18n import N_
from facilitator.models import Group, Idea, Participant, Workshop
from facilitator.store.jobs import write_job
from facilitator.vocabulary import ChathamHouseChanged

NO_NAMES = N_("This session runs under the Chatham House Rule, so names are not asked.")


def is_on(s: Session, workshop_id: int) -> bool:
    return bool(s.exec(select(Workshop.chatham_house).where(Workshop.id == workshop_id)).first())


def erase_names(s: Session, workshop_id: int) -> None:
    """Every phone's name and every idea author's name in the workshop, gone."""
    conn = s.connection()
    phones = col(Participant.workshop_id) == workshop_id
    conn.execute(update(Participant).where(phones).values(display_name=""))
    groups = select(Group.id).where(Group.workshop_id == workshop_id)
    conn.execute(update(Idea).where(col(Idea.group_id).in_(groups)).values(author_name=""))


@write_job
def set_rule(s: Session, actor: Actor, workshop_id: int, on: bool) -> bool:
    """Turn the rule on or off; True if it changed. On erases the names given so far."""
    require_organiser(s, actor, workshop_id)
    workshop = get_row(s, Workshop, workshop_id, lock=True)  # two organisers at once: one wins
    assert workshop is not None  # require_organiser found it
    if workshop.chatham_house == on:
        return False
    workshop.chatham_house = on
    s.add(workshop)
    if on:
        erase_names(s, workshop_id)
    payload = ChathamHouseChanged(on)
    record.to_workshop(s, workshop_id, vocabulary.CHATHAM_HOUSE, payload, actor)
    for group_id in s.exec(select(Group.id).where(Group.workshop_id == workshop_id)):
        if group_id is not None:  # every page of every group follows
            record.to_group(s, group_id, vocabulary.CHATHAM_HOUSE, payload, actor)
    return True
