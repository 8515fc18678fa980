"""Derived data kept to save CPU: each idea's sentence vector, once computed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from facilitator.models.time import utcnow


class IdeaVector(SQLModel, table=True):
    """An idea's vector from one model (docs/clustering.md "Kept in the database"): computing
    it costs 15–40 ms of CPU, reading it back microseconds, so a restarted server or a second
    suggestion run embeds only new ideas. Valid only while the idea's text hashes to
    ``text_hash``: an edited idea's old vector is ignored, then replaced. No event: it is a
    cache of what the model says of a text, never a change anyone made."""

    __tablename__ = "idea_vector"
    idea_id: int = Field(foreign_key="idea.id", primary_key=True, ondelete="CASCADE")
    # The model, its version and how texts are read (clustering.vector_model()).
    model: str = Field(primary_key=True, max_length=80)
    text_hash: str = Field(max_length=32)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # float32, little-endian
    created_at: dt.datetime = Field(default_factory=utcnow)
