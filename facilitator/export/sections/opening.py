"""The report's opening: the workshop's title, date and description, and the summary."""

from __future__ import annotations

from facilitator import i18n
from facilitator.export.blocks import Block, Heading, Para, paragraphs
from facilitator.i18n import gettext as _
from facilitator.snapshot import Snapshot


def section(snap: Snapshot, summary: str) -> list[Block]:
    w = snap.workshop
    out: list[Block] = [Heading(w.title, 0)]
    if w.date:
        out.append(Para(i18n.format_date(w.date, "long")))
    out += paragraphs(w.description)
    out.append(Heading(_("Executive summary"), 1))
    out.append(Para(summary.strip() or _("(The organiser has not written a summary yet.)")))
    return out
