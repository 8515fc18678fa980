"""The plenary vote in the exports: its count from the snapshot (the same count as the live
results), the results and turnout tables, and its CSV. Pure: snapshot in, rows out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from facilitator.export.safe import csv_bytes
from facilitator.i18n import N_, gettext
from facilitator.plenary_count import Cast, Seat, Tally, count_casts, tally
from facilitator.snapshot import Snapshot

Rows = list[Sequence[Any]]  # as tables.Rows
METHODS = {"dots": N_("dots"), "ranking": N_("ranking (Borda count)")}


def voted(snap: Snapshot) -> bool:
    """Whether the workshop's plenary vote has opened (only then is there a count)."""
    return snap.plenary is not None and snap.plenary.opened_at is not None


def count(snap: Snapshot) -> Tally | None:
    if snap.plenary is None or not voted(snap):
        return None
    rounds = {r.id: r.name for r in snap.rounds}
    phones: dict[int | None, int] = {}
    for p in snap.participants:
        phones[p.group_id] = phones.get(p.group_id, 0) + 1
    order = {r.id: r.position for r in snap.rounds}
    groups = sorted(snap.groups, key=lambda g: (order.get(g.round_id or 0, 0), g.position, g.id))
    seats = [
        Seat(g.id, g.name, g.round_id, rounds.get(g.round_id or 0, ""), phones.get(g.id, 0))
        for g in groups
    ]
    casts = [
        Cast(
            dict(b.dots) if snap.plenary.method == "dots" else list(b.ranking),
            b.group_id,
            b.round_id,
        )
        for b in snap.ballots
    ]
    items = list(snap.plenary.items)
    return tally(snap.plenary.method, items, count_casts(snap.plenary.method, items, casts), seats)


def titles(snap: Snapshot) -> dict[int, str]:
    return {f.id: f.title for f in snap.final_recommendations}


def result_rows(snap: Snapshot) -> Rows:
    """One row a recommendation in the vote, best first; a tie shares its place."""
    rows: Rows = [["place", "id", "title", "points", "tied"]]
    found = count(snap)
    if found is None:
        return rows
    names = titles(snap)
    for s in found.scores:
        rows.append([s.place, s.id, names.get(s.id, ""), s.points, s.tied])
    return rows


def turnout_rows(snap: Snapshot) -> Rows:
    """Phones that voted, of those seated: the whole event, each round, each group."""
    rows: Rows = [["level", "name", "voted", "phones"]]
    found = count(snap)
    if found is None:
        return rows
    rows.append(["event", snap.workshop.title, found.voted, found.phones])
    rows += [["round", t.label, t.voted, t.phones] for t in found.rounds]
    rows += [["group", t.label, t.voted, t.phones] for t in found.groups]
    return rows


def plenary_csv(snap: Snapshot) -> bytes:
    """The results, then the turnout, as one table: `section` says which a row is."""
    head = ["section", "place", "id", "name", "points", "tied", "voted", "phones"]
    rows: Rows = [head]
    for place, ident, title, points, tied in result_rows(snap)[1:]:
        rows.append(["result", place, ident, title, points, tied, "", ""])
    for level, name, done, phones in turnout_rows(snap)[1:]:
        rows.append([level, "", "", name, "", "", done, phones])
    return csv_bytes(rows)


def method_label(snap: Snapshot) -> str:
    return gettext(METHODS[snap.plenary.method]) if snap.plenary else ""
