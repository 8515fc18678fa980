"""Migration 0007 keeps every recommendation: a database with the twin models (group
recommendations, final recommendations, their two source tables, final.* events) comes out
with one model, one table of sources, and the same provenance, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from facilitator.domain.exports import read_snapshot
from facilitator.domain.synthesis import synthesis
from facilitator.store import migrate
from facilitator.store.database import Database
from facilitator.store.engines import make_engine
from tests import backends

AT = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.db'}"
        return
    backends.require_servers()
    with backends.scratch_database() as scratch:
        yield scratch


def insert(conn: Connection, table: str, **values: object) -> None:
    columns = ", ".join(values)
    conn.execute(
        text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + k for k in values)})"),
        values,
    )


def fill_as_before(conn: Connection) -> None:
    """What a workshop held at revision 0006: two groups' recommendations, two finals (one
    marked final, drawing on both groups), and the synthesis's events."""
    insert(conn, '"user"', id=1, email="o@example.org", name="Olivia", password_hash="x",
           role="organiser", created_at=AT)  # fmt: skip
    insert(conn, "workshop", id=7, title="Cyber", description="", code="WSHOP001",
           created_at=AT, announcement="", language="en")  # fmt: skip
    rules = {"private_mode": False, "ideas_revealed": False, "premoderation": False,
             "vote_budget": 5, "vote_cap": 3, "votes_revealed": False, "lock_on_timer": False,
             "writing_locked": False}  # fmt: skip
    for gid, code in ((11, "GROUP011"), (12, "GROUP012")):
        insert(conn, "breakout_group", id=gid, workshop_id=7, name=f"G{gid}", prompt="?",
               description="", code=code, phase="recommend", position=gid, created_at=AT,
               **rules)  # fmt: skip
    insert(conn, "cluster", id=21, group_id=11, name="CERT staff", position=0, created_at=AT)
    insert(conn, "idea", id=31, group_id=12, client_key="k1", author_name="",
           text="Fund CERT salaries", status="visible", created_at=AT, updated_at=AT,
           position=0, hidden_reason="", edited_by_facilitator=False)  # fmt: skip
    for rid, gid, title, agreed in ((41, 11, "Retain CERT staff", True), (42, 12, "Pay", False)):
        insert(conn, "recommendation", id=rid, group_id=gid, title=title, text=f"{title} text",
               rationale="why", position=rid, agreed=agreed, created_by=1, created_at=AT,
               updated_at=AT)  # fmt: skip
    insert(conn, "recommendation_source", recommendation_id=41, target="cluster", target_id=21)
    insert(conn, "recommendation_source", recommendation_id=42, target="idea", target_id=31)
    # Final ids overlap the group ones' on purpose: they must get new ones.
    for fid, title, final in ((41, "Keep CERTs staffed", True), (5, "A draft", False)):
        insert(conn, "final_recommendation", id=fid, workshop_id=7, title=title,
               text=f"{title}: the text", rationale=f"{title}: why", position=fid, final=final,
               created_by=1, created_at=AT, updated_at=AT)  # fmt: skip
    for fid, rid in ((41, 41), (41, 42), (5, 42)):
        insert(conn, "final_source", final_id=fid, recommendation_id=rid)
    insert(conn, "channel", name="workshop:7", seq=4, epoch="e1")
    for seq, kind, ident in ((1, "final.created", 41), (2, "final.marked", 41),
                             (3, "final.created", 9), (4, "final.deleted", 9)):  # fmt: skip
        insert(conn, "event", channel="workshop:7", seq=seq, kind=kind,
               payload=json.dumps({"final": ident}), actor="user:1", at=AT)  # fmt: skip


def test_the_twin_models_become_one_and_keep_their_provenance(url: str) -> None:
    migrate.upgrade(url, "0006")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            fill_as_before(conn)
    finally:
        engine.dispose()

    migrate.upgrade(url)

    db = Database(url)
    try:
        rows = db.read_sync(
            lambda s: (
                s.connection()
                .execute(
                    text(
                        "SELECT id, workshop_id, scope, group_id, title, text, rationale, agreed, "
                        "created_by FROM recommendation ORDER BY id"
                    )
                )
                .all()
            )
        )
        by_title = {r.title: r for r in rows}
        assert len(rows) == 4
        # Group recommendations keep their ids and gain their workshop.
        assert tuple(by_title["Retain CERT staff"])[:4] == (41, 7, "group", 11)
        assert tuple(by_title["Pay"])[:4] == (42, 7, "group", 12)
        keep, draft = by_title["Keep CERTs staffed"], by_title["A draft"]
        assert (keep.scope, keep.group_id, keep.workshop_id) == ("workshop", None, 7)
        assert (keep.text, keep.rationale, bool(keep.agreed), keep.created_by) == (
            "Keep CERTs staffed: the text",
            "Keep CERTs staffed: why",
            True,
            1,
        )
        assert not draft.agreed and draft.id not in (41, 42)

        board = db.read_sync(lambda s: synthesis(s, 7))
        finals = {f.title: f for f in board.finals}
        assert [r.id for r in finals["Keep CERTs staffed"].sources] == [41, 42]
        assert [r.id for r in finals["A draft"].sources] == [42]
        assert finals["Keep CERTs staffed"].final and not finals["A draft"].final
        groups = {r.id: r for r in board.recommendations}
        assert [(t.kind, t.label) for t in groups[41].sources] == [("cluster", "CERT staff")]
        assert [(t.kind, t.label) for t in groups[42].sources] == [("idea", "Fund CERT salaries")]
        assert sorted(groups[42].finals) == sorted([keep.id, draft.id])

        snap = db.read_sync(lambda s: read_snapshot(s, 7))
        assert [(f.title, f.final, f.recommendation_ids) for f in snap.final_recommendations] == [
            ("A draft", False, (42,)),
            ("Keep CERTs staffed", True, (41, 42)),
        ]

        events = db.read_sync(
            lambda s: (
                s.connection()
                .execute(text("SELECT seq, kind, payload FROM event ORDER BY seq"))
                .all()
            )
        )
        assert [(e.seq, e.kind, json.loads(e.payload)) for e in events] == [
            (1, "recommendation.created", {"recommendation": keep.id}),
            (2, "recommendation.agreed", {"recommendation": keep.id}),
            (3, "recommendation.created", {"recommendation": 9}),  # deleted: kept as it was
            (4, "recommendation.deleted", {"recommendation": 9}),
        ]
    finally:
        db.close()


def test_the_migration_goes_back_as_well(url: str) -> None:
    migrate.upgrade(url, "0006")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            fill_as_before(conn)
        migrate.upgrade(url)
        migrate.downgrade(url, "0006")
        with engine.connect() as conn:
            finals = conn.execute(
                text("SELECT title, final FROM final_recommendation ORDER BY title")
            ).all()
            sources = conn.execute(
                text(
                    "SELECT f.title, s.recommendation_id FROM final_source s "
                    "JOIN final_recommendation f ON f.id = s.final_id ORDER BY 1, 2"
                )
            ).all()
            kinds = conn.execute(text("SELECT kind FROM event ORDER BY seq")).scalars().all()
    finally:
        engine.dispose()
    assert [(t, bool(f)) for t, f in finals] == [("A draft", False), ("Keep CERTs staffed", True)]
    assert [tuple(r) for r in sources] == [
        ("A draft", 42),
        ("Keep CERTs staffed", 41),
        ("Keep CERTs staffed", 42),
    ]
    assert kinds == ["final.created", "final.marked", "final.created", "final.deleted"]
