"""A section per group: its question, its themes with their dots, its recommendations."""

from __future__ import annotations

from facilitator.export.blocks import (
    Block,
    Heading,
    Item,
    Para,
    ideas,
    paragraphs,
    votes,
    who_acts_line,
)
from facilitator.i18n import gettext as _
from facilitator.snapshot import GroupSnap, Snapshot


def section(snap: Snapshot) -> list[Block]:
    return [b for g in snap.groups for b in _group(snap, g)]


def _group(snap: Snapshot, g: GroupSnap) -> list[Block]:
    out: list[Block] = [Heading(g.name, 1), Para(g.prompt, label=_("Question:") + " ")]
    out += paragraphs(g.description)
    themes = [c for c in snap.clusters if c.group_id == g.id]
    out.append(Heading(_("Themes"), 2))
    if not themes:
        out.append(Para(_("No themes.")))
    for c in sorted(themes, key=lambda c: c.position):
        size = sum(1 for i in snap.published_ideas(g.id) if i.cluster_id == c.id)
        out.append(Item(f"{c.name} ({ideas(size)}, {votes(snap.tally('cluster', c.id))})"))
    recs = [r for r in snap.recommendations if r.group_id == g.id]
    out.append(Heading(_("Recommendations"), 2))
    if not recs:
        out.append(Para(_("No recommendations.")))
    for n, r in enumerate(recs, 1):
        title = _("{title} (agreed)").format(title=r.title) if r.agreed else r.title
        out.append(Item(title, number=n))
        if r.text:
            out.append(Item(r.text, level=1))
        out += who_acts_line(r.who_acts)
    return out
