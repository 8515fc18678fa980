"""the plenary vote on the final recommendations, and its ballots (issue #23)

Revision ID: 0015_plenary
Revises: 0014_idea_vectors
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_plenary"
# Chained after main's head when main (gallery, board3) was merged in; the id is the one
# the brief gave.
down_revision = "0014_idea_vectors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plenary",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workshop_id"),
    )
    op.create_table(
        "plenary_ballot",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("marks", sa.Text(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("keys", sa.Text(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["breakout_group.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["round_id"], ["breakout_round.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("workshop_id", "participant_id"),
    )


def downgrade() -> None:
    op.drop_table("plenary_ballot")
    op.drop_table("plenary")
