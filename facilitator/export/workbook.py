"""The XLSX workbook: a sheet per table of `export/tables.py`, ready to sort and filter.

Each sheet has bold headings in the workshop's language, frozen under the heading row, a
filter on every column, and times as real dates (UTC, to the second) that a spreadsheet
can sort and compute with. A new sheet is one line in `SHEETS`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from facilitator.export import impact_tables, plenary_tables, tables
from facilitator.export.safe import cell
from facilitator.i18n import N_, gettext
from facilitator.snapshot import Snapshot

DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _always(snap: Snapshot) -> bool:
    return True


@dataclass(frozen=True)
class Sheet:
    name: str  # marked for translation
    rows: Callable[[Snapshot], tables.Rows]
    shown: Callable[[Snapshot], bool] = _always  # else left out of this workbook


SHEETS: tuple[Sheet, ...] = (
    Sheet(N_("Ideas"), tables.idea_rows),
    Sheet(N_("Themes"), tables.cluster_rows),
    Sheet(N_("Votes"), tables.vote_rows),
    Sheet(N_("Recommendations"), tables.recommendation_rows),
    Sheet(N_("Final recommendations"), tables.final_rows),
    Sheet(N_("Participation"), tables.participation_rows),
    Sheet(N_("Rounds"), tables.round_rows, lambda snap: bool(snap.rounds)),
    Sheet(N_("Plenary vote"), plenary_tables.result_rows, plenary_tables.voted),
    Sheet(N_("Plenary turnout"), plenary_tables.turnout_rows, plenary_tables.voted),
    Sheet(N_("Answers"), impact_tables.answer_rows, lambda snap: bool(snap.questions)),
    Sheet(
        N_("What happened next"), impact_tables.follow_up_rows, lambda snap: bool(snap.follow_ups)
    ),
)

# Column headings, in the workshop's language. CSV files keep the plain keys, which
# scripts read.
HEADINGS = {
    "id": N_("ID"), "group": N_("Group"), "text": N_("Text"), "status": N_("Status"),
    "theme": N_("Theme"), "merged_into": N_("Merged into"), "author": N_("Author"),
    "votes": N_("Votes"), "plus_ones": N_("+1s"), "ideas": N_("Ideas"), "edits": N_("Edits"),
    "created_at": N_("Created at (UTC)"), "updated_at": N_("Updated at (UTC)"),
    "target": N_("Dot on"), "target_id": N_("Item ID"), "target_text": N_("Item"),
    "voter": N_("Voter"), "at": N_("At (UTC)"), "position": N_("Position"),
    "title": N_("Title"), "rationale": N_("Rationale"),
    "who_acts": N_("Who acts"), "agreed": N_("Agreed"),
    "sources": N_("Sources"), "source_ids": N_("Source IDs"),
    "source_groups": N_("Source groups"), "phones": N_("Phones"),
    "contributors": N_("Contributors"), "silent_share": N_("Silent share"),
    "ideas_per_contributor": N_("Ideas per contributor"), "gini": N_("Gini"),
    "minutes_to_first_idea": N_("Minutes to first idea"),
    "moderation_turnaround_minutes": N_("Moderation turnaround (minutes)"),
    "moderated": N_("Ideas moderated"), "published_ideas": N_("Published ideas"),
    "themes": N_("Themes"), "recommendations": N_("Recommendations"), "final": N_("Final"),
    "round": N_("Round"), "room_plus_ones": N_("+1s from the room"),
    "carried_from": N_("Carried from"), "phones_seated": N_("Phones seated"),
    "phones_took_part": N_("Phones that took part"),
    "place": N_("Place"), "points": N_("Points"), "tied": N_("Tied"), "level": N_("Level"),
    "name": N_("Name"), "voted": N_("Voted"),
}  # fmt: skip


def _value(value: object) -> object:
    """A cell's value: text made safe; a time as a naive UTC datetime to the second, as
    spreadsheets hold no time zones and show no microseconds."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    return cell(value)


def _fill(sheet: Worksheet, rows: tables.Rows) -> None:
    head, *body = rows
    sheet.append([gettext(HEADINGS[k]) if k in HEADINGS else k for k in head])
    for row in body:
        sheet.append([_value(v) for v in row])
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions  # a filter on every column, headings included
    for column in sheet.iter_cols(min_row=1):
        dated = False
        for c in column:
            if isinstance(c.value, dt.datetime):
                c.number_format, dated = DATE_FORMAT, True
            elif isinstance(c.value, str) and "\n" in c.value:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        longest = max(len(line) for c in column for line in str(c.value or "").split("\n"))
        width = len(DATE_FORMAT) if dated else longest
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(width, 6) + 2)


def xlsx(snap: Snapshot) -> bytes:
    book = Workbook()
    for n, spec in enumerate(s for s in SHEETS if s.shown(snap)):
        sheet = book.active if n == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = gettext(spec.name)[:31]
        _fill(sheet, spec.rows(snap))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
