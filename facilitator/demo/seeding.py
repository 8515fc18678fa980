"""The demo: a workshop in progress, made once per data directory and reused after."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from facilitator import security, vocabulary
from facilitator.demo import progress
from facilitator.demo.content import demo_workshop
from facilitator.demo.model import DemoGroup, DemoWorkshop
from facilitator.domain import accounts, record, workshop_views, workshops
from facilitator.domain.actors import Participant as Phone
from facilitator.domain.actors import Staff
from facilitator.domain.ideas import counts, shown_to_phones
from facilitator.domain.workshops import GroupDraft
from facilitator.models import (
    Group,
    GroupFacilitator,
    Idea,
    Participant,
    Role,
    User,
    Workshop,
    utcnow,
)
from facilitator.store.database import Database
from facilitator.vocabulary import IdeaChanged, IdeaView

ORGANISER_EMAIL = "organiser@example.org"
FACILITATOR_EMAIL = "facilitator{n}@example.org"


@dataclass(frozen=True)
class DemoGroupInfo:
    id: int
    name: str
    code: str
    join_url: str
    facilitator_url: str
    facilitator_email: str
    facilitator_password: str


@dataclass(frozen=True)
class DemoInfo:
    base_url: str
    workshop_id: int
    workshop_title: str
    organiser_email: str
    organiser_password: str
    groups: list[DemoGroupInfo]

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


@dataclass(frozen=True)
class _Stored:
    workshop_id: int
    organiser_password: str
    facilitator_password: str


def _load(path: Path) -> _Stored | None:
    try:
        return _Stored(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


async def ensure_demo(db: Database, data_dir: Path, base_url: str) -> DemoInfo:
    """Create the demo workshop, or find the one made before in this data directory."""
    path = data_dir / "demo.json"
    stored = _load(path)
    known = stored.workshop_id if stored else 0
    if stored is None or not await db.read(lambda s: s.get(Workshop, known)):
        stored = await _create(db, demo_workshop())
        path.write_text(json.dumps(asdict(stored)))
        path.chmod(0o600)
    return await _describe(db, stored, base_url)


async def _staff(db: Database, email: str, password: str, role: Role, name: str) -> Staff:
    def find(s: Session) -> User | None:
        return s.exec(select(User).where(User.email == email)).first()

    user = await db.read(find)
    if user is None:
        await accounts.create_user(db, email, password, role, name)
        user = await db.read(find)
    else:  # an earlier demo in this data directory: take over its account
        hashed = await asyncio.to_thread(security.hash_password, password)
        await db.write(_reset_password, user.id, hashed)
    assert user is not None and user.id is not None
    return Staff(user.id, Role(user.role), user.email, user.name)


def _reset_password(s: Session, user_id: int, hashed: str) -> None:
    row = s.get(User, user_id)
    assert row is not None
    row.password_hash = hashed
    s.add(row)


async def _create(db: Database, content: DemoWorkshop) -> _Stored:
    organiser_password = secrets.token_urlsafe(9)
    facilitator_password = secrets.token_urlsafe(9)
    organiser = await _staff(
        db, ORGANISER_EMAIL, organiser_password, Role.organiser, "Olivia Organiser"
    )
    workshop_id = await workshops.create_workshop(
        db,
        organiser,
        content.title,
        dt.date.today(),
        content.description,
        [GroupDraft(g.name, g.prompt, g.description) for g in content.groups],
    )
    view = await db.read(lambda s: workshop_views.workshop_view(s, workshop_id))
    for n, (group, demo_group) in enumerate(zip(view.groups, content.groups, strict=True), 1):
        facilitator = await _staff(
            db,
            FACILITATOR_EMAIL.format(n=n),
            facilitator_password,
            Role.facilitator,
            f"Facilitator {n}",
        )
        seeded = await db.write(_seed, group.id, facilitator.id, demo_group)
        await progress.tidy(db, facilitator, seeded.ideas, demo_group)
        phones = [Phone(p, workshop_id, group.id, name) for p, name in seeded.phones]
        await progress.run_on(db, facilitator, group.id, n, seeded.ideas, phones, demo_group)
    return _Stored(workshop_id, organiser_password, facilitator_password)


@dataclass(frozen=True)
class _Seeded:
    ideas: list[int]  # in the order of the content
    phones: list[tuple[int, str]]  # (participant id, display name), in the order they joined


def _seed(s: Session, group_id: int, facilitator_id: int, content: DemoGroup) -> _Seeded:
    """Phones and their ideas, back-dated, each idea with its event, as if typed live. A
    phone joined a few minutes before its first idea; silent phones joined along the way."""
    group = s.get(Group, group_id)
    assert group is not None
    s.add(GroupFacilitator(group_id=group_id, user_id=facilitator_id))
    now = utcnow()
    people: dict[str, Participant] = {}

    def join(key: str, name: str, minutes_ago: float) -> Participant:
        who = Participant(
            workshop_id=group.workshop_id,
            device_hash=secrets.token_hex(32),
            group_id=group_id,
            display_name=name,
            created_at=now - dt.timedelta(minutes=minutes_ago),
        )
        s.add(who)
        s.flush()
        people[key] = who
        return who

    ideas = []
    for number, idea in enumerate(content.ideas):
        key = idea.author or f"anonymous-{number}"
        lead = 1 + (number + len(content.ideas)) % 5  # minutes from joining to writing
        who = people.get(key) or join(key, idea.author or "", idea.minutes_ago + lead)
        at = now - dt.timedelta(minutes=idea.minutes_ago, seconds=number)
        row = Idea(
            group_id=group_id,
            participant_id=who.id,
            client_key=f"demo-{group_id}-{number:04d}",
            author_name=who.display_name,
            text=idea.text,
            created_at=at,
            updated_at=at,
        )
        s.add(row)
        s.flush()
        assert row.id is not None
        ideas.append(row.id)
        view = IdeaView.of(row)
        shown = shown_to_phones(group, view)
        payload = IdeaChanged(view, counts(s, group_id), shown, group.phase)
        record.to_group(s, group_id, vocabulary.IDEA_SUBMITTED, payload, f"participant:{who.id}")
    start = max((i.minutes_ago for i in content.ideas), default=0)
    for n in range(content.silent):
        join(f"silent-{n}", "", start * (content.silent - n) / content.silent + 1)
    phones = sorted(people.values(), key=lambda p: (p.created_at, p.id or 0))
    return _Seeded(ideas, [(p.id, p.display_name) for p in phones if p.id is not None])


async def _describe(db: Database, stored: _Stored, base_url: str) -> DemoInfo:
    def read(s: Session) -> DemoInfo:
        view = workshop_views.workshop_view(s, stored.workshop_id)
        groups = []
        for group in view.groups:
            email = s.exec(
                select(User.email)
                .join(GroupFacilitator, col(GroupFacilitator.user_id) == User.id)
                .where(GroupFacilitator.group_id == group.id)
                .order_by(User.email)
            ).first()
            groups.append(
                DemoGroupInfo(
                    group.id,
                    group.name,
                    group.code,
                    f"{base_url}/j/{group.code}",
                    f"{base_url}/facilitator/groups/{group.id}",
                    email or "",
                    stored.facilitator_password,
                )
            )
        return DemoInfo(
            base_url, view.id, view.title, ORGANISER_EMAIL, stored.organiser_password, groups
        )

    return await db.read(read)
