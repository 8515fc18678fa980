"""A group's board: its phases, ideas and their history, themes, votes and +1s."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from facilitator.models.time import utcnow


class Phase(enum.StrEnum):
    collect = "collect"
    cluster = "cluster"
    vote = "vote"
    recommend = "recommend"
    closed = "closed"


class IdeaStatus(enum.StrEnum):
    visible = "visible"
    pending = "pending"  # waiting for a facilitator's approval (pre-moderation)
    hidden = "hidden"  # hidden by a facilitator, with a reason
    merged = "merged"  # merged into another idea, which carries its votes
    withdrawn = "withdrawn"  # taken back by its author


class VoteTarget(enum.StrEnum):
    idea = "idea"
    cluster = "cluster"


class Idea(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("group_id", "client_key"),
        # Covers the count every submission makes (visible ideas and their authors): the
        # index alone answers it, without reading the ideas' rows.
        Index("ix_idea_group_status_author", "group_id", "status", "participant_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="breakout_group.id", index=True, ondelete="CASCADE")
    participant_id: int | None = Field(
        default=None, foreign_key="participant.id", index=True, ondelete="SET NULL"
    )
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    client_key: str = Field(max_length=64)
    author_name: str = Field(default="", max_length=60)
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: IdeaStatus = Field(default=IdeaStatus.visible, sa_type=String(20))
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    cluster_id: int | None = Field(
        default=None, foreign_key="cluster.id", index=True, ondelete="SET NULL"
    )
    position: int = 0  # order within its cluster (or among the unclustered)
    merged_into: int | None = Field(default=None, foreign_key="idea.id", ondelete="SET NULL")
    hidden_reason: str = Field(default="", max_length=500)
    edited_by_facilitator: bool = False
    # The earlier round's recommendation this card was carried from (provenance; no foreign
    # key, so the link outlives the recommendation as a plain number).
    seed_of: int | None = None


class IdeaRevision(SQLModel, table=True):
    """An earlier text of an idea, kept when it is edited."""

    __tablename__ = "idea_revision"
    id: int | None = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", index=True, ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    edited_by: str = Field(max_length=40)
    note: str = Field(default="", max_length=500)
    at: dt.datetime = Field(default_factory=utcnow)


class Cluster(SQLModel, table=True):
    """A theme: a named set of ideas within a group."""

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="breakout_group.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    position: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow)


class Vote(SQLModel, table=True):
    """One dot a participant put on an idea or a cluster."""

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="breakout_group.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    target: VoteTarget = Field(sa_type=String(10))
    target_id: int = Field(index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class IdeaSupport(SQLModel, table=True):
    """A phone's "+1" to an idea already on the board, instead of sending its own: one per
    participant (a device in a workshop) per idea."""

    __tablename__ = "idea_support"
    __table_args__ = (UniqueConstraint("idea_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="breakout_group.id", index=True, ondelete="CASCADE")
    idea_id: int = Field(foreign_key="idea.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    created_at: dt.datetime = Field(default_factory=utcnow)
