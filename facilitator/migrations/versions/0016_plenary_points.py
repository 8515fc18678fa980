"""each ballot's points by recommendation, and a ballot channel per group (issue #23)

The live results add up `plenary_points` in the database instead of loading every ballot;
ballots are logged on a group's `ballots:<id>` channel, which no phone follows, so a ballot
no longer sends a frame to every phone of its voter's group.

Revision ID: 0016_plenary_points
Revises: 0015_plenary
Create Date: 2026-12-06
"""

from __future__ import annotations

import secrets

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0016_plenary_points"
down_revision = "0015_plenary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plenary_points",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["plenary_ballot.workshop_id", "plenary_ballot.participant_id"],
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workshop_id", "participant_id", "item_id"),
    )
    bind = op.get_bind()
    # The ballots cast before this revision, counted as the app counts them (written out
    # here: a migration must not change when the app's code does).
    votes = {
        w: (method, [int(i) for i in orjson.loads(items)])
        for w, method, items in bind.execute(
            sa.text("SELECT workshop_id, method, items FROM plenary")
        )
    }
    rows = []
    for w, p, marks in bind.execute(
        sa.text("SELECT workshop_id, participant_id, marks FROM plenary_ballot")
    ):
        method, items = votes.get(w, ("dots", []))
        raw = orjson.loads(marks)
        if method == "ranking" and isinstance(raw, list):
            points = {int(i): len(items) - 1 - n for n, i in enumerate(raw)}
        elif isinstance(raw, dict):
            points = {int(k): int(v) for k, v in raw.items()}
        else:
            points = {}
        rows += [{"w": w, "p": p, "i": i, "n": n} for i, n in points.items() if i in items]
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO plenary_points (workshop_id, participant_id, item_id, points)"
                " VALUES (:w, :p, :i, :n)"
            ),
            rows,
        )
    groups = [g for (g,) in bind.execute(sa.text("SELECT id FROM breakout_group"))]
    if groups:
        bind.execute(
            sa.text("INSERT INTO channel (name, seq, epoch) VALUES (:name, 0, :epoch)"),
            [{"name": f"ballots:{g}", "epoch": secrets.token_hex(4)} for g in groups],
        )


def downgrade() -> None:
    op.execute("DELETE FROM channel WHERE name LIKE 'ballots:%'")
    op.drop_table("plenary_points")
