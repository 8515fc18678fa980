"""Participants: anonymous devices that join a group by its code."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import chatham_house, codes, record, round_state
from facilitator.domain.access import get_group
from facilitator.domain.actors import Participant
from facilitator.domain.errors import Invalid
from facilitator.domain.ids import in_range
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import Group, Phase
from facilitator.models import Participant as ParticipantRow
from facilitator.store.database import Database
from facilitator.store.statements import core
from facilitator.vocabulary import PhonesChanged


def _actor(row: ParticipantRow) -> Participant:
    assert row.id is not None
    return Participant(row.id, row.workshop_id, row.group_id, row.display_name)


def find_participant(s: Session, device_hash: str, workshop_id: int) -> Participant | None:
    row = s.exec(
        select(ParticipantRow).where(
            ParticipantRow.workshop_id == workshop_id, ParticipantRow.device_hash == device_hash
        )
    ).first()
    return _actor(row) if row else None


_PARTICIPANT = ParticipantRow.__table__  # type: ignore[attr-defined]
_IN_GROUP = (
    core_select(
        _PARTICIPANT.c.id,
        _PARTICIPANT.c.workshop_id,
        _PARTICIPANT.c.group_id,
        _PARTICIPANT.c.display_name,
    )
    .join(Group, col(Group.workshop_id) == _PARTICIPANT.c.workshop_id)
    .where(
        col(Group.id) == bindparam("group_id"),
        _PARTICIPANT.c.device_hash == bindparam("device_hash"),
        _PARTICIPANT.c.group_id == bindparam("group_id"),
    )
)


_BY_CODE = (
    core_select(
        _PARTICIPANT.c.id,
        _PARTICIPANT.c.workshop_id,
        _PARTICIPANT.c.group_id,
        _PARTICIPANT.c.display_name,
    )
    .join(Group, col(Group.id) == _PARTICIPANT.c.group_id)
    .where(col(Group.code) == bindparam("code"), _PARTICIPANT.c.device_hash == bindparam("device"))
)


def member_by_code(s: Session, raw_code: str, device_hash: str) -> Participant | None:
    """The device's participant if it sits in the group with this code now, in one statement
    (a phone asks at every pause in typing); None for a code that is no group's and for a
    device that is not in it alike, so the answer tells a guesser nothing."""
    code = codes.normalise(raw_code)
    if code is None:
        return None
    row = core(s, _BY_CODE, {"code": code, "device": device_hash}).first()
    return None if row is None else Participant(*row)


def in_group(s: Session, device_hash: str, group_id: int) -> Participant | None:
    """The device's participant if it is in this group now (one statement: sockets ask this
    on every connect)."""
    if not in_range(group_id):
        return None
    row = core(s, _IN_GROUP, {"group_id": group_id, "device_hash": device_hash}).first()
    return None if row is None else Participant(*row)


async def join_group(db: Database, device_hash: str, group_id: int) -> Participant:
    """The device's participant in this group's workshop, joining (or moving to) the group.

    Reads first: a returning phone (a reload, the next morning) costs no write.
    """

    def current(s: Session) -> Participant | None:
        return find_participant(s, device_hash, get_group(s, group_id).workshop_id)

    found = await db.read(current)
    if found is not None and found.group_id == group_id:
        return found
    return await db.write(_join_group, group_id, device_hash)


def _join_group(s: Session, group_id: int, device_hash: str) -> Participant:
    group = get_group(s, group_id)
    if not round_state.joinable(s, group):
        raise Invalid(N_("That group's round is not on now. Please choose your group again."))
    row = s.exec(
        select(ParticipantRow).where(
            ParticipantRow.workshop_id == group.workshop_id,
            ParticipantRow.device_hash == device_hash,
        )
    ).first()
    if row is None:
        row = ParticipantRow(workshop_id=group.workshop_id, device_hash=device_hash)
    left = row.group_id
    row.group_id = group_id
    s.add(row)
    s.flush()
    actor = _actor(row)
    if left != group_id:
        _phones_changed(s, group, True, actor)
        before = s.get(Group, left) if left is not None else None
        if before is not None:
            _phones_changed(s, before, False, actor)
    return actor


def _phones_changed(s: Session, group: Group, joined: bool, actor: Participant) -> None:
    """A voting group's count of phones ("12 of 15 phones have voted") follows at once."""
    if group.phase == Phase.vote and group.id is not None:
        record.to_group(s, group.id, vocabulary.GROUP_PHONES, PhonesChanged(joined), actor)


async def set_display_name(
    db: Database, actor: Participant, name: object, limit: int
) -> Participant:
    """An optional name shown with the participant's future ideas; empty means anonymous."""
    name = clean(name, limit=limit, multiline=False, required=False)
    return await db.write(_set_display_name, actor, name)


def _set_display_name(s: Session, actor: Participant, name: str) -> Participant:
    row = s.get(ParticipantRow, actor.id)
    if row is None:
        raise Invalid(N_("Please join your group again."))
    if name and chatham_house.is_on(s, row.workshop_id):
        raise Invalid(chatham_house.NO_NAMES)
    row.display_name = name
    s.add(row)
    return _actor(row)
