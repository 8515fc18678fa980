"""The event report as Markdown: the same blocks as the DOCX, text only.

Text from phones is always shown, never interpreted: anything that could start markup or
raw HTML is escaped.
"""

from __future__ import annotations

import re

from facilitator.export.blocks import Bars, Block, Chart, Heading, Item, Para, Table
from facilitator.export.sections import blocks
from facilitator.snapshot import Snapshot

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
        elif isinstance(b, Bars):
            peak = max(b.counts, default=0) or 1
            labels = [label.replace("`", "'") for label in b.labels]  # stays in the fence
            width = max((len(label) for label in labels), default=0)
            out.append(md_escape(b.caption))
            out.append("")
            out.append("```")
            for label, count in zip(labels, b.counts, strict=True):
                out.append(f"{label:<{width}} {'#' * round(30 * count / peak)} {count}")
            out.append("```")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")
