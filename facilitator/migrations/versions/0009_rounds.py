"""rounds: ordered sittings of breakouts, each with its groups; a tag given at join;
groups that carry an earlier group's recommendations forward as seed cards

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breakout_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workshop_id",
            sa.Integer(),
            sa.ForeignKey("workshop.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("assignment", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_breakout_round_workshop_id", "breakout_round", ["workshop_id"])
    # On SQLite, ADD COLUMN with its REFERENCES inline: a batch would recreate
    # breakout_group, and dropping the old table deletes, by ON DELETE CASCADE, every row
    # that points at it (ideas, votes, participants' places). No ON DELETE
    # (as in the model): SQLite's reflection would not read it back from an inline clause.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE breakout_group ADD COLUMN round_id INTEGER REFERENCES breakout_round (id)"
        )
    else:
        op.add_column("breakout_group", sa.Column("round_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_breakout_group_round_id",
            "breakout_group",
            "breakout_round",
            ["round_id"],
            ["id"],
        )
    op.create_index("ix_breakout_group_round_id", "breakout_group", ["round_id"])
    op.add_column(
        "participant",
        sa.Column("tag", sa.String(length=60), nullable=False, server_default=""),
    )
    op.add_column(
        "workshop",
        sa.Column("tag_label", sa.String(length=60), nullable=False, server_default=""),
    )
    op.create_table(
        "group_carry",
        sa.Column(
            "group_id",
            sa.Integer(),
            sa.ForeignKey("breakout_group.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("breakout_group.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.add_column("idea", sa.Column("seed_of", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idea") as batch:
        batch.drop_column("seed_of")
    op.drop_table("group_carry")
    with op.batch_alter_table("workshop") as batch:
        batch.drop_column("tag_label")
    with op.batch_alter_table("participant") as batch:
        batch.drop_column("tag")
    op.drop_index("ix_breakout_group_round_id", "breakout_group")
    with op.batch_alter_table("breakout_group") as batch:
        batch.drop_column("round_id")
    op.drop_index("ix_breakout_round_workshop_id", "breakout_round")
    op.drop_table("breakout_round")
