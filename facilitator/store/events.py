"""Events: seq allocation inside the writing transaction, replay since a seq, the wire form.

A channel is one group, one workshop or one group's plenary ballots. Its `seq` rises by one
per event with no gaps: the counter row is updated (and so row-locked) in the same
transaction that makes the change, so commit order equals seq order, also across processes.
The `epoch` names one life of a channel's log; a client holding another epoch must take a
fresh board.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Engine, insert, text
from sqlmodel import Session, col, select

from facilitator.models import Channel, Event, utcnow
from facilitator.store.statements import core


def group_channel(group_id: int) -> str:
    return f"group:{group_id}"


def workshop_channel(workshop_id: int) -> str:
    return f"workshop:{workshop_id}"


def ballot_channel(group_id: int) -> str:
    """Where a group's plenary ballots are logged: no page follows it, so a ballot sends
    nothing to the phones of its group (a seq on `group:` would reach every one)."""
    return f"ballots:{group_id}"


@dataclass(frozen=True)
class LiveEvent:
    channel: str
    seq: int
    epoch: str
    kind: str
    payload: Any  # a vocabulary payload when appended; its JSON (a dict) once decoded
    actor: str
    at: dt.datetime

    def encode(self) -> bytes:
        return orjson.dumps(
            {
                "channel": self.channel,
                "seq": self.seq,
                "epoch": self.epoch,
                "kind": self.kind,
                "payload": self.payload,
                "actor": self.actor,
                "at": self.at.isoformat(),
            }
        )

    @staticmethod
    def decode_payload(raw: str) -> dict[str, Any]:
        return orjson.loads(raw)  # type: ignore[no-any-return]

    @classmethod
    def decode(cls, raw: bytes | str) -> LiveEvent:
        d = orjson.loads(raw)
        return cls(
            channel=d["channel"],
            seq=d["seq"],
            epoch=d["epoch"],
            kind=d["kind"],
            payload=d["payload"],
            actor=d["actor"],
            at=dt.datetime.fromisoformat(d["at"]),
        )


# An event as committed jobs hand it to the publisher: channel and seq (for logs) and the
# wire form, encoded where it was committed. Plain bytes cross from SQLite's writer process
# for a tenth of what an unpickled LiveEvent costs the server's loop.
Wired = tuple[str, int, bytes]


def wire(events: list[LiveEvent]) -> list[Wired]:
    return [(e.channel, e.seq, e.encode()) for e in events]


@dataclass(frozen=True)
class Head:
    seq: int
    epoch: str


class Tx(Session):
    """One write transaction: a session that carries the events its current job recorded,
    handed to the publisher once the transaction commits (DESIGN rule 3)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, expire_on_commit=False)
        self.events: list[LiveEvent] = []


def create_channel(s: Session, name: str) -> None:
    s.add(Channel(name=name, seq=0, epoch=secrets.token_hex(4)))


_BUMP = text("UPDATE channel SET seq = seq + 1 WHERE name = :name RETURNING seq, epoch")
_INSERT = insert(Event.__table__)  # type: ignore[attr-defined]


def append(s: Session, channel: str, kind: str, payload: object, actor: str) -> LiveEvent:
    """Record an event in the current transaction; it is published after commit."""
    if not isinstance(s, Tx):
        raise TypeError("events are recorded in a write transaction (a Tx), not a read")
    row = core(s, _BUMP, {"name": channel}).one()
    at = utcnow()
    body = orjson.dumps(payload).decode()
    # A Core insert: events are never changed after this, so the ORM's tracking is waste.
    core(
        s,
        _INSERT,
        {
            "channel": channel,
            "seq": row.seq,
            "kind": kind,
            "payload": body,
            "actor": actor,
            "at": at,
        },
    )
    live = LiveEvent(channel, row.seq, row.epoch, kind, payload, actor, at)
    s.events.append(live)
    return live


def head(s: Session, channel: str) -> Head:
    row = s.get(Channel, channel)
    if row is None:
        raise LookupError(channel)
    return Head(row.seq, row.epoch)


def since(s: Session, channel: str, after: int, limit: int) -> list[LiveEvent] | None:
    """Events with seq > `after`, in order; None when more than `limit` (take a fresh board)."""
    epoch = head(s, channel).epoch
    rows = s.exec(
        select(Event)
        .where(Event.channel == channel, col(Event.seq) > after)
        .order_by(col(Event.seq))
        .limit(limit + 1)
    ).all()
    if len(rows) > limit:
        return None
    return [
        LiveEvent(r.channel, r.seq, epoch, r.kind, orjson.loads(r.payload), r.actor, r.at)
        for r in rows
    ]
