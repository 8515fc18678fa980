"""Tables of a workshop, one builder per concept: the rows of the workbook's sheets
(`export/workbook.py`), of the ideas CSV, and of the moderation and audit log.

A table's first row holds its column keys. Times stay datetimes (UTC): the workbook writes
them as dates, CSV as ISO 8601. Every CSV cell passes through `safe.cell`, so text that a
spreadsheet would run as a formula starts with an apostrophe, and characters XML cannot
hold are dropped. Hidden, pending and withdrawn ideas appear only in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from facilitator import metrics, rounds_view
from facilitator.export.safe import csv_bytes
from facilitator.snapshot import IdeaSnap, Snapshot
from facilitator.vocabulary import audit_line, secret_actor

Rows = list[Sequence[Any]]


def _author(snap: Snapshot, i: IdeaSnap) -> str:
    if i.participant_id is None:
        return "facilitator"
    return (
        i.author_name if snap.include_names and i.author_name else f"participant {i.participant_id}"
    )


def idea_rows(snap: Snapshot) -> Rows:
    groups = {g.id: g.name for g in snap.groups}
    themes = {c.id: c.name for c in snap.clusters}
    rows: Rows = [
        ["id", "group", "text", "status", "theme", "merged_into", "author", "votes",
         "plus_ones", "edits", "created_at", "round", "carried_from"]
    ]  # fmt: skip
    for i in snap.published_ideas():
        carried = rounds_view.carried_from(snap, i)
        rows.append(
            [
                i.id,
                groups[i.group_id],
                i.text,
                i.status,
                themes.get(i.cluster_id, "") if i.cluster_id else "",
                i.merged_into or "",
                _author(snap, i),
                snap.tally("idea", i.id),
                snap.plus_ones(i.id),
                len(i.revisions),
                i.created_at,
                rounds_view.round_name(snap, snap.group(i.group_id)),
                f"{carried[1]} ({carried[2]}): {carried[0]}" if carried else "",
            ]
        )
    return rows


def cluster_rows(snap: Snapshot) -> Rows:
    groups = {g.id: g.name for g in snap.groups}
    rows: Rows = [["id", "group", "theme", "ideas", "votes"]]
    for c in snap.clusters:
        size = sum(1 for i in snap.published_ideas(c.group_id) if i.cluster_id == c.id)
        rows.append([c.id, groups[c.group_id], c.name, size, snap.tally("cluster", c.id)])
    return rows


def vote_rows(snap: Snapshot) -> Rows:
    """One row per dot; the voter is a number, never a name (ballots are secret)."""
    groups = {g.id: g.name for g in snap.groups}
    names = {("idea", i.id): i.text for i in snap.ideas} | {
        ("cluster", c.id): c.name for c in snap.clusters
    }
    rows: Rows = [["group", "target", "target_id", "target_text", "voter", "at"]]
    for v in snap.votes:
        text = names.get((v.target, v.target_id), "")
        rows.append([groups[v.group_id], v.target, v.target_id, text, v.voter, v.created_at])
    return rows


def recommendation_rows(snap: Snapshot) -> Rows:
    groups = {g.id: g.name for g in snap.groups}
    rows: Rows = [
        ["id", "group", "position", "title", "text", "rationale", "agreed", "sources", "votes",
         "created_at", "round", "room_plus_ones", "who_acts"]
    ]  # fmt: skip
    for r in snap.recommendations:
        rows.append(
            [
                r.id,
                groups[r.group_id],
                r.position,
                r.title,
                r.text,
                r.rationale,
                "yes" if r.agreed else "no",
                "; ".join(f"{s.target} {s.target_id}" for s in r.sources),
                sum(snap.tally(s.target, s.target_id) for s in r.sources),
                r.created_at,
                rounds_view.round_name(snap, snap.group(r.group_id)),
                snap.gallery_plus_for(r.id),
                r.who_acts,
            ]
        )
    return rows


def round_rows(snap: Snapshot) -> Rows:
    """Each group's phones, round by round (rounds_view.turnout)."""
    rows: Rows = [["round", "group", "phones_seated", "phones_took_part"]]
    for t in rounds_view.turnout(snap):
        rows.append([t.round, t.group, t.seated, t.took_part])
    return rows


def final_rows(snap: Snapshot) -> Rows:
    """The workshop's final recommendations, each with the group ones it draws on."""
    groups = {g.id: g.name for g in snap.groups}
    recs = {r.id: r for r in snap.recommendations}
    rows: Rows = [
        ["id", "position", "title", "text", "rationale", "final", "sources", "source_ids",
         "source_groups", "votes", "created_at", "updated_at", "who_acts"]
    ]  # fmt: skip
    for f in snap.final_recommendations:
        sources = [recs[r] for r in f.recommendation_ids if r in recs]
        rows.append(
            [
                f.id,
                f.position,
                f.title,
                f.text,
                f.rationale,
                "yes" if f.final else "no",
                "\n".join(f"{groups[r.group_id]}: {r.title}" for r in sources),
                "; ".join(str(r.id) for r in sources),
                "; ".join(dict.fromkeys(groups[r.group_id] for r in sources)),
                sum(snap.tally(s.target, s.target_id) for r in sources for s in r.sources),
                f.created_at,
                f.updated_at,
                f.who_acts,  # last: columns added later go at the end, for scripts
            ]
        )
    return rows


def _minutes(d: dt.timedelta | None) -> float | str:
    return round(d.total_seconds() / 60, 1) if d is not None else ""


def participation_rows(snap: Snapshot) -> Rows:
    rows: Rows = [
        ["group", "phones", "contributors", "silent_share", "ideas", "ideas_per_contributor",
         "gini", "votes", "minutes_to_first_idea", "moderation_turnaround_minutes",
         "moderated", "published_ideas", "themes", "recommendations", "agreed", "final"]
    ]  # fmt: skip
    for f in metrics.every_group(snap):
        rows.append(
            [
                f.label, f.phones, f.contributors,
                round(f.silent_share, 3) if f.silent_share is not None else "",
                f.ideas,
                round(f.ideas_per_contributor, 2) if f.ideas_per_contributor is not None else "",
                round(f.gini, 3) if f.gini is not None else "",
                f.votes, _minutes(f.first_idea_after), _minutes(f.moderation_turnaround),
                f.moderated, f.funnel.ideas, f.funnel.clusters, f.funnel.recommendations,
                f.funnel.agreed, f.funnel.final,
            ]
        )  # fmt: skip
    return rows


def to_csv(rows: Rows) -> bytes:
    """CSV for people and scripts: times as ISO 8601 with their UTC offset."""
    return csv_bytes(
        ([v.isoformat() if isinstance(v, dt.datetime) else v for v in row] for row in rows),
        bom=True,
    )


def ideas_csv(snap: Snapshot) -> bytes:
    return to_csv(idea_rows(snap))


def audit_rows(snap: Snapshot) -> Rows:
    """Every event, oldest first: who did what to which idea. Hidden ideas appear here."""
    groups = {f"{part}:{g.id}": g.name for g in snap.groups for part in ("group", "ballots")}
    rows: Rows = [
        ["at", "group", "seq", "who", "event", "what", "idea_id", "text", "reason", "detail"]
    ]
    for e in sorted(snap.events, key=lambda e: (e.at, e.channel, e.seq)):
        idea = e.payload.get("idea")
        idea = idea if isinstance(idea, dict) else {}
        what, detail = audit_line(e.kind, e.payload)
        rows.append(
            [
                e.at,
                groups.get(e.channel, "(workshop)"),
                e.seq,
                _who(snap, e.kind, e.actor),
                e.kind,
                what,
                idea.get("id", ""),
                str(idea.get("text", "")),
                str(idea.get("hidden_reason", "")),
                detail,
            ]
        )
    return rows


def _who(snap: Snapshot, kind: str, actor: str) -> str:
    role, _, ident = actor.partition(":")
    if secret_actor(kind):
        return "a participant"  # dots are secret, also in the audit log
    if role == "staff":
        return ident
    if role == "participant":
        return f"participant {ident}"
    return actor


def audit_csv(snap: Snapshot) -> bytes:
    return to_csv(audit_rows(snap))
