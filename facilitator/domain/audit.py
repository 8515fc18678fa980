"""The audit trail: who did what in a group, and when, read from its event log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from facilitator.domain.access import get_row, require_facilitator
from facilitator.domain.actors import Actor
from facilitator.models import Event, Participant, User
from facilitator.store import events
from facilitator.store.database import Database
from facilitator.vocabulary import audit_line, secret_actor

LIMIT = 1000


@dataclass(frozen=True)
class Entry:
    seq: int
    at: dt.datetime
    who: str  # a name as people wrote it, shown as text; "" for an anonymous participant
    what: str
    detail: str


async def group_trail(db: Database, actor: Actor, group_id: int) -> list[Entry]:
    """The group's events, newest first, with readable names. Votes name no one."""

    def read(s: Session) -> list[Entry]:
        require_facilitator(s, actor, group_id)
        rows = s.exec(
            select(Event)
            .where(Event.channel == events.group_channel(group_id))
            .order_by(col(Event.seq).desc())
            .limit(LIMIT)
        ).all()
        names: dict[str, str] = {}
        out = []
        for row in rows:
            who = names.get(row.actor)
            if who is None:
                who = names[row.actor] = _name(s, row.actor)
            if secret_actor(row.kind):
                who = ""  # dots are secret
            payload = events.LiveEvent.decode_payload(row.payload)
            what, detail = audit_line(row.kind, payload)
            out.append(Entry(row.seq, row.at, who, what, detail))
        return out

    return await db.read(read)


def _name(s: Session, ref: str) -> str:
    kind, _, ident = ref.partition(":")
    if kind == "user" and ident.isdigit():
        user = get_row(s, User, int(ident))
        return (user.name or user.email) if user else ref
    if kind == "participant" and ident.isdigit():
        participant = get_row(s, Participant, int(ident))
        if participant is not None and participant.display_name:
            return participant.display_name
        return ""
    return ref
