"""each idea's sentence vector, kept once computed (issue #21)

Revision ID: 0014_idea_vectors
Revises: 0013_chatham_house
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_idea_vectors"
down_revision = "0013_chatham_house"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idea_vector",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("text_hash", sa.String(length=32), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["idea.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("idea_id", "model"),
    )


def downgrade() -> None:
    op.drop_table("idea_vector")
