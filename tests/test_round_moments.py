"""The end of a round, once per round (issue #24): in a workshop with rounds, each round's
end is opened and closed on its own, its answers are kept apart, and the results, the
report and the archive show each round."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from facilitator import moments
from facilitator.domain import (
    answers,
    impact_results,
    participants,
    questions,
    round_state,
    setup_file,
)
from facilitator.domain import rounds as round_commands
from facilitator.domain.errors import Conflict, Invalid, NotFound
from facilitator.domain.restore import import_workshop
from facilitator.export import data
from facilitator.export.markdown import markdown
from facilitator.store.database import Database
from tests.conftest import World
from tests.test_questions import OLIVIA, stored
from tests.workshop_factory import build, snapshot
from tests.workshop_factory import db as db  # a fixture

ROUNDS = """\
title: Two rounds
rounds: [{name: Morning}, {name: Afternoon, assignment: stay}]
groups:
  - {name: Red, question: Red?}
  - {name: Blue, question: Blue?, round: 2}
questions:
  - {text: How sure are you?, kind: scale, scale: 1-5, low_label: No, high_label: Yes,
     asked: [joining, round]}
"""


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def two_rounds(db: Database) -> tuple[int, int, int]:
    build(db, [])  # the organiser's account
    made = run(setup_file.import_setup(db, OLIVIA, ROUNDS, 7.0))
    (qid,) = [q.id for q in db.read_sync(lambda s: questions.questions(s, made.workshop_id))]
    return made.workshop_id, made.groups[0].id, qid or 0


def test_the_end_of_each_round_is_its_own_occasion() -> None:
    assert moments.keys(("joining", "round", "event"), 2) == (
        "joining", "round-1", "round-2", "event"
    )  # fmt: skip
    assert moments.keys(("joining", "round"), 0) == ("joining", "round")
    assert moments.base("round-12") == "round" and moments.base("round-0") is None
    assert moments.round_of("round-3") == 3 and moments.round_of("event") is None
    assert moments.label("round-2") == "at the end of round 2"


def test_each_round_is_opened_answered_and_closed_on_its_own(db: Database) -> None:
    wid, red, qid = two_rounds(db)
    ana = run(participants.join_group(db, "device-ana", red))
    run(answers.answer(db, ana, "joining", {qid: "2"}))
    assert db.read_sync(lambda s: questions.occasions(s, wid)) == (
        "joining", "round-1", "round-2", "event", "followup"
    )  # fmt: skip
    for wrong in ("round", "round-3", "round-0"):  # a round key this workshop has not
        with pytest.raises(Invalid):
            run(questions.set_moment(db, OLIVIA, wid, wrong, True))
    with pytest.raises(NotFound):
        run(answers.answer(db, ana, "round", {qid: "3"}))
    waiting = db.read_sync(lambda s: answers.asking(s, ana, "round-1"))
    assert waiting.status == "waiting"

    run(questions.set_moment(db, OLIVIA, wid, "round-1", True))
    assert [a.moment for a in db.read_sync(lambda s: answers.open_asking(s, ana))] == [
        "joining",
        "round-1",
    ]
    run(answers.answer(db, ana, "round-1", {qid: "3"}))
    run(questions.set_moment(db, OLIVIA, wid, "round-1", False))
    now = db.read_sync(lambda s: round_state.current_round(s, wid))
    run(round_commands.start_next_round(db, OLIVIA, wid, now.id, "", None))
    with pytest.raises(Conflict, match="not open yet"):
        run(answers.answer(db, ana, "round-2", {qid: "5"}))
    run(questions.set_moment(db, OLIVIA, wid, "round-2", True))
    run(answers.answer(db, ana, "round-2", {qid: "5"}))
    with pytest.raises(Conflict, match="closed"):
        run(answers.answer(db, ana, "round-1", {qid: "4"}))
    assert sorted((m, v) for _, _, m, v in stored(db)) == [
        ("joining", 2),
        ("round-1", 3),
        ("round-2", 5),
    ]

    found = db.read_sync(lambda s: impact_results.results(s, OLIVIA, wid))
    (sure,) = found.questions
    assert [(m.moment, m.summary.n, m.summary.mean) for m in sure.moments] == [
        ("joining", 1, 2.0),
        ("round-1", 1, 3.0),
        ("round-2", 1, 5.0),
    ]
    whole = [(c.later, c.change.mean) for c in sure.changes if not c.group]
    assert whole == [("round-1", 1.0), ("round-2", 3.0)]
    view = db.read_sync(lambda s: questions.overview(s, OLIVIA, wid))
    assert [(m.moment, m.status, m.devices) for m in view.moments][1:3] == [
        ("round-1", "closed", 1),
        ("round-2", "open", 1),
    ]

    # The report reads each round; the archive keeps the keys and imports them back.
    snap = snapshot(db, wid)
    report = markdown(snap).decode()
    assert "at the end of round 1" in report and "at the end of round 2" in report
    again = run(import_workshop(db, data.from_json(data.to_json(snap)), OLIVIA.id))
    copied = snapshot(db, again)
    assert sorted(a.moment for a in copied.answers) == ["joining", "round-1", "round-2"]
    assert sorted(m.moment for m in copied.moments) == ["round-1", "round-2"]


def test_the_questions_page_and_the_phone_show_each_round(world: World) -> None:
    organiser = world.organiser()
    made = world.run(setup_file.import_setup, world.db, organiser, ROUNDS, 7.0)
    olivia = world.logged_in(organiser)
    url = f"/organiser/workshops/{made.workshop_id}/questions"
    page = olivia.get(url).text
    assert 'id="moment-round-1"' in page and 'id="moment-round-2"' in page
    assert "at the end of round 2" in page and 'id="moment-round"' not in page
    assert olivia.post(url, {"action": "open", "moment": "round-2"}).status_code == 303
    refused = olivia.post(url, {"action": "open", "moment": "round-7"})
    assert refused.status_code == 400
    phone = world.browser()
    code = made.groups[0].code
    phone.get(f"/j/{code}")
    asked = phone.get(f"/j/{code}/questions/round-2").text
    assert "Asked at the end of round 2" in asked and "Send answers" in asked
    waiting = phone.get(f"/j/{code}/questions/round-1").text
    assert "not open yet" in waiting
    assert phone.get(f"/j/{code}/questions/round-9").status_code == 404
