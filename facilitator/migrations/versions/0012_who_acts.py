"""a recommendation's "who acts" in a column of its own, no longer the text's last "→ "
paragraph (issue #22)

Revision ID: 0012_who_acts
Revises: 0011_gallery
Create Date: 2026-12-06
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0012_who_acts"
down_revision = "0011_gallery"
branch_labels = None
depends_on = None

WHO = "→ "  # how the editor wrote "who acts" into the text before this revision

_recs = sa.table(
    "recommendation",
    sa.column("id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("who_acts", sa.Text),
)


def split(text: str) -> tuple[str, str]:
    """The text without its last paragraph when that one starts with WHO, and that paragraph
    after WHO; else the text as it is and no one. (A copy of recommendations.split_who: a
    migration keeps the rule it was written with.)"""
    paragraphs = re.split(r"\n\s*\n", text.rstrip())
    last = paragraphs[-1].strip()
    if len(paragraphs) > 1 and last.startswith(WHO) and last[len(WHO) :].strip():
        return "\n\n".join(paragraphs[:-1]).rstrip(), last[len(WHO) :].strip()
    return text, ""


def upgrade() -> None:
    with op.batch_alter_table("recommendation") as batch:
        batch.add_column(sa.Column("who_acts", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_recs.c.id, _recs.c.text).where(_recs.c.text.like(f"%{WHO}%"))
    ).all()
    for ident, text in rows:
        what, who = split(text)
        if who:
            conn.execute(_recs.update().where(_recs.c.id == ident).values(text=what, who_acts=who))


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_recs.c.id, _recs.c.text, _recs.c.who_acts).where(_recs.c.who_acts != "")
    ).all()
    for ident, text, who in rows:
        joined = f"{text.rstrip()}\n\n{WHO}{who}" if text.strip() else f"{WHO}{who}"
        conn.execute(_recs.update().where(_recs.c.id == ident).values(text=joined))
    with op.batch_alter_table("recommendation") as batch:
        batch.drop_column("who_acts")
