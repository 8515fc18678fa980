"""The event report, as DOCX and Markdown, from one list of blocks so both say the same.

Sections: title and date, executive summary, final recommendations with provenance and
votes, a section per group (question, themes, recommendations), participation figures with
a chart, and an appendix of every published idea. Hidden ideas are not in the report.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Inches, Pt

from facilitator import i18n, metrics
from facilitator.export import charts
from facilitator.export.safe import xml_text
from facilitator.i18n import gettext as _
from facilitator.i18n import ngettext
from facilitator.snapshot import RecommendationSnap, Snapshot


@dataclass(frozen=True)
class Heading:
    text: str
    level: int


@dataclass(frozen=True)
class Para:
    text: str
    label: str = ""  # a bold lead-in, "Question:"


@dataclass(frozen=True)
class Item:
    text: str
    level: int = 0
    number: int | None = None  # numbered lists restart in each section


@dataclass(frozen=True)
class Table:
    rows: Sequence[Sequence[object]]


@dataclass(frozen=True)
class Chart:
    series: metrics.Series
    caption: str


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Item | Table | Chart | PageBreak


def _finals(snap: Snapshot) -> list[Block]:
    """The synthesis: each final recommendation, then the group ones behind it, and theirs."""
    by_id = {r.id: r for r in snap.recommendations}
    out: list[Block] = []
    for n, final in enumerate(snap.final_recommendations, 1):
        title = final.title if final.final else _("{title} (draft)").format(title=final.title)
        out.append(Item(title, number=n))
        if final.text:
            out.append(Item(final.text, level=1))
        if final.rationale:
            out.append(Item(_("Why: {reason}").format(reason=final.rationale), level=1))
        for rec_id in final.recommendation_ids:
            rec = by_id.get(rec_id)
            if rec is None:
                continue
            group = snap.group(rec.group_id).name
            out.append(
                Item(_("From {group}: “{title}”").format(group=group, title=rec.title), level=1)
            )
            out += _provenance(snap, rec)
    return out


def _provenance(snap: Snapshot, rec: RecommendationSnap) -> list[Item]:
    """Where a recommendation came from, down to the ideas, with their votes."""
    ideas = {i.id: i for i in snap.ideas}
    themes = {c.id: c for c in snap.clusters}
    group = snap.group(rec.group_id).name
    out = []
    for src in rec.sources:
        votes = snap.tally(src.target, src.target_id)
        if src.target == "cluster" and src.target_id in themes:
            members = [
                i
                for i in snap.published_ideas()
                if i.cluster_id == src.target_id and i.status == "visible"
            ]
            line = _("From {group}, theme “{theme}”: {votes}, {ideas}").format(
                group=group, theme=themes[src.target_id].name, votes=_votes(votes),
                ideas=_ideas(len(members)),
            )  # fmt: skip
            out.append(Item(line, level=1))
            out += [
                Item(f"“{i.text}” ({_votes(snap.tally('idea', i.id))})", level=2) for i in members
            ]
        elif src.target_id in ideas and ideas[src.target_id].published:
            text = ideas[src.target_id].text
            line = _("From {group}, idea “{text}”: {votes}")
            out.append(Item(line.format(group=group, text=text, votes=_votes(votes)), level=1))
        else:
            line = _("From {group}, an item no longer on the board")
            out.append(Item(line.format(group=group), level=1))
    return out


def _votes(n: int) -> str:
    return ngettext("{n} vote", "{n} votes", n).format(n=i18n.format_number(n))


def _ideas(n: int) -> str:
    return ngettext("{n} idea", "{n} ideas", n).format(n=i18n.format_number(n))


def blocks(snap: Snapshot, summary: str = "") -> list[Block]:
    w = snap.workshop
    out: list[Block] = [Heading(w.title, 0)]
    if w.date:
        out.append(Para(i18n.format_date(w.date, "long")))
    out += _paragraphs(w.description)

    out.append(Heading(_("Executive summary"), 1))
    out.append(Para(summary.strip() or _("(The organiser has not written a summary yet.)")))

    out.append(Heading(_("Final recommendations"), 1))
    if snap.final_recommendations:
        out += _finals(snap)
        finals = []
    else:
        finals = [r for r in snap.recommendations if r.agreed]
        out.append(
            Para(_("The groups' agreed recommendations (no event-wide synthesis has been made)."))
        )
        if not finals:
            out.append(Para(_("No recommendation has been agreed yet.")))
    for n, rec in enumerate(finals, 1):
        out.append(Item(rec.title, number=n))
        if rec.text:
            out.append(Item(rec.text, level=1))
        if rec.rationale:
            out.append(Item(_("Why: {reason}").format(reason=rec.rationale), level=1))
        out += _provenance(snap, rec)

    for g in snap.groups:
        out.append(Heading(g.name, 1))
        out.append(Para(g.prompt, label=_("Question:") + " "))
        out += _paragraphs(g.description)
        themes = [c for c in snap.clusters if c.group_id == g.id]
        out.append(Heading(_("Themes"), 2))
        if not themes:
            out.append(Para(_("No themes.")))
        for c in sorted(themes, key=lambda c: c.position):
            size = sum(1 for i in snap.published_ideas(g.id) if i.cluster_id == c.id)
            votes = snap.tally("cluster", c.id)
            out.append(Item(f"{c.name} ({_ideas(size)}, {_votes(votes)})"))
        recs = [r for r in snap.recommendations if r.group_id == g.id]
        out.append(Heading(_("Recommendations"), 2))
        if not recs:
            out.append(Para(_("No recommendations.")))
        for n, r in enumerate(recs, 1):
            title = _("{title} (agreed)").format(title=r.title) if r.agreed else r.title
            out.append(Item(title, number=n))
            if r.text:
                out.append(Item(r.text, level=1))

    out.append(Heading(_("Participation"), 1))
    out.append(
        Para(
            _(
                "Phones joined, contributors (phones that wrote at least one idea), ideas, "
                "votes, and how evenly ideas were spread (Gini: 0 even, towards 1 one voice). "
                "Definitions are in the documentation: docs/exports.md."
            )
        )
    )
    out.append(Table(_participation_table(snap)))
    series = metrics.submissions(snap)
    if series.counts:
        minutes = int(series.bucket.total_seconds() // 60)
        caption = _("Ideas submitted per {minutes} minutes, {start} to {end} UTC.").format(
            minutes=minutes,
            start=series.label(0),
            end=series.label(len(series.counts)),  # where the last bucket ends
        )
        out.append(Chart(series, caption))

    out.append(PageBreak())
    out.append(Heading(_("Appendix: all ideas"), 1))
    themes_by_id = {c.id: c.name for c in snap.clusters}
    for g in snap.groups:
        out.append(Heading(g.name, 2))
        published = snap.published_ideas(g.id)
        if not published:
            out.append(Para(_("No ideas.")))
        for i in published:
            theme = themes_by_id.get(i.cluster_id or 0)
            extra = f" [{theme}]" if theme else ""
            if i.merged_into:
                extra += " " + _("(merged into another idea)")
            out.append(Item(f"{i.text}{extra}"))
    return out


def _paragraphs(text: str) -> list[Block]:
    """Text typed (or written in YAML) with line breaks: a paragraph per blank line."""
    return [Para(" ".join(p.split())) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _participation_table(snap: Snapshot) -> list[list[object]]:
    def share(x: float | None) -> str:
        return i18n.format_percent(x) if x is not None else "–"

    def num(x: float | None) -> str:
        return i18n.format_number(x, 2) if x is not None else "–"

    def minutes(d: dt.timedelta | None) -> str:
        if d is None:
            return "–"
        return _("{n} min").format(n=i18n.format_number(d.total_seconds() / 60))

    # Short headers and ten columns, so the table fits a portrait page; the workbook has all.
    rows: list[list[object]] = [
        [_("Group"), _("Phones"), _("Contrib."), _("Silent"), _("Ideas"), _("Gini"),
         _("Votes"), _("1st idea"), _("Themes"), _("Recs (agreed)")]
    ]  # fmt: skip
    for f in metrics.every_group(snap):
        rows.append(
            [f.label, f.phones, f.contributors, share(f.silent_share), f.ideas, num(f.gini),
             f.votes, minutes(f.first_idea_after), f.funnel.clusters,
             f"{f.funnel.recommendations} ({f.funnel.agreed})"]
        )  # fmt: skip
    return rows


# -- Markdown -------------------------------------------------------------------------------

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that
# could start markup or raw HTML, so text from phones is always shown, never interpreted.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!{}()])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])", re.M)


def md_escape(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(_escape_marker, text)


def _escape_marker(m: re.Match[str]) -> str:
    """A list or heading marker at a line start: escape its punctuation (`\\-`, `1\\.`)."""
    marker = m.group(2)
    return m.group(1) + marker[:-1] + "\\" + marker[-1]


def _md_lines(text: str, indent: str) -> str:
    # A backslash at the end of a line is a hard line break that keeps the list item going.
    return ("\\\n" + indent).join(md_escape(line) for line in text.split("\n"))


def markdown(snap: Snapshot, summary: str = "") -> bytes:
    out: list[str] = []
    previous: Block | None = None
    for b in blocks(snap, summary):
        # Blank lines between blocks, none inside a list, so lists stay tight.
        in_list = isinstance(b, Item) and isinstance(previous, Item)
        if not in_list and out and out[-1] != "":
            out.append("")
        previous = b
        if isinstance(b, Heading):
            out.append("#" * (b.level + 1) + " " + md_escape(b.text))
            out.append("")
        elif isinstance(b, Para):
            out.append(
                (f"**{md_escape(b.label.strip())}** " if b.label else "") + _md_lines(b.text, "")
            )
        elif isinstance(b, Item):
            bullet = f"{b.number}." if b.number is not None else "-"
            indent = "   " * b.level
            out.append(f"{indent}{bullet} " + _md_lines(b.text, indent + "   "))
        elif isinstance(b, Table):
            head, *body = b.rows
            for n, row in enumerate([head, *body]):
                out.append("| " + " | ".join(_MD_SPECIAL.sub(r"\\\1", str(c)) for c in row) + " |")
                if n == 0:
                    out.append("|" + "---|" * len(head))
        elif isinstance(b, Chart):
            peak = max(b.series.counts) or 1
            out.append(md_escape(b.caption))
            out.append("")
            out.append("```")
            for n, count in enumerate(b.series.counts):
                out.append(f"{b.series.label(n)} {'#' * round(30 * count / peak)} {count}")
            out.append("```")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


# -- DOCX -----------------------------------------------------------------------------------


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
            table = doc.add_table(rows=0, cols=len(b.rows[0]))
            table.style = "Light Grid Accent 1"
            table.autofit = False
            rest = (WIDTH - FIRST) / (len(b.rows[0]) - 1)  # inches: a wide first column
            for n, column in enumerate(table.columns):
                column.width = Inches(FIRST if n == 0 else rest)  # LibreOffice reads the grid
            for row in b.rows:
                cells = table.add_row().cells
                for n, (c, value) in enumerate(zip(cells, row, strict=True)):
                    c.width = Inches(FIRST if n == 0 else rest)
                    run = c.paragraphs[0].add_run(xml_text(str(value)))
                    run.font.size = Pt(8)
        elif isinstance(b, Chart):
            png = charts.png_chart(b.series.counts)
            doc.add_paragraph()
            doc.add_picture(io.BytesIO(png), width=Inches(WIDTH))
            doc.add_paragraph(xml_text(b.caption), style="Caption")
        elif isinstance(b, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
