"""Recommendations: promoted from themes and ideas with their votes, edited, ordered and
agreed; phones see the agreed ones only."""

from __future__ import annotations

import pytest
from sqlmodel import col

from facilitator.domain import moderation
from facilitator.domain import recommendations as recs
from facilitator.domain.board import SourceView, console_view
from facilitator.models import Recommendation, RecommendationSource
from tests.conftest import World
from tests.facilitation_support import (
    ONLY_FACILITATORS,
    Cases,
    Stage,
    ack,
    add_cluster,
    add_idea,
    dots,
    everything,
    go_to,
    member,
    opened,
    phone,
    promote,
    refused,
    refused_live,
    region,
    settle,
    stage,
)
from tests.support import database_rows, rows

NOT_ON_BOARD = "That theme or idea is not on the board any more."


@pytest.fixture
def s(world: World) -> Stage:
    return stage(world)


def order(world: World, s: Stage) -> list[int]:
    found = rows(world, Recommendation, Recommendation.group_id == s.group.id)
    return [r.id for r in sorted(found, key=lambda r: (r.position, r.id)) if r.id is not None]


def test_recommendations_from_promotion_to_agreement(world: World, s: Stage) -> None:
    person, voter = phone(world, s.group)
    inside = add_idea(world, voter, s.group, "Regional CERT twinning")
    single = add_idea(world, voter, s.group, "Judges need cyber training")
    theme = add_cluster(world, s.organiser, s.group, "CERT cooperation", inside)
    go_to(world, s.organiser, s.group, "vote")
    dots(world, voter, s.group, "cluster", theme, 3)
    dots(world, voter, s.group, "idea", single, 2)
    go_to(world, s.organiser, s.group, "recommend")

    with opened(s.console(), s.group, "facilitator") as f, opened(person, s.group) as p:
        first = ack(
            f,
            "promote",
            source="cluster",
            source_id=theme,
            title="Twin every CERT",
            text="Each national CERT twins with two regional ones.",
            rationale="Most dots",
        )["recommendation_id"]
        second = ack(f, "promote", source="idea", source_id=single, title="Train judges")[
            "recommendation_id"
        ]
        settle(world, s.group, f, p)

        rec = world.read(lambda session: session.get(Recommendation, first))
        assert rec is not None
        assert (rec.title, rec.text, rec.rationale, rec.agreed, rec.created_by) == (
            "Twin every CERT",
            "Each national CERT twins with two regional ones.",
            "Most dots",
            False,
            s.organiser.id,
        )
        links = rows(world, RecommendationSource)
        assert sorted((x.recommendation_id, x.target, x.target_id) for x in links) == sorted(
            [(first, "cluster", theme), (second, "idea", single)]
        )
        board = world.run(console_view, world.db, s.organiser, s.group.id)
        assert [(r.id, r.sources) for r in board.recommendations] == [
            (first, [SourceView("cluster", theme, "CERT cooperation", 3)]),
            (second, [SourceView("idea", single, "Judges need cyber training", 2)]),
        ]
        shown = region(f, "recommendations")
        assert "CERT cooperation</bdi> (3 dots)" in shown
        assert "Judges need cyber training</bdi> (2 dots)" in shown
        # Not agreed yet: no phone has heard of either.
        assert "Twin every CERT" not in everything(p) and "Train judges" not in everything(p)

        ack(
            f,
            "edit_recommendation",
            recommendation_id=first,
            title="Twin each CERT",
            text="Two regional partners each.",
            rationale="3 dots; no objection",
        )
        rec = world.read(lambda session: session.get(Recommendation, first))
        assert rec is not None
        assert (rec.title, rec.text, rec.rationale) == (
            "Twin each CERT",
            "Two regional partners each.",
            "3 dots; no objection",
        )

        assert order(world, s) == [first, second]
        ack(f, "move_recommendation", recommendation_id=second, direction="up")
        assert order(world, s) == [second, first]
        before = database_rows(world)
        ack(f, "move_recommendation", recommendation_id=second, direction="up")  # already first
        assert database_rows(world) == before
        ack(f, "move_recommendation", recommendation_id=second, direction="down")
        assert order(world, s) == [first, second]

        ack(f, "agree", recommendation_id=first, agreed="1")
        settle(world, s.group, f, p)
        body = region(p, "board-body")
        assert "Agreed recommendations" in body and "Twin each CERT" in body
        assert "Two regional partners each." in body
        assert "Train judges" not in everything(p)
        assert 'class="badge">Agreed' in region(f, "recommendations")

        ack(f, "agree", recommendation_id=first, agreed="0")
        settle(world, s.group, f, p)
        assert "Twin each CERT" not in region(p, "board-body")

        ack(f, "delete_recommendation", recommendation_id=second)
        settle(world, s.group, f, p)
        assert order(world, s) == [first]
        assert [x.recommendation_id for x in rows(world, RecommendationSource)] == [first]
        assert f'id="rec-{second}"' not in region(f, "recommendations")


def test_recommendations_are_for_the_groups_facilitators(world: World, s: Stage) -> None:
    person, who = phone(world, s.group)
    idea_id = add_idea(world, who, s.group, "Promote me")
    rec_id = promote(world, s.organiser, s.group, "idea", idea_id, "A title")
    with opened(person, s.group) as p:
        cases: Cases = [
            ("promote", {"source": "idea", "source_id": idea_id, "title": "Mine"}),
            ("edit_recommendation", {"recommendation_id": rec_id, "title": "Changed"}),
            ("agree", {"recommendation_id": rec_id, "agreed": "1"}),
            ("move_recommendation", {"recommendation_id": rec_id, "direction": "up"}),
            ("delete_recommendation", {"recommendation_id": rec_id}),
        ]
        for kind, fields in cases:
            assert refused_live(world, p, ONLY_FACILITATORS, kind, **fields)["status"] == 403

    lead_of_other = s.facilitator_of(s.other, "bo@example.org", "Bo")
    draft = recs.check_draft("Theirs", "", "")
    db = world.db
    refused(
        world,
        ONLY_FACILITATORS,
        recs.promote,
        db,
        lead_of_other,
        s.group.id,
        "idea",
        idea_id,
        draft,
    )
    refused(world, ONLY_FACILITATORS, recs.edit, db, lead_of_other, rec_id, draft)
    refused(world, ONLY_FACILITATORS, recs.set_agreed, db, lead_of_other, rec_id, True)
    refused(world, ONLY_FACILITATORS, recs.move, db, lead_of_other, rec_id, "down")
    refused(world, ONLY_FACILITATORS, recs.delete, db, lead_of_other, rec_id)


def test_what_cannot_be_promoted_or_changed(world: World, s: Stage) -> None:
    who = member(world, s.group)
    hidden, merged, kept = (add_idea(world, who, s.group, t) for t in ("Hid", "Dup", "Kept"))
    theirs = add_cluster(world, s.organiser, s.other, "Their theme")
    world.run(moderation.hide_idea, world.db, s.organiser, hidden, "")
    world.run(moderation.merge_ideas, world.db, s.organiser, merged, kept)
    draft = recs.check_draft("Title", "", "")
    db, lead, gid = world.db, s.organiser, s.group.id

    refused(world, NOT_ON_BOARD, recs.promote, db, lead, gid, "idea", hidden, draft)
    refused(world, NOT_ON_BOARD, recs.promote, db, lead, gid, "idea", merged, draft)
    refused(world, NOT_ON_BOARD, recs.promote, db, lead, gid, "cluster", theirs, draft)
    refused(world, NOT_ON_BOARD, recs.promote, db, lead, gid, "cluster", 10**9, draft)
    refused(world, "Promote a theme or an idea.", recs.promote, db, lead, gid, "vote", kept, draft)

    rec_id = world.run(recs.promote, db, lead, gid, "idea", kept, draft)
    refused(world, "Move it up or down.", recs.move, db, lead, rec_id, "sideways")
    world.run(recs.delete, db, lead, rec_id)
    gone = "That recommendation no longer exists."
    refused(world, gone, recs.edit, db, lead, rec_id, draft)
    refused(world, gone, recs.set_agreed, db, lead, rec_id, True)
    refused(world, gone, recs.move, db, lead, rec_id, "up")
    refused(world, gone, recs.delete, db, lead, rec_id)

    with opened(s.console(), s.group, "facilitator") as f:
        refused_live(
            world,
            f,
            "Please write something first.",
            "promote",
            source="idea",
            source_id=kept,
            title="  ",
        )
        refused_live(world, f, "Which recommendation? That message names none.", "agree")
        refused_live(
            world,
            f,
            "That message is missing a number (source_id).",
            "promote",
            source="idea",
            title="T",
        )
    assert rows(world, Recommendation, col(Recommendation.id) > 0) == []
