"""an index that answers the idea count of a group by itself

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_idea_group_status_author", "idea", ["group_id", "status", "participant_id"])


def downgrade() -> None:
    op.drop_index("ix_idea_group_status_author", table_name="idea")
