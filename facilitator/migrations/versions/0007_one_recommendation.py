"""one recommendation model with a scope, and one table of sources

Final recommendations become recommendations of scope "workshop" (no group), and their links
to group recommendations become sources of kind "recommendation". Events recorded as
final.* are renamed to the recommendation kinds, their ids carried over.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# final.* kinds and the recommendation kinds they became.
RENAMED = {
    "final.created": "recommendation.created",
    "final.sources": "recommendation.sources",
    "final.edited": "recommendation.edited",
    "final.marked": "recommendation.agreed",
    "final.moved": "recommendation.moved",
    "final.deleted": "recommendation.deleted",
}
COLUMNS = "title, text, rationale, position, created_by, created_at, updated_at"


def upgrade() -> None:
    conn = op.get_bind()
    # Read first: on SQLite a batch alteration recreates a table, and dropping the old one
    # deletes, by ON DELETE CASCADE, the rows that point at it from other tables.
    finals = [
        dict(row)
        for row in conn.execute(
            sa.text(f"SELECT id, workshop_id, final, {COLUMNS} FROM final_recommendation")
        ).mappings()
    ]
    final_sources = conn.execute(
        sa.text("SELECT final_id, recommendation_id FROM final_source")
    ).all()
    sources = _sources(conn)
    op.drop_table("final_source")
    with op.batch_alter_table("final_recommendation") as batch:
        batch.drop_index("ix_final_recommendation_workshop_id")
    op.drop_table("final_recommendation")

    with op.batch_alter_table("recommendation") as batch:
        batch.add_column(sa.Column("workshop_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("scope", sa.String(length=20), nullable=False, server_default="group")
        )
        batch.alter_column("group_id", existing_type=sa.Integer(), nullable=True)
    conn.execute(
        sa.text(
            "UPDATE recommendation SET workshop_id = (SELECT workshop_id FROM breakout_group "
            "WHERE breakout_group.id = recommendation.group_id)"
        )
    )
    with op.batch_alter_table("recommendation") as batch:
        batch.alter_column("workshop_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column(
            "scope", existing_type=sa.String(length=20), server_default=None, nullable=False
        )
        batch.create_index("ix_recommendation_workshop_id", ["workshop_id"], unique=False)
        batch.create_foreign_key(
            "fk_recommendation_workshop_id", "workshop", ["workshop_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("recommendation_source") as batch:
        batch.alter_column(
            "target",
            existing_type=sa.String(length=10),
            type_=sa.String(length=20),
            existing_nullable=False,
        )
        batch.create_index("ix_recommendation_source_target", ["target", "target_id"])

    # Each final recommendation, in id order, gets a new id among the recommendations.
    moved: dict[int, int] = {}
    for values in sorted(finals, key=lambda f: f["id"]):
        old = values.pop("id")
        values["agreed"] = values.pop("final")
        moved[old] = conn.execute(
            sa.text(
                f"INSERT INTO recommendation (workshop_id, scope, group_id, agreed, {COLUMNS}) "
                "VALUES (:workshop_id, 'workshop', NULL, :agreed, :title, :text, :rationale, "
                ":position, :created_by, :created_at, :updated_at) RETURNING id"
            ),
            values,
        ).scalar_one()
    links = [(moved[f], "recommendation", r) for f, r in final_sources]
    _put_sources(conn, sources + links)
    _rename_events(conn, RENAMED, "final", "recommendation", moved)


def _sources(conn: sa.Connection) -> list[tuple[int, str, int]]:
    rows = conn.execute(
        sa.text("SELECT recommendation_id, target, target_id FROM recommendation_source")
    ).all()
    return [(r, t, i) for r, t, i in rows]


def _put_sources(conn: sa.Connection, sources: list[tuple[int, str, int]]) -> None:
    """The source table holds exactly these rows (what a cascade took is put back)."""
    conn.execute(sa.text("DELETE FROM recommendation_source"))
    for rec, target, ident in sorted(set(sources)):
        conn.execute(
            sa.text(
                "INSERT INTO recommendation_source (recommendation_id, target, target_id) "
                "VALUES (:rec, :target, :ident)"
            ),
            {"rec": rec, "target": target, "ident": ident},
        )


def _rename_events(
    conn: sa.Connection, kinds: dict[str, str], old_key: str, new_key: str, ids: dict[int, int]
) -> None:
    """Rename events of `kinds` on workshop channels, their payload's id carried over (an id
    with no counterpart, such as a deleted one's, is kept as it was)."""
    rows = conn.execute(
        sa.text("SELECT id, kind, payload FROM event WHERE channel LIKE 'workshop:%'")
    ).all()
    for event_id, kind, raw in rows:
        if kind not in kinds:
            continue
        payload = json.loads(raw)
        old = payload.pop(old_key, None)
        payload[new_key] = ids.get(old, old) if isinstance(old, int) else old
        conn.execute(
            sa.text("UPDATE event SET kind = :kind, payload = :payload WHERE id = :id"),
            {"kind": kinds[kind], "payload": json.dumps(payload), "id": event_id},
        )


def downgrade() -> None:
    conn = op.get_bind()
    finals = [
        dict(row)
        for row in conn.execute(
            sa.text(
                f"SELECT id, workshop_id, agreed, {COLUMNS} FROM recommendation "
                "WHERE scope = 'workshop'"
            )
        ).mappings()
    ]
    sources = _sources(conn)
    conn.execute(sa.text("DELETE FROM recommendation_source WHERE target = 'recommendation'"))
    conn.execute(sa.text("DELETE FROM recommendation WHERE scope <> 'group'"))
    with op.batch_alter_table("recommendation_source") as batch:
        batch.drop_index("ix_recommendation_source_target")
        batch.alter_column(
            "target",
            existing_type=sa.String(length=20),
            type_=sa.String(length=10),
            existing_nullable=False,
        )
    with op.batch_alter_table("recommendation") as batch:
        batch.drop_constraint("fk_recommendation_workshop_id", type_="foreignkey")
        batch.drop_index("ix_recommendation_workshop_id")
        batch.drop_column("scope")
        batch.drop_column("workshop_id")
        batch.alter_column("group_id", existing_type=sa.Integer(), nullable=False)
    _put_sources(conn, [s for s in sources if s[1] != "recommendation"])

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
    with op.batch_alter_table("final_recommendation") as batch:
        batch.create_index("ix_final_recommendation_workshop_id", ["workshop_id"], unique=False)
    op.create_table(
        "final_source",
        sa.Column("final_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["final_id"], ["final_recommendation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("final_id", "recommendation_id"),
    )
    back: dict[int, int] = {}
    for values in sorted(finals, key=lambda f: f["id"]):
        new = values.pop("id")
        values["final"] = values.pop("agreed")
        back[new] = conn.execute(
            sa.text(
                f"INSERT INTO final_recommendation (workshop_id, final, {COLUMNS}) VALUES "
                "(:workshop_id, :final, :title, :text, :rationale, :position, :created_by, "
                ":created_at, :updated_at) RETURNING id"
            ),
            values,
        ).scalar_one()
    for rec, target, ident in sources:
        if target == "recommendation" and rec in back:
            conn.execute(
                sa.text("INSERT INTO final_source (final_id, recommendation_id) VALUES (:f, :r)"),
                {"f": back[rec], "r": ident},
            )
    _rename_events(conn, {v: k for k, v in RENAMED.items()}, "recommendation", "final", back)
