"""What happened next: each followed-up final recommendation with its owner, status, due
date and notes, and a chart of how many are at each status. Only when there are follow-ups."""

from __future__ import annotations

from facilitator.export.blocks import Bars, Block, Heading, Item, Para, Table
from facilitator.export.impact_tables import STATUS
from facilitator.i18n import gettext as _
from facilitator.snapshot import Snapshot


def section(snap: Snapshot) -> list[Block]:
    if not snap.follow_ups:
        return []
    titles = {f.id: f.title for f in snap.final_recommendations}
    out: list[Block] = [
        Heading(_("What happened next"), 1),
        Para(_("The final recommendations as their owners last reported on them.")),
    ]
    rows: list[list[object]] = [[_("Final recommendation"), _("Status"), _("Owner"), _("Due date")]]
    for f in snap.follow_ups:
        owner = ", ".join(x for x in (f.owner_name, f.owner_organisation) if x) or "–"
        due = f.due.isoformat() if f.due else "–"
        rows.append([titles.get(f.final_id, ""), _(STATUS.get(f.status, f.status)), owner, due])
    out.append(Table(rows))
    counts = tuple(sum(f.status == s for f in snap.follow_ups) for s in STATUS)
    labels = tuple(_(label) for label in STATUS.values())
    caption = _("Final recommendations by status: {n} followed up.").format(n=len(snap.follow_ups))
    out.append(Bars(counts, labels, caption))
    for f in snap.follow_ups:
        if f.notes:
            out.append(Item(f"{titles.get(f.final_id, '')}: {f.notes}"))
    return out
