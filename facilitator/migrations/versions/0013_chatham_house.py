"""the Chatham House Rule setting of a workshop (issue #24)

Revision ID: 0013_chatham_house
Revises: 0012_who_acts
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_chatham_house"
down_revision = "0012_who_acts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshop") as batch:
        batch.add_column(
            sa.Column("chatham_house", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("workshop") as batch:
        batch.drop_column("chatham_house")
