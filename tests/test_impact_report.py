"""The report's "Baseline and change" and "What happened next" sections, in the DOCX and the
Markdown alike, with their figures; a workshop that asks nothing has neither."""

from __future__ import annotations

import asyncio
import dataclasses
import io

from docx import Document

from facilitator.domain import answers, follow_up, participants, questions
from facilitator.export import markdown, report
from facilitator.store.database import Database
from tests.test_questions import CONFIDENT, OLIVIA, TOPICS
from tests.workshop_factory import build, snapshot
from tests.workshop_factory import db as db  # a fixture


def answered(db: Database) -> int:
    """Three phones answer on joining (1, 2, 3) and at the end (3, 4, 3): changes +2, +2, 0."""
    built = build(db, ["Fund regional CERT hubs"])
    wid, g1 = built.workshop_id, built.group_ids[0]

    async def more() -> None:
        confident = await questions.add_question(db, OLIVIA, wid, CONFIDENT)
        topics = await questions.add_question(db, OLIVIA, wid, TOPICS)
        devices = [await participants.join_group(db, f"device-report-{n}", g1) for n in range(3)]
        for n, who in enumerate(devices):
            picked = [0] if n == 0 else [0, n]
            await answers.answer(db, who, "joining", {confident: str(n + 1), topics: picked})
        await questions.set_moment(db, OLIVIA, wid, "joining", False)
        await questions.set_moment(db, OLIVIA, wid, "event", True)
        for who, later in zip(devices, ("3", "4", "3"), strict=True):
            await answers.answer(db, who, "event", {confident: later})
        final = (await db.read(lambda s: follow_up.finals(s, wid)))[0]
        kept = follow_up.check_follow_up("Ana", "CERT", "in_progress", "2027-03-31", "On track")
        await follow_up.update(db, OLIVIA, final.id, kept)

    asyncio.run(more())
    return wid


def docx_lines(blob: bytes) -> list[str]:
    doc = Document(io.BytesIO(blob))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines += [" | ".join(c.text for c in row.cells) for row in table.rows]
    return lines


def test_the_report_shows_baseline_change_and_what_happened_next(db: Database) -> None:
    snap = snapshot(db, answered(db))
    lines = docx_lines(report.docx(snap))
    text = "\n".join(lines)
    assert "Baseline and change" in lines and "What happened next" in lines
    assert "1. How confident are you?" in lines
    # n, mean and median on joining (1, 2, 3) and at the end (3, 4, 3)
    assert "on joining (baseline) | 3 | 2.00 | 2.00" in text
    assert "at the end of the event | 3 | 3.33 | 3.00" in text
    # three pairs, mean change +1.33, for the event and for its one group
    change = [line for line in lines if line.startswith("at the end of the event | Whole event")]
    assert change and change[0].startswith("at the end of the event | Whole event | 3 | +1.33 |")
    assert "Phishing | 3" in text and "Backups | 1" in text  # devices per choice
    assert "Drill, and keep drilling | In progress | Ana, CERT | 2027-03-31" in text
    assert "Drill, and keep drilling: On track" in lines
    # a chart for each moment answered, and one of the statuses
    doc = Document(io.BytesIO(report.docx(snap)))
    assert len(doc.inline_shapes) >= 4
    assert "Answers at the end of the event: 3 phones." in lines
    # bars the image cannot name are named, left to right, in their caption
    assert (
        "Final recommendations by status: 1 followed up. (Proposed: 0, Accepted: 0, "
        "In progress: 1, Done: 0, Dropped: 0)"
    ) in lines

    md = markdown.markdown(snap).decode()
    assert "## Baseline and change" in md and "## What happened next" in md
    assert "| on joining \\(baseline\\) | 3 | 2.00 | 2.00 |" in md
    assert "| at the end of the event | Whole event | 3 | +1.33 |" in md
    assert "| Drill, and keep drilling | In progress | Ana, CERT | 2027-03-31 |" in md
    assert "In progress " + "#" * 30 + " 1" in md  # the status chart, as text
    assert "3 " + "#" * 30 + " 2\n4 " + "#" * 15 + " 1\n" in md  # at the end: 3, 4, 3


def test_a_workshop_without_questions_or_follow_ups_has_neither_section(db: Database) -> None:
    snap = snapshot(db, answered(db))
    bare = dataclasses.replace(snap, questions=(), answers=(), follow_ups=())
    lines = docx_lines(report.docx(bare))
    assert "Baseline and change" not in lines and "What happened next" not in lines
    md = markdown.markdown(bare).decode()
    assert "Baseline and change" not in md and "What happened next" not in md
