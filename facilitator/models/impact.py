"""Impact: questions asked at chosen moments, their answers, and follow-up on recommendations."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from facilitator.models.time import utcnow


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
    moment: str = Field(sa_type=String(20), primary_key=True)  # an occasion's key: a Moment,
    # or round-N for the end of the workshop's Nth round (facilitator.moments)
    opened_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


class Answer(SQLModel, table=True):
    """One device's answer to one question at one moment (anonymous: a device, no name)."""

    __table_args__ = (UniqueConstraint("question_id", "participant_id", "moment"),)
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    moment: str = Field(sa_type=String(20))  # an occasion's key, as in MomentState
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
