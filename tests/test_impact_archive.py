"""The JSON archive carries the questions, answers, moments and follow-ups, and an import
brings them back as they were; a bad impact record refuses the whole file."""

from __future__ import annotations

import asyncio
import dataclasses
import io
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest

from facilitator.domain import answers, follow_up, participants, questions
from facilitator.domain.archive_rules import BadArchive
from facilitator.domain.restore import restore
from facilitator.export import data, workbook
from facilitator.snapshot import Snapshot
from facilitator.store.database import Database
from tests.test_questions import CONFIDENT, OLIVIA, TOPICS
from tests.workshop_factory import build, fresh_db, snapshot
from tests.workshop_factory import db as db  # a fixture


def impact_of(snap: Snapshot) -> dict[str, Any]:
    """The impact records with ids replaced by positions (ids differ between instances)."""
    qpos = {q.id: n for n, q in enumerate(snap.questions)}
    ppos = {p.id: n for n, p in enumerate(snap.participants)}
    titles = {f.id: f.title for f in snap.final_recommendations}
    return {
        "questions": [
            (q.kind, q.text, q.moments, q.low, q.high, q.choices) for q in snap.questions
        ],
        "answers": sorted(
            (qpos[a.question_id], ppos[a.participant_id], a.moment, str(a.value))
            for a in snap.answers
        ),
        "moments": sorted((m.moment, m.closed_at is not None) for m in snap.moments),
        "follow_ups": [
            (titles[f.final_id], f.owner_name, f.status, f.due, f.notes) for f in snap.follow_ups
        ],
    }


def filled(db: Database) -> int:
    built = build(db, ["Fund regional CERT hubs"])
    wid, g1 = built.workshop_id, built.group_ids[0]

    async def more() -> None:
        confident = await questions.add_question(db, OLIVIA, wid, CONFIDENT)
        topics = await questions.add_question(db, OLIVIA, wid, TOPICS)
        for n in range(3):
            who = await participants.join_group(db, f"device-archive-{n}", g1)
            await answers.answer(
                db, who, "joining", {confident: str(n + 1), topics: [0] if n == 0 else [0, n]}
            )
        await questions.set_moment(db, OLIVIA, wid, "joining", False)
        final = (await db.read(lambda s: follow_up.finals(s, wid)))[0]
        kept = follow_up.check_follow_up("Ana", "CERT", "in_progress", "2027-03-31", "On track")
        await follow_up.update(db, OLIVIA, final.id, kept)

    asyncio.run(more())
    return wid


def test_the_archive_round_trip_keeps_every_impact_record(
    db: Database, tmp_path: Path, migrated_db: Path
) -> None:
    wid = filled(db)
    first = snapshot(db, wid)
    assert len(first.questions) == 2 and len(first.answers) == 6 and len(first.follow_ups) == 1
    raw = data.to_json(first)
    other = fresh_db(tmp_path, migrated_db, "other.db")
    try:
        copy_id = other.write_sync(lambda s: restore(s, data.from_json(raw)))
        again = snapshot(other, copy_id)
    finally:
        other.close()
    assert impact_of(again) == impact_of(first)


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("answers", 0, "value"), 9),  # out of the scale
        (("answers", 0, "moment"), "followup"),  # not asked then
        (("answers", 0, "participant_id"), 999999),
        (("questions", 0, "low_label"), ""),
        (("follow_ups", 0, "status"), "finished"),
    ],
)
def test_a_bad_impact_record_refuses_the_file(
    db: Database, tmp_path: Path, migrated_db: Path, path: tuple[Any, ...], bad: object
) -> None:
    doc = orjson.loads(data.to_json(snapshot(db, filled(db))))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    other = fresh_db(tmp_path, migrated_db, "other.db")
    try:
        snap = data.from_json(orjson.dumps(doc))
        with pytest.raises(BadArchive) as caught:
            other.write_sync(lambda s: restore(s, snap))
        assert caught.value.message.startswith(path[0])
    finally:
        other.close()


def test_the_spreadsheet_has_an_answers_and_a_follow_up_sheet(db: Database) -> None:
    snap = snapshot(db, filled(db))
    book = openpyxl.load_workbook(io.BytesIO(workbook.xlsx(snap)))
    assert {"Answers", "What happened next"} <= set(book.sheetnames)
    answers_sheet = [[c.value for c in row] for row in book["Answers"].iter_rows()]
    assert answers_sheet[0] == ["Device", "Moment", "Question", "Answer given"]
    assert len(answers_sheet) == 7 and {r[0] for r in answers_sheet[1:]} == {
        "device 1",
        "device 2",
        "device 3",
    }
    assert [
        "device 3",
        "on joining (baseline)",
        "2. Which topics matter?",
        "Phishing; Backups",
    ] in (answers_sheet)
    follow = [[c.value for c in row] for row in book["What happened next"].iter_rows()]
    assert follow[1][:6] == [
        "Drill, and keep drilling",  # the factory's first final recommendation
        "Ana",
        "CERT",
        "In progress",
        "2027-03-31",
        "On track",
    ]
    # A workshop that asked nothing has no impact sheets.
    bare = dataclasses.replace(snap, questions=(), answers=(), follow_ups=())
    plain = openpyxl.load_workbook(io.BytesIO(workbook.xlsx(bare)))
    assert "Answers" not in plain.sheetnames
