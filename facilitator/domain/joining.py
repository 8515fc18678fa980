"""Joining: what a typed or scanned code leads to, a group or a workshop's group picker."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from facilitator.domain import codes
from facilitator.domain.errors import Invalid, NotFound
from facilitator.domain.workshop_views import GroupView, WorkshopView, group_view, workshop_view
from facilitator.i18n import N_
from facilitator.models import Group, Workshop
from facilitator.store.database import Database


@dataclass(frozen=True)
class JoinTarget:
    # With its groups for a workshop's code (the picker lists them); without, for a group's.
    workshop: WorkshopView
    group: GroupView | None  # None: a workshop code, which leads to the group picker


async def find_code(db: Database, raw: str) -> JoinTarget:
    """What a typed or scanned code leads to, or a friendly refusal."""
    code = codes.normalise(raw)
    if code is None:
        raise Invalid(
            N_("A code has 8 letters and numbers, like K7QM-2XPD. Please check and try again.")
        )

    def read(s: Session) -> JoinTarget:
        group = s.exec(select(Group).where(Group.code == code)).first()
        if group is not None:
            heading = workshop_view(s, group.workshop_id, with_groups=False)
            return JoinTarget(heading, group_view(s, group))
        workshop = s.exec(select(Workshop).where(Workshop.code == code)).first()
        if workshop is not None and workshop.id is not None:
            return JoinTarget(workshop_view(s, workshop.id), None)
        raise NotFound(
            N_("We could not find a group with the code {code}. Please check your card."),
            code=codes.display(code),
        )

    return await db.read(read)
