"""Recording events: the only way a command writes one, and only of a kind the vocabulary
defines, with that kind's payload type (DESIGN rules 3 and 13)."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session

from facilitator.domain.actors import Actor
from facilitator.store import events
from facilitator.vocabulary import KINDS, Kind

P = TypeVar("P")


def record(s: Session, channel: str, kind: Kind[P], payload: P, actor: Actor | str) -> None:
    """Append an event of `kind` in the current transaction; it is published after commit."""
    if KINDS.get(kind.name) is not kind or type(payload) is not kind.payload:
        raise TypeError(f"{kind.name}: not a kind of the vocabulary with its payload")
    ref = actor if isinstance(actor, str) else actor.ref
    events.append(s, channel, kind.name, payload, ref)


def to_group(s: Session, group_id: int, kind: Kind[P], payload: P, actor: Actor | str) -> None:
    record(s, events.group_channel(group_id), kind, payload, actor)


def to_workshop(
    s: Session, workshop_id: int, kind: Kind[P], payload: P, actor: Actor | str
) -> None:
    record(s, events.workshop_channel(workshop_id), kind, payload, actor)
