"""Workshops and their breakout groups: the organiser's commands (views: workshop_views)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from facilitator import i18n
from facilitator.domain import codes
from facilitator.domain.access import (
    get_group,
    get_row,
    require_organiser,
    workshop_staff,
)
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Forbidden, Invalid, NotFound
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import (
    Group,
    GroupFacilitator,
    Idea,
    User,
    Workshop,
    WorkshopOrganiser,
)
from facilitator.store import events
from facilitator.store.jobs import write_job

MIN_GROUPS = 1
MAX_GROUPS = 200


@dataclass(frozen=True)
class GroupDraft:
    name: str
    prompt: str
    description: str = ""


def check_title(raw: object) -> str:
    return clean(raw, limit=200, multiline=False)


def check_date(raw: object) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise Invalid(N_("Please give the date as YYYY-MM-DD.")) from None


def check_language(raw: object) -> str:
    code = i18n.supported(raw or i18n.DEFAULT)
    if code is None:
        raise Invalid(N_("Choose one of these languages: {codes}."), codes=", ".join(i18n.LOCALES))
    return code


def check_group(draft: GroupDraft) -> GroupDraft:
    return GroupDraft(
        name=clean(draft.name, limit=120, multiline=False),
        prompt=clean(draft.prompt, limit=500),
        description=clean(draft.description, limit=2000, required=False),
    )


def _unique_code(s: Session) -> str:
    while True:
        code = codes.new_code()
        taken = (
            s.exec(select(Group.id).where(Group.code == code)).first()
            or s.exec(select(Workshop.id).where(Workshop.code == code)).first()
        )
        if not taken:
            return code


def _add_group(s: Session, workshop_id: int, draft: GroupDraft, position: int) -> int:
    group = Group(
        workshop_id=workshop_id,
        name=draft.name,
        prompt=draft.prompt,
        description=draft.description,
        code=_unique_code(s),
        position=position,
    )
    s.add(group)
    s.flush()
    assert group.id is not None
    events.create_channel(s, events.group_channel(group.id))
    events.create_channel(s, events.ballot_channel(group.id))
    return group.id


def _group_count(s: Session, workshop_id: int) -> int:
    return s.exec(select(func.count()).where(Group.workshop_id == workshop_id)).one()


@write_job
def create_workshop(
    s: Session,
    actor: Staff,
    title: str,
    date: object,
    description: str,
    groups: list[GroupDraft],
) -> int:
    """An organiser creates a workshop with 1 to 200 groups; they become its organiser."""
    if not actor.is_organiser:
        raise Forbidden(N_("Only organisers can create workshops."))
    title = check_title(title)
    day = check_date(date)
    description = clean(description, limit=5000, required=False)
    drafts = [check_group(g) for g in groups]
    if not MIN_GROUPS <= len(drafts) <= MAX_GROUPS:
        raise Invalid(
            N_("A workshop needs between {min} and {max} groups."), min=MIN_GROUPS, max=MAX_GROUPS
        )
    return add_workshop(s, actor, title, day, description, drafts)[0]


def add_workshop(
    s: Session,
    actor: Staff,
    title: str,
    day: dt.date | None,
    description: str,
    drafts: list[GroupDraft],
) -> tuple[int, list[int]]:
    """Insert checked input in the caller's transaction; returns the workshop and group ids."""
    workshop = Workshop(
        title=title,
        date=day,
        description=description,
        code=_unique_code(s),
        created_by=actor.id,
    )
    s.add(workshop)
    s.flush()
    assert workshop.id is not None
    s.add(WorkshopOrganiser(workshop_id=workshop.id, user_id=actor.id))
    events.create_channel(s, events.workshop_channel(workshop.id))
    group_ids = [_add_group(s, workshop.id, d, position) for position, d in enumerate(drafts)]
    return workshop.id, group_ids


@write_job
def update_workshop(
    s: Session,
    actor: Staff,
    workshop_id: int,
    title: str,
    date: object,
    description: str,
    language: object = None,
) -> None:
    """Title, date, description, and the language of its exports and projector."""
    title = check_title(title)
    day = check_date(date)
    description = clean(description, limit=5000, required=False)
    code = None if language is None else check_language(language)
    workshop = require_organiser(s, actor, workshop_id)
    workshop.title, workshop.date, workshop.description = title, day, description
    workshop.language = code or workshop.language
    s.add(workshop)


@write_job
def add_group(s: Session, actor: Staff, workshop_id: int, draft: GroupDraft) -> int:
    draft = check_group(draft)
    require_organiser(s, actor, workshop_id)
    count = _group_count(s, workshop_id)
    if count >= MAX_GROUPS:
        raise Invalid(N_("A workshop can have at most {max} groups."), max=MAX_GROUPS)
    return _add_group(s, workshop_id, draft, count)


@write_job
def update_group(s: Session, actor: Staff, group_id: int, draft: GroupDraft) -> None:
    draft = check_group(draft)
    group = get_group(s, group_id)
    require_organiser(s, actor, group.workshop_id)
    group.name, group.prompt, group.description = draft.name, draft.prompt, draft.description
    s.add(group)


@write_job
def delete_group(s: Session, actor: Staff, group_id: int) -> None:
    """Remove an empty group; a group with ideas is kept, so nothing submitted is lost."""
    group = get_group(s, group_id)
    require_organiser(s, actor, group.workshop_id)
    if _group_count(s, group.workshop_id) <= MIN_GROUPS:
        raise Invalid(N_("A workshop needs at least one group."))
    if s.exec(select(Idea.id).where(Idea.group_id == group_id)).first() is not None:
        raise Invalid(N_("This group already has ideas, so it cannot be removed."))
    s.delete(group)


@write_job
def set_facilitator(s: Session, actor: Staff, group_id: int, user_id: int, assigned: bool) -> None:
    group = get_group(s, group_id)
    require_organiser(s, actor, group.workshop_id)
    if get_row(s, User, user_id) is None:
        raise NotFound(N_("That account does not exist."))
    if assigned and user_id not in workshop_staff(s, group.workshop_id):
        raise Invalid(
            N_(
                "Only people who already work on this workshop can be assigned directly. "
                "Invite anyone else by email: they join when they accept."
            )
        )
    link = s.get(GroupFacilitator, (group_id, user_id))
    if assigned and link is None:
        s.add(GroupFacilitator(group_id=group_id, user_id=user_id))
    elif not assigned and link is not None:
        s.delete(link)


# -- views ---------------------------------------------------------------------------------
