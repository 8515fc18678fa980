"""Themes: made, renamed, deleted and filled by facilitators while phones watch; stale and
concurrent moves end with every screen showing what the database holds."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col

from facilitator.domain import clusters, moderation
from facilitator.models import Cluster, Idea, Vote
from tests.conftest import World
from tests.facilitation_support import (
    ONLY_FACILITATORS,
    Cases,
    Stage,
    ack,
    add_cluster,
    add_idea,
    answer_to,
    card_cluster,
    dots,
    go_to,
    head,
    idea_row,
    member,
    new_key,
    opened,
    phone,
    refused,
    refused_live,
    region,
    settle,
    stage,
)
from tests.support import database_rows, rows

GONE = "That theme no longer exists; someone may have deleted it."
MOVED_MEANWHILE = "Someone else moved that idea meanwhile; your screen now shows it."


@pytest.fixture
def s(world: World) -> Stage:
    return stage(world)


def theme_on_phone(board_body: str, cluster_id: int) -> str:
    """A theme's markup on a phone's board (empty when the phone does not show it)."""
    match = re.search(rf'<li id="theme-{cluster_id}".*?</ul>\s*</li>', board_body, re.S)
    return match.group(0) if match else ""


def order_in(world: World, cluster_id: int | None) -> list[int]:
    found = rows(world, Idea, Idea.cluster_id == cluster_id)
    return [i.id for i in sorted(found, key=lambda i: i.position) if i.id is not None]


def test_themes_form_while_phones_watch(world: World, s: Stage) -> None:
    person, who = phone(world, s.group)
    first = add_idea(world, who, s.group, "Fund the CERT")
    second = add_idea(world, who, s.group, "Train the judges")
    go_to(world, s.organiser, s.group, "cluster")
    with opened(s.console(), s.group, "facilitator") as f, opened(person, s.group) as p:
        money = ack(f, "create_cluster", name="Money")["cluster_id"]
        ack(f, "move", idea_id=first, to=money, **{"from": ""})
        people = ack(f, "create_cluster", name="People", idea_id=second)["cluster_id"]
        ack(f, "rename_cluster", cluster_id=money, name="Funding")
        settle(world, s.group, f, p)

        theme = theme_on_phone(region(p, "board-body"), money)
        assert "Funding" in theme and "Fund the CERT" in theme
        assert "Train the judges" in theme_on_phone(region(p, "board-body"), people)
        assert card_cluster(region(f, "workspace"), first) == money
        assert card_cluster(region(f, "workspace"), second) == people
        assert (idea_row(world, first).cluster_id, idea_row(world, second).cluster_id) == (
            money,
            people,
        )

        ack(f, "delete_cluster", cluster_id=money)
        settle(world, s.group, f, p)
        assert theme_on_phone(region(p, "board-body"), money) == ""
        assert f'id="theme-idea-{first}"' in region(p, "board-body")
        assert card_cluster(region(f, "workspace"), first) is None
        assert idea_row(world, first).cluster_id is None
        assert rows(world, Cluster, Cluster.id == money) == []


def test_a_move_places_the_idea_where_it_was_dropped(world: World, s: Stage) -> None:
    who = member(world, s.group)
    a, b, c = (add_idea(world, who, s.group, f"Idea {n}") for n in "abc")
    theme = add_cluster(world, s.organiser, s.group, "Theme", a, b)
    assert order_in(world, theme) == [a, b]
    world.run(clusters.move_idea, world.db, s.organiser, c, theme, None, 0)
    assert order_in(world, theme) == [c, a, b]
    world.run(clusters.move_idea, world.db, s.organiser, c, theme, theme, 99)
    assert order_in(world, theme) == [a, b, c]
    world.run(clusters.move_idea, world.db, s.organiser, a, None, theme)
    assert order_in(world, theme) == [b, c] and order_in(world, None) == [a]


def test_a_move_into_a_deleted_theme_is_refused(world: World, s: Stage) -> None:
    idea_id = add_idea(world, s.organiser, s.group, "Homeless idea")
    theme = add_cluster(world, s.organiser, s.group, "Soon gone")
    world.run(clusters.delete_cluster, world.db, s.organiser, theme)
    with opened(s.console(), s.group, "facilitator") as f:
        answer = refused_live(world, f, GONE, "move", idea_id=idea_id, to=theme, **{"from": ""})
        assert answer["status"] == 404
        refused_live(world, f, GONE, "rename_cluster", cluster_id=theme, name="Back")
        refused_live(world, f, GONE, "delete_cluster", cluster_id=theme)
        refused_live(world, f, "Which theme? That message names none.", "rename_cluster")


def test_a_stale_move_is_refused_but_the_same_move_is_not(world: World, s: Stage) -> None:
    idea_id = add_idea(world, s.organiser, s.group, "Wanderer")
    here, there = (add_cluster(world, s.organiser, s.group, n) for n in ("Here", "There"))
    world.run(clusters.move_idea, world.db, s.organiser, idea_id, here, None)

    move = clusters.move_idea
    error = refused(world, MOVED_MEANWHILE, move, world.db, s.organiser, idea_id, there, None)
    assert error.status == 409
    # Someone else made the very move first: nothing to do, and nothing is logged.
    before = database_rows(world)
    world.run(move, world.db, s.organiser, idea_id, here, None)
    assert database_rows(world) == before


def test_themes_belong_to_their_group(world: World, s: Stage) -> None:
    person, who = phone(world, s.group)
    idea_id = add_idea(world, who, s.group, "Ours")
    ours = add_cluster(world, s.organiser, s.group, "Our theme")
    theirs = add_cluster(world, s.organiser, s.other, "Their theme")
    db = world.db

    refused(
        world,
        "That theme belongs to another group.",
        clusters.move_idea,
        db,
        s.organiser,
        idea_id,
        theirs,
    )

    lead_of_other = s.facilitator_of(s.other, "bo@example.org", "Bo")
    refused(world, ONLY_FACILITATORS, clusters.move_idea, db, lead_of_other, idea_id, theirs)
    refused(world, ONLY_FACILITATORS, clusters.rename_cluster, db, lead_of_other, ours, "Mine")
    refused(world, ONLY_FACILITATORS, clusters.delete_cluster, db, lead_of_other, ours)
    refused(world, ONLY_FACILITATORS, clusters.create_cluster, db, lead_of_other, s.group.id, "X")

    with opened(person, s.group) as p:
        cases: Cases = [
            ("create_cluster", {"name": "Phone theme"}),
            ("rename_cluster", {"cluster_id": ours, "name": "Renamed"}),
            ("delete_cluster", {"cluster_id": ours}),
            ("move", {"idea_id": idea_id, "to": ours, "from": ""}),
            ("accept_suggestions", {"suggestions": [{"name": "S", "ideas": [idea_id]}]}),
        ]
        for kind, fields in cases:
            assert refused_live(world, p, ONLY_FACILITATORS, kind, **fields)["status"] == 403


def test_names_and_merged_ideas(world: World, s: Stage) -> None:
    db, lead = world.db, s.organiser
    refused(
        world, "Please write something first.", clusters.create_cluster, db, lead, s.group.id, " "
    )
    refused(
        world,
        "That is 121 characters; the limit is 120.",
        clusters.create_cluster,
        db,
        lead,
        s.group.id,
        "x" * 121,
    )
    a, b = (add_idea(world, lead, s.group, f"Twin {n}") for n in "ab")
    theme = add_cluster(world, lead, s.group, "Twins")
    world.run(moderation.merge_ideas, db, lead, a, b)
    refused(
        world,
        "That idea was merged into another one meanwhile.",
        clusters.move_idea,
        db,
        lead,
        a,
        theme,
    )


def test_deleting_a_theme_returns_its_ideas_and_drops_its_dots(world: World, s: Stage) -> None:
    voter = member(world, s.group)
    idea_id = add_idea(world, voter, s.group, "Inside")
    theme = add_cluster(world, s.organiser, s.group, "Doomed", idea_id)
    kept = add_cluster(world, s.organiser, s.group, "Kept")
    go_to(world, s.organiser, s.group, "vote")
    dots(world, voter, s.group, "cluster", theme, 2)
    dots(world, voter, s.group, "cluster", kept, 1)
    world.run(clusters.delete_cluster, world.db, s.organiser, theme)
    assert idea_row(world, idea_id).cluster_id is None
    assert [(v.target, v.target_id) for v in rows(world, Vote)] == [("cluster", kept)]


def test_two_facilitators_moving_one_idea_at_once_end_consistent(world: World, s: Stage) -> None:
    idea_id = add_idea(world, s.organiser, s.group, "Contested")
    left, right = (add_cluster(world, s.organiser, s.group, n) for n in ("Left", "Right"))
    colleague = s.facilitator_of(s.group, "bo@example.org", "Bo")
    with (
        opened(s.console(), s.group, "facilitator") as one,
        opened(world.logged_in(colleague), s.group, "facilitator") as two,
    ):
        keys = new_key(), new_key()
        one.send({"type": "move", "key": keys[0], "idea_id": idea_id, "to": left, "from": None})
        two.send({"type": "move", "key": keys[1], "idea_id": idea_id, "to": right, "from": None})
        answers = [answer_to(one, keys[0]), answer_to(two, keys[1])]
        assert sorted(a["type"] for a in answers) == ["ack", "error"], answers
        (lost,) = [a for a in answers if a["type"] == "error"]
        assert lost["message"] == MOVED_MEANWHILE and lost["status"] == 409
        winner = left if answers[0]["type"] == "ack" else right

        settle(world, s.group, one, two)
        assert idea_row(world, idea_id).cluster_id == winner
        assert card_cluster(region(one, "workspace"), idea_id) == winner
        assert card_cluster(region(two, "workspace"), idea_id) == winner
        moves = rows(world, Idea, col(Idea.cluster_id).in_([left, right]))
        assert [i.id for i in moves] == [idea_id]
        assert one.seq == two.seq == head(world, s.group)


def test_accepting_suggested_themes(world: World, s: Stage) -> None:
    who = member(world, s.group)
    a, b, c, d = (add_idea(world, who, s.group, f"Idea {n}") for n in "abcd")
    placed = add_cluster(world, s.organiser, s.group, "Already", d)
    with opened(s.console(), s.group, "facilitator") as f:
        made = ack(
            f,
            "accept_suggestions",
            suggestions=[
                {"name": "Pair", "ideas": [a, b, a]},
                {"name": "Rest", "ideas": [c, d]},
            ],
        )["clusters"]
        assert len(made) == 2
        names = {c.id: c.name for c in rows(world, Cluster, col(Cluster.id).in_(made))}
        assert sorted(names.values()) == ["Pair", "Rest"]
        pair, rest = sorted(made, key=lambda i: names[i])
        assert order_in(world, pair) == [a, b]
        assert order_in(world, rest) == [c]  # d stays where a facilitator put it
        assert idea_row(world, d).cluster_id == placed

        refused_live(
            world,
            f,
            "Those ideas were all placed meanwhile; ask for new suggestions.",
            "accept_suggestions",
            suggestions=[{"name": "Late", "ideas": [a, b]}],
        )
        refused_live(
            world,
            f,
            "Choose at least one suggestion to accept.",
            "accept_suggestions",
            suggestions=[],
        )
        refused_live(
            world,
            f,
            "That suggestion could not be read.",
            "accept_suggestions",
            suggestions=[{"name": "No ideas"}],
        )
        refused_live(
            world,
            f,
            "Choose at least one suggestion to accept.",
            "accept_suggestions",
            suggestions="everything",
        )


def test_a_new_theme_for_an_idea_that_cannot_move_is_not_made(world: World, s: Stage) -> None:
    """Making a theme to move an idea into is one command: refused, it leaves no theme."""
    duplicate, kept = (add_idea(world, s.organiser, s.group, t) for t in ("Dup", "Kept"))
    world.run(moderation.merge_ideas, world.db, s.organiser, duplicate, kept)
    with opened(s.console(), s.group, "facilitator") as f:
        refused_live(
            world,
            f,
            "That idea was merged into another one meanwhile.",
            "create_cluster",
            name="Theme for a ghost",
            idea_id=duplicate,
        )
    assert rows(world, Cluster) == []
