"""The plenary vote: the whole event's phones vote on the final recommendations (issue #23)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, ForeignKeyConstraint, String, Text
from sqlmodel import Field, SQLModel

from facilitator.models.time import utcnow


class PlenaryMethod(enum.StrEnum):
    dots = "dots"  # a budget of dots per phone, at most `cap` on one recommendation
    ranking = "ranking"  # each phone orders the recommendations; counted by Borda


class Plenary(SQLModel, table=True):
    """A workshop's plenary vote: how it is counted, which final recommendations are in it
    (`items`, JSON ids in the order shown) and where it stands. Open while `opened_at` is set
    and neither `closed_at` nor a passed `closes_at` (the timer, kept on the server, so a
    restart keeps it) says otherwise."""

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True, ondelete="CASCADE")
    method: PlenaryMethod = Field(default=PlenaryMethod.dots, sa_type=String(20))
    budget: int = 5
    cap: int = 3
    items: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    opened_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Ballot(SQLModel, table=True):
    """One device's ballot: replaced whole when it votes again, never added to. It keeps
    where the phone sat when it voted (turnout per group and per round), and the keys of
    the messages it came in, so a resent message changes nothing."""

    __tablename__ = "plenary_ballot"
    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", primary_key=True, ondelete="CASCADE")
    marks: str = Field(sa_column=Column(Text, nullable=False))  # JSON: {id: dots} or [ids]
    group_id: int | None = Field(default=None, foreign_key="breakout_group.id", ondelete="SET NULL")
    round_id: int | None = Field(default=None, foreign_key="breakout_round.id", ondelete="SET NULL")
    keys: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    cast_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class BallotPoints(SQLModel, table=True):
    """The points a ballot gives each recommendation (its dots, or its Borda points),
    written with the ballot: the live results add them up in the database, not by loading
    every ballot (10,000 at a large event, at every fresh poll of the projector)."""

    __tablename__ = "plenary_points"
    __table_args__ = (
        ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["plenary_ballot.workshop_id", "plenary_ballot.participant_id"],
            ondelete="CASCADE",
        ),
    )
    workshop_id: int = Field(primary_key=True)
    participant_id: int = Field(primary_key=True)
    item_id: int = Field(primary_key=True)  # a recommendation in the vote
    points: int
