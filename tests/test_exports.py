"""Each export opens with the library that reads it and holds what it should; hostile text
survives every format intact (formulas neutralised) and harmless."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from facilitator.domain import recommendations, workshops
from facilitator.domain.actors import Staff
from facilitator.domain.workshops import GroupDraft
from facilitator.export import markdown, report, safe, workbook
from facilitator.export.formats import FORMATS, render
from facilitator.export.sections import participation
from facilitator.models import Role, User
from facilitator.snapshot import Snapshot
from facilitator.store.database import Database
from tests.workshop_factory import Built, build, db, fresh_db, snapshot, staff

__all__ = ["db"]

SUMMARY = "We met in six rooms and agreed on three things."
HIDDEN = Built(0, ()).hidden_text

HOSTILE = [
    '=HYPERLINK("http://evil.example","click me")',
    "+1+1",
    "-2+3 is not a list",
    "@SUM(A1:A9)",
    "<script>alert('x')</script> & friends",
    '<div hx-get="/organiser" hx-trigger="load" hx-swap="outerHTML">boo</div>',
    "abc \u202egnp.exe and \u200fRTL marks\u200e",
    "Emoji 🔥👩🏽‍💻 and accents: Zoë, Ærø, 東京",
    "# not a heading\n- not a list\n1. not a number",
    "*bold* _under_ [link](http://x) `code` | pipe \\ backslash",
    # Where Excel splits on ";" (French, German, Spanish locales), each of these would hold a
    # formula in its second cell unless the whole field is quoted.
    "Budget;=1+1;ok",
    "Total;@SUM(1+1)",
    "Sum;+1+1",
    "Run;=cmd|' /C calc'!A0",
    "Minus;-2+3",
]


@pytest.fixture(scope="module")
def shared(
    tmp_path_factory: pytest.TempPathFactory, migrated_db: Path
) -> Iterator[tuple[Database, Built]]:
    """One workshop for the module: building it hashes passwords, which takes a while."""
    database = fresh_db(tmp_path_factory.mktemp("exports"), migrated_db)
    yield database, build(database, ["Hardware keys for admins", *HOSTILE])
    database.close()


@pytest.fixture
def snap(shared: tuple[Database, Built]) -> Snapshot:
    return snapshot(*shared[:1], shared[1].workshop_id)


def docx_text(blob: bytes) -> str:
    doc = Document(io.BytesIO(blob))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def csv_rows(blob: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(blob.decode("utf-8-sig"))))


def test_the_docx_report_has_every_section(snap: Snapshot) -> None:
    blob = report.docx(snap, SUMMARY)
    doc = Document(io.BytesIO(blob))
    headings = [p.text for p in doc.paragraphs if p.style is not None and "Heading" in p.style.name]
    assert headings[:3] == ["Executive summary", "Final recommendations", "Phishing"]
    assert "Participation" in headings and "Appendix: all ideas" in headings
    assert doc.paragraphs[0].text == "Cyber conference"  # the title
    text = docx_text(blob)
    assert "27 November 2026" in text and SUMMARY in text
    assert "Practise with realistic drills" in text
    assert "From Phishing, theme “Practice”: 2 votes on the theme, 2 ideas" in text
    assert "“Run phishing drills every quarter”" in text  # down to the ideas
    assert "Question: How do we stop phishing?" in text
    assert "A single button to report suspicious mail" in text  # appendix
    assert HIDDEN not in text  # hidden ideas are only in the audit log
    assert len(doc.inline_shapes) == 1  # the submissions chart
    assert doc.tables[0].rows[0].cells[0].text == "Group"
    assert doc.tables[0].rows[-1].cells[0].text == "Workshop"


def test_a_description_with_line_breaks_reads_as_paragraphs(snap: Snapshot) -> None:
    """A YAML block keeps the file's line breaks; the report reflows them (found trying it)."""
    text = "Six breakouts after\nthe morning keynote.\n\n  Back in the hall\nat 16:00.\n"
    described = dataclasses.replace(
        snap, workshop=dataclasses.replace(snap.workshop, description=text)
    )
    paragraphs = [p.text for p in Document(io.BytesIO(report.docx(described))).paragraphs]
    at = paragraphs.index("Six breakouts after the morning keynote.")
    assert paragraphs[at + 1] == "Back in the hall at 16:00."


def test_the_markdown_report_says_the_same(snap: Snapshot) -> None:
    md = markdown.markdown(snap, SUMMARY).decode()
    assert md.startswith("# Cyber conference\n")
    for heading in ("## Executive summary", "## Final recommendations", "## Phishing",
                    "### Themes", "## Participation", "## Appendix: all ideas"):  # fmt: skip
        assert f"\n{heading}\n" in md
    assert "1. Practise with realistic drills" in md
    assert HIDDEN not in md


# The factory's final recommendation, agreed; and a draft added beside it below.
AGREED_FINAL = ("Drill, and keep drilling", "Across the region.", "Both")
DRAFT_FINAL = (
    "One button to report phishing",
    "A report button in every mail client, answered within the hour.",
    "Reports doubled where a pilot tried it",
)


def test_each_final_recommendation_keeps_its_title_text_and_rationale(db: Database) -> None:
    built = build(db)
    snap = snapshot(db, built.workshop_id)
    olivia = db.read_sync(
        lambda s: s.exec(select(User).where(User.email == "olivia@example.org")).one()
    )
    assert olivia.id is not None
    organiser = Staff(olivia.id, Role.organiser, olivia.email, olivia.name)
    draft = recommendations.check_draft(*DRAFT_FINAL)
    sources = [snap.recommendations[0].id]
    asyncio.run(recommendations.synthesise(db, organiser, built.workshop_id, draft, sources))
    snap = snapshot(db, built.workshop_id)
    finals = [AGREED_FINAL, (f"{DRAFT_FINAL[0]} (draft)", *DRAFT_FINAL[1:])]

    doc = Document(io.BytesIO(report.docx(snap, SUMMARY)))
    heading = [p.style is not None and "Heading" in p.style.name for p in doc.paragraphs]
    start = [p.text for p in doc.paragraphs].index("Final recommendations") + 1
    end = heading.index(True, start)
    section = [p.text for p in doc.paragraphs[start:end]]
    for n, (title, text, why) in enumerate(finals, 1):
        assert f"{n}.\t{title}" in section, section
        at = section.index(f"{n}.\t{title}")
        assert section[at + 1 : at + 3] == [text, f"Why: {why}"], section

    md = markdown.markdown(snap, SUMMARY).decode()
    section_md = md.split("\n## Final recommendations\n")[1].split("\n## ")[0]
    for n, (title, text, why) in enumerate(finals, 1):
        title_md = title.replace("(", "\\(").replace(")", "\\)")
        assert f"\n{n}. {title_md}\n   - {text}\n   - Why: {why}\n" in section_md, section_md


def test_the_workbook_has_a_sheet_per_table_with_the_workshop(snap: Snapshot) -> None:
    book = load_workbook(io.BytesIO(workbook.xlsx(snap)))
    assert book.sheetnames == [
        "Ideas", "Themes", "Votes", "Recommendations", "Final recommendations", "Participation"
    ]  # fmt: skip
    ideas = [[c.value for c in row] for row in book["Ideas"].iter_rows()]
    assert ideas[0][:4] == ["ID", "Group", "Text", "Status"]
    texts = {row[2] for row in ideas[1:]}
    assert "Run phishing drills every quarter" in texts and HIDDEN not in texts
    themes = [[c.value for c in row] for row in book["Themes"].iter_rows(min_row=2)]
    assert themes == [[themes[0][0], "Phishing", "Practice", 2, 2]]
    votes = [[c.value for c in row] for row in book["Votes"].iter_rows(min_row=2)]
    assert len(votes) == 3 and {v[1] for v in votes} == {"idea", "cluster"}
    recs = {row[3].value: row for row in book["Recommendations"].iter_rows(min_row=2)}
    assert recs["Practise with realistic drills"][6].value == "yes"
    participation = {row[0].value: row for row in book["Participation"].iter_rows(min_row=2)}
    assert participation["Workshop"][1].value == 4  # phones joined
    assert participation["Phishing"][2].value == 2  # contributors


def test_the_ideas_csv_leaves_names_out_unless_asked(shared: tuple[Database, Built]) -> None:
    db, built = shared
    anonymous = csv_rows(render(snapshot(db, built.workshop_id), "csv"))
    named = csv_rows(render(snapshot(db, built.workshop_id, include_names=True), "csv"))
    assert {r["author"] for r in anonymous} >= {"facilitator"}
    assert "Ada" not in {r["author"] for r in anonymous}
    assert "Ada" in {r["author"] for r in named}
    assert HIDDEN not in {r["text"] for r in anonymous}


def test_the_audit_log_holds_moderation_and_keeps_dots_secret(snap: Snapshot) -> None:
    rows = csv_rows(render(snap, "audit"))
    hidden = [r for r in rows if r["event"] == "idea.hidden"]
    assert [(r["who"], r["text"], r["reason"]) for r in hidden] == [
        ("fred@example.org", HIDDEN, "off topic")
    ]
    assert {r["who"] for r in rows if r["event"].startswith("vote.")} == {"a participant"}
    assert any(r["event"] == "idea.merged" for r in rows)


def neutral(text: str) -> str:
    return "'" + text if text[0] in "=+-@\t\r" else text


def md_unescape(md: str) -> str:
    return re.sub(r"\\\n\s*", "\n", re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_hostile_text_survives_every_format_and_stays_harmless(snap: Snapshot, fmt: str) -> None:
    blob = render(snap, fmt, SUMMARY)
    if fmt == "docx":
        text = docx_text(blob)
        for hostile in HOSTILE:
            assert all(line in text for line in hostile.split("\n")), hostile
    elif fmt == "md":
        md = blob.decode()
        assert not re.search(r"(?<!\\)<", md)  # no raw HTML reaches a Markdown renderer
        assert not re.search(r"^\s*(?:[-+]|\d+\.) not a", md, re.M)
        for hostile in HOSTILE:
            assert hostile in md_unescape(md), hostile
    elif fmt == "xlsx":
        book = load_workbook(io.BytesIO(blob))
        cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
        assert not [c.value for c in cells if c.data_type == "f"]  # no formula anywhere
        values = {c.value for c in cells}
        for hostile in HOSTILE:
            assert neutral(hostile) in values, hostile
    elif fmt in ("csv", "audit"):
        values = {v for row in csv_rows(blob) for v in row.values()}
        for hostile in HOSTILE:
            assert neutral(hostile) in values, hostile
    elif fmt == "json":
        texts = {i["text"] for i in orjson.loads(blob)["ideas"]}
        assert set(HOSTILE) <= texts  # data is kept exactly; it is never run
    elif fmt == "polis":
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            comments = csv_rows(z.read("comments.csv"))
        bodies = {c["comment-body"] for c in comments}
        for hostile in HOSTILE:
            assert neutral(hostile) in bodies, hostile
    elif fmt == "plenary":  # no vote here: the header alone (see tests/test_plenary_exports.py)
        head = ["section", "place", "id", "name", "points", "tied", "voted", "phones"]
        assert list(csv.reader(io.StringIO(blob.decode("utf-8-sig")))) == [head]
    else:
        pytest.fail(f"no check for {fmt}")


def csv_files(snap: Snapshot) -> dict[str, bytes]:
    """Every CSV file the exports write."""
    with zipfile.ZipFile(io.BytesIO(render(snap, "polis"))) as z:
        polis = {name: z.read(name) for name in z.namelist()}
    return {"ideas": render(snap, "csv"), "audit": render(snap, "audit"), **polis}


def spreadsheet_cells(text: str, delimiter: str) -> list[str]:
    """The cells a spreadsheet reads, splitting on `delimiter` whatever the file used: a
    quote toggles quoting (two inside quotes are one), and outside quotes the delimiter and
    line ends split cells. Lenient like Excel's import, unlike Python's csv module."""
    cells: list[str] = []
    cell: list[str] = []
    quoted, at = False, 0
    while at < len(text):
        ch = text[at]
        if ch == '"' and quoted and text[at + 1 : at + 2] == '"':
            cell.append(ch)
            at += 1
        elif ch == '"':
            quoted = not quoted
        elif not quoted and ch in (delimiter, "\r", "\n"):
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(ch)
        at += 1
    return [*cells, "".join(cell)]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_no_csv_cell_starts_a_formula_whichever_separator_the_spreadsheet_uses(
    snap: Snapshot, delimiter: str
) -> None:
    for name, blob in csv_files(snap).items():
        cells = spreadsheet_cells(blob.decode("utf-8-sig"), delimiter)
        assert len(cells) > 5, name
        number = re.compile(r"-?\d+(\.\d+)?")  # a vote of -1 is a number, not a formula
        starts = [c for c in cells if c.startswith(safe.FORMULA_START) and not number.fullmatch(c)]
        assert starts == [], f"{name} split on {delimiter!r}"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_characters_xml_cannot_hold_never_crash_an_export(snap: Snapshot, fmt: str) -> None:
    """Control characters can arrive through an imported JSON file, not through the forms."""
    raw = "bell\x07 escape\x1b form\x0c feed"
    ideas = tuple(
        dataclasses.replace(i, text=raw) if i.text == "Reward people who report" else i
        for i in snap.ideas
    )
    blob = render(dataclasses.replace(snap, ideas=ideas), fmt, "summary\x00 with a NUL")
    assert blob
    if fmt == "docx":
        assert "bell escape form feed" in docx_text(blob)
    if fmt == "xlsx":
        values = {
            c.value for s in load_workbook(io.BytesIO(blob)) for r in s.iter_rows() for c in r
        }
        assert "bell escape form feed" in values


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_workshop_that_has_not_started_exports_too(db: Database, fmt: str) -> None:
    """Exports work at any time: here before any phone has joined."""
    olivia = asyncio.run(staff(db, "olivia@example.org", Role.organiser, "Olivia"))
    wid = asyncio.run(
        workshops.create_workshop(db, olivia, "Empty", "", "", [GroupDraft("Only", "Q?")])
    )
    blob = render(snapshot(db, wid), fmt)
    if fmt == "docx":
        text = docx_text(blob)
        assert "No recommendation has been agreed yet." in text and "No ideas." in text
    if fmt == "json":
        assert orjson.loads(blob)["events"] == []


# -- issue #22: the report and the workbook as a new user found them ------------------------


def test_the_participation_tables_header_repeats_and_no_row_breaks_across_pages(
    snap: Snapshot,
) -> None:
    """Defect 8: the header row split from the table at a page end."""
    doc = Document(io.BytesIO(report.docx(snap, SUMMARY)))
    (table,) = doc.tables
    rows = [row._tr for row in table.rows]
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert rows[0].find(f"{w}trPr/{w}tblHeader") is not None  # repeats on each page
    assert all(r.find(f"{w}trPr/{w}cantSplit") is not None for r in rows)
    keep = [row.cells[0].paragraphs[0].paragraph_format.keep_with_next for row in table.rows]
    assert keep == [True] * (len(rows) - 1) + [False]  # a short table stays on one page


def test_a_wait_under_a_minute_reads_in_seconds_not_as_zero_minutes() -> None:
    """Defect 8: "1st idea" said "0 min" for every group."""
    assert participation.duration(dt.timedelta(seconds=40)) == "40 s"
    assert participation.duration(dt.timedelta(minutes=7, seconds=10)) == "7 min"
    assert participation.duration(None) == "–"


def test_ideas_in_a_voted_theme_do_not_claim_zero_votes(snap: Snapshot) -> None:
    """Defect 8: ideas under a theme said "(0 votes)"; the dots were on the theme."""
    text = docx_text(report.docx(snap, SUMMARY))
    assert "(0 votes)" not in text
    assert "theme “Practice”: 2 votes on the theme, 2 ideas" in text


def test_the_reports_chart_has_a_labelled_y_axis(snap: Snapshot) -> None:
    """Defect 8: the chart had bars and a baseline only."""
    doc = Document(io.BytesIO(report.docx(snap, SUMMARY)))
    (shape,) = doc.inline_shapes
    blob = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
    width, height, pixels = decode_png(blob)
    axis = (85, 85, 85)
    columns = [
        x
        for x in range(width // 4)
        if sum(pixels[y][x] == axis for y in range(height)) > height // 2
    ]
    assert columns, "no vertical axis"
    left = columns[0]
    ink = {(x, y) for y in range(height) for x in range(left - 6) if pixels[y][x] == (0, 0, 0)}
    assert len({y // 20 for _, y in ink}) >= 2  # tick labels at two heights at least


def decode_png(blob: bytes) -> tuple[int, int, list[list[tuple[int, ...]]]]:
    """Our own PNGs: 8-bit RGB, one IDAT, no filters."""
    width, height = struct.unpack(">II", blob[16:24])
    at = blob.index(b"IDAT")
    size = struct.unpack(">I", blob[at - 4 : at])[0]
    raw = zlib.decompress(blob[at + 4 : at + 4 + size])
    stride = 1 + 3 * width
    rows = [raw[y * stride + 1 : (y + 1) * stride] for y in range(height)]
    return width, height, [[tuple(r[x * 3 : x * 3 + 3]) for x in range(width)] for r in rows]


def test_the_workbook_has_the_final_recommendations_with_their_sources(snap: Snapshot) -> None:
    """Defect 9: there was no sheet for them."""
    book = load_workbook(io.BytesIO(workbook.xlsx(snap)))
    head, *rows = [[c.value for c in row] for row in book["Final recommendations"].iter_rows()]
    assert head[:6] == ["ID", "Position", "Title", "Text", "Rationale", "Final"]
    (final,) = [dict(zip(head, row, strict=True)) for row in rows]
    assert (final["Title"], final["Text"], final["Final"]) == (*AGREED_FINAL[:2], "yes")
    assert "Phishing: Practise with realistic drills" in final["Sources"].split("\n")
    assert final["Source groups"] == "Phishing; Passwords"
    assert final["Votes"] == 2  # the theme's two dots; the idea behind Passwords' has none


def test_the_workbooks_times_are_dates_and_every_sheet_has_a_filter(snap: Snapshot) -> None:
    """Defect 9: times were ISO strings with microseconds, and nothing could be filtered."""
    book = load_workbook(io.BytesIO(workbook.xlsx(snap)))
    for sheet in book:
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
    created = [row[10] for row in book["Ideas"].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(at, dt.datetime) and at.microsecond == 0 for at in created)
    assert book["Ideas"]["K1"].value == "Created at (UTC)"
    assert book["Ideas"]["K2"].number_format == workbook.DATE_FORMAT
    dots = [row[-1] for row in book["Votes"].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(at, dt.datetime) for at in dots)


def test_the_workbook_counts_ideas_hidden_merged_or_edited_as_moderated(snap: Snapshot) -> None:
    """Defect 9: "Moderated 0" although an idea was hidden and another merged."""
    book = load_workbook(io.BytesIO(workbook.xlsx(snap)))
    head, *rows = [[c.value for c in row] for row in book["Participation"].iter_rows()]
    moderated = {row[0]: row[head.index("Ideas moderated")] for row in rows}
    assert moderated == {"Phishing": 3, "Passwords": 0, "Workshop": 3}  # hidden, merged, edited


def test_plus_ones_are_counted_in_the_csv_the_workbook_and_the_report(snap: Snapshot) -> None:
    """Issue #21: a phone's "+1 that instead of sending mine" counts wherever ideas do."""
    ideas = {r["text"]: r for r in csv_rows(render(snap, "csv"))}
    assert ideas["A single button to report suspicious mail"]["plus_ones"] == "1"
    assert ideas["Run phishing drills every quarter"]["plus_ones"] == "1"
    assert ideas["Reward people who report"]["plus_ones"] == "0"

    french = dataclasses.replace(snap, workshop=dataclasses.replace(snap.workshop, language="fr"))
    sheet = load_workbook(io.BytesIO(render(french, "xlsx"))).worksheets[0]
    head = [c.value for c in sheet[1]]
    assert head[head.index("Votes") + 1] == "+1"  # "+1s", in the workshop's language
    given = {row[2]: row[head.index("+1")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert given["A single button to report suspicious mail"] == 1

    text = docx_text(report.docx(snap, SUMMARY))
    # Beside the idea's dots in a recommendation's provenance, and in the appendix.
    assert "“Run phishing drills every quarter” (1 +1)" in text
    assert "A single button to report suspicious mail (1 +1)" in text
    assert "Reward people who report (" not in text
    assert "“Run phishing drills every quarter” (1 +1)" in md_unescape(render(snap, "md").decode())
