"""Moderation: private writing, approval before phones see an idea, hiding with a reason,
editing with a note, merging duplicates; each author is told what happened to their idea."""

from __future__ import annotations

import pytest
from sqlmodel import col

from facilitator.domain import ideas, moderation, phases
from facilitator.domain.board import console_view
from facilitator.models import IdeaRevision, Vote
from tests.conftest import Socket, World
from tests.facilitation_support import (
    LIMIT,
    ONLY_FACILITATORS,
    Cases,
    Stage,
    ack,
    add_idea,
    dots,
    everything,
    go_to,
    idea_row,
    member,
    new_key,
    opened,
    ops_since,
    own_frames,
    phone,
    queue_card,
    refused,
    refused_live,
    region,
    settle,
    stage,
)
from tests.support import rows

SET_ASIDE = "A facilitator has set this idea aside, so it cannot be changed now."


@pytest.fixture
def s(world: World) -> Stage:
    return stage(world)


def settings(world: World, s: Stage, *, private: bool = False, premoderation: bool = False) -> None:
    new = phases.check_settings(private, premoderation, 5, 3, False)
    world.run(phases.update_settings, world.db, s.organiser, s.group.id, new)


def own_says(sock: Socket, idea_id: int, since: int = 0) -> str:
    """The last "own" frame about this idea that upserts its status, as text."""
    about = [f for f in own_frames(sock, since) if f"own-{idea_id}" in str(f["ops"])]
    assert about, f"no own frame about idea {idea_id}"
    return "\n".join(html for _op, _target, html in about[-1]["ops"])


def test_private_ideas_reach_no_other_phone_until_revealed(world: World, s: Stage) -> None:
    settings(world, s, private=True)
    author, _ = phone(world, s.group)
    neighbour, _ = phone(world, s.group)
    with opened(author, s.group) as a, opened(neighbour, s.group) as b:
        start = len(b.frames)
        idea_id = ack(a, "submit", key=new_key(), text="Quietly fund the CERT")["idea_id"]
        settle(world, s.group, a, b)

        assert "Only you and the facilitators see it" in own_says(a, idea_id)
        assert "Quietly fund the CERT" not in everything(b, start)
        assert idea_id not in b.ideas
        assert "Quietly fund the CERT" not in neighbour.get(f"/j/{s.group.code}").text
        board = world.run(console_view, world.db, s.organiser, s.group.id)
        assert [i.text for i in board.unclustered] == ["Quietly fund the CERT"]

        world.run(phases.reveal, world.db, s.organiser, s.group.id, "ideas", True)
        settle(world, s.group, a, b)
        assert f'id="idea-{idea_id}"' in region(b, "board-body")
        assert "Quietly fund the CERT" in region(b, "board-body")

        # Once revealed, new ideas travel to every phone at once.
        later = ack(a, "submit", key=new_key(), text="Openly train judges")["idea_id"]
        settle(world, s.group, a, b)
        assert b.ideas[later] == "Openly train judges"


def test_premoderated_ideas_wait_for_approval(world: World, s: Stage) -> None:
    settings(world, s, premoderation=True)
    author, _ = phone(world, s.group)
    neighbour, _ = phone(world, s.group)
    with (
        opened(s.console(), s.group, "facilitator") as f,
        opened(author, s.group) as a,
        opened(neighbour, s.group) as b,
    ):
        start = len(b.frames)
        first = ack(a, "submit", key=new_key(), text="Approve me please")["idea_id"]
        second = ack(a, "submit", key=new_key(), text="Spam spam spam")["idea_id"]
        settle(world, s.group, f, a, b)
        assert "Waiting for the facilitator's approval" in own_says(a, first)
        assert queue_card(region(f, "workspace"), "Approve me please") is not None
        assert "Approve me please" not in everything(b, start)
        assert idea_row(world, first).status == "pending"

        ack(f, "restore", idea_id=first)
        ack(f, "hide", idea_id=second, reason="Not approved")
        settle(world, s.group, f, a, b)
        assert idea_row(world, first).status == "visible"
        assert "Approve me please" in region(b, "board-body")
        approved = [f for f in own_frames(a) if ["remove", f"own-{first}", ""] in f["ops"]]
        assert approved and approved[-1]["mine"] == [first]
        assert "Hidden by the facilitator" in own_says(a, second)
        assert "Not approved" in own_says(a, second)
        assert "Spam spam spam" not in everything(b, start)


def test_hiding_tells_the_author_why_and_takes_the_idea_off_phones(world: World, s: Stage) -> None:
    author, who = phone(world, s.group)
    neighbour, _ = phone(world, s.group)
    idea_id = add_idea(world, who, s.group, "Name and shame the vendor")
    with (
        opened(s.console(), s.group, "facilitator") as f,
        opened(author, s.group) as a,
        opened(neighbour, s.group) as b,
    ):
        assert idea_id in b.ideas
        mark = len(b.frames)
        ack(f, "hide", idea_id=idea_id, reason="Please no names")
        settle(world, s.group, f, a, b)
        says = own_says(a, idea_id)
        assert "Hidden by the facilitator" in says and "Please no names" in says
        assert f'id="idea-{idea_id}"' not in region(b, "board-body")
        assert "Name and shame" not in everything(b, mark)
        row = idea_row(world, idea_id)
        assert (row.status, row.hidden_reason) == ("hidden", "Please no names")
        assert "Please no names" in region(f, "workspace")  # the hidden list keeps it

        refused_live(world, a, SET_ASIDE, "edit", idea_id=idea_id, text="Name no one")
        refused_live(world, a, SET_ASIDE, "withdraw", idea_id=idea_id)

        ack(f, "restore", idea_id=idea_id)
        settle(world, s.group, f, a, b)
        assert f'id="idea-{idea_id}"' in region(b, "board-body")
        assert idea_row(world, idea_id).hidden_reason == ""


def test_a_facilitator_edit_keeps_the_old_text_and_the_note(world: World, s: Stage) -> None:
    author, who = phone(world, s.group)
    idea_id = add_idea(world, who, s.group, "Fund teh CERT")
    with opened(s.console(), s.group, "facilitator") as f, opened(author, s.group) as a:
        ack(f, "moderate_edit", idea_id=idea_id, text="Fund the CERT", note="typo")
        settle(world, s.group, f, a)
        body = region(a, "board-body")
        assert "Fund the CERT" in body and "edited by facilitator" in body
        assert "edited by facilitator" in region(f, "workspace")

        (revision,) = rows(world, IdeaRevision, IdeaRevision.idea_id == idea_id)
        assert (revision.text, revision.note) == ("Fund teh CERT", "typo")
        assert revision.edited_by == f"user:{s.organiser.id}"
        row = idea_row(world, idea_id)
        assert (row.text, row.edited_by_facilitator) == ("Fund the CERT", True)

        # The same edit again is no new revision.
        ack(f, "moderate_edit", idea_id=idea_id, text="Fund the CERT", note="again")
        assert len(rows(world, IdeaRevision, IdeaRevision.idea_id == idea_id)) == 1
        refused_live(
            world, f, "Please write something first.", "moderate_edit", idea_id=idea_id, text=" "
        )


def test_merging_carries_the_votes_and_takes_the_duplicate_off_phones(
    world: World, s: Stage
) -> None:
    author, who = phone(world, s.group)
    voter = member(world, s.group)
    duplicate = add_idea(world, who, s.group, "More CERT money")
    kept = add_idea(world, s.organiser, s.group, "Fund the CERT properly")
    go_to(world, s.organiser, s.group, "vote")
    dots(world, voter, s.group, "idea", duplicate, 2)
    dots(world, voter, s.group, "idea", kept, 1)
    with opened(s.console(), s.group, "facilitator") as f, opened(author, s.group) as a:
        ack(f, "merge", idea_id=duplicate, into=kept)
        settle(world, s.group, f, a)

        moved = rows(world, Vote, col(Vote.target_id).in_([duplicate, kept]))
        assert sorted((v.target, v.target_id) for v in moved) == [("idea", kept)] * 3
        row = idea_row(world, duplicate)
        assert (row.status, row.merged_into) == ("merged", kept)

        body = region(a, "board-body")
        assert "More CERT money" not in body and "Fund the CERT properly" in body
        assert "Merged with a similar idea" in own_says(a, duplicate)
        board = world.run(console_view, world.db, s.organiser, s.group.id)
        assert [m.id for m in board.merged[kept]] == [duplicate]
        assert board.tally("idea", kept) == 3
        assert duplicate not in [i.id for i in board.ideas]
        workspace = region(f, "workspace")
        assert "1 merged in" in workspace and f'id="tally-idea-{kept}">3 dots' in workspace

        # Merging it again into the same idea changes nothing.
        ack(f, "merge", idea_id=duplicate, into=kept)


def test_moderation_is_for_the_groups_facilitators_only(world: World, s: Stage) -> None:
    person, who = phone(world, s.group)
    idea_id = add_idea(world, who, s.group, "Mine to keep")
    other = add_idea(world, s.organiser, s.group, "Another one")
    with opened(person, s.group) as p:
        cases: Cases = [
            ("hide", {"idea_id": idea_id, "reason": "mine"}),
            ("restore", {"idea_id": idea_id}),
            ("moderate_edit", {"idea_id": idea_id, "text": "Better", "note": ""}),
            ("merge", {"idea_id": idea_id, "into": other}),
        ]
        for kind, fields in cases:
            assert refused_live(world, p, ONLY_FACILITATORS, kind, **fields)["status"] == 403

    lead_of_other = s.facilitator_of(s.other, "bo@example.org", "Bo")
    db = world.db
    refused(world, ONLY_FACILITATORS, moderation.hide_idea, db, lead_of_other, idea_id, "x")
    refused(world, ONLY_FACILITATORS, moderation.restore_idea, db, lead_of_other, idea_id)
    refused(
        world, ONLY_FACILITATORS, moderation.edit_idea, db, lead_of_other, idea_id, "y", "", LIMIT
    )
    refused(world, ONLY_FACILITATORS, moderation.merge_ideas, db, lead_of_other, idea_id, other)


def test_merges_that_cannot_be(world: World, s: Stage) -> None:
    who = member(world, s.group)
    a, b, c = (add_idea(world, who, s.group, f"Idea {n}") for n in "abc")
    elsewhere = add_idea(world, s.organiser, s.other, "In the other group")
    merge, db, lead = moderation.merge_ideas, world.db, s.organiser

    refused(world, "An idea cannot be merged into itself.", merge, db, lead, a, a)
    refused(world, "Only ideas of the same group can be merged.", merge, db, lead, a, elsewhere)
    refused(world, "That idea is not on the board any more.", merge, db, lead, a, 10**9)

    world.run(merge, db, lead, a, b)
    refused(world, "That idea was already merged meanwhile.", merge, db, lead, a, c)
    refused(world, "The idea to merge into was itself merged meanwhile.", merge, db, lead, c, a)
    refused(
        world,
        "That idea is merged into another; hide that one instead.",
        moderation.hide_idea,
        db,
        lead,
        a,
        "",
    )
    refused(world, "That idea is merged into another one.", moderation.restore_idea, db, lead, a)

    # Ideas merged into one that is merged later follow it: provenance stays one level deep.
    world.run(merge, db, lead, b, c)
    assert idea_row(world, a).merged_into == c


def test_a_withdrawn_idea_cannot_be_moderated(world: World, s: Stage) -> None:
    who = member(world, s.group)
    idea_id = add_idea(world, who, s.group, "Changed my mind")
    world.run(ideas.withdraw_own_idea, world.db, who, idea_id)
    gone = "That idea is not on the board any more."
    db, lead = world.db, s.organiser
    refused(world, gone, moderation.hide_idea, db, lead, idea_id, "")
    refused(world, gone, moderation.restore_idea, db, lead, idea_id)
    refused(world, gone, moderation.edit_idea, db, lead, idea_id, "New", "", LIMIT)


def test_a_withdrawn_pending_idea_leaves_the_approval_queue(world: World, s: Stage) -> None:
    settings(world, s, premoderation=True)
    author, _ = phone(world, s.group)
    with opened(s.console(), s.group, "facilitator") as f, opened(author, s.group) as a:
        idea_id = ack(a, "submit", key=new_key(), text="Second thoughts")["idea_id"]
        settle(world, s.group, f, a)
        card = queue_card(region(f, "workspace"), "Second thoughts")
        assert card
        mark = len(f.frames)
        ack(a, "withdraw", idea_id=idea_id)
        settle(world, s.group, f, a)
        assert idea_row(world, idea_id).status == "withdrawn"
        # The console must drop the card from its queue: by removing that very card, or by
        # a new workspace without it.
        ops = ops_since(f, mark)
        assert any(
            (op == "remove" and target == card)
            or (target == "workspace" and queue_card(html, "Second thoughts") is None)
            for op, target, html in ops
        ), ops
