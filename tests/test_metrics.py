"""Participation metrics on a hand-built snapshot whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from xml.etree import ElementTree

import pytest

from facilitator import i18n, metrics
from facilitator.export import charts
from facilitator.group_settings import GroupSettings
from facilitator.snapshot import (
    ClusterSnap,
    EventSnap,
    FinalSnap,
    GroupSnap,
    IdeaSnap,
    ParticipantSnap,
    RecommendationSnap,
    Snapshot,
    VoteSnap,
    WorkshopSnap,
)

T0 = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def group(gid: int, name: str) -> GroupSnap:
    return GroupSnap(
        gid, name, "Q?", "", f"CODE000{gid}", "collect", gid, GroupSettings(), False, False,
        False, None, (), T0,
    )  # fmt: skip


def idea(iid: int, gid: int, who: int | None, minute: float, status: str) -> IdeaSnap:
    return IdeaSnap(
        iid, gid, who, None if who else "fred@example.org", "", f"key-{iid:05d}", f"idea {iid}",
        status, None, 0, None, "", False, at(minute), at(minute),
    )  # fmt: skip


def event(gid: int, seq: int, kind: str, minute: float, iid: int, status: str) -> EventSnap:
    payload = {"idea": {"id": iid, "status": status}}
    return EventSnap(f"group:{gid}", seq, kind, payload, "participant:1", at(minute))


# (id, group, participant or None for staff, minute submitted, status now, status when sent)
IDEAS = [
    (1, 1, 1, 3, "visible", "visible"),
    (2, 1, 1, 4, "visible", "visible"),
    (3, 1, 1, 12, "hidden", "visible"),
    (4, 1, 2, 6, "withdrawn", "visible"),
    (5, 1, None, 7, "visible", "visible"),
    (6, 2, 5, 10, "visible", "pending"),
    (7, 2, 5, 11, "hidden", "pending"),
]


@pytest.fixture
def snap() -> Snapshot:
    log = [
        event(g, n, "idea.submitted", m, i, sent)
        for n, (i, g, _, m, _, sent) in enumerate(IDEAS, 1)
    ]
    log += [
        event(2, 20, "idea.approved", 12, 6, "visible"),  # waited 2 minutes
        event(2, 21, "idea.hidden", 15, 7, "hidden"),  # waited 4 minutes
        event(1, 22, "idea.hidden", 13, 3, "hidden"),  # not pre-moderated: not a turnaround
        event(1, 23, "idea.moved", 14, 1, "visible"),  # sorting, not moderation
        event(1, 24, "idea.restored", 15, 3, "visible"),  # the same idea: counted once
        event(1, 25, "idea.hidden", 16, 3, "hidden"),
    ]
    return Snapshot(
        workshop=WorkshopSnap(1, "W", None, "", "WCODE000", (), T0),
        groups=(group(1, "A"), group(2, "B")),
        ideas=tuple(idea(i, g, p, m, now) for i, g, p, m, now, _ in IDEAS),
        clusters=(ClusterSnap(1, 1, "Theme", 0, T0),),
        votes=tuple(VoteSnap(n, g, 1, "idea", 1, T0) for n, g in enumerate([1, 1, 1, 2], 1)),
        recommendations=(
            RecommendationSnap(1, 1, "R1", "", "", 1, True, None, T0, T0),
            RecommendationSnap(2, 1, "R2", "", "", 2, False, None, T0, T0),
        ),
        participants=tuple(
            ParticipantSnap(p, g, "", at(m))
            for p, g, m in [(1, 1, 0), (2, 1, 1), (3, 1, 2), (4, 1, 2), (5, 2, 5)]
        ),
        events=tuple(log),
        taken_at=at(60),
        final_recommendations=(
            FinalSnap(1, "F1", "", "", 1, True, T0, T0, (1,)),  # final, from group A's R1
            FinalSnap(2, "F2", "", "", 2, False, T0, T0, (2,)),  # a draft: not counted
        ),
    )


def test_group_figures(snap: Snapshot) -> None:
    a = metrics.figures(snap, 1)
    assert (a.label, a.phones, a.contributors, a.silent_share) == ("A", 4, 2, 0.5)
    assert a.ideas == 4  # the withdrawn one does not count; the hidden one does
    assert a.ideas_per_contributor == 2.0  # (3 + 1) / 2
    assert a.gini == pytest.approx(0.25)  # [1, 3]: mean |difference| 1 over twice the mean 4
    assert a.votes == 3
    assert a.first_idea_after == dt.timedelta(minutes=3)
    assert a.moderation_turnaround is None
    assert a.moderated == 1  # hidden without pre-moderation: still moderated (issue #22)
    assert a.funnel == metrics.Funnel(ideas=3, clusters=1, recommendations=2, agreed=1, final=1)

    b = metrics.figures(snap, 2)
    assert (b.phones, b.contributors, b.silent_share, b.gini) == (1, 1, 0.0, 0.0)
    assert b.first_idea_after == dt.timedelta(minutes=5)
    assert b.moderation_turnaround == dt.timedelta(minutes=3)  # median of 2 and 4
    assert b.moderated == 2
    assert b.funnel.final == 0  # no final recommendation draws on group B


def test_workshop_figures(snap: Snapshot) -> None:
    w = metrics.figures(snap)
    assert (w.label, w.phones, w.contributors, w.silent_share) == ("Workshop", 5, 3, 0.4)
    assert (w.ideas, w.ideas_per_contributor, w.votes) == (6, 2.0, 4)
    assert w.gini == pytest.approx(2 / 9)  # [1, 2, 3]
    assert w.first_idea_after == dt.timedelta(minutes=3)
    assert w.moderation_turnaround == dt.timedelta(minutes=3)
    assert w.funnel.final == 1  # the draft is not (yet) final
    assert [f.label for f in metrics.every_group(snap)] == ["A", "B", "Workshop"]


def test_gini_edges() -> None:
    assert metrics.gini([]) is None
    assert metrics.gini([4, 4, 4]) == 0
    assert metrics.gini([0, 0, 0, 10]) == pytest.approx(0.75)


def test_submissions_over_time_in_buckets(snap: Snapshot) -> None:
    total = metrics.submissions(snap)
    assert (total.start, total.counts) == (at(3), (4, 3))  # [3, 8): 3 4 6 7; [8, 13): 10 11 12
    assert metrics.submissions(snap, 1).counts == (4, 1)
    assert metrics.submissions(snap, 2).counts == (0, 2)
    assert metrics.submissions(snap, 1, dt.timedelta(minutes=1)).counts[:2] == (1, 1)
    assert total.label(1) == "10:08"


def test_the_svg_chart_is_well_formed_with_a_bar_per_bucket(snap: Snapshot) -> None:
    root = ElementTree.fromstring(charts.svg_chart(metrics.submissions(snap)))
    rects = root.findall(f"{SVG}rect")
    assert len(rects) == 2
    heights = [float(r.get("height", 0)) for r in rects]
    assert heights[0] > heights[1] > 0


SVG = "{http://www.w3.org/2000/svg}"


def test_the_svg_chart_has_a_labelled_y_axis_and_says_what_it_shows(snap: Snapshot) -> None:
    """Mission control's chart had bars and a baseline only, and no words for a screen
    reader beyond its title."""
    root = ElementTree.fromstring(charts.svg_chart(metrics.submissions(snap)))  # (4, 3)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Ideas" in texts  # the y axis's title
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["0", "1", "2", "3", "4"]  # round counts, from 0 to the peak
    verticals = [line for line in root.iter(f"{SVG}line") if line.get("x1") == line.get("x2")]
    assert len(verticals) == 1  # the y axis itself
    assert "10:03" in texts and "10:08" in texts  # the first and last bar's times
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Ideas submitted per 5 minutes"
    assert desc.text == "7 ideas from 10:03 to 10:13 UTC; the most in one interval: 4, at 10:03."
    assert [r.findtext(f"{SVG}title") for r in root.iter(f"{SVG}rect")] == [
        "10:03: 4 ideas",
        "10:08: 3 ideas",
    ]


@pytest.mark.parametrize(
    ("language", "axis", "title"),
    [
        ("fr", "Idées", "Idées envoyées par tranche de 5 minutes"),
        ("es", "Ideas", "Ideas enviadas cada 5 minutos"),
        ("ar", "الأفكار", "الأفكار المرسلة كل 5 دقائق"),
    ],
)
def test_the_svg_chart_speaks_the_readers_language(
    snap: Snapshot, language: str, axis: str, title: str
) -> None:
    with i18n.using(language):
        root = ElementTree.fromstring(charts.svg_chart(metrics.submissions(snap)))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert axis in texts and root.findtext(f"{SVG}title") == title
    assert "10:13" in (root.findtext(f"{SVG}desc") or "")  # the span, in words


def test_an_empty_svg_chart_says_so() -> None:
    empty = metrics.Series(at(0), dt.timedelta(minutes=5), ())
    root = ElementTree.fromstring(charts.svg_chart(empty))
    assert root.findtext(f"{SVG}desc") == "No ideas yet."
    assert root.findall(f"{SVG}rect") == []


def test_the_png_chart_decodes() -> None:
    png = charts.png_chart([1, 3, 0, 2], width=40, height=20)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (40, 20)
    idat = png.index(b"IDAT")
    size = struct.unpack(">I", png[idat - 4 : idat])[0]
    raw = zlib.decompress(png[idat + 4 : idat + 4 + size])
    assert len(raw) == height * (1 + width * 3)
