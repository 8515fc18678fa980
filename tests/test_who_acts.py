"""A recommendation's "who acts" is a field of its own (migration 0012): the editor, the
views, the synthesis and every export use it, and an archive or a database from before it,
which kept it as the text's last "→ " paragraph, comes in with it apart."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from pathlib import Path

import orjson
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import select

from facilitator.domain import recommendations
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Invalid
from facilitator.domain.restore import restore
from facilitator.domain.synthesis import synthesis
from facilitator.export import data, markdown, report, tables, workbook
from facilitator.models import Role, User
from facilitator.store import migrate
from facilitator.store.database import Database
from facilitator.store.engines import make_engine
from tests.test_recommendation_migration import url
from tests.workshop_factory import WHO_ACTS, build, db, fresh_db, snapshot, staff

__all__ = ["db", "url"]  # fixtures: a fresh database; an empty one on each backend

GROUP_WHO, FINAL_WHO = WHO_ACTS
AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def organiser(db: Database) -> Staff:
    user = db.read_sync(
        lambda s: s.exec(select(User).where(User.email == "olivia@example.org")).one()
    )
    return Staff(user.id, Role.organiser, user.email, user.name)


def test_the_exports_say_who_acts_apart_from_the_text(db: Database) -> None:
    built = build(db)
    snap = snapshot(db, built.workshop_id)
    assert [r.who_acts for r in snap.recommendations] == [GROUP_WHO]
    assert [f.who_acts for f in snap.final_recommendations] == [FINAL_WHO]

    lines = [p.text for p in Document(io.BytesIO(report.docx(snap, ""))).paragraphs]
    assert f"Who acts: {FINAL_WHO}" in lines and f"Who acts: {GROUP_WHO}" in lines
    md = markdown.markdown(snap, "").decode()
    assert f"   - Who acts: {FINAL_WHO}\n" in md and "   - Who acts: Each department" in md

    # The rows of the recommendations and final recommendations sheets, as CSV.
    for rows_of, who in ((tables.recommendation_rows, GROUP_WHO), (tables.final_rows, FINAL_WHO)):
        as_csv = tables.to_csv(rows_of(snap)).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(as_csv)))
        assert [r["who_acts"] for r in rows] == [who]
        assert all("→" not in r["text"] for r in rows)
    book = load_workbook(io.BytesIO(workbook.xlsx(snap)))
    for sheet, who in (("Recommendations", GROUP_WHO), ("Final recommendations", FINAL_WHO)):
        header = [c.value for c in book[sheet][1]]
        assert book[sheet].cell(2, header.index("Who acts") + 1).value == who, sheet


def test_a_final_made_from_one_group_recommendation_copies_who_acts(db: Database) -> None:
    built = build(db)
    rec_id = snapshot(db, built.workshop_id).recommendations[0].id
    blank = recommendations.check_draft("", "", "", blank_title=True)
    final = asyncio.run(
        recommendations.synthesise(db, organiser(db), built.workshop_id, blank, [rec_id])
    )
    board = db.read_sync(lambda s: synthesis(s, built.workshop_id))
    made = next(f for f in board.finals if f.id == final)
    assert (made.text, made.who_acts) == ("Quarterly simulations for all staff.", GROUP_WHO)
    assert next(r for r in board.recommendations if r.id == rec_id).who_acts == GROUP_WHO


def test_who_acts_is_checked_like_any_text(db: Database) -> None:
    draft = recommendations.check_draft("T", "", "", "  The ministry \n of ICT  ")
    assert draft.who_acts == "The ministry of ICT"
    with pytest.raises(Invalid):
        recommendations.check_draft("T", "", "", "x" * 301)


def test_an_archive_from_before_keeps_who_acts_in_the_text_and_imports_it_apart(
    db: Database, tmp_path: Path, migrated_db: Path
) -> None:
    built = build(db)
    doc = orjson.loads(data.to_json(snapshot(db, built.workshop_id, include_names=True)))
    # As an archive written before 0012: no who_acts, the editor's "→ " paragraph instead.
    for rec in [*doc["recommendations"], *doc["final_recommendations"]]:
        who = rec.pop("who_acts")
        rec["text"] = f"{rec['text']}\n\n→ {who}"
    doc["recommendations"][0]["text"] += "\n\nAn arrow → inside a paragraph stays."
    other = fresh_db(tmp_path, migrated_db, "other.db")
    try:
        asyncio.run(staff(other, "olivia@example.org", Role.organiser, "Olivia"))
        wid = other.write_sync(lambda s: restore(s, data.from_json(orjson.dumps(doc))))
        again = snapshot(other, wid, include_names=True)
        # And the new archive carries it in its own field, round trip.
        third = data.from_json(data.to_json(again))
    finally:
        other.close()
    group, final = again.recommendations[0], again.final_recommendations[0]
    assert (final.text, final.who_acts) == ("Across the region.", FINAL_WHO)
    assert group.who_acts == ""  # its last paragraph is not an arrow one any more
    assert group.text.endswith("\n\nAn arrow → inside a paragraph stays.")
    assert [f.who_acts for f in third.final_recommendations] == [FINAL_WHO]


BEFORE = {  # id: text as the editor wrote it before 0012
    1: "Fund clinics.\n\n→ The ministry of ICT, with the national CERT",
    2: "No one named here.",
    3: "Two paragraphs.\n\nThe second → is not who acts.",
    4: "Spaced out.\n  \n→ The procurement office  ",
}
AFTER = {
    1: ("Fund clinics.", "The ministry of ICT, with the national CERT"),
    2: ("No one named here.", ""),
    3: ("Two paragraphs.\n\nThe second → is not who acts.", ""),
    4: ("Spaced out.", "The procurement office"),
}


def test_the_migration_moves_the_arrow_paragraph_into_its_column_and_back(url: str) -> None:
    migrate.upgrade(url, "0010")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO workshop (id, title, description, code, created_at, "
                    "announcement, language) VALUES (7, 'W', '', 'WSHOP001', :at, '', 'en')"
                ),
                {"at": AT},
            )
            for ident, body in BEFORE.items():
                conn.execute(
                    text(
                        "INSERT INTO recommendation (id, workshop_id, scope, title, text, "
                        "rationale, position, agreed, created_at, updated_at) VALUES "
                        "(:id, 7, 'workshop', 'T', :text, '', :id, false, :at, :at)"
                    ),
                    {"id": ident, "text": body, "at": AT},
                )
        migrate.upgrade(url, "0012_who_acts")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, text, who_acts FROM recommendation")).all()
        assert {r.id: (r.text, r.who_acts) for r in rows} == AFTER
        migrate.downgrade(url, "0010")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, text FROM recommendation")).all()
        back = {r.id: r.text for r in rows}
        assert back[1] == BEFORE[1] and back[2] == BEFORE[2] and back[3] == BEFORE[3]
        assert back[4] == "Spaced out.\n\n→ The procurement office"
    finally:
        engine.dispose()
