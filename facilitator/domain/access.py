"""Authorisation from the actor (DESIGN rule 2): checked in every command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, SQLModel, col, select

from facilitator.domain.actors import Actor, Participant, Staff
from facilitator.domain.errors import Forbidden, NotFound
from facilitator.domain.ids import in_range
from facilitator.group_settings import GroupSettings
from facilitator.i18n import N_
from facilitator.models import Group, GroupFacilitator, Phase, Workshop, WorkshopOrganiser
from facilitator.models import Participant as ParticipantRow
from facilitator.store.statements import core

M = TypeVar("M", bound=SQLModel)


def get_row(s: Session, model: type[M], ident: int, *, lock: bool = False) -> M | None:
    """The row with this id, or None, also for an id no database could hold.

    `lock` takes the row lock (FOR UPDATE) where the database has one, so a command's
    check and its change see the same row even when another process writes at once.
    SQLite has one writer anyway and ignores it.
    """
    if not in_range(ident):
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


def workshop_staff(s: Session, workshop_id: int) -> set[int]:
    """Who works on a workshop: its organisers and the facilitators of its groups. Only
    they are shown to its organisers and assigned directly; anyone else joins by accepting
    an invitation, so no one is put on a workshop, nor shown to its organiser, unasked."""
    organisers = select(WorkshopOrganiser.user_id).where(
        WorkshopOrganiser.workshop_id == workshop_id
    )
    facilitators = (
        select(GroupFacilitator.user_id)
        .join(Group, col(Group.id) == GroupFacilitator.group_id)
        .where(Group.workshop_id == workshop_id)
    )
    return set(s.exec(organisers).all()) | set(s.exec(facilitators).all())


def organises(s: Session, user_id: int, workshop_id: int) -> bool:
    return s.get(WorkshopOrganiser, (workshop_id, user_id)) is not None


def facilitates(s: Session, user_id: int, group: Group | GroupRules) -> bool:
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


@dataclass(frozen=True, slots=True)
class GroupRules:
    """A group's rules as its members' commands read them (submit, vote, reconnect).

    Read with the membership check in one statement: these run for every idea and every
    dot, and loading ORM rows for them cost more than the rest of a submission."""

    settings: GroupSettings
    id: int
    workshop_id: int
    phase: Phase
    ideas_revealed: bool
    votes_revealed: bool
    timer_ends_at: dt.datetime | None
    writing_locked: bool


# Each row: the settings' columns, then those of the other fields, in order.
_SETTINGS = [col(getattr(Group, name)) for name in GroupSettings.names()]
_OWN = [col(getattr(Group, f.name)) for f in fields(GroupRules)[1:]]
_PARTICIPANT = ParticipantRow.__table__  # type: ignore[attr-defined]
# The group, and (outer-joined) the participant if they are in it now: the row, not the
# actor's snapshot, since the device may have moved to another group since it connected.
_MEMBER = (
    core_select(*_SETTINGS, *_OWN, _PARTICIPANT.c.id.label("member"))
    .select_from(Group)
    .outerjoin(
        _PARTICIPANT,
        and_(
            _PARTICIPANT.c.id == bindparam("participant_id"),
            _PARTICIPANT.c.group_id == col(Group.id),
            _PARTICIPANT.c.workshop_id == col(Group.workshop_id),
        ),
    )
    .where(col(Group.id) == bindparam("group_id"))
)


# What reads a group's rules takes either: the ORM row (staff pages) or the rules alone.
AnyGroup = Group | GroupRules


def require_member(s: Session, actor: Actor, group_id: int) -> GroupRules:
    """A participant acts only in the group they joined; staff only where they facilitate."""
    if not in_range(group_id):
        raise NotFound(N_("That group does not exist."))
    is_phone = isinstance(actor, Participant)
    row = core(
        s, _MEMBER, {"group_id": group_id, "participant_id": actor.id if is_phone else 0}
    ).first()
    if row is None:
        raise NotFound(N_("That group does not exist."))
    rules = _rules(row)
    if is_phone:
        if row.member is None:
            raise Forbidden(N_("You can only take part in the group you joined."))
        return rules
    if not facilitates(s, actor.id, rules):
        raise Forbidden(N_("Only this group's facilitators can do that."))
    return rules


def _rules(row: Any) -> GroupRules:
    n = len(_SETTINGS)
    rules = GroupRules(GroupSettings(*row[:n]), *row[n:-1])
    object.__setattr__(rules, "phase", Phase(rules.phase))  # the column holds its value
    return rules


def group_rules(s: Session, group_id: int) -> GroupRules:
    """A group's rules, whoever asks (the caller has checked who may act in it)."""
    row = core(s, _MEMBER, {"group_id": group_id, "participant_id": 0}).first()
    if row is None:
        raise NotFound(N_("That group does not exist."))
    return _rules(row)


def facilitated_group_ids(s: Session, user_id: int) -> set[int]:
    direct = s.exec(select(GroupFacilitator.group_id).where(GroupFacilitator.user_id == user_id))
    via_workshop = s.exec(
        select(Group.id)
        .join(WorkshopOrganiser, col(WorkshopOrganiser.workshop_id) == Group.workshop_id)
        .where(WorkshopOrganiser.user_id == user_id)
    )
    return {gid for gid in [*direct, *via_workshop] if gid is not None}
