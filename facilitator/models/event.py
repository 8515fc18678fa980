"""The event: a workshop, its rounds and groups, who runs them and who takes part."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from facilitator.group_settings import DEFAULTS, GroupSettings
from facilitator.models.board import Phase
from facilitator.models.time import utcnow


class Workshop(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    date: dt.date | None = None
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    code: str = Field(max_length=8, unique=True, index=True)
    created_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow)
    announcement: str = Field(default="", max_length=300)  # a banner on every phone
    language: str = Field(default="en", max_length=8)  # of exports and the projector
    # Asked of phones at join when rounds mix tables by it ("Your organisation"); "": not asked.
    tag_label: str = Field(default="", max_length=60)
    # The report-back gallery is open: every phone browses and +1s every group's agreed
    # recommendations.
    gallery_open: bool = False
    # The Chatham House Rule: no name of a participant or author is asked, shown or exported.
    chatham_house: bool = False


class WorkshopOrganiser(SQLModel, table=True):
    __tablename__ = "workshop_organiser"
    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")


class Assignment(enum.StrEnum):
    """How phones find their group when a round starts."""

    stay = "stay"  # the group at the same place in the new round
    choose = "choose"  # each phone picks from a list
    random = "random"  # shuffled, groups balanced by size
    tag = "tag"  # balanced across the tag given at join, so tables mix
    list = "list"  # a pre-assigned list (CSV of name, group) given when the round starts


class Round(SQLModel, table=True):
    """One sitting of breakouts; a workshop's rounds are ordered by position. The current
    round is the last one started (the first while none has been)."""

    __tablename__ = "breakout_round"
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    position: int = 0
    assignment: Assignment = Field(default=Assignment.choose, sa_type=String(20))
    started_at: dt.datetime | None = None


class Group(SQLModel, table=True):
    """A breakout group. The table is not called "group", an SQL keyword."""

    __tablename__ = "breakout_group"
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    prompt: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    code: str = Field(max_length=8, unique=True, index=True)
    phase: Phase = Field(default=Phase.collect, sa_type=String(20))
    position: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow)
    # How the facilitator runs it (the GroupSettings fields, read together as `settings`) and
    # where it stands now. The columns keep the order of the migrations.
    private_mode: bool = DEFAULTS.private_mode
    ideas_revealed: bool = False
    premoderation: bool = DEFAULTS.premoderation
    vote_budget: int = DEFAULTS.vote_budget
    vote_cap: int = DEFAULTS.vote_cap
    votes_revealed: bool = False
    timer_ends_at: dt.datetime | None = None
    lock_on_timer: bool = DEFAULTS.lock_on_timer
    writing_locked: bool = False
    # None in a workshop without rounds. No ON DELETE: a round goes only with its workshop,
    # which takes its groups in the same statement.
    round_id: int | None = Field(default=None, foreign_key="breakout_round.id", index=True)

    # The columns stay (no migration); code reads and writes the settings as one object.
    @property
    def settings(self) -> GroupSettings:
        return GroupSettings(*(getattr(self, name) for name in GroupSettings.names()))

    @settings.setter
    def settings(self, new: GroupSettings) -> None:
        for name in GroupSettings.names():
            setattr(self, name, getattr(new, name))


class GroupCarry(SQLModel, table=True):
    """A group of a later round starts from an earlier group's agreed recommendations, as
    seed cards, when its round starts."""

    __tablename__ = "group_carry"
    group_id: int = Field(foreign_key="breakout_group.id", primary_key=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="breakout_group.id", primary_key=True, ondelete="CASCADE")


class GroupFacilitator(SQLModel, table=True):
    __tablename__ = "group_facilitator"
    group_id: int = Field(foreign_key="breakout_group.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")


class Participant(SQLModel, table=True):
    """An anonymous device in one workshop, known by the hash of its device cookie."""

    __table_args__ = (UniqueConstraint("workshop_id", "device_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    device_hash: str = Field(max_length=64)
    group_id: int | None = Field(
        default=None, foreign_key="breakout_group.id", index=True, ondelete="SET NULL"
    )
    display_name: str = Field(default="", max_length=60)
    created_at: dt.datetime = Field(default_factory=utcnow)
    tag: str = Field(default="", max_length=60)  # the answer to the workshop's tag_label
