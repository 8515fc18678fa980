"""A section per group: its round, its question, the cards carried into it, its themes with
their dots, its recommendations (with the room's +1s from the gallery)."""

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
from facilitator.rounds_view import carried_from, round_name
from facilitator.snapshot import GroupSnap, Snapshot


def section(snap: Snapshot) -> list[Block]:
    return [b for g in snap.groups for b in _group(snap, g)]


def _group(snap: Snapshot, g: GroupSnap) -> list[Block]:
    out: list[Block] = [Heading(g.name, 1)]
    if round_name(snap, g):
        out.append(Para(round_name(snap, g), label=_("Round:") + " "))
    out.append(Para(g.prompt, label=_("Question:") + " "))
    out += paragraphs(g.description)
    carried = [found for i in snap.published_ideas(g.id) if (found := carried_from(snap, i))]
    if carried:
        out.append(Heading(_("Carried forward"), 2))
        for title, group, sitting in carried:
            line = _("“{title}”, agreed by {group} ({round})")
            out.append(Item(line.format(title=title, group=group, round=sitting)))
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
        if snap.gallery_plus_for(r.id):
            out.append(Item(room_plus(snap.gallery_plus_for(r.id)), level=1))
    return out


def room_plus(n: int) -> str:
    """A recommendation's +1s from the report-back gallery."""
    return _("+1s from the room: {n}").format(n=n)
