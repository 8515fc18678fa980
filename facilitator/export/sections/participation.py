"""Participation: each group's figures in a table, and ideas submitted over time."""

from __future__ import annotations

import datetime as dt

from facilitator import i18n, metrics, rounds_view
from facilitator.export.blocks import Block, Chart, Heading, Para, Table
from facilitator.i18n import gettext as _
from facilitator.snapshot import Snapshot


def section(snap: Snapshot) -> list[Block]:
    out: list[Block] = [
        Heading(_("Participation"), 1),
        Para(
            _(
                "Phones joined, contributors (phones that wrote at least one idea), ideas, "
                "votes, and how evenly ideas were spread (Gini: 0 even, towards 1 one voice). "
                "Definitions are in the documentation: docs/exports.md."
            )
        ),
        Table(table(snap)),
    ]
    series = metrics.submissions(snap)
    if series.counts:
        minutes = int(series.bucket.total_seconds() // 60)
        caption = _("Ideas submitted per {minutes} minutes, {start} to {end} UTC.").format(
            minutes=minutes,
            start=series.label(0),
            end=series.label(len(series.counts)),  # where the last bucket ends
        )
        out.append(Chart(series, caption))
    if snap.rounds:
        out.append(Heading(_("Rounds"), 2))
        out.append(
            Para(
                _(
                    "Phones seated in each group, round by round (for a round that has "
                    "ended, where they sat when it ended), and those that took part: wrote "
                    "an idea, placed a dot or gave a +1."
                )
            )
        )
        out.append(Table(round_table(snap)))
    return out


def round_table(snap: Snapshot) -> list[list[object]]:
    rows: list[list[object]] = [[_("Round"), _("Group"), _("Phones"), _("Took part")]]
    for t in rounds_view.turnout(snap):
        rows.append([t.round, t.group, t.seated, t.took_part])
    return rows


def duration(d: dt.timedelta | None) -> str:
    """A wait as people say it: seconds under a minute, whole minutes after."""
    if d is None:
        return "–"
    seconds = d.total_seconds()
    if seconds < 60:
        return _("{n} s").format(n=i18n.format_number(seconds))
    return _("{n} min").format(n=i18n.format_number(seconds / 60))


def table(snap: Snapshot) -> list[list[object]]:
    def share(x: float | None) -> str:
        return i18n.format_percent(x) if x is not None else "–"

    def num(x: float | None) -> str:
        return i18n.format_number(x, 2) if x is not None else "–"

    # Short headers and ten columns, so the table fits a portrait page; the workbook has all.
    rows: list[list[object]] = [
        [_("Group"), _("Phones"), _("Contrib."), _("Silent"), _("Ideas"), _("Gini"),
         _("Votes"), _("1st idea"), _("Themes"), _("Recs (agreed)")]
    ]  # fmt: skip
    for f in metrics.every_group(snap):
        rows.append(
            [f.label, f.phones, f.contributors, share(f.silent_share), f.ideas, num(f.gini),
             f.votes, duration(f.first_idea_after), f.funnel.clusters,
             f"{f.funnel.recommendations} ({f.funnel.agreed})"]
        )  # fmt: skip
    return rows
