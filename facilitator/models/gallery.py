"""The report-back gallery (issue #23): the room's +1s on groups' agreed recommendations, and
where each phone sat in each round that has ended."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from facilitator.models.time import utcnow


class GalleryPlus(SQLModel, table=True):
    """One phone's +1 on one recommendation. Taking it back keeps the row (`given` false) with
    the key of that change, so a resent command is recognised and changes nothing."""

    __tablename__ = "gallery_plus"
    recommendation_id: int = Field(
        foreign_key="recommendation.id", primary_key=True, ondelete="CASCADE"
    )
    participant_id: int = Field(foreign_key="participant.id", primary_key=True, ondelete="CASCADE")
    given: bool = True
    client_key: str = Field(max_length=64)  # of the last change
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class RoundSeat(SQLModel, table=True):
    """The group a phone sat in during a round, written when the round ends: an idea it
    wrote there offline is still taken after it has moved on, and the reports count each
    round's phones."""

    __tablename__ = "round_seat"
    round_id: int = Field(foreign_key="breakout_round.id", primary_key=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", primary_key=True, ondelete="CASCADE")
    group_id: int = Field(foreign_key="breakout_group.id", index=True, ondelete="CASCADE")
