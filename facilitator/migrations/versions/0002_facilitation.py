"""facilitation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cluster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["breakout_group.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cluster_group_id"), ["group_id"], unique=False)

    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["group_id"], ["breakout_group.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_group_id"), ["group_id"], unique=False)

    op.create_table(
        "recommendation_source",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("recommendation_id", "target", "target_id"),
    )
    op.create_table(
        "vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["breakout_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_group_id"), ["group_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_vote_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_vote_target_id"), ["target_id"], unique=False)

    with op.batch_alter_table("breakout_group", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("private_mode", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("ideas_revealed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("premoderation", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("vote_budget", sa.Integer(), nullable=False, server_default="5")
        )
        batch_op.add_column(sa.Column("vote_cap", sa.Integer(), nullable=False, server_default="3"))
        batch_op.add_column(
            sa.Column("votes_revealed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("timer_ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("lock_on_timer", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("writing_locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cluster_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("hidden_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "edited_by_facilitator", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.create_index(batch_op.f("ix_idea_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_idea_cluster_id_cluster", "cluster", ["cluster_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            "fk_idea_merged_into_idea", "idea", ["merged_into"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.drop_constraint("fk_idea_merged_into_idea", type_="foreignkey")
        batch_op.drop_constraint("fk_idea_cluster_id_cluster", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_idea_cluster_id"))
        batch_op.drop_column("edited_by_facilitator")
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("merged_into")
        batch_op.drop_column("position")
        batch_op.drop_column("cluster_id")

    with op.batch_alter_table("breakout_group", schema=None) as batch_op:
        batch_op.drop_column("writing_locked")
        batch_op.drop_column("lock_on_timer")
        batch_op.drop_column("timer_ends_at")
        batch_op.drop_column("votes_revealed")
        batch_op.drop_column("vote_cap")
        batch_op.drop_column("vote_budget")
        batch_op.drop_column("premoderation")
        batch_op.drop_column("ideas_revealed")
        batch_op.drop_column("private_mode")

    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_target_id"))
        batch_op.drop_index(batch_op.f("ix_vote_participant_id"))
        batch_op.drop_index(batch_op.f("ix_vote_group_id"))

    op.drop_table("vote")
    op.drop_table("recommendation_source")
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_group_id"))

    op.drop_table("recommendation")
    with op.batch_alter_table("cluster", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_group_id"))

    op.drop_table("cluster")
