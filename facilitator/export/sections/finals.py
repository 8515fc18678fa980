"""Final recommendations, each with the group ones behind it, down to themes and ideas.

Until the organiser's synthesis exists, the groups' agreed recommendations stand in, and
the section says so.
"""

from __future__ import annotations

from facilitator.export.blocks import (
    Block,
    Heading,
    Item,
    Para,
    ideas,
    plus_ones,
    votes,
    who_acts_line,
)
from facilitator.export.sections.groups import room_plus
from facilitator.i18n import gettext as _
from facilitator.snapshot import RecommendationSnap, Snapshot


def section(snap: Snapshot) -> list[Block]:
    out: list[Block] = [Heading(_("Final recommendations"), 1)]
    if snap.final_recommendations:
        return out + _synthesis(snap)
    agreed = [r for r in snap.recommendations if r.agreed]
    out.append(
        Para(_("The groups' agreed recommendations (no event-wide synthesis has been made)."))
    )
    if not agreed:
        out.append(Para(_("No recommendation has been agreed yet.")))
    for n, rec in enumerate(agreed, 1):
        out += _body(rec.title, rec.text, rec.rationale, rec.who_acts, n)
        out += _room(snap, rec.id, 1)
        out += provenance(snap, rec)
    return out


def _body(title: str, text: str, rationale: str, who_acts: str, number: int) -> list[Block]:
    out: list[Block] = [Item(title, number=number)]
    if text:
        out.append(Item(text, level=1))
    if rationale:
        out.append(Item(_("Why: {reason}").format(reason=rationale), level=1))
    out += who_acts_line(who_acts)
    return out


def _synthesis(snap: Snapshot) -> list[Block]:
    by_id = {r.id: r for r in snap.recommendations}
    out: list[Block] = []
    for n, final in enumerate(snap.final_recommendations, 1):
        title = final.title if final.final else _("{title} (draft)").format(title=final.title)
        out += _body(title, final.text, final.rationale, final.who_acts, n)
        for rec_id in final.recommendation_ids:
            rec = by_id.get(rec_id)
            if rec is None:
                continue
            group = snap.group(rec.group_id).name
            line = _("From {group}: “{title}”").format(group=group, title=rec.title)
            out.append(Item(line, level=1))
            out += _room(snap, rec.id, 2)
            out += provenance(snap, rec)
    return out


def _room(snap: Snapshot, rec_id: int, level: int) -> list[Block]:
    """The room's +1s in the report-back gallery, when it gave any."""
    n = snap.gallery_plus_for(rec_id)
    return [Item(room_plus(n), level=level)] if n else []


def provenance(snap: Snapshot, rec: RecommendationSnap) -> list[Block]:
    """Where a recommendation came from, down to the ideas, with their dots: dots placed on
    a theme are said to be on the theme, and its ideas show only dots of their own."""
    ideas_by_id = {i.id: i for i in snap.ideas}
    themes = {c.id: c for c in snap.clusters}
    group = snap.group(rec.group_id).name
    out: list[Block] = []
    for src in rec.sources:
        tally = snap.tally(src.target, src.target_id)
        if src.target == "cluster" and src.target_id in themes:
            members = [
                i
                for i in snap.published_ideas()
                if i.cluster_id == src.target_id and i.status == "visible"
            ]
            line = _("From {group}, theme “{theme}”: {votes} on the theme, {ideas}").format(
                group=group, theme=themes[src.target_id].name, votes=votes(tally),
                ideas=ideas(len(members)),
            )  # fmt: skip
            out.append(Item(line, level=1))
            own = {i.id: snap.tally("idea", i.id) for i in members}
            for i in members:
                counts = [votes(own[i.id])] if any(own.values()) else []
                counted = ", ".join([*counts, *_plus_ones(snap, i.id)])
                out.append(Item(f"“{i.text}” ({counted})" if counted else f"“{i.text}”", level=2))
        elif src.target_id in ideas_by_id and ideas_by_id[src.target_id].published:
            text = ideas_by_id[src.target_id].text
            line = _("From {group}, idea “{text}”: {votes}")
            counted = ", ".join([votes(tally), *_plus_ones(snap, src.target_id)])
            out.append(Item(line.format(group=group, text=text, votes=counted), level=1))
        else:
            line = _("From {group}, an item no longer on the board")
            out.append(Item(line.format(group=group), level=1))
    return out


def _plus_ones(snap: Snapshot, idea_id: int) -> list[str]:
    """An idea's +1s, said beside its votes when it has any."""
    n = snap.plus_ones(idea_id)
    return [plus_ones(n)] if n else []
