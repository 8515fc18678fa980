"""Ideas: submit (idempotent by client key), edit and withdraw one's own, read a board."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator import events
from facilitator.db import Database
from facilitator.domain.access import get_group, get_row, require_member
from facilitator.domain.actors import Actor, Participant, Staff
from facilitator.domain.errors import Conflict, Forbidden, Invalid, NotFound
from facilitator.domain.text import clean, client_key
from facilitator.i18n import N_
from facilitator.models import Idea, IdeaRevision, IdeaStatus, Phase, utcnow


@dataclass(frozen=True)
class IdeaView:
    """What every view of an idea needs; also the payload of idea events."""

    id: int
    group_id: int
    text: str
    author_name: str
    participant_id: int | None
    status: str
    edited: bool
    created_at: str  # ISO 8601, UTC

    @classmethod
    def of(cls, idea: Idea, edited: bool = False) -> IdeaView:
        assert idea.id is not None
        return cls(
            idea.id,
            idea.group_id,
            idea.text,
            idea.author_name,
            idea.participant_id,
            idea.status,
            edited,
            idea.created_at.isoformat(),
        )

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> IdeaView:
        return cls(**payload["idea"])


@dataclass(frozen=True)
class Counts:
    ideas: int
    contributors: int


@dataclass(frozen=True)
class Receipt:
    """The answer to a submission; a repeat of the same key gets the first one again."""

    idea_id: int
    key: str
    repeated: bool


@dataclass(frozen=True)
class Board:
    group_id: int
    seq: int
    epoch: str
    ideas: list[IdeaView]
    counts: Counts


def counts(s: Session, group_id: int) -> Counts:
    visible = (Idea.group_id == group_id, Idea.status == IdeaStatus.visible)
    n = s.exec(select(func.count()).select_from(Idea).where(*visible)).one()
    who = s.exec(
        select(func.count(func.distinct(Idea.participant_id))).where(
            *visible, col(Idea.participant_id).is_not(None)
        )
    ).one()
    return Counts(n, who)


def _edited_ids(s: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(s.exec(select(IdeaRevision.idea_id).where(col(IdeaRevision.idea_id).in_(ids))))


def board(s: Session, group_id: int) -> Board:
    """The visible ideas, newest first, with the seq they are current at (one snapshot)."""
    head = events.head(s, events.group_channel(group_id))
    rows = s.exec(
        select(Idea)
        .where(Idea.group_id == group_id, Idea.status == IdeaStatus.visible)
        .order_by(col(Idea.created_at).desc(), col(Idea.id).desc())
    ).all()
    edited = _edited_ids(s, [r.id for r in rows if r.id is not None])
    ideas = [IdeaView.of(r, r.id in edited) for r in rows]
    return Board(group_id, head.seq, head.epoch, ideas, counts(s, group_id))


def _publish(s: Session, kind: str, actor: Actor, idea: Idea, edited: bool = False) -> None:
    payload = {
        "idea": asdict(IdeaView.of(idea, edited)),
        "counts": asdict(counts(s, idea.group_id)),
    }
    events.append(s, events.group_channel(idea.group_id), kind, payload, actor.ref)


def _writing_open(s: Session, group_id: int) -> None:
    if get_group(s, group_id).phase != Phase.collect:
        raise Invalid(N_("This group is not collecting ideas right now."))


async def submit_idea(
    db: Database, actor: Actor, group_id: int, key: object, text: object, limit: int
) -> Receipt:
    """Add an idea to a group. The same key again returns the first receipt, changing nothing."""
    text = clean(text, limit=limit)
    key = client_key(key)

    def txn(s: Session) -> Receipt:
        require_member(s, actor, group_id)
        existing = s.exec(
            select(Idea).where(Idea.group_id == group_id, Idea.client_key == key)
        ).first()
        if existing is not None:
            assert existing.id is not None
            if _author_ref(existing) != actor.ref:
                raise Conflict(N_("This submission id is already used. Please reload the page."))
            return Receipt(existing.id, key, repeated=True)
        _writing_open(s, group_id)
        now = utcnow()
        idea = Idea(
            group_id=group_id,
            client_key=key,
            text=text,
            created_at=now,
            updated_at=now,
            participant_id=actor.id if isinstance(actor, Participant) else None,
            user_id=actor.id if isinstance(actor, Staff) else None,
            author_name=actor.display_name if isinstance(actor, Participant) else actor.name,
        )
        s.add(idea)
        s.flush()
        assert idea.id is not None
        _publish(s, "idea.submitted", actor, idea)
        return Receipt(idea.id, key, repeated=False)

    return await db.write(txn)


def _author_ref(idea: Idea) -> str:
    if idea.participant_id is not None:
        return f"participant:{idea.participant_id}"
    return f"user:{idea.user_id}"


def _own_idea(s: Session, actor: Actor, idea_id: int) -> Idea:
    idea = get_row(s, Idea, idea_id)
    if idea is None or idea.status == IdeaStatus.withdrawn:
        raise NotFound(N_("That idea is not on the board any more."))
    require_member(s, actor, idea.group_id)
    if _author_ref(idea) != actor.ref:
        raise Forbidden(N_("You can only change your own ideas."))
    return idea


async def edit_own_idea(db: Database, actor: Actor, idea_id: int, text: object, limit: int) -> None:
    """The author rewrites their idea while the group collects; the old text is kept."""
    text = clean(text, limit=limit)

    def txn(s: Session) -> None:
        idea = _own_idea(s, actor, idea_id)
        _writing_open(s, idea.group_id)
        if idea.text == text:
            return  # a repeat of the same edit changes nothing
        s.add(IdeaRevision(idea_id=idea_id, text=idea.text, edited_by=actor.ref))
        idea.text, idea.updated_at = text, utcnow()
        s.add(idea)
        s.flush()
        _publish(s, "idea.edited", actor, idea, edited=True)

    await db.write(txn)


async def withdraw_own_idea(db: Database, actor: Actor, idea_id: int) -> None:
    """The author takes their idea back; it leaves every board. A repeat changes nothing."""

    def txn(s: Session) -> None:
        idea = get_row(s, Idea, idea_id)
        if (
            idea is not None
            and idea.status == IdeaStatus.withdrawn
            and _author_ref(idea) == actor.ref
        ):
            return
        idea = _own_idea(s, actor, idea_id)
        idea.status, idea.updated_at = IdeaStatus.withdrawn, utcnow()
        s.add(idea)
        s.flush()
        _publish(s, "idea.withdrawn", actor, idea)

    await db.write(txn)


async def group_board(db: Database, actor: Actor, group_id: int) -> Board:
    def read(s: Session) -> Board:
        require_member(s, actor, group_id)
        return board(s, group_id)

    return await db.read(read)


async def own_idea_ids(db: Database, actor: Participant, group_id: int) -> set[int]:
    def read(s: Session) -> set[int]:
        return {
            idea_id
            for idea_id in s.exec(
                select(Idea.id).where(
                    Idea.group_id == group_id,
                    Idea.participant_id == actor.id,
                    Idea.status == IdeaStatus.visible,
                )
            )
            if idea_id is not None
        }

    return await db.read(read)


def parse_time(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)
