"""SQLModel tables and enums. No queries here."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from facilitator.group_settings import DEFAULTS, GroupSettings


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Enums are stored as plain strings, so adding a value needs no database type change.


class Role(enum.StrEnum):
    organiser = "organiser"
    facilitator = "facilitator"


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


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=120)
    password_hash: str = Field(max_length=255)
    role: Role = Field(default=Role.facilitator, sa_type=String(20))
    created_at: dt.datetime = Field(default_factory=utcnow)


class LoginSession(SQLModel, table=True):
    """A server-side staff session; the cookie holds a random token, the table its hash."""

    __tablename__ = "login_session"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_seen_at: dt.datetime = Field(default_factory=utcnow)


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


class Invitation(SQLModel, table=True):
    """A one-time link for a facilitator to set a password and take on groups."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    email: str = Field(max_length=254)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    group_ids: str = Field(default="", max_length=2000)  # comma-separated ids
    invited_by: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    accepted_at: dt.datetime | None = None


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


# -- impact: questions asked at chosen moments, and their answers (issue #24) ----------------


class QuestionKind(enum.StrEnum):
    scale = "scale"  # a number between two labelled ends: 1–5 or 0–10
    single = "single"  # one of the choices
    multiple = "multiple"  # any of the choices
    text = "text"  # a short text


class Moment(enum.StrEnum):
    """When a question is asked. The baseline is asked on joining."""

    joining = "joining"
    round = "round"  # at the end of a round
    event = "event"  # at the end of the event
    followup = "followup"  # weeks later


class Question(SQLModel, table=True):
    """A question of a workshop, asked at one or more moments."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    position: int = 0
    kind: QuestionKind = Field(sa_type=String(20))
    text: str = Field(max_length=300)
    moments: str = Field(max_length=80)  # comma-separated Moment values, in Moment's order
    low: int = 1  # a scale's ends
    high: int = 5
    low_label: str = Field(default="", max_length=60)
    high_label: str = Field(default="", max_length=60)
    choices: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))  # JSON
    created_at: dt.datetime = Field(default_factory=utcnow)


class MomentState(SQLModel, table=True):
    """Whether a moment of a workshop is open for answers. Without a row, the baseline
    (joining) is open and every other moment has not opened yet."""

    __tablename__ = "question_moment"
    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True, ondelete="CASCADE")
    moment: Moment = Field(sa_type=String(20), primary_key=True)
    opened_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


class Answer(SQLModel, table=True):
    """One device's answer to one question at one moment (anonymous: a device, no name)."""

    __table_args__ = (UniqueConstraint("question_id", "participant_id", "moment"),)
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    moment: Moment = Field(sa_type=String(20))
    value: str = Field(sa_column=Column(Text, nullable=False))  # JSON: a number, indices, text
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class FollowUpStatus(enum.StrEnum):
    proposed = "proposed"
    accepted = "accepted"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class FollowUp(SQLModel, table=True):
    """What became of a final recommendation after the event: who owns it, where it stands."""

    __tablename__ = "follow_up"
    recommendation_id: int = Field(
        foreign_key="recommendation.id", primary_key=True, ondelete="CASCADE"
    )
    owner_name: str = Field(default="", max_length=120)
    owner_organisation: str = Field(default="", max_length=200)
    status: FollowUpStatus = Field(default=FollowUpStatus.proposed, sa_type=String(20))
    due: dt.date | None = None
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    updated_at: dt.datetime = Field(default_factory=utcnow)


class StatusLink(SQLModel, table=True):
    """A public, read-only link to a workshop's follow-up; the table keeps the token's hash."""

    __tablename__ = "status_link"
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    revoked_at: dt.datetime | None = None


class FollowUpLink(SQLModel, table=True):
    """A personal link that asks a workshop's follow-up questions weeks later; the first
    device that opens it keeps it (the table holds the token's hash)."""

    __tablename__ = "follow_up_link"
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    participant_id: int | None = Field(
        default=None, foreign_key="participant.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(default_factory=utcnow)
