"""Rounds in the exports: each group's round, each round's phones by group (seated, and
those that took part), and cards carried forward with where they came from, in the report,
the workbook and the ideas CSV; the seats survive the JSON archive."""

from __future__ import annotations

import csv
import io

import docx
import pytest
from openpyxl import load_workbook

from facilitator import rounds_view
from facilitator.domain import rounds
from facilitator.domain.archive_rules import BadArchive
from facilitator.domain.exports import read_snapshot
from facilitator.domain.restore import restore
from facilitator.export import data, markdown, report, tables, workbook
from facilitator.snapshot import Snapshot
from tests.conftest import World
from tests.support import agreed_from_phone
from tests.test_rounds import groups_of, make, round_ids


def two_rounds_played(world: World) -> tuple[int, Snapshot]:
    """Round 1: a phone at Funding writes an idea that becomes an agreed recommendation, a
    phone at Skills only watches; round 2 starts (everyone stays at their table) and the
    recommendation is carried into Funding 2."""
    organiser, created = make(world, "stay")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, _ = round_ids(world, wid)
    funding = groups["Funding"]
    writer = world.phone(funding.code)
    world.phone(groups["Skills"].code)
    title, idea = "Fund regional CERT hubs", "Regional CERT hubs"
    agreed_from_phone(world, organiser, (funding.id, funding.code), writer, idea, title)
    world.run(rounds.start_next_round, world.db, organiser, wid, first, "", None)
    return wid, world.read(lambda s: read_snapshot(s, wid))


def test_each_rounds_phones_are_counted_where_they_sat(world: World) -> None:
    _, snap = two_rounds_played(world)
    table = [(t.round, t.group, t.seated, t.took_part) for t in rounds_view.turnout(snap)]
    assert table == [
        ("Round 1", "Funding", 1, 1),
        ("Round 1", "Skills", 1, 0),
        ("Round 1", "Policy", 0, 0),
        ("Round 2", "Funding 2", 1, 0),
        ("Round 2", "Skills 2", 1, 0),
        ("Round 2", "Policy 2", 0, 0),
    ]


def test_the_report_gives_each_groups_round_its_carried_cards_and_the_round_table(
    world: World,
) -> None:
    _, snap = two_rounds_played(world)
    text = markdown.markdown(snap).decode()
    funding_2 = text.split("\n## Funding 2\n")[1].split("\n## ")[0]
    assert "**Round:** Round 2" in funding_2
    assert "### Carried forward" in funding_2
    assert "- “Fund regional CERT hubs”, agreed by Funding \\(Round 1\\)" in funding_2
    assert "**Round:** Round 1" in text.split("\n## Funding\n")[1].split("\n## ")[0]
    rounds_table = text.split("\n### Rounds\n")[1]
    assert "| Round 1 | Funding | 1 | 1 |" in rounds_table
    assert "| Round 2 | Funding 2 | 1 | 0 |" in rounds_table
    document = docx.Document(io.BytesIO(report.docx(snap)))
    cells = {tuple(c.text for c in row.cells) for t in document.tables for row in t.rows}
    assert ("Round 1", "Skills", "1", "0") in cells
    paragraphs = [p.text for p in document.paragraphs]
    assert "“Fund regional CERT hubs”, agreed by Funding (Round 1)" in paragraphs


def test_the_workbook_and_the_csv_carry_rounds_and_provenance(world: World) -> None:
    _, snap = two_rounds_played(world)
    book = load_workbook(io.BytesIO(workbook.xlsx(snap)))
    head, *rows = [[c.value for c in row] for row in book["Rounds"].iter_rows()]
    assert head == ["Round", "Group", "Phones seated", "Phones that took part"]
    assert rows[0] == ["Round 1", "Funding", 1, 1]
    ideas = list(csv.DictReader(io.StringIO(tables.ideas_csv(snap).decode("utf-8-sig"))))
    by_group = {(i["group"], i["round"], i["carried_from"]) for i in ideas}
    assert by_group == {
        ("Funding", "Round 1", ""),
        ("Funding 2", "Round 2", "Funding (Round 1): Fund regional CERT hubs"),
    }
    head, *recs = [[c.value for c in row] for row in book["Recommendations"].iter_rows()]
    assert dict(zip(head, recs[0], strict=True))["Round"] == "Round 1"


def test_seats_survive_the_archive_and_a_file_with_a_bad_seat_is_refused(world: World) -> None:
    wid, snap = two_rounds_played(world)
    copy = world.db.write_sync(lambda s: restore(s, data.from_json(data.to_json(snap))))
    again = world.read(lambda s: read_snapshot(s, copy))
    assert rounds_view.turnout(again) == rounds_view.turnout(snap)
    seat = snap.seats[0]
    moved = data.to_json(snap).replace(
        f'"round_id": {seat.round_id},\n      "participant_id"'.encode(),
        f'"round_id": {seat.round_id + 1},\n      "participant_id"'.encode(),
        1,
    )
    with pytest.raises(BadArchive) as refused:
        world.db.write_sync(lambda s: restore(s, data.from_json(moved)))
    assert refused.value.message == ("seats[0].round_id: A phone sits in one group of each round.")
    assert wid != copy
