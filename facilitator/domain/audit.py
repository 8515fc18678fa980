"""The audit trail: who did what in a group, and when, read from its event log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from facilitator import events
from facilitator.db import Database
from facilitator.domain.access import get_row, require_facilitator
from facilitator.domain.actors import Actor
from facilitator.i18n import N_
from facilitator.models import Event, Participant, User

LIMIT = 1000
WHAT = {
    "idea.submitted": N_("submitted an idea"),
    "idea.edited": N_("edited their idea"),
    "idea.withdrawn": N_("withdrew their idea"),
    "idea.hidden": N_("hid an idea"),
    "idea.restored": N_("restored an idea"),
    "idea.approved": N_("approved an idea"),
    "idea.moderated": N_("edited an idea"),
    "idea.merged": N_("merged an idea into another"),
    "idea.moved": N_("moved an idea"),
    "cluster.created": N_("created a theme"),
    "cluster.renamed": N_("renamed a theme"),
    "cluster.deleted": N_("deleted a theme"),
    "clusters.accepted": N_("accepted suggested themes"),
    "vote.cast": N_("placed a dot"),
    "vote.retracted": N_("took a dot back"),
    "group.phase": N_("changed the phase"),
    "group.settings": N_("changed the settings"),
    "group.timer": N_("set the timer"),
    "group.writing": N_("paused or resumed writing"),
    "group.reveal_ideas": N_("revealed or hid the ideas"),
    "group.reveal_votes": N_("revealed or hid the tallies"),
    "recommendation.created": N_("promoted a recommendation"),
    "recommendation.edited": N_("edited a recommendation"),
    "recommendation.agreed": N_("marked a recommendation agreed or not"),
    "recommendation.moved": N_("reordered the recommendations"),
    "recommendation.deleted": N_("deleted a recommendation"),
}


@dataclass(frozen=True)
class Entry:
    seq: int
    at: dt.datetime
    who: str  # a name as people wrote it, shown as text; "" for an anonymous participant
    what: str
    detail: str


def _detail(kind: str, payload: dict[str, Any]) -> str:
    idea = payload.get("idea")
    if isinstance(idea, dict):
        text = str(idea.get("text", ""))
        reason = str(idea.get("hidden_reason", ""))
        return f"{text[:120]}" + (f" ({reason})" if kind == "idea.hidden" and reason else "")
    if kind == "group.phase":
        return f"{payload.get('previous')} → {payload.get('phase')}"
    return ""


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
            if row.kind.startswith("vote."):
                who = ""  # dots are secret
            detail = _detail(row.kind, events.LiveEvent.decode_payload(row.payload))
            out.append(Entry(row.seq, row.at, who, WHAT.get(row.kind, row.kind), detail))
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
