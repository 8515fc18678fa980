"""A phone's "+1 that instead of sending mine", offered by the duplicate hint: one per phone
per idea, recorded as an event, counted beside the idea for phones and facilitators, live
and after a reload."""

from __future__ import annotations

import re

import pytest

from facilitator.domain import support
from facilitator.models import Event, IdeaSupport
from tests.conftest import World
from tests.facilitation_support import (
    Stage,
    ack,
    add_idea,
    member,
    opened,
    phone,
    refused,
    refused_live,
    region,
    settle,
    stage,
)
from tests.support import rows


@pytest.fixture
def s(world: World) -> Stage:
    return stage(world)


def test_the_hint_offers_a_plus_one_that_is_counted_live_and_after_a_reload(
    world: World, s: Stage
) -> None:
    author = member(world, s.group)
    idea = add_idea(world, author, s.group, "More multi-year funding for CERT salaries")
    person, _ = phone(world, s.group)
    hint = person.get(f"/j/{s.group.code}/similar", params={"text": "multi-year CERT funding"})
    assert "+1 that instead of sending mine" in hint.text
    assert re.search(rf'name="idea_id" value="{idea}"', hint.text)
    console = s.console()
    with opened(person, s.group) as sock, opened(console, s.group, "facilitator") as staff:
        answer = ack(sock, "support", idea_id=idea)
        assert answer["support"] == 1
        # Both boards show it at once, from the event.
        assert "+1s: 1" in sock.until_type("patch")["ops"][0][2]
        assert any("+1s: 1" in op[2] for op in staff.until_type("patch")["ops"])
        # A second +1 from the same phone changes nothing.
        assert ack(sock, "support", idea_id=idea)["support"] == 1
    assert len(rows(world, IdeaSupport)) == 1
    assert "+1s: 1" in person.get(f"/j/{s.group.code}").text
    assert "+1s: 1" in console.get(f"/facilitator/groups/{s.group.id}").text
    assert len(rows(world, Event, Event.kind == "idea.supported")) == 1


def test_a_plus_one_without_javascript_is_the_same_command(world: World, s: Stage) -> None:
    author = member(world, s.group)
    idea = add_idea(world, author, s.group, "Pay CERT staff enough so they stay")
    person = world.phone(s.group.code)
    sent = person.post(f"/j/{s.group.code}/command", {"type": "support", "idea_id": str(idea)})
    assert sent.status_code == 303
    assert "+1s: 1" in person.get(sent.headers["location"]).text


def test_no_plus_one_to_ones_own_idea_another_groups_or_a_hidden_one(
    world: World, s: Stage
) -> None:
    person, who = phone(world, s.group)
    mine = add_idea(world, who, s.group, "My own idea about CERT salaries")
    hint = person.get(f"/j/{s.group.code}/similar", params={"text": "My own idea about CERT"})
    assert "My own idea" in hint.text and "+1 that instead" not in hint.text
    refused(
        world, "That idea is yours already.", support.support_idea, world.db, who, s.group.id, mine
    )
    elsewhere = add_idea(world, member(world, s.other), s.other, "Another group's idea")
    refused(
        world,
        "That idea is not on the board any more.",
        support.support_idea,
        world.db,
        who,
        s.group.id,
        elsewhere,
    )
    with opened(person, s.group) as sock:
        refused_live(
            world, sock, "That idea is not on the board any more.", "support", idea_id=99999
        )
        refused_live(world, sock, "Which idea?", "support")
    refused(
        world,
        "Only participants can add their +1 to an idea.",
        support.support_idea,
        world.db,
        s.organiser,
        s.group.id,
        mine,
    )


def test_merging_moves_the_plus_ones_to_the_idea_kept_once_per_phone_live_and_reloaded(
    world: World, s: Stage
) -> None:
    keeper, kept_by = phone(world, s.group)
    kept = add_idea(world, kept_by, s.group, "Fund the CERT properly")
    duplicate = add_idea(world, member(world, s.group), s.group, "More CERT money")
    both, twice = phone(world, s.group)  # +1s both: it counts once after the merge
    one = member(world, s.group)  # +1s the duplicate only: it moves
    for who, idea in ((twice, kept), (twice, duplicate), (one, duplicate), (kept_by, duplicate)):
        world.run(support.support_idea, world.db, who, s.group.id, idea)
    console = s.console()
    with opened(console, s.group, "facilitator") as f, opened(keeper, s.group) as p:
        ack(f, "merge", idea_id=duplicate, into=kept)
        settle(world, s.group, f, p)
        # The kept idea's author's +1 to the duplicate is not moved onto their own idea.
        assert f'id="idea-{kept}"' in region(p, "board-body")
        assert "+1s: 2" in region(p, "board-body") and "+1s: 3" not in region(p, "board-body")
        assert "+1s: 2" in region(f, "workspace")
    given = rows(world, IdeaSupport)
    assert sorted((g.idea_id, g.participant_id) for g in given) == sorted(
        [(kept, twice.id), (kept, one.id)]
    )
    assert "+1s: 2" in keeper.get(f"/j/{s.group.code}").text
    assert "+1s: 2" in both.get(f"/j/{s.group.code}").text
    reloaded = console.get(f"/facilitator/groups/{s.group.id}").text
    assert "+1s: 2" in reloaded and "+1s: 1" not in reloaded
