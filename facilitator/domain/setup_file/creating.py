"""Creating a workshop from a checked set-up, in one transaction."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from facilitator.domain import access, accounts, codes, questions, workshops
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Forbidden
from facilitator.domain.setup_file.reading import parse
from facilitator.domain.setup_file.schema import Setup
from facilitator.domain.workshops import GroupDraft
from facilitator.i18n import N_
from facilitator.models import (
    Assignment,
    Group,
    GroupCarry,
    GroupFacilitator,
    Round,
    User,
    Workshop,
)
from facilitator.store.database import Database


@dataclass(frozen=True)
class CreatedGroup:
    id: int
    name: str
    code: str
    facilitators: tuple[str, ...]  # emails assigned now


@dataclass(frozen=True)
class Invite:
    email: str
    token: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Created:
    workshop_id: int
    title: str
    code: str
    groups: tuple[CreatedGroup, ...]
    invitations: tuple[Invite, ...]


def create(s: Session, actor: Staff, setup: Setup, invitation_days: float) -> Created:
    """Create the workshop in the caller's transaction. The organiser, if listed, is
    assigned; for anyone else an invitation link is made, which they accept (with their
    password, if they have an account): never an account, and no one is put on a workshop
    unasked."""
    drafts = [GroupDraft(g.name, g.question, g.context) for g in setup.groups]
    wid, group_ids = workshops.add_workshop(
        s, actor, setup.title, setup.date, setup.description, drafts
    )
    staff = access.workshop_staff(s, wid)
    users = {u.email: u.id for u in s.exec(select(User).where(col(User.id).in_(staff))).all()}
    missing: dict[str, list[int]] = {}
    made = []
    for gid, spec in zip(group_ids, setup.groups, strict=True):
        group = s.get(Group, gid)
        assert group is not None
        group.settings = spec.settings(setup.defaults)
        group.phase = spec.start_phase(setup.defaults)
        s.add(group)
        assigned = []
        for email in dict.fromkeys(spec.facilitators):
            uid = users.get(email)
            if uid is None:
                missing.setdefault(email, []).append(gid)
            else:
                s.add(GroupFacilitator(group_id=gid, user_id=uid))
                assigned.append(email)
        made.append(CreatedGroup(gid, group.name, group.code, tuple(assigned)))
    names = {g.id: g.name for g in made}
    invites = tuple(
        Invite(
            email,
            accounts.add_invitation(s, actor, wid, email, gids, invitation_days),
            tuple(names[g] for g in gids),
        )
        for email, gids in missing.items()
    )
    workshop = s.get(Workshop, wid)
    assert workshop is not None
    workshop.language = setup.language
    workshop.tag_label = setup.tag_label
    workshop.chatham_house = setup.chatham_house
    s.add(workshop)
    _add_rounds(s, wid, setup, group_ids)
    for question in setup.questions:
        questions.add(s, wid, question.draft())
    return Created(wid, setup.title, workshop.code, tuple(made), invites)


def _add_rounds(s: Session, workshop_id: int, setup: Setup, group_ids: list[int]) -> None:
    rounds = []
    for n, round_spec in enumerate(setup.rounds):
        row = Round(workshop_id=workshop_id, name=round_spec.name, position=n)
        row.assignment = Assignment(round_spec.assignment)
        s.add(row)
        rounds.append(row)
    s.flush()
    by_name = {spec.name.casefold(): gid for gid, spec in zip(group_ids, setup.groups, strict=True)}
    for gid, spec in zip(group_ids, setup.groups, strict=True):
        if rounds:
            group = s.get(Group, gid)
            assert group is not None
            group.round_id = rounds[(spec.round or 1) - 1].id
            s.add(group)
        for source in dict.fromkeys(by_name[name.strip().casefold()] for name in spec.carry):
            s.add(GroupCarry(group_id=gid, source_id=source))


async def import_setup(db: Database, actor: Staff, text: str, invitation_days: float) -> Created:
    """Check the file, then create everything in one transaction (or raise BadSetup)."""
    if not actor.is_organiser:
        raise Forbidden(N_("Only organisers can create workshops."))
    # Off the event loop: even within its budgets, reading a large file takes a while.
    setup = await asyncio.to_thread(parse, text)
    return await db.write(create, actor, setup, invitation_days)


def join_links(created: Created, base_url: str) -> dict[str, Any]:
    """What `import --json` prints: one object with each group's join link and code."""
    base = base_url.rstrip("/")
    return {
        "workshop": {"id": created.workshop_id, "title": created.title, "code": created.code},
        "groups": [
            {
                "id": g.id,
                "name": g.name,
                "code": codes.display(g.code),
                "join_url": f"{base}/j/{g.code}",
                "facilitators": list(g.facilitators),
            }
            for g in created.groups
        ],
        "invitations": [
            {"email": i.email, "groups": list(i.groups), "url": f"{base}/invite/{i.token}"}
            for i in created.invitations
        ],
    }
