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
from facilitator.demo.content import DemoGroup, DemoWorkshop, demo_workshop
from facilitator.domain import (
    accounts,
    clusters,
    phases,
    recommendations,
    record,
    votes,
    workshop_views,
    workshops,
)
from facilitator.domain.actors import Participant as ParticipantActor
from facilitator.domain.actors import Staff
from facilitator.domain.clusters import Suggestion
from facilitator.domain.ideas import counts, shown_to_phones
from facilitator.domain.workshops import GroupDraft
from facilitator.models import (
    Group,
    GroupFacilitator,
    Idea,
    Participant,
    Phase,
    Role,
    User,
    Workshop,
    utcnow,
)
from facilitator.store.database import Database
from facilitator.vocabulary import IdeaChanged, IdeaView

ORGANISER_EMAIL = "organiser@example.org"
# How far some groups have got, so the demo shows every phase: group number -> phase.
PROGRESS = {2: Phase.cluster, 3: Phase.vote, 4: Phase.recommend}
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
        await db.write(_seed, group.id, facilitator.id, demo_group)
        if n in PROGRESS:
            await _progress(db, facilitator, group.id, PROGRESS[n])
    return _Stored(workshop_id, organiser_password, facilitator_password)


def _seed(s: Session, group_id: int, facilitator_id: int, content: DemoGroup) -> None:
    """Participants and their ideas, back-dated, each with its event, as if typed live."""
    group = s.get(Group, group_id)
    assert group is not None
    s.add(GroupFacilitator(group_id=group_id, user_id=facilitator_id))
    now = utcnow()
    people: dict[str, Participant] = {}
    for number, idea in enumerate(content.ideas):
        key = idea.author or f"anonymous-{number}"
        who = people.get(key)
        if who is None:
            who = Participant(
                workshop_id=group.workshop_id,
                device_hash=secrets.token_hex(32),
                group_id=group_id,
                display_name=idea.author or "",
            )
            s.add(who)
            s.flush()
            people[key] = who
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
        view = IdeaView.of(row)
        shown = shown_to_phones(group, view)
        payload = IdeaChanged(view, counts(s, group_id), shown, group.phase)
        record.to_group(s, group_id, vocabulary.IDEA_SUBMITTED, payload, f"participant:{who.id}")


async def _progress(db: Database, staff: Staff, group_id: int, phase: Phase) -> None:
    """Run a group on as its facilitator would: themes from the suggestions, dots from its
    participants, and a recommendation agreed from the top theme."""

    def read(s: Session) -> tuple[list[tuple[int, str]], list[Participant]]:
        ideas = s.exec(
            select(Idea.id, Idea.text).where(Idea.group_id == group_id).order_by(col(Idea.id))
        ).all()
        people = s.exec(select(Participant).where(Participant.group_id == group_id)).all()
        return [(i, t) for i, t in ideas if i is not None], list(people)

    # Imported here: this module's jobs run in the writer process, which imports the module
    # and has no use for scikit-learn (a second and some 90 MB).
    from facilitator import clustering

    ideas, people = await db.read(read)
    texts = [t for _, t in ideas]
    groups = clustering.suggest_clusters(texts)
    names = clustering.suggest_names(texts, groups)
    accepted = [
        Suggestion(name, [ideas[i][0] for i in g]) for name, g in zip(names, groups, strict=True)
    ]
    await phases.set_phase(db, staff, group_id, Phase.cluster)
    themes = await clusters.apply_suggestions(db, staff, group_id, accepted) if accepted else []
    if phase is Phase.cluster or not themes:
        return
    await phases.set_phase(db, staff, group_id, Phase.vote)
    for n, person in enumerate(people):
        assert person.id is not None
        voter = ParticipantActor(person.id, person.workshop_id, group_id, person.display_name)
        for dot in range(3):
            await votes.cast_vote(db, voter, group_id, "cluster", themes[(n + dot) % len(themes)])
    if phase is Phase.vote:
        return
    await phases.reveal(db, staff, group_id, "votes", True)
    await phases.set_phase(db, staff, group_id, Phase.recommend)
    top = names[0]
    draft = recommendations.check_draft(
        top,
        f"Make {top.lower()} a funded priority of the next strategy.",
        "The theme with the most support in the room.",
    )
    rec_id = await recommendations.promote(db, staff, group_id, "cluster", themes[0], draft)
    await recommendations.set_agreed(db, staff, rec_id, True)


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
