"""a phone's "+1" to an idea already on the board (issue #21)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idea_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["breakout_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["idea_id"], ["idea.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idea_id", "participant_id"),
    )
    with op.batch_alter_table("idea_support", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_support_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_idea_support_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_idea_support_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("idea_support")
