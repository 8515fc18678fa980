"""The plenary vote in every export: the report's section (DOCX and Markdown), the
spreadsheet's sheets, its CSV, and the JSON archive's round trip (issue #23)."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import docx
import openpyxl
import orjson
import pytest

from facilitator.domain import plenary, plenary_views
from facilitator.domain.archive_rules import BadArchive
from facilitator.domain.restore import restore
from facilitator.export import data, formats, plenary_tables
from facilitator.store.database import Database
from tests.test_plenary import OLIVIA, phone, three_finals
from tests.workshop_factory import db as db  # a fixture
from tests.workshop_factory import fresh_db, snapshot


def voted(db: Database) -> tuple[int, list[int]]:
    """Three finals; two phones vote by dots, tying the first two; the vote closes."""
    wid, (g1, g2), items = three_finals(db)
    a, b, c = items
    asyncio.run(plenary.set_up(db, OLIVIA, wid, plenary.check_setup("dots", 5, 3, items)))
    asyncio.run(plenary.open_vote(db, OLIVIA, wid, None))
    ada, dee = phone(db, "device-ada", g1), phone(db, "device-dee", g2)
    asyncio.run(plenary.cast_ballot(db, ada, wid, "ballot-ada-1", {a: 3, c: 1}, None))
    asyncio.run(plenary.cast_ballot(db, dee, wid, "ballot-dee-1", {b: 3}, None))
    asyncio.run(plenary.close_vote(db, OLIVIA, wid))
    return wid, items


def test_the_report_has_the_plenary_results_with_ties_and_turnout(db: Database) -> None:
    wid, _ = voted(db)
    snap = snapshot(db, wid)
    word = docx.Document(io.BytesIO(formats.render(snap, "docx")))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "Plenary vote" in headings and "Turnout" in headings
    text = "\n".join(p.text for p in word.paragraphs)
    assert "2 of 4 phones voted." in text and "3 dots, at most" not in text
    assert "Each phone had 5 dots, at most 3 on one recommendation." in text
    cells = [[c.text for c in row.cells] for t in word.tables for row in t.rows]
    assert ["=1", "Drill, and keep drilling", "3"] in cells
    assert ["=1", "Report button everywhere", "3"] in cells
    assert ["3", "Hardware keys for admins", "1"] in cells
    assert ["Phishing", "1", "3"] in cells and ["Passwords", "1", "1"] in cells
    md = formats.render(snap, "md").decode()
    assert "## Plenary vote" in md and "| =1 | Report button everywhere | 3 |" in md


def test_the_spreadsheet_and_the_csv_have_the_results_and_turnout(db: Database) -> None:
    wid, (_, _, c) = voted(db)
    snap = snapshot(db, wid)
    book = openpyxl.load_workbook(io.BytesIO(formats.render(snap, "xlsx")))
    results = [[c.value for c in row] for row in book["Plenary vote"].iter_rows()]
    assert results[0] == ["Place", "ID", "Title", "Points", "Tied"]
    assert results[3] == [3, c, "Hardware keys for admins", 1, False]
    turnout = [[c.value for c in row] for row in book["Plenary turnout"].iter_rows()]
    assert turnout[1] == ["event", "Cyber conference", 2, 4]
    rows = list(csv.reader(io.StringIO(formats.render(snap, "plenary").decode())))
    assert rows[0] == ["section", "place", "id", "name", "points", "tied", "voted", "phones"]
    assert ["result", "3", str(c), "Hardware keys for admins", "1", "False", "", ""] in rows
    assert ["group", "", "", "Passwords", "", "", "1", "1"] in rows


def test_a_workshop_without_a_vote_has_no_plenary_section(db: Database) -> None:
    wid, _, _ = three_finals(db)
    snap = snapshot(db, wid)
    assert plenary_tables.count(snap) is None
    assert "Plenary vote" not in formats.render(snap, "md").decode()
    sheets = openpyxl.load_workbook(io.BytesIO(formats.render(snap, "xlsx"))).sheetnames
    assert "Plenary vote" not in sheets


def test_the_json_archive_keeps_the_vote_and_its_ballots(
    db: Database, tmp_path: Path, migrated_db: Path
) -> None:
    wid, _ = voted(db)
    first = snapshot(db, wid)
    other = fresh_db(tmp_path, migrated_db, "other.db")
    try:
        copy_id = other.write_sync(lambda s: restore(s, data.from_json(data.to_json(first))))
        second = snapshot(other, copy_id)
    finally:
        other.close()
    assert second.plenary is not None and first.plenary is not None
    assert (second.plenary.method, second.plenary.budget, second.plenary.cap) == ("dots", 5, 3)
    assert second.plenary.closed_at == first.plenary.closed_at
    assert len(second.ballots) == 2
    # The same count, by title and place, and the same turnout.
    titled = [r[2:] for r in plenary_tables.result_rows(first)[1:]]
    assert [r[2:] for r in plenary_tables.result_rows(second)[1:]] == titled
    assert plenary_tables.turnout_rows(second) == plenary_tables.turnout_rows(first)


def test_the_live_count_and_the_exports_agree_and_a_restored_copy_counts_the_same(
    db: Database, tmp_path: Path, migrated_db: Path
) -> None:
    """The live results add up each ballot's points in the database; the exports add up the
    snapshot's ballots. One vote, replaced ballots included, gives one count either way, and
    an archive restored elsewhere counts (and logs its ballots) as the original did."""
    wid, (g1, g2), items = three_finals(db)
    a, b, c = items
    asyncio.run(plenary.set_up(db, OLIVIA, wid, plenary.check_setup("ranking", 0, 0, items)))
    asyncio.run(plenary.open_vote(db, OLIVIA, wid, None))
    ada, dee = phone(db, "device-ada", g1), phone(db, "device-dee", g2)
    asyncio.run(plenary.cast_ballot(db, ada, wid, "ballot-k1", None, [a, b, c]))
    asyncio.run(plenary.cast_ballot(db, dee, wid, "ballot-k2", None, [b, a, c]))
    asyncio.run(plenary.cast_ballot(db, ada, wid, "ballot-k3", None, [c, b, a]))  # replaced

    def counted(database: Database, workshop_id: int) -> list[tuple[str, int, int, bool]]:
        found = database.read_sync(lambda s: plenary_views.results(s, workshop_id))
        assert found is not None
        return [(r.item.title, r.points, r.place, r.tied) for r in found.rows]

    live = counted(db, wid)
    assert [row[1:] for row in live] == [(3, 1, False), (2, 2, False), (1, 3, False)]
    first = snapshot(db, wid)
    exported = plenary_tables.result_rows(first)[1:]
    assert [(r[2], r[3], r[0], r[4]) for r in exported] == live
    other = fresh_db(tmp_path, migrated_db, "other.db")
    try:
        copy_id = other.write_sync(lambda s: restore(s, data.from_json(data.to_json(first))))
        assert counted(other, copy_id) == live
        channels = {e.channel for e in snapshot(other, copy_id).events if "ballot" in e.kind}
    finally:
        other.close()
    assert len(channels) == 2 and all(c.startswith("ballots:") for c in channels)


def test_an_archive_with_a_bad_ballot_is_refused(
    db: Database, tmp_path: Path, migrated_db: Path
) -> None:
    wid, (a, _, _) = voted(db)
    doc = orjson.loads(data.to_json(snapshot(db, wid)))
    doc["ballots"][0]["dots"] = {str(a): 9}  # over the cap
    other = fresh_db(tmp_path, migrated_db, "other.db")
    try:
        with pytest.raises(BadArchive) as caught:
            other.write_sync(lambda s: restore(s, data.from_json(orjson.dumps(doc))))
        assert "ballots[0]" in caught.value.message
    finally:
        other.close()
