"""Every export format by name, for the CLI and the organiser's download links."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from facilitator import i18n
from facilitator.export import data, markdown, plenary_tables, report, tables, workbook
from facilitator.snapshot import Snapshot

Render = Callable[[Snapshot, str], bytes]


def _polis(snap: Snapshot, summary: str) -> bytes:
    """Pol.is exports are two files; they travel as one zip, as Pol.is's own download does."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("comments.csv", data.polis_comments(snap))
        z.writestr("votes.csv", data.polis_votes_csv(snap))
    return out.getvalue()


FORMATS: dict[str, tuple[str, Render]] = {
    "docx": ("docx", report.docx),
    "md": ("md", markdown.markdown),
    "json": ("json", lambda snap, summary: data.to_json(snap)),
    "polis": ("zip", _polis),
    "xlsx": ("xlsx", lambda snap, summary: workbook.xlsx(snap)),
    "csv": ("csv", lambda snap, summary: tables.ideas_csv(snap)),
    "audit": ("csv", lambda snap, summary: tables.audit_csv(snap)),
    "plenary": ("csv", lambda snap, summary: plenary_tables.plenary_csv(snap)),
}


def render(snap: Snapshot, fmt: str, summary: str = "") -> bytes:
    """The file, its headings in the workshop's language (whoever downloads it)."""
    with i18n.using(snap.workshop.language):
        return FORMATS[fmt][1](snap, summary)
