"""Who uses the server: organisers and facilitators, their sessions and invitations."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from facilitator.models.time import utcnow


class Role(enum.StrEnum):
    organiser = "organiser"
    facilitator = "facilitator"


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
