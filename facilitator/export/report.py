"""The event report as DOCX, from the blocks the sections make (see `export/sections/`).

Sections: title and date, executive summary, final recommendations with provenance and
votes, a section per group (question, themes, recommendations), participation figures with
a chart, and an appendix of every published idea. Hidden ideas are not in the report.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Inches, Pt
from docx.table import Table as DocxTable

from facilitator.export import charts
from facilitator.export.blocks import Bars, Chart, Heading, Item, PageBreak, Para, Table
from facilitator.export.safe import xml_text
from facilitator.export.sections import blocks
from facilitator.snapshot import Snapshot

MARGIN = 0.75  # inches; Letter and A4 are both 8.27 inches wide or more
WIDTH = 8.27 - 2 * MARGIN
FIRST = 1.0  # inches: the first column of a table, wider than the rest (group names)


def docx(snap: Snapshot, summary: str = "") -> bytes:
    doc = Document()
    doc.core_properties.title = xml_text(snap.workshop.title)
    for section in doc.sections:  # room for the ten-column participation table
        section.left_margin = section.right_margin = Inches(MARGIN)
    for b in blocks(snap, summary):
        if isinstance(b, Heading):
            doc.add_heading(xml_text(b.text), b.level)
        elif isinstance(b, Para):
            p = doc.add_paragraph()
            if b.label:
                p.add_run(xml_text(b.label)).bold = True
            p.add_run(xml_text(b.text))
        elif isinstance(b, Item) and b.number is not None:
            # Word's "List Number" would count on across sections; the number is ours.
            p = doc.add_paragraph()
            p.paragraph_format.left_indent = Inches(0.25)
            p.paragraph_format.first_line_indent = Inches(-0.25)
            p.add_run(f"{b.number}.\t")
            p.add_run(xml_text(b.text)).bold = True
        elif isinstance(b, Item):
            style = ["List Bullet", "List Bullet 2", "List Bullet 3"][min(b.level, 2)]
            doc.add_paragraph(xml_text(b.text), style=style)
        elif isinstance(b, Table):
            _table(doc, b)
        elif isinstance(b, Chart):
            png = charts.png_chart(b.series.counts, labels=b.series.label)
            doc.add_paragraph()
            doc.add_picture(io.BytesIO(png), width=Inches(WIDTH))
            doc.add_paragraph(xml_text(b.caption), style="Caption")
        elif isinstance(b, Bars):
            # The PNG's font has digits only: a scale's values go under its axis, choices
            # and statuses are named in the table beside it.
            digits = all(label.isdigit() for label in b.labels)
            wide = min(600, 90 + charts.MAX_BAR * len(b.counts))  # bars, not gaps
            png = charts.png_chart(b.counts, wide, 160, labels=b.label if digits else None)
            doc.add_picture(io.BytesIO(png), width=Inches(WIDTH * wide / 600))
            bars = ", ".join(f"{label}: {n}" for label, n in zip(b.labels, b.counts, strict=True))
            caption = b.caption if digits else f"{b.caption} ({bars})"
            doc.add_paragraph(xml_text(caption), style="Caption")
        elif isinstance(b, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc: DocxDocument, b: Table) -> DocxTable:
    """A table whose header row repeats on every page it reaches and whose rows never break
    across pages; each row keeps with the next, so a short table stays on one page."""
    table = doc.add_table(rows=0, cols=len(b.rows[0]))
    table.style = "Light Grid Accent 1"
    table.autofit = False
    rest = (WIDTH - FIRST) / (len(b.rows[0]) - 1)  # inches: a wide first column
    for n, column in enumerate(table.columns):
        column.width = Inches(FIRST if n == 0 else rest)  # LibreOffice reads the grid
    for at, row in enumerate(b.rows):
        added = table.add_row()
        properties = added._tr.get_or_add_trPr()
        _flag(properties, "w:cantSplit")
        if at == 0:
            _flag(properties, "w:tblHeader")
        for n, (c, value) in enumerate(zip(added.cells, row, strict=True)):
            c.width = Inches(FIRST if n == 0 else rest)
            paragraph = c.paragraphs[0]
            paragraph.paragraph_format.keep_with_next = at < len(b.rows) - 1
            run = paragraph.add_run(xml_text(str(value)))
            run.font.size = Pt(8)
            run.bold = at == 0 or None
    return table


def _flag(properties: BaseOxmlElement, tag: str) -> None:
    """An on/off row property (`<w:cantSplit/>`), set on."""
    if properties.find(qn(tag)) is None:
        properties.append(OxmlElement(tag))
