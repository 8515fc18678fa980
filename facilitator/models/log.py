"""The event log: each channel's numbered events, replayed to sockets that reconnect."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from facilitator.models.time import utcnow


class Channel(SQLModel, table=True):
    """The seq counter of one live channel; its row lock orders writers (DESIGN: Event)."""

    name: str = Field(primary_key=True, max_length=40)
    seq: int = 0
    epoch: str = Field(max_length=16)


class Event(SQLModel, table=True):
    """The immutable record of one change; what moves live, replays and is audited."""

    __table_args__ = (UniqueConstraint("channel", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=40)
    seq: int
    kind: str = Field(max_length=40)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    actor: str = Field(default="", max_length=40)
    at: dt.datetime = Field(default_factory=utcnow)
