"""synthesis: final recommendations and their sources

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "final_recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("final_recommendation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_final_recommendation_workshop_id"), ["workshop_id"], unique=False
        )
    op.create_table(
        "final_source",
        sa.Column("final_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["final_id"], ["final_recommendation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("final_id", "recommendation_id"),
    )


def downgrade() -> None:
    op.drop_table("final_source")
    with op.batch_alter_table("final_recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_final_recommendation_workshop_id"))
    op.drop_table("final_recommendation")
