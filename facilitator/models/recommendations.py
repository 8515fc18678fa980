"""Recommendations, a group's or the event's, and the ideas and themes they rest on."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, Index, String, Text
from sqlmodel import Field, SQLModel

from facilitator.models.time import utcnow


class Scope(enum.StrEnum):
    """Where a recommendation stands. Rounds and the plenary will add theirs."""

    group = "group"  # a breakout group's, promoted from its themes and ideas
    workshop = "workshop"  # the workshop's final ones, synthesised from group ones


class SourceKind(enum.StrEnum):
    """What a recommendation can come from."""

    idea = "idea"
    cluster = "cluster"
    recommendation = "recommendation"  # another one, at a narrower scope


class Recommendation(SQLModel, table=True):
    """A recommendation at any scope, with its sources (provenance) in one table.

    A group's has `group_id`; the workshop's final ones have none. `agreed` is a group's
    "agreed" and the organiser's "final"."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    scope: Scope = Field(default=Scope.group, sa_type=String(20))
    group_id: int | None = Field(
        default=None, foreign_key="breakout_group.id", index=True, ondelete="CASCADE"
    )
    title: str = Field(max_length=200)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Who should act on it (the structure's "who acts"), apart from the text since 0014.
    who_acts: str = Field(
        default="", sa_column=Column(Text, nullable=False, default="", server_default="")
    )
    position: int = 0
    agreed: bool = False
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class RecommendationSource(SQLModel, table=True):
    """What a recommendation came from: an idea, a theme, or another recommendation."""

    __tablename__ = "recommendation_source"
    __table_args__ = (Index("ix_recommendation_source_target", "target", "target_id"),)
    recommendation_id: int = Field(
        foreign_key="recommendation.id", primary_key=True, ondelete="CASCADE"
    )
    target: SourceKind = Field(sa_type=String(20), primary_key=True)
    target_id: int = Field(primary_key=True)
