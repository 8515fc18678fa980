"""Dot voting: a budget per phone and a cap per item, on themes and unclustered ideas, only
while the group votes; each phone hears its own dots, and tallies only once revealed."""

from __future__ import annotations

from typing import Any

import pytest

from facilitator.domain import clusters, moderation, phases, votes
from facilitator.models import Vote
from tests.conftest import Socket, World
from tests.facilitation_support import (
    TALLY,
    Stage,
    ack,
    add_cluster,
    add_idea,
    dots,
    everything,
    go_to,
    group_row,
    member,
    opened,
    ops_since,
    phone,
    refused,
    refused_live,
    region,
    settle,
    stage,
)
from tests.support import rows

CLOSED = "Voting is not open right now."
CAP = "That is the most dots one item can take from you (3)."
SPENT = "You have used all your dots. Take one back to move it."


@pytest.fixture
def s(world: World) -> Stage:
    return stage(world)


def last_votes(sock: Socket) -> dict[str, Any]:
    frames = [f for f in sock.frames if f["type"] == "votes"]
    assert frames, "no votes frame"
    return frames[-1]


def test_a_phone_spends_its_dots_within_the_budget_and_the_cap(world: World, s: Stage) -> None:
    group = group_row(world, s.group)
    assert (group.vote_budget, group.vote_cap) == (5, 3)
    person, who = phone(world, s.group)
    inside = add_idea(world, who, s.group, "In a theme")
    single = add_idea(world, who, s.group, "On its own")
    theme = add_cluster(world, s.organiser, s.group, "A theme", inside)
    go_to(world, s.organiser, s.group, "vote")
    with opened(person, s.group) as p:
        assert last_votes(p) == {"type": "votes", "remaining": 5, "placed": {}}
        for n in (1, 2, 3):
            answer = ack(p, "vote", target="cluster", target_id=theme)
            assert answer["votes"] == {"remaining": 5 - n, "placed": {f"cluster-{theme}": n}}
        refused_live(world, p, CAP, "vote", target="cluster", target_id=theme)
        refused_live(
            world,
            p,
            "That idea is part of a theme: vote for the theme.",
            "vote",
            target="idea",
            target_id=inside,
        )
        ack(p, "vote", target="idea", target_id=single)
        ack(p, "vote", target="idea", target_id=single)
        refused_live(world, p, SPENT, "vote", target="idea", target_id=single)
        settle(world, s.group, p)
        assert last_votes(p) == {
            "type": "votes",
            "remaining": 0,
            "placed": {f"cluster-{theme}": 3, f"idea-{single}": 2},
        }

        # Undo: a dot comes back and can go elsewhere.
        answer = ack(p, "unvote", target="cluster", target_id=theme)
        assert answer["votes"]["remaining"] == 1
        settle(world, s.group, p)
        assert last_votes(p)["placed"] == {f"cluster-{theme}": 2, f"idea-{single}": 2}
        refused_live(
            world,
            p,
            "You have no dot there to take back.",
            "unvote",
            target="idea",
            target_id=inside,
        )
    assert len(rows(world, Vote)) == 4


def test_voting_is_open_only_in_the_vote_phase(world: World, s: Stage) -> None:
    voter = member(world, s.group)
    idea_id = add_idea(world, voter, s.group, "Worth a dot")
    db = world.db
    refused(world, CLOSED, votes.cast_vote, db, voter, s.group.id, "idea", idea_id)
    go_to(world, s.organiser, s.group, "vote")
    dots(world, voter, s.group, "idea", idea_id, 1)
    for phase in ("recommend", "cluster", "closed"):
        go_to(world, s.organiser, s.group, phase)
        refused(world, CLOSED, votes.cast_vote, db, voter, s.group.id, "idea", idea_id)
        refused(world, CLOSED, votes.retract_vote, db, voter, s.group.id, "idea", idea_id)


def test_dots_go_only_on_what_this_phone_may_vote_for(world: World, s: Stage) -> None:
    voter, stranger = member(world, s.group), member(world, s.other)
    hidden = add_idea(world, voter, s.group, "Hidden away")
    theirs_idea = add_idea(world, stranger, s.other, "Their idea")
    theirs_theme = add_cluster(world, s.organiser, s.other, "Their theme")
    ours = add_idea(world, voter, s.group, "Ours")
    world.run(moderation.hide_idea, world.db, s.organiser, hidden, "off topic")
    for group in (s.group, s.other):
        go_to(world, s.organiser, group, "vote")
    cast, db, gid = votes.cast_vote, world.db, s.group.id

    refused(world, "Only participants vote.", cast, db, s.organiser, gid, "idea", ours)
    refused(world, "Vote for a theme or an idea.", cast, db, voter, gid, "person", ours)
    refused(world, "Vote for a theme or an idea.", votes.retract_vote, db, voter, gid, "x", ours)
    refused(world, "That theme no longer exists.", cast, db, voter, gid, "cluster", theirs_theme)
    gone = "That idea is not on the board any more."
    refused(world, gone, cast, db, voter, gid, "idea", theirs_idea)
    refused(world, gone, cast, db, voter, gid, "idea", hidden)
    refused(
        world,
        "You can only take part in the group you joined.",
        cast,
        db,
        stranger,
        gid,
        "idea",
        ours,
    )


def test_tallies_reach_phones_only_once_revealed(world: World, s: Stage) -> None:
    voter_phone, voter = phone(world, s.group)
    watcher_phone, _ = phone(world, s.group)
    idea_id = add_idea(world, voter, s.group, "Tallied idea")
    theme = add_cluster(world, s.organiser, s.group, "Tallied theme")
    go_to(world, s.organiser, s.group, "vote")
    with (
        opened(s.console(), s.group, "facilitator") as f,
        opened(voter_phone, s.group) as v,
        opened(watcher_phone, s.group) as w,
    ):
        ack(v, "vote", target="cluster", target_id=theme)
        ack(v, "vote", target="cluster", target_id=theme)
        ack(v, "vote", target="idea", target_id=idea_id)
        settle(world, s.group, f, v, w)
        # The facilitators watch the tallies move...
        assert f'id="tally-cluster-{theme}">2 dots' in region(f, f"tally-cluster-{theme}")
        assert f'id="tally-idea-{idea_id}">1 dot<' in region(f, f"tally-idea-{idea_id}")
        assert TALLY.search(everything(f))
        # ...phones see no tally at all.
        for sock in (v, w):
            assert not TALLY.search(everything(sock)), "a tally reached a phone"

        ack(f, "reveal", what="votes", shown="1")
        settle(world, s.group, f, v, w)
        for sock in (v, w):
            body = region(sock, "board-body")
            assert f'id="tally-cluster-{theme}">2 dots' in body
            assert f'id="tally-idea-{idea_id}">1 dot<' in body
        ack(v, "vote", target="cluster", target_id=theme)
        settle(world, s.group, f, v, w)
        assert f'id="tally-cluster-{theme}">3 dots' in region(w, f"tally-cluster-{theme}")

        mark = len(w.frames)
        ack(f, "reveal", what="votes", shown="0")
        ack(v, "unvote", target="cluster", target_id=theme)
        settle(world, s.group, f, v, w)
        assert not TALLY.search(everything(w, mark)), "a tally reached a phone after hiding"


def test_a_deleted_theme_gives_its_dots_back_and_the_phone_is_told(world: World, s: Stage) -> None:
    person, voter = phone(world, s.group)
    theme = add_cluster(world, s.organiser, s.group, "Short-lived")
    add_idea(world, voter, s.group, "Keeps the board busy")
    go_to(world, s.organiser, s.group, "vote")
    with opened(person, s.group) as p:
        ack(p, "vote", target="cluster", target_id=theme)
        ack(p, "vote", target="cluster", target_id=theme)
        settle(world, s.group, p)
        assert last_votes(p)["remaining"] == 3
        world.run(clusters.delete_cluster, world.db, s.organiser, theme)
        settle(world, s.group, p)
        assert world.run(votes.my_votes, world.db, voter, s.group.id).remaining == 5
        # The phone's "dots left" must not stay at 3 when the server gave both back.
        assert last_votes(p) == {"type": "votes", "remaining": 5, "placed": {}}


def test_settings_bound_the_budget_and_the_cap(world: World, s: Stage) -> None:
    voter = member(world, s.group)
    idea_id = add_idea(world, voter, s.group, "Only one")
    new = phases.check_settings(False, False, 2, 1, False)
    world.run(phases.update_settings, world.db, s.organiser, s.group.id, new)
    go_to(world, s.organiser, s.group, "vote")
    dots(world, voter, s.group, "idea", idea_id, 1)
    cast, db = votes.cast_vote, world.db
    refused(
        world,
        "That is the most dots one item can take from you (1).",
        cast,
        db,
        voter,
        s.group.id,
        "idea",
        idea_id,
    )
    assert world.run(votes.my_votes, db, voter, s.group.id).remaining == 1


def test_an_idea_a_facilitator_adds_while_voting_reaches_phones_to_vote_on(
    world: World, s: Stage
) -> None:
    person, _ = phone(world, s.group)
    go_to(world, s.organiser, s.group, "vote")
    with opened(person, s.group) as p:
        mark = len(p.frames)
        late = add_idea(world, s.organiser, s.group, "Said aloud, noted late")
        settle(world, s.group, p)
        # The phone must get the idea somewhere its vote-phase board has a place for it:
        # a board with the idea's vote box, or an upsert into an element that board has.
        body = region(p, "board-body")
        ops = ops_since(p, mark)
        assert any(
            (target == "board-body" and f'data-item="idea-{late}"' in html)
            or (op == "upsert" and f'id="idea-{late}"' in html and f'id="{target}"' in body)
            for op, target, html in ops
        ), ops


def test_a_phone_that_joins_during_the_vote_is_counted_at_once_live_and_reloaded(
    world: World, s: Stage
) -> None:
    """It was counted in "N of M phones have voted" only once someone's next dot came."""
    voter, who = phone(world, s.group)
    idea = add_idea(world, who, s.group, "Exercise the response plan every year")
    go_to(world, s.organiser, s.group, "vote")
    dots(world, who, s.group, "idea", idea, 1)
    console = s.console()
    screen = s.console()
    with (
        opened(console, s.group, "facilitator") as f,
        opened(voter, s.group) as p,
        opened(screen, s.group, "projector") as big,
    ):
        settle(world, s.group, f, p, big)
        assert "1 of 1 phones has voted" in region(f, "results")
        late = world.phone(s.group.code)  # joins now, and places no dot
        settle(world, s.group, f, p, big)
        for sock, name in ((f, "results"), (p, "results"), (big, "board-body")):
            assert "1 of 2 phones has voted" in region(sock, name), name
    page = f"/facilitator/groups/{s.group.id}"
    assert "1 of 2 phones has voted" in console.get(page).text
    assert "1 of 2 phones has voted" in console.get(page + "/projector").text
    assert "1 of 2 phones has voted" in late.get(f"/j/{s.group.code}").text
    table = console.get(f"/organiser/workshops/{s.workshop.id}/control/table").text
    assert "1 of 2 phones has voted" in table
    # Moving to the other group takes it off this group's count, live as well.
    with opened(console, s.group, "facilitator") as f:
        late.get(f"/j/{s.other.code}")
        settle(world, s.group, f)
        assert "1 of 1 phones has voted" in region(f, "results")
    assert "1 of 1 phones has voted" in console.get(page).text
