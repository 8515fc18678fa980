"""The archive's workshop, rounds and groups as new rows, with the staff of this instance
that the file names by email."""

from __future__ import annotations

from sqlmodel import Session, select

from facilitator import i18n
from facilitator.domain import archive_rules as rules
from facilitator.domain import codes, round_state, workshops
from facilitator.domain.codes import new_code
from facilitator.models import (
    Assignment,
    Group,
    GroupCarry,
    GroupFacilitator,
    Phase,
    Round,
    User,
    Workshop,
    WorkshopOrganiser,
)
from facilitator.snapshot import Snapshot


def _code(s: Session, wanted: str) -> str:
    """Keep the file's join code when it is one and this instance has not used it, so
    printed cards work; else a new one."""
    code = codes.normalise(wanted) or new_code()
    while (
        s.exec(select(Group.id).where(Group.code == code)).first() is not None
        or s.exec(select(Workshop.id).where(Workshop.code == code)).first() is not None
    ):
        code = new_code()
    return code


def write_workshop(s: Session, snap: Snapshot, organiser_id: int | None) -> int:
    """The workshop, organised by those of its organisers who have an account here and by
    `organiser_id`; its new id."""
    w = snap.workshop
    row = Workshop(
        title=rules.text(w.title, "workshop.title", limit=200, multiline=False),
        date=w.date,
        description=rules.text(w.description, "workshop.description", limit=5000, required=False),
        language=i18n.supported(w.language) or i18n.DEFAULT,
        tag_label=rules.optional_line(w.tag_label, "workshop.tag_label", limit=60),
        chatham_house=w.chatham_house is True,
        code=_code(s, w.code),
        created_at=w.created_at,
    )
    s.add(row)
    s.flush()
    assert row.id is not None
    users = _users(s)
    owners = {users[e] for e in w.organisers if e in users} | (
        {organiser_id} if organiser_id else set()
    )
    for uid in owners:
        s.add(WorkshopOrganiser(workshop_id=row.id, user_id=uid))
    return row.id


def write_groups(s: Session, snap: Snapshot, workshop_id: int) -> dict[int, int]:
    """The rounds and groups (with their facilitators here, and the earlier groups each
    started from); the groups' new ids by the file's."""
    round_ids = _rounds(s, workshop_id, snap)
    rules.number(len(snap.groups), "groups", workshops.MIN_GROUPS, workshops.MAX_GROUPS)
    users = _users(s)
    group_ids: dict[int, int] = {}
    for n, g in enumerate(snap.groups):
        at = f"groups[{n}]"
        row = Group(
            workshop_id=workshop_id,
            name=rules.text(g.name, f"{at}.name", limit=120, multiline=False),
            prompt=rules.text(g.prompt, f"{at}.prompt", limit=500),
            description=rules.text(g.description, f"{at}.description", limit=2000, required=False),
            code=_code(s, g.code),
            phase=rules.choice(Phase, g.phase, f"{at}.phase"),
            position=rules.number(g.position, f"{at}.position", 0, rules.MAX_POSITION),
            created_at=g.created_at,
            ideas_revealed=g.ideas_revealed,
            votes_revealed=g.votes_revealed,
            timer_ends_at=g.timer_ends_at,
            writing_locked=g.writing_locked,
            round_id=rules.ref(round_ids, g.round_id, f"{at}.round_id") if g.round_id else None,
        )
        row.settings = g.settings
        s.add(row)
        s.flush()
        assert row.id is not None
        group_ids[g.id] = row.id
        for email in g.facilitators:
            uid = users.get(email)
            if uid is not None:
                s.add(GroupFacilitator(group_id=row.id, user_id=uid))

    for n, g in enumerate(snap.groups):
        for m, old in enumerate(dict.fromkeys(g.carry_from)):
            earlier = rules.ref(group_ids, old, f"groups[{n}].carry_from[{m}]")
            s.add(GroupCarry(group_id=group_ids[g.id], source_id=earlier))
    return group_ids


def _users(s: Session) -> dict[str, int]:
    """This instance's accounts by email: staff are matched by it, nothing else."""
    return {u.email: u.id for u in s.exec(select(User)).all() if u.id is not None}


def _rounds(s: Session, workshop_id: int, snap: Snapshot) -> dict[int, int]:
    """The file's rounds as new rows; their new ids by the file's."""
    rules.number(len(snap.rounds), "rounds", 0, round_state.MAX_ROUNDS)
    made: dict[int, int] = {}
    for n, r in enumerate(snap.rounds):
        at = f"rounds[{n}]"
        row = Round(
            workshop_id=workshop_id,
            name=rules.text(r.name, f"{at}.name", limit=120, multiline=False),
            position=rules.number(r.position, f"{at}.position", 0, rules.MAX_POSITION),
            assignment=rules.choice(Assignment, r.assignment, f"{at}.assignment"),
            started_at=r.started_at,
        )
        s.add(row)
        s.flush()
        assert row.id is not None
        made[r.id] = row.id
    return made
