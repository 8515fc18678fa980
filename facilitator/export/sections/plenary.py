"""The plenary vote on the final recommendations: how it counted, its results (a tie shares
its place), and turnout for the event, each round and each group."""

from __future__ import annotations

from facilitator import i18n
from facilitator.export import plenary_tables
from facilitator.export.blocks import Block, Heading, Para, Table
from facilitator.i18n import gettext as _
from facilitator.i18n import ngettext
from facilitator.snapshot import Snapshot


def section(snap: Snapshot) -> list[Block]:
    found = plenary_tables.count(snap)
    if found is None or snap.plenary is None:
        return []
    p = snap.plenary
    out: list[Block] = [Heading(_("Plenary vote"), 1)]
    method = plenary_tables.method_label(snap)
    out.append(
        Para(
            _(
                "Every phone at the event could vote on the final recommendations, by {method}."
            ).format(method=method)
        )
    )
    if p.method == "dots":
        rule = _("Each phone had {budget} dots, at most {cap} on one recommendation.")
        out.append(Para(rule.format(budget=p.budget, cap=p.cap)))
    else:
        rule = _(
            "Each phone put the recommendations in its order: with {n} in the vote, a first "
            "place scored {top} points and a last place none."
        )
        out.append(Para(rule.format(n=len(p.items), top=max(len(p.items) - 1, 0))))
    turnout = ngettext(
        "{voted} of {phones} phone voted.", "{voted} of {phones} phones voted.", found.phones
    )
    out.append(
        Para(
            turnout.format(
                voted=i18n.format_number(found.voted), phones=i18n.format_number(found.phones)
            )
        )
    )
    if p.closed_at is None:
        out.append(Para(_("The vote was still open when this report was made.")))
    names = plenary_tables.titles(snap)
    unit = _("Dots") if p.method == "dots" else _("Points")
    rows: list[list[object]] = [[_("Place"), _("Final recommendation"), unit]]
    for s in found.scores:
        place = f"={s.place}" if s.tied else str(s.place)
        rows.append([place, names.get(s.id, ""), i18n.format_number(s.points)])
    out.append(Table(rows))
    if any(s.tied for s in found.scores):
        out.append(Para(_("“=” marks a tie: those recommendations share the place.")))
    out.append(Heading(_("Turnout"), 2))
    turnout_rows: list[list[object]] = [[_("Round or group"), _("Voted"), _("Phones")]]
    for t in [*found.rounds, *found.groups]:
        turnout_rows.append([t.label, i18n.format_number(t.voted), i18n.format_number(t.phones)])
    out.append(Table(turnout_rows))
    out.append(
        Para(
            _(
                "A phone counts in the group it sat in when it voted; phones are those seated "
                "in each group now."
            )
        )
    )
    return out
