"""Participation metrics: pure functions of a workshop snapshot (rows and event log).

Definitions (also in docs/exports.md, "Participation metrics"):
- phones joined: participants whose group is this one (a phone counts in its latest group);
- contributors: phones that submitted at least one idea (any status, withdrawn ones too);
- silent share: 1 - contributors / phones joined;
- ideas: ideas submitted, less withdrawn ones, by phones and staff;
- ideas per contributor: phones' ideas / contributors; Gini: the spread of that count over
  contributors (0: everyone wrote as much, towards 1: one person wrote nearly everything);
- votes: dots on the board now;
- time to first idea: from the first phone joining to the first idea a phone submitted;
- moderation turnaround: median time from a pre-moderated submission to its approval or
  hiding, from the event log;
- ideas moderated: ideas a facilitator approved, hid, restored, merged into another or
  edited, each counted once, from the event log;
- funnel: published ideas -> themes -> recommendations -> agreed -> final;
- submissions over time: ideas submitted (their `created_at`) counted per bucket.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from facilitator.snapshot import EventSnap, Snapshot
from facilitator.vocabulary import (
    IDEA_APPROVED,
    IDEA_HIDDEN,
    IDEA_MERGED,
    IDEA_MODERATED,
    IDEA_RESTORED,
    IDEA_SUBMITTED,
)

# What a facilitator does to someone's idea (moving it into a theme is sorting, not this).
MODERATION = {
    k.name for k in (IDEA_APPROVED, IDEA_HIDDEN, IDEA_RESTORED, IDEA_MERGED, IDEA_MODERATED)
}

ORGANISER_BUCKET = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Funnel:
    ideas: int
    clusters: int
    recommendations: int
    agreed: int
    final: int


@dataclass(frozen=True)
class Figures:
    label: str  # a group's name, or "Workshop"
    phones: int
    contributors: int
    silent_share: float | None
    ideas: int
    ideas_per_contributor: float | None
    gini: float | None
    votes: int
    first_idea_after: dt.timedelta | None
    moderation_turnaround: dt.timedelta | None
    moderated: int
    funnel: Funnel


def gini(values: Sequence[int]) -> float | None:
    """Gini coefficient of non-negative counts (mean absolute difference / twice the mean)."""
    if not values or sum(values) == 0:
        return None
    n, total = len(values), sum(values)
    ordered = sorted(values)
    # Closed form over sorted values: sum_i (2i - n - 1) x_i / (n * total), i from 1.
    return sum((2 * i - n - 1) * x for i, x in enumerate(ordered, 1)) / (n * total)


def _turnaround(log: Iterable[EventSnap]) -> list[dt.timedelta]:
    waiting: dict[int, dt.datetime] = {}
    out = []
    for e in sorted(log, key=lambda e: e.at):
        idea = e.payload.get("idea")
        if not isinstance(idea, dict) or not isinstance(idea.get("id"), int):
            continue
        if e.kind == IDEA_SUBMITTED.name and idea.get("status") == "pending":
            waiting[idea["id"]] = e.at
        elif e.kind in (IDEA_APPROVED.name, IDEA_HIDDEN.name) and idea["id"] in waiting:
            out.append(e.at - waiting.pop(idea["id"]))
    return out


def _moderated(log: Iterable[EventSnap]) -> int:
    ideas = set()
    for e in log:
        idea = e.payload.get("idea")
        if e.kind in MODERATION and isinstance(idea, dict) and isinstance(idea.get("id"), int):
            ideas.add(idea["id"])
    return len(ideas)


def figures(snap: Snapshot, group_id: int | None = None) -> Figures:
    """The figures of one group, or (group_id None) of the whole workshop."""

    def mine(gid: int | None) -> bool:
        return group_id is None or gid == group_id

    ideas = [i for i in snap.ideas if mine(i.group_id) and i.status != "withdrawn"]
    written = [i for i in snap.ideas if mine(i.group_id)]
    per_phone: dict[int, int] = {}
    for i in written:
        if i.participant_id is not None:
            per_phone[i.participant_id] = per_phone.get(i.participant_id, 0) + 1
    phones = [p for p in snap.participants if group_id is None or p.group_id == group_id]
    contributors = len(per_phone)
    silent = max(0.0, 1 - contributors / len(phones)) if phones else None
    first_phone = min((p.created_at for p in phones), default=None)
    first_idea = min((i.created_at for i in written if i.participant_id is not None), default=None)
    log = [e for e in snap.events if mine(e.group_id) and e.group_id is not None]
    waits = _turnaround(log)
    recs = [r for r in snap.recommendations if mine(r.group_id)]
    return Figures(
        label="Workshop" if group_id is None else snap.group(group_id).name,
        phones=len(phones),
        contributors=contributors,
        silent_share=silent,
        ideas=len(ideas),
        ideas_per_contributor=(sum(per_phone.values()) / contributors) if contributors else None,
        gini=gini(list(per_phone.values())),
        votes=sum(1 for v in snap.votes if mine(v.group_id)),
        first_idea_after=(
            max(dt.timedelta(0), first_idea - first_phone) if first_idea and first_phone else None
        ),
        moderation_turnaround=(
            dt.timedelta(seconds=statistics.median(w.total_seconds() for w in waits))
            if waits
            else None
        ),
        moderated=_moderated(log),
        funnel=Funnel(
            ideas=len([i for i in snap.published_ideas() if mine(i.group_id)]),
            clusters=sum(1 for c in snap.clusters if mine(c.group_id)),
            recommendations=len(recs),
            agreed=sum(1 for r in recs if r.agreed),
            final=_finals(snap, {r.id for r in recs} if group_id is not None else None),
        ),
    )


def _finals(snap: Snapshot, recommendation_ids: set[int] | None) -> int:
    """Final recommendations marked final: all of them, or those drawing on these."""
    return sum(
        1
        for f in snap.final_recommendations
        if f.final
        and (recommendation_ids is None or recommendation_ids & set(f.recommendation_ids))
    )


def every_group(snap: Snapshot) -> list[Figures]:
    """Each group's figures, then the workshop's."""
    return [figures(snap, g.id) for g in snap.groups] + [figures(snap)]


@dataclass(frozen=True)
class Series:
    start: dt.datetime
    bucket: dt.timedelta
    counts: tuple[int, ...]

    def label(self, n: int) -> str:
        return (self.start + n * self.bucket).strftime("%H:%M")


def submissions(
    snap: Snapshot, group_id: int | None = None, bucket: dt.timedelta = ORGANISER_BUCKET
) -> Series:
    """Ideas submitted per bucket, from the first submission (in the workshop) to the last.

    Each idea row is one submission (hidden and withdrawn ones too); its `created_at` is set
    when it is submitted, and unlike an event's time it survives imports and demo back-dating.
    """
    times = sorted(i.created_at for i in snap.ideas)
    if not times:
        return Series(snap.taken_at, bucket, ())
    start = times[0]
    wanted = [i.created_at for i in snap.ideas if group_id is None or i.group_id == group_id]
    counts = [0] * (int((times[-1] - start) / bucket) + 1)
    for at in wanted:
        counts[int((at - start) / bucket)] += 1
    return Series(start, bucket, tuple(counts))
