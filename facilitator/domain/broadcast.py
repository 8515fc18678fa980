"""Broadcast from mission control: one organiser action applied to all (or some) groups.

Each group still gets its own event, so its phones and console follow live, and its
facilitators can act in their own group afterwards as usual.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import phases, record
from facilitator.domain.access import require_organiser
from facilitator.domain.actors import Actor
from facilitator.domain.errors import Invalid
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import Group
from facilitator.store.database import Database
from facilitator.store.jobs import WriteJob, write_job
from facilitator.vocabulary import Announcement

ANNOUNCEMENT_LIMIT = 300


def _targets(s: Session, workshop_id: int, group_ids: list[int] | None) -> list[int]:
    ids = [
        g
        for g in s.exec(
            select(Group.id).where(Group.workshop_id == workshop_id).order_by(col(Group.position))
        )
        if g is not None
    ]
    if group_ids is None:
        return ids
    chosen = [g for g in ids if g in set(group_ids)]
    if len(chosen) != len(set(group_ids)):
        raise Invalid(N_("Some of those groups are not in this workshop."))
    if not chosen:
        raise Invalid(N_("Choose at least one group."))
    return chosen


@write_job
def _each(
    s: Session,
    actor: Actor,
    workshop_id: int,
    group_ids: list[int] | None,
    apply: WriteJob[Any, None],
    value: object,
) -> int:
    """A group's command, `apply(actor, group_id, value)`, run for each chosen group in one
    transaction (the value checked once, before)."""
    require_organiser(s, actor, workshop_id)
    targets = _targets(s, workshop_id, group_ids)
    for group_id in targets:
        apply.fn(s, actor, group_id, value)
    return len(targets)


async def set_phase(
    db: Database, actor: Actor, workshop_id: int, group_ids: list[int] | None, phase: object
) -> int:
    target = phases.check_phase(phase)
    return await _each(db, actor, workshop_id, group_ids, phases.set_phase, target)


async def start_timer(
    db: Database, actor: Actor, workshop_id: int, group_ids: list[int] | None, minutes: object
) -> int:
    length = phases.check_minutes(minutes)
    return await _each(db, actor, workshop_id, group_ids, phases.start_timer, length)


async def lock_writing(
    db: Database, actor: Actor, workshop_id: int, group_ids: list[int] | None, locked: bool
) -> int:
    return await _each(db, actor, workshop_id, group_ids, phases.set_writing_locked, locked)


@write_job
def announce(s: Session, actor: Actor, workshop_id: int, text: object) -> int:
    """Show a banner on every phone of the workshop; empty text takes it down."""
    message = clean(text, limit=ANNOUNCEMENT_LIMIT, multiline=False, required=False)
    workshop = require_organiser(s, actor, workshop_id)
    if workshop.announcement == message:
        return 0
    workshop.announcement = message
    s.add(workshop)
    targets = _targets(s, workshop_id, None)
    for group_id in targets:
        record.to_group(s, group_id, vocabulary.ANNOUNCEMENT, Announcement(message), actor)
    return len(targets)
