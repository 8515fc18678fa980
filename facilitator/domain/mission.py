"""Mission control: every group of a workshop at a glance, read in one go."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator.domain.access import require_organiser
from facilitator.domain.actors import Actor
from facilitator.domain.ranking import Turnout, turnout_by_group
from facilitator.models import Group, Idea, IdeaStatus, Phase, utcnow
from facilitator.store.database import Database

QUIET_AFTER = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class GroupStatus:
    id: int
    name: str
    code: str
    phase: str
    ideas: int
    waiting: int  # ideas waiting for approval
    timer_ends_at: str | None
    writing_locked: bool
    last_idea_at: str | None
    quiet: bool  # collecting, but no idea for a while
    turnout: Turnout = field(default_factory=lambda: Turnout(0, 0))  # voted, of how many


@dataclass(frozen=True)
class Mission:
    workshop_id: int
    title: str
    announcement: str
    now: str
    groups: list[GroupStatus]
    gallery_open: bool = False  # the report-back gallery


async def mission(db: Database, actor: Actor, workshop_id: int) -> Mission:
    def read(s: Session) -> Mission:
        workshop = require_organiser(s, actor, workshop_id)
        now = utcnow()
        rows = s.exec(
            select(Idea.group_id, Idea.status, func.count(), func.max(Idea.created_at))
            .join(Group, col(Group.id) == Idea.group_id)
            .where(Group.workshop_id == workshop_id)
            .group_by(col(Idea.group_id), col(Idea.status))
        ).all()
        visible: dict[int, int] = {}
        waiting: dict[int, int] = {}
        latest: dict[int, dt.datetime] = {}
        for group_id, status, count, last in rows:
            if status == IdeaStatus.visible:
                visible[group_id] = count
            elif status == IdeaStatus.pending:
                waiting[group_id] = count
            if isinstance(last, dt.datetime):
                when = last if last.tzinfo else last.replace(tzinfo=dt.UTC)
                latest[group_id] = max(latest.get(group_id, when), when)
        turnouts = turnout_by_group(s, workshop_id)
        groups = []
        for g in s.exec(
            select(Group).where(Group.workshop_id == workshop_id).order_by(col(Group.position))
        ):
            assert g.id is not None
            newest = latest.get(g.id)
            since = newest or g.created_at
            quiet = g.phase == Phase.collect and now - since > QUIET_AFTER
            groups.append(
                GroupStatus(
                    g.id,
                    g.name,
                    g.code,
                    g.phase,
                    visible.get(g.id, 0),
                    waiting.get(g.id, 0),
                    g.timer_ends_at.isoformat() if g.timer_ends_at else None,
                    g.writing_locked,
                    newest.isoformat() if newest else None,
                    quiet,
                    turnouts.get(g.id, Turnout(0, 0)),
                )
            )
        return Mission(
            workshop_id,
            workshop.title,
            workshop.announcement,
            now.isoformat(),
            groups,
            workshop.gallery_open,
        )

    return await db.read(read)
