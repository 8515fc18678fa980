"""Spreadsheets: an XLSX workbook (ideas, clusters, votes, recommendations, participation),
a CSV of ideas, and the moderation and audit log as CSV.

Every cell passes through `safe.cell`, so text that a spreadsheet would run as a formula
starts with an apostrophe, and characters XML cannot hold are dropped. Hidden, pending and
withdrawn ideas appear only in the audit log.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from facilitator import metrics
from facilitator.export import impact_tables
from facilitator.export.safe import cell, csv_bytes
from facilitator.i18n import N_, gettext
from facilitator.snapshot import IdeaSnap, Snapshot
from facilitator.vocabulary import audit_line, secret_actor

Rows = list[Sequence[Any]]

# The workbook's sheet names and column headings, in the workshop's language. CSV files keep
# the plain keys, which scripts read.
LABELS = {
    "ideas": N_("Ideas"), "clusters": N_("Themes"), "votes": N_("Votes"),
    "recommendations": N_("Recommendations"), "participation": N_("Participation"),
    "id": N_("ID"), "group": N_("Group"), "text": N_("Text"), "status": N_("Status"),
    "theme": N_("Theme"), "merged_into": N_("Merged into"), "author": N_("Author"),
    "edits": N_("Edits"), "created_at": N_("Created at"), "target": N_("Dot on"),
    "target_id": N_("Item ID"), "target_text": N_("Item"), "voter": N_("Voter"),
    "at": N_("At"), "position": N_("Position"), "title": N_("Title"),
    "rationale": N_("Rationale"), "agreed": N_("Agreed"), "sources": N_("Sources"),
    "phones": N_("Phones"), "contributors": N_("Contributors"),
    "silent_share": N_("Silent share"), "ideas_per_contributor": N_("Ideas per contributor"),
    "gini": N_("Gini"), "minutes_to_first_idea": N_("Minutes to first idea"),
    "moderation_turnaround_minutes": N_("Moderation turnaround (minutes)"),
    "moderated": N_("Moderated"), "published_ideas": N_("Published ideas"),
    "themes": N_("Themes"), "final": N_("Final"),
}  # fmt: skip


def _label(key: object) -> object:
    return gettext(LABELS[key]) if isinstance(key, str) and key in LABELS else key


def _when(at: dt.datetime | None) -> str:
    return at.isoformat() if at else ""


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
        ["id", "group", "text", "status", "theme", "merged_into", "author", "votes", "edits",
         "created_at"]
    ]  # fmt: skip
    for i in snap.published_ideas():
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
                len(i.revisions),
                _when(i.created_at),
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
        rows.append([groups[v.group_id], v.target, v.target_id, text, v.voter, _when(v.created_at)])
    return rows


def recommendation_rows(snap: Snapshot) -> Rows:
    groups = {g.id: g.name for g in snap.groups}
    rows: Rows = [
        ["id", "group", "position", "title", "text", "rationale", "agreed", "sources", "votes"]
    ]
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


def xlsx(snap: Snapshot) -> bytes:
    book = Workbook()
    sheets: dict[str, Rows] = {
        "ideas": idea_rows(snap),
        "clusters": cluster_rows(snap),
        "votes": vote_rows(snap),
        "recommendations": recommendation_rows(snap),
        "participation": participation_rows(snap),
        **impact_tables.sheets(snap),
    }
    first = True
    for title, rows in sheets.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = str(_label(title))[:31]
        head, *body = rows
        sheet.append([cell(_label(v)) for v in head])
        for row in body:
            sheet.append([cell(v) for v in row])
        for header in sheet[1]:
            header.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            longest = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, longest + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(rows: Rows) -> bytes:
    return csv_bytes(rows, bom=True)


def ideas_csv(snap: Snapshot) -> bytes:
    return to_csv(idea_rows(snap))


def audit_rows(snap: Snapshot) -> Rows:
    """Every event, oldest first: who did what to which idea. Hidden ideas appear here."""
    groups = {f"group:{g.id}": g.name for g in snap.groups}
    rows: Rows = [
        ["at", "group", "seq", "who", "event", "what", "idea_id", "text", "reason", "detail"]
    ]
    for e in sorted(snap.events, key=lambda e: (e.at, e.channel, e.seq)):
        idea = e.payload.get("idea")
        idea = idea if isinstance(idea, dict) else {}
        what, detail = audit_line(e.kind, e.payload)
        rows.append(
            [
                _when(e.at),
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
