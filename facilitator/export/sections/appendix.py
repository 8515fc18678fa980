"""The report's appendix: every published idea, by group, with its theme and +1s."""

from __future__ import annotations

from facilitator.export.blocks import Block, Heading, Item, PageBreak, Para, plus_ones
from facilitator.i18n import gettext as _
from facilitator.snapshot import Snapshot


def section(snap: Snapshot) -> list[Block]:
    out: list[Block] = [PageBreak(), Heading(_("Appendix: all ideas"), 1)]
    themes_by_id = {c.id: c.name for c in snap.clusters}
    for g in snap.groups:
        out.append(Heading(g.name, 2))
        published = snap.published_ideas(g.id)
        if not published:
            out.append(Para(_("No ideas.")))
        for i in published:
            theme = themes_by_id.get(i.cluster_id or 0)
            extra = f" [{theme}]" if theme else ""
            if given := snap.plus_ones(i.id):
                extra += f" ({plus_ones(given)})"
            if i.merged_into:
                extra += " " + _("(merged into another idea)")
            out.append(Item(f"{i.text}{extra}"))
    return out
