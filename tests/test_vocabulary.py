"""One vocabulary: every event written is a kind defined in facilitator/vocabulary/, with its
payload type, its audit label and its audiences; nothing else names a kind."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import orjson
import pytest
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import (
    answers,
    broadcast,
    chatham_house,
    clusters,
    follow_up,
    gallery,
    ideas,
    moderation,
    participants,
    phases,
    plenary,
    questions,
    recommendations,
    round_setup,
    round_state,
    rounds,
    setup_file,
    support,
    votes,
)
from facilitator.domain.actors import Staff
from facilitator.domain.audit import group_trail
from facilitator.domain.record import record
from facilitator.export import tables
from facilitator.i18n import N_
from facilitator.models import Event, Idea, Recommendation, Role
from facilitator.store.database import Database
from facilitator.vocabulary import KINDS, Follow, Kind, RecommendationChanged
from tests.workshop_factory import build, snapshot
from tests.workshop_factory import db as db  # a fixture

ROOT = Path(__file__).resolve().parent.parent


TWO_ROUNDS = """\
title: Rounds
rounds: [{name: One}, {name: Two, assignment: random}]
groups:
  - {name: A, question: A?}
  - {name: B, question: B?, round: 2, carry: [A]}
"""


def _a_group_recommendation(s: Session) -> int:
    found = s.exec(select(Recommendation.id).where(Recommendation.scope == "group")).first()
    assert found is not None
    return found


def _every_kind(db: Database) -> tuple[int, int, Staff]:
    """Build a workshop, then run the commands the factory leaves out."""
    built = build(db, ["Fund regional CERT hubs"])
    g1, g2 = built.group_ids
    hidden = db.read_sync(
        lambda s: s.exec(select(Idea.id).where(Idea.text == built.hidden_text)).one()
    )

    async def more() -> Staff:
        olivia = Staff(1, Role.organiser, "olivia@example.org", "Olivia")  # the factory's
        fred = Staff(2, Role.facilitator, "fred@example.org", "Fred")
        eve = await participants.join_group(db, "device-eve", g2)
        mine = await ideas.submit_idea(db, eve, g2, "key-eve-1", "Keep it", 500)
        await ideas.withdraw_own_idea(db, eve, mine.idea_id)
        await phases.update_settings(
            db, olivia, g2, phases.check_settings(False, True, 5, 3, False)
        )
        waiting = await ideas.submit_idea(db, eve, g2, "key-eve-2", "Approve me", 500)
        await moderation.restore_idea(db, olivia, waiting.idea_id)  # approves it
        await moderation.restore_idea(db, fred, hidden)
        bob = await participants.join_group(db, "device-bob", g2)
        await support.support_idea(db, bob, g2, waiting.idea_id)
        await phases.set_phase(db, olivia, g2, "vote")
        await participants.join_group(db, "device-dan", g2)  # counted in the vote at once
        await votes.cast_vote(db, eve, g2, "idea", waiting.idea_id)
        await votes.retract_vote(db, eve, g2, "idea", waiting.idea_id)
        pending = await ideas.submit_idea(db, fred, g1, "key-fred-9", "Staff idea", 500)
        theme = await clusters.create_cluster(db, fred, g1, "Later")
        await clusters.rename_cluster(db, fred, theme, "Much later")
        await clusters.move_idea(db, fred, pending.idea_id, theme)
        await clusters.move_idea(db, fred, pending.idea_id, None)
        await clusters.delete_cluster(db, fred, theme)
        await clusters.apply_suggestions(
            db, fred, g1, [clusters.Suggestion("Suggested", [pending.idea_id])]
        )
        await phases.update_settings(db, fred, g1, phases.check_settings(False, True, 5, 3, False))
        await phases.start_timer(db, fred, g1, 5)
        await phases.set_writing_locked(db, fred, g1, True)
        await phases.reveal(db, fred, g1, "ideas", True)
        await phases.reveal(db, fred, g1, "votes", True)
        draft = recommendations.check_draft("Second thought", "", "")
        rec = await recommendations.promote(db, fred, g1, "idea", pending.idea_id, draft)
        await recommendations.edit(db, fred, rec, recommendations.check_draft("Third", "", ""))
        await recommendations.move(db, fred, rec, "up")
        await recommendations.delete(db, fred, rec)
        await broadcast.announce(db, olivia, built.workshop_id, "Back at 4")
        wish = questions.check_question("text", "One wish?", ["joining"])
        asked = await questions.add_question(db, olivia, built.workshop_id, wish)
        await questions.set_moment(db, olivia, built.workshop_id, "event", True)
        await questions.set_moment(db, olivia, built.workshop_id, "event", False)
        await questions.remove_question(db, olivia, asked)
        asked = await questions.add_question(db, olivia, built.workshop_id, wish)
        await answers.answer(db, eve, "joining", {asked: "More drills"})
        finals = await db.read(lambda s: follow_up.finals(s, built.workshop_id))
        done = follow_up.check_follow_up("Ana", "CERT", "done", "2027-01-31", "")
        await follow_up.update(db, olivia, finals[0].id, done)
        await follow_up.make_status_link(db, olivia, built.workshop_id)
        await follow_up.revoke_status_link(db, olivia, built.workshop_id)
        second = await recommendations.synthesise(
            db,
            olivia,
            built.workshop_id,
            recommendations.check_draft("Second final", "", ""),
            [await db.read(_a_group_recommendation)],
        )
        await recommendations.set_agreed(db, olivia, second, True)
        vote = plenary.check_setup("dots", 3, 2, [finals[0].id, second])
        await plenary.set_up(db, olivia, built.workshop_id, vote)
        await plenary.open_vote(db, olivia, built.workshop_id, None)
        await plenary.cast_ballot(db, eve, built.workshop_id, "key-eve-b", {second: 2}, None)
        await plenary.close_vote(db, olivia, built.workshop_id)
        made = await setup_file.import_setup(db, olivia, TWO_ROUNDS, 7.0)
        a = made.groups[0].id
        await round_setup.set_tag_label(db, olivia, made.workshop_id, "Your country")
        seed = await ideas.submit_idea(db, olivia, a, "key-olivia-1", "Carry me", 500)
        draft = recommendations.check_draft("Carried", "", "")
        carried = await recommendations.promote(db, olivia, a, "idea", seed.idea_id, draft)
        await recommendations.set_agreed(db, olivia, carried, True)
        ann = await participants.join_group(db, "device-ann", a)
        await gallery.set_gallery(db, olivia, made.workshop_id, True)
        await gallery.plus_one(db, ann, carried, True, "key-ann-plus-1")
        await recommendations.edit(
            db, olivia, carried, recommendations.check_draft("Carried", "On.", "")
        )
        await gallery.set_gallery(db, olivia, made.workshop_id, False)
        now = await db.read(lambda s: round_state.current_round(s, made.workshop_id))
        await rounds.start_next_round(db, olivia, made.workshop_id, now.id, "", None)
        await chatham_house.set_rule(db, olivia, made.workshop_id, True)
        return fred

    return g1, g2, asyncio.run(more())


def test_every_event_is_a_kind_of_the_vocabulary_whose_payload_reads_back(db: Database) -> None:
    _every_kind(db)
    rows = db.read_sync(lambda s: s.exec(select(Event).order_by(col(Event.id))).all())
    written = {row.kind for row in rows}
    assert written <= set(KINDS), written - set(KINDS)
    unread = [
        (row.kind, row.payload)
        for row in rows
        if KINDS[row.kind].read(orjson.loads(row.payload)) is None
    ]
    assert unread == []
    # Every kind is written by some command here: a new kind needs a line above.
    unused = set(KINDS) - written
    assert unused <= {"recommendation.sources"}, unused  # only the synthesis page changes them


def test_a_kind_that_is_not_in_the_vocabulary_cannot_be_recorded(db: Database) -> None:
    stranger = Kind("idea.teleported", RecommendationChanged, N_("moved"), Follow.board)

    def write(s: object) -> None:
        record(s, "group:1", stranger, RecommendationChanged(1), "user:1")  # type: ignore[arg-type]

    with pytest.raises(TypeError, match=r"idea\.teleported"):
        db.write_sync(write)

    def wrong_payload(s: object) -> None:
        record(s, "group:1", vocabulary.IDEA_MOVED, RecommendationChanged(1), "user:1")  # type: ignore[arg-type]

    with pytest.raises(TypeError, match=r"idea\.moved"):
        db.write_sync(wrong_payload)


def test_only_the_vocabulary_names_a_kind() -> None:
    """A kind's name as a string appears in the vocabulary only (and the migrations that
    rename old ones): everything else refers to the Kind."""
    names = set(KINDS) | {"final.created", "final.marked", "final.sources"}
    found = []
    for path in (ROOT / "facilitator").rglob("*.py"):
        if "vocabulary" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value}")
    assert found == []


def test_every_kind_has_a_label_and_audiences() -> None:
    for kind in KINDS.values():
        assert kind.label and kind.audiences, kind.name
        # Only a kind whose pages read their regions again from the database needs a fresh
        # board after a gap; every other is rendered from its payload, or not at all.
        assert kind.replayable == (kind.follow is not Follow.board), kind.name
    assert vocabulary.VOTE_CAST.secret_actor and not vocabulary.IDEA_MOVED.secret_actor


def test_the_audit_trail_says_what_moved_where(db: Database) -> None:
    g1, _, fred = _every_kind(db)
    trail = asyncio.run(group_trail(db, fred, g1))
    details = [(e.what, e.detail) for e in trail]
    assert ("moved an idea", "“Staff idea” from Not in a theme to “Much later”") in details
    assert ("moved an idea", "“Staff idea” from “Much later” to Not in a theme") in details
    assert ("renamed a theme", "“Later” → “Much later”") in details
    assert ("changed the phase", "vote → recommend") in details
    merged = "“Phishing drills each quarter” into “Run phishing drills every quarter”"
    assert ("merged an idea into another", merged) in details
    # Dots stay anonymous in the trail.
    assert all(e.who == "" for e in trail if e.what in ("placed a dot", "took a dot back"))


def test_the_audit_export_carries_the_same_detail(db: Database) -> None:
    _every_kind(db)
    rows = tables.audit_rows(snapshot(db, 1))
    head, *body = rows
    detail = head.index("detail")
    assert any(r[detail] == "“Staff idea” from Not in a theme to “Much later”" for r in body)


def test_finals_are_recorded_as_recommendation_kinds_on_the_workshop(db: Database) -> None:
    built = build(db, ["Fund regional CERT hubs"])
    channel = f"workshop:{built.workshop_id}"
    kinds = db.read_sync(
        lambda s: [e.kind for e in s.exec(select(Event).where(Event.channel == channel)).all()]
    )
    assert kinds[:2] == ["recommendation.created", "recommendation.agreed"]
