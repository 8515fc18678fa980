"""The spreadsheet's impact sheets: every answer (devices numbered, never named) and what
happened next to each final recommendation. Headers in the export's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from facilitator import moments
from facilitator.i18n import N_, gettext
from facilitator.snapshot import Snapshot

Rows = list[Sequence[Any]]  # as tables.Rows
STATUS = {
    "proposed": N_("Proposed"),
    "accepted": N_("Accepted"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}


def answer_rows(snap: Snapshot) -> Rows:
    """One row an answer; a device is "device 1", "device 2"... in order of first answer."""
    questions = {q.id: (n, q) for n, q in enumerate(snap.questions, start=1)}
    devices: dict[int, int] = {}
    head = [gettext(h) for h in (N_("Device"), N_("Moment"), N_("Question"), N_("Answer given"))]
    rows: Rows = [head]
    for a in sorted(snap.answers, key=lambda a: (a.created_at, a.participant_id)):
        if a.question_id not in questions:
            continue
        number, q = questions[a.question_id]
        device = devices.setdefault(a.participant_id, len(devices) + 1)
        shown: int | str
        if isinstance(a.value, list):
            shown = "; ".join(q.choices[i] for i in a.value if 0 <= i < len(q.choices))
        elif q.kind == "single" and isinstance(a.value, int) and 0 <= a.value < len(q.choices):
            shown = q.choices[a.value]
        else:
            shown = a.value
        moment = moments.label(a.moment)
        rows.append([f"{gettext(N_('device'))} {device}", moment, f"{number}. {q.text}", shown])
    return rows


def follow_up_rows(snap: Snapshot) -> Rows:
    titles = {f.id: f.title for f in snap.final_recommendations}
    head = (
        N_("Final recommendation"),
        N_("Owner"),
        N_("Organisation"),
        N_("Status"),
        N_("Due date"),
        N_("Notes"),
        N_("Updated"),
    )
    rows: Rows = [[gettext(h) for h in head]]
    for f in snap.follow_ups:
        rows.append(
            [
                titles.get(f.final_id, ""),
                f.owner_name,
                f.owner_organisation,
                gettext(STATUS.get(f.status, f.status)),
                f.due.isoformat() if f.due else "",
                f.notes,
                f.updated_at.isoformat(),
            ]
        )
    return rows
