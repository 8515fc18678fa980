"""Authorisation from the actor (DESIGN rule 2): checked in every command."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel, col, select

from facilitator.domain.actors import Actor, Participant, Staff
from facilitator.domain.errors import Forbidden, NotFound
from facilitator.i18n import N_
from facilitator.models import Group, GroupFacilitator, Workshop, WorkshopOrganiser
from facilitator.models import Participant as ParticipantRow

M = TypeVar("M", bound=SQLModel)
# Ids are signed 64-bit integers in every database we run on. A larger number, say from a
# URL or a socket message, names no row (the driver would raise instead of finding nothing).
MAX_ID = 2**63 - 1


def get_row(s: Session, model: type[M], ident: int, *, lock: bool = False) -> M | None:
    """The row with this id, or None, also for an id no database could hold.

    `lock` takes the row lock (FOR UPDATE) where the database has one, so a command's
    check and its change see the same row even when another process writes at once.
    SQLite has one writer anyway and ignores it.
    """
    if not 0 < ident <= MAX_ID:
        return None
    return s.get(model, ident, with_for_update=lock or None)


def get_group(s: Session, group_id: int) -> Group:
    group = get_row(s, Group, group_id)
    if group is None:
        raise NotFound(N_("That group does not exist."))
    return group


def get_workshop(s: Session, workshop_id: int) -> Workshop:
    workshop = get_row(s, Workshop, workshop_id)
    if workshop is None:
        raise NotFound(N_("That workshop does not exist."))
    return workshop


def workshop_language(s: Session, group_id: int) -> str:
    """The language a group's shared screens and exports speak: its workshop's."""
    return get_workshop(s, get_group(s, group_id).workshop_id).language


def organises(s: Session, user_id: int, workshop_id: int) -> bool:
    return s.get(WorkshopOrganiser, (workshop_id, user_id)) is not None


def facilitates(s: Session, user_id: int, group: Group) -> bool:
    """Assigned facilitators, and the workshop's organisers, facilitate a group."""
    assert group.id is not None
    return s.get(GroupFacilitator, (group.id, user_id)) is not None or organises(
        s, user_id, group.workshop_id
    )


def require_organiser(s: Session, actor: Actor, workshop_id: int) -> Workshop:
    workshop = get_workshop(s, workshop_id)
    if not isinstance(actor, Staff) or not organises(s, actor.id, workshop_id):
        raise Forbidden(N_("Only this workshop's organisers can do that."))
    return workshop


def require_facilitator(s: Session, actor: Actor, group_id: int) -> Group:
    group = get_group(s, group_id)
    if not isinstance(actor, Staff) or not facilitates(s, actor.id, group):
        raise Forbidden(N_("Only this group's facilitators can do that."))
    return group


def require_member(s: Session, actor: Actor, group_id: int) -> Group:
    """A participant acts only in the group they joined; staff only where they facilitate."""
    group = get_group(s, group_id)
    if isinstance(actor, Participant):
        # The row, not the actor's snapshot: the device may have moved to another group since.
        row = s.get(ParticipantRow, actor.id)
        if row is None or row.workshop_id != group.workshop_id or row.group_id != group.id:
            raise Forbidden(N_("You can only take part in the group you joined."))
        return group
    if not facilitates(s, actor.id, group):
        raise Forbidden(N_("Only this group's facilitators can do that."))
    return group


def facilitated_group_ids(s: Session, user_id: int) -> set[int]:
    direct = s.exec(select(GroupFacilitator.group_id).where(GroupFacilitator.user_id == user_id))
    via_workshop = s.exec(
        select(Group.id)
        .join(WorkshopOrganiser, col(WorkshopOrganiser.workshop_id) == Group.workshop_id)
        .where(WorkshopOrganiser.user_id == user_id)
    )
    return {gid for gid in [*direct, *via_workshop] if gid is not None}
