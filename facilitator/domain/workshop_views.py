"""What pages read of workshops and groups: frozen views, built in one read each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator import i18n
from facilitator.domain.access import (
    facilitated_group_ids,
    get_group,
    require_facilitator,
    require_organiser,
    workshop_staff,
)
from facilitator.domain.actors import Staff
from facilitator.domain.errors import NotFound
from facilitator.i18n import N_
from facilitator.models import (
    Group,
    GroupFacilitator,
    Idea,
    IdeaStatus,
    User,
    Workshop,
    WorkshopOrganiser,
)
from facilitator.store.database import Database


@dataclass(frozen=True)
class GroupView:
    id: int
    workshop_id: int
    name: str
    prompt: str
    description: str
    code: str
    phase: str
    ideas: int = 0
    facilitators: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkshopView:
    id: int
    title: str
    date: dt.date | None
    description: str
    code: str
    groups: tuple[GroupView, ...]
    language: str = i18n.DEFAULT
    chatham_house: bool = False  # no names asked, shown or exported


@dataclass(frozen=True)
class StaffView:
    id: int
    email: str
    name: str


def _facilitator_names(s: Session, group_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(name, email) of each group's facilitators, by email, for many groups in one query."""
    rows = s.exec(
        select(GroupFacilitator.group_id, User.name, User.email)
        .join(GroupFacilitator, col(GroupFacilitator.user_id) == User.id)
        .where(col(GroupFacilitator.group_id).in_(group_ids))
        .order_by(User.email)
    ).all()
    out: dict[int, list[tuple[str, str]]] = {}
    for group_id, name, email in rows:
        out.setdefault(group_id, []).append((name, email))
    return out


def group_view(
    s: Session, g: Group, ideas: int = 0, names: list[tuple[str, str]] | None = None
) -> GroupView:
    assert g.id is not None
    if names is None:
        names = _facilitator_names(s, [g.id]).get(g.id, [])
    return GroupView(
        g.id,
        g.workshop_id,
        g.name,
        g.prompt,
        g.description,
        g.code,
        g.phase,
        ideas,
        tuple(name or email for name, email in names),
    )


def facilitator_emails(s: Session, group_id: int) -> list[str]:
    """The emails of the accounts assigned to a group, in order."""
    return list(
        s.exec(
            select(User.email)
            .join(GroupFacilitator, col(GroupFacilitator.user_id) == User.id)
            .where(GroupFacilitator.group_id == group_id)
            .order_by(User.email)
        ).all()
    )


def workshop_view(s: Session, workshop_id: int, *, with_groups: bool = True) -> WorkshopView:
    """The workshop with its groups and their idea counts; `with_groups=False` leaves them out
    (`groups` is then empty): a phone's requests name their group's code, and counting every
    group's ideas on each of them (a typing pause's hint, a ballot) took 40 % of a server's
    process with suggestions and hints in use at a 5,000-phone event."""
    w = s.get(Workshop, workshop_id)
    if w is None:
        raise NotFound(N_("That workshop does not exist."))
    assert w.id is not None
    if not with_groups:
        return WorkshopView(
            w.id, w.title, w.date, w.description, w.code, (), w.language, w.chatham_house
        )
    counts = dict(
        s.exec(
            select(Idea.group_id, func.count())
            .join(Group, col(Group.id) == Idea.group_id)
            .where(Group.workshop_id == workshop_id, Idea.status == IdeaStatus.visible)
            .group_by(col(Idea.group_id))
        ).all()
    )
    groups = s.exec(
        select(Group).where(Group.workshop_id == workshop_id).order_by(col(Group.position))
    ).all()
    # One query for every group's facilitators, not one per group: a phone's join link reads
    # this view, and 125 queries per join made joining a 5,000-phone workshop crawl.
    names = _facilitator_names(s, [g.id for g in groups if g.id is not None])
    return WorkshopView(
        w.id,
        w.title,
        w.date,
        w.description,
        w.code,
        tuple(group_view(s, g, counts.get(g.id or 0, 0), names.get(g.id or 0, [])) for g in groups),
        w.language,
        w.chatham_house,
    )


async def organiser_workshop(db: Database, actor: Staff, workshop_id: int) -> WorkshopView:
    def read(s: Session) -> WorkshopView:
        require_organiser(s, actor, workshop_id)
        return workshop_view(s, workshop_id)

    return await db.read(read)


async def workshops_of(db: Database, actor: Staff) -> list[WorkshopView]:
    def read(s: Session) -> list[WorkshopView]:
        ids = s.exec(
            select(WorkshopOrganiser.workshop_id).where(WorkshopOrganiser.user_id == actor.id)
        ).all()
        views = [workshop_view(s, wid) for wid in ids]
        return sorted(views, key=lambda w: (w.date or dt.date.min, w.id), reverse=True)

    return await db.read(read)


async def groups_facilitated_by(db: Database, actor: Staff) -> list[tuple[str, GroupView]]:
    """(workshop title, group) for every group this user facilitates."""

    def read(s: Session) -> list[tuple[str, GroupView]]:
        out = []
        for gid in sorted(facilitated_group_ids(s, actor.id)):
            g = get_group(s, gid)
            w = s.get(Workshop, g.workshop_id)
            out.append((w.title if w else "", group_view(s, g)))
        return out

    return await db.read(read)


async def workshop_staff_list(db: Database, actor: Staff, workshop_id: int) -> list[StaffView]:
    """Who the organiser may assign to the workshop's groups directly: its own staff."""

    def read(s: Session) -> list[StaffView]:
        require_organiser(s, actor, workshop_id)
        ids = workshop_staff(s, workshop_id)
        users = s.exec(select(User).where(col(User.id).in_(ids)).order_by(User.email)).all()
        return [StaffView(u.id, u.email, u.name) for u in users if u.id is not None]

    return await db.read(read)


async def facilitated_group(
    db: Database, actor: Staff, group_id: int
) -> tuple[WorkshopView, GroupView]:
    """A group its facilitator (or the workshop's organiser) may see, with its workshop."""

    def read(s: Session) -> tuple[WorkshopView, GroupView]:
        group = require_facilitator(s, actor, group_id)
        return workshop_view(s, group.workshop_id), group_view(s, group)

    return await db.read(read)
