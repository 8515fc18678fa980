"""the report-back gallery: its +1s and whether it is open; where each phone sat in each
round that has ended (issue #23)

Revision ID: 0011_gallery
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_gallery"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshop") as batch:
        batch.add_column(
            sa.Column("gallery_open", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "gallery_plus",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("recommendation_id", "participant_id"),
    )
    op.create_table(
        "round_seat",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["breakout_round.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["breakout_group.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "participant_id"),
    )
    with op.batch_alter_table("round_seat") as batch:
        batch.create_index("ix_round_seat_group_id", ["group_id"], unique=False)


def downgrade() -> None:
    op.drop_table("round_seat")
    op.drop_table("gallery_plus")
    with op.batch_alter_table("workshop") as batch:
        batch.drop_column("gallery_open")
