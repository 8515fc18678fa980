"""Questions asked at chosen moments, and one answer per device per moment: checked, replaced
(never added), closed with their moment, fixed once answered (issue #24)."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from sqlmodel import col, select

from facilitator.domain import answers, impact_results, participants, questions, workshop_views
from facilitator.domain.actors import Participant, Staff
from facilitator.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from facilitator.models import Answer, Event, Question, Role
from facilitator.store.database import Database
from tests.workshop_factory import build
from tests.workshop_factory import db as db  # a fixture

OLIVIA = Staff(1, Role.organiser, "olivia@example.org", "Olivia")  # the factory's organiser
FRED = Staff(2, Role.facilitator, "fred@example.org", "Fred")

CONFIDENT = questions.check_question(
    "scale", "How confident are you?", ["joining", "event"], "1-5", "Not at all", "Fully"
)
TOPICS = questions.check_question(
    "multiple", "Which topics matter?", ["joining"], choices=["Phishing", "Passwords", "Backups"]
)
ROLE = questions.check_question("single", "Your role?", ["joining"], choices=["IT", "Other"])
WISH = questions.check_question("text", "One wish?", ["event"])


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def setup_questions(db: Database) -> tuple[int, int, dict[str, int]]:
    built = build(db, [])
    wid, g1 = built.workshop_id, built.group_ids[0]
    ids = {
        name: run(questions.add_question(db, OLIVIA, wid, draft))
        for name, draft in (("confident", CONFIDENT), ("topics", TOPICS), ("role", ROLE))
    }
    ids["wish"] = run(questions.add_question(db, OLIVIA, wid, WISH))
    return wid, g1, ids


def build_groups(db: Database, wid: int) -> list[int]:
    return [g.id for g in db.read_sync(lambda s: workshop_views.workshop_view(s, wid)).groups]


def phone(db: Database, device: str, group_id: int) -> Participant:
    return run(participants.join_group(db, device, group_id))  # type: ignore[no-any-return]


def stored(db: Database) -> list[tuple[int, int, str, Any]]:
    rows = db.read_sync(lambda s: s.exec(select(Answer).order_by(col(Answer.id))).all())
    return [(a.question_id, a.participant_id, a.moment, orjson.loads(a.value)) for a in rows]


def test_the_question_checks_refuse_what_a_phone_could_not_answer() -> None:
    bad: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (("poll", "Q?", ["joining"]), {}),
        (("scale", "Q?", ["joining"], "1-7", "a", "b"), {}),
        (("scale", "Q?", ["joining"], "1-5", "", "b"), {}),
        (("scale", "Q?", ["later"], "1-5", "a", "b"), {}),
        (("scale", "Q?", [], "1-5", "a", "b"), {}),
        (("single", "Q?", ["joining"]), {"choices": ["Only one"]}),
        (("multiple", "Q?", ["joining"]), {"choices": [str(n) for n in range(9)]}),
        (("text", "Q?", ["joining"]), {"choices": ["a", "b"]}),
        (("text", "", ["joining"]), {}),
    ]
    for args, kw in bad:
        with pytest.raises(Invalid):
            questions.check_question(*args, **kw)
    ten = questions.check_question("scale", "Q?", ["event", "joining"], "0-10", "Low", "High")
    assert (ten.low, ten.high, ten.moments) == (0, 10, ("joining", "event"))


def test_a_device_answers_once_per_moment_and_a_second_answer_replaces_the_first(
    db: Database,
) -> None:
    _, g1, q = setup_questions(db)
    ada = phone(db, "device-new-ada", g1)
    given = {q["confident"]: "2", q["topics"]: ["0", "2"], q["role"]: "1"}
    assert run(answers.answer(db, ada, "joining", given)) == 3
    # Again, changed, with the role skipped: replaced, and the skipped one taken back.
    assert run(answers.answer(db, ada, "joining", {q["confident"]: "4", q["topics"]: "1"})) == 2
    assert sorted(stored(db)) == sorted(
        [(q["confident"], ada.id, "joining", 4), (q["topics"], ada.id, "joining", [1])]
    )
    asked = db.read_sync(lambda s: answers.asking(s, ada, "joining"))
    assert [a.answer for a in asked.questions] == [4, [1], None]
    assert asked.open and asked.answered


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("confident", "6"),
        ("confident", "0"),
        ("confident", "three"),
        ("confident", ["1", "2"]),
        ("topics", ["0", "3"]),
        ("topics", ["1", "1"]),
        ("role", ["0", "1"]),
        ("role", "-1"),
    ],
)
def test_an_answer_out_of_range_is_refused_and_changes_nothing(
    db: Database, name: str, value: object
) -> None:
    _, g1, q = setup_questions(db)
    ada = phone(db, "device-new-ada", g1)
    run(answers.answer(db, ada, "joining", {q["confident"]: "3"}))
    before = stored(db)
    with pytest.raises(Invalid):
        run(answers.answer(db, ada, "joining", {q["role"]: "0", q[name]: value}))
    assert stored(db) == before


def test_answers_to_a_closed_moment_or_a_question_of_another_are_refused(db: Database) -> None:
    wid, g1, q = setup_questions(db)
    ada = phone(db, "device-new-ada", g1)
    with pytest.raises(Conflict, match="not open yet"):  # the end of the event
        run(answers.answer(db, ada, "event", {q["wish"]: "More drills"}))
    with pytest.raises(NotFound):
        run(answers.answer(db, ada, "joining", {q["wish"]: "Not asked now"}))
    with pytest.raises(NotFound):
        run(answers.answer(db, ada, "someday", {}))
    run(answers.answer(db, ada, "joining", {q["confident"]: "3"}))
    run(questions.set_moment(db, OLIVIA, wid, "joining", False))
    with pytest.raises(Conflict, match="closed"):
        run(answers.answer(db, ada, "joining", {q["confident"]: "5"}))
    run(questions.set_moment(db, OLIVIA, wid, "event", True))
    run(answers.answer(db, ada, "event", {q["confident"]: "5", q["wish"]: " More  drills "}))
    assert [a for a in stored(db) if a[2] == "event"] == [
        (q["confident"], ada.id, "event", 5),
        (q["wish"], ada.id, "event", "More drills"),
    ]


def test_questions_are_fixed_once_their_moment_has_answers(db: Database) -> None:
    wid, g1, q = setup_questions(db)
    run(answers.answer(db, phone(db, "device-new-ada", g1), "joining", {q["role"]: "0"}))
    count = db.read_sync(lambda s: len(questions.questions(s, wid)))
    late = questions.check_question("text", "Anything else?", ["joining"])
    with pytest.raises(Conflict, match="answered already"):
        run(questions.add_question(db, OLIVIA, wid, late))
    with pytest.raises(Conflict):
        run(questions.remove_question(db, OLIVIA, q["topics"]))
    assert db.read_sync(lambda s: len(questions.questions(s, wid))) == count
    # A moment without answers still takes new questions.
    later = questions.check_question("text", "Anything else?", ["followup"])
    run(questions.add_question(db, OLIVIA, wid, later))
    assert db.read_sync(lambda s: len(questions.questions(s, wid))) == count + 1


def test_only_the_workshop_organisers_set_questions_and_moments(db: Database) -> None:
    wid, g1, q = setup_questions(db)
    ada = phone(db, "device-new-ada", g1)
    attempts = [
        questions.add_question(db, FRED, wid, WISH),
        questions.remove_question(db, FRED, q["wish"]),
        questions.set_moment(db, FRED, wid, "event", True),
        questions.add_question(db, ada, wid, WISH),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            run(attempt)
    with pytest.raises(NotFound):
        run(questions.remove_question(db, OLIVIA, 10**6))


def test_answers_are_anonymous_in_the_log(db: Database) -> None:
    wid, g1, q = setup_questions(db)
    run(answers.answer(db, phone(db, "device-new-ada", g1), "joining", {q["confident"]: "2"}))
    kinds = db.read_sync(
        lambda s: [
            (e.kind, orjson.loads(e.payload))
            for e in s.exec(select(Event).where(Event.channel == f"workshop:{wid}")).all()
        ]
    )
    assert ("answers.given", {"moment": "joining", "answered": 1}) in kinds
    assert ("question.added", {"question": q["wish"], "text": "One wish?"}) in kinds


def test_concurrent_answers_from_one_device_leave_one_answer_each(db: Database) -> None:
    _, g1, q = setup_questions(db)
    ada = phone(db, "device-new-ada", g1)

    async def both() -> list[object]:
        return await asyncio.gather(
            *(answers.answer(db, ada, "joining", {q["confident"]: str(n)}) for n in (1, 2, 3, 4)),
            return_exceptions=True,
        )

    results = run(both())
    assert all(not isinstance(r, DomainError) for r in results), results
    rows = stored(db)
    assert len(rows) == 1 and rows[0][3] in (1, 2, 3, 4)
    assert db.read_sync(lambda s: len(s.exec(select(Question)).all())) == 4


def test_results_pair_the_same_devices_from_the_baseline_per_group_and_event(
    db: Database,
) -> None:
    wid, g1, q = setup_questions(db)
    g2 = build_groups(db, wid)[1]
    phones = [phone(db, f"device-r{n}", g1 if n < 3 else g2) for n in range(5)]
    before, after = [1, 2, 3, 2, 4], [3, 4, 4, 2, None]
    for who, value in zip(phones, before, strict=True):
        run(answers.answer(db, who, "joining", {q["confident"]: str(value), q["role"]: "0"}))
    run(questions.set_moment(db, OLIVIA, wid, "event", True))
    late = phone(db, "device-late", g1)  # answers the end only: not paired
    for who, value in [*zip(phones, after, strict=True), (late, 5)]:
        if value is not None:
            run(answers.answer(db, who, "event", {q["confident"]: str(value)}))
    found = db.read_sync(lambda s: impact_results.results(s, OLIVIA, wid))
    confident = next(r for r in found.questions if r.question.id == q["confident"])
    joining, event = confident.moments
    assert (joining.summary.n, joining.summary.mean, joining.summary.distribution) == (
        5,
        2.4,
        (1, 2, 1, 1, 0),
    )
    assert (event.summary.n, event.summary.median) == (5, 4.0)
    whole, *groups = confident.changes
    assert (whole.later, whole.group, whole.change.n, whole.change.mean) == ("event", "", 4, 1.25)
    assert [(g.group, g.change.n, g.change.mean) for g in groups] == [
        ("Passwords", 1, 0.0),
        ("Phishing", 3, 5 / 3),
    ]
    role = next(r for r in found.questions if r.question.id == q["role"])
    assert role.moments[0].summary.distribution == (5, 0) and role.changes == ()
    with pytest.raises(Forbidden):
        db.read_sync(lambda s: impact_results.results(s, FRED, wid))


def test_the_cards_of_a_whole_group_are_read_at_once_and_match_each_phones_own(
    db: Database,
) -> None:
    """A moment opening reaches every phone of a group: their cards come from one read for
    the group, and each is the card that phone alone would get."""
    wid, g1, q = setup_questions(db)
    ada, bob, cy = (phone(db, f"device-card-{n}", g1) for n in ("ada", "bob", "cy"))
    run(answers.answer(db, ada, "joining", {q["confident"]: "2", q["role"]: "0"}))
    run(answers.answer(db, bob, "joining", {q["topics"]: ["1"]}))
    run(questions.set_moment(db, OLIVIA, wid, "event", True))
    run(answers.answer(db, bob, "event", {q["wish"]: "More drills"}))

    by_device = db.read_sync(lambda s: answers.open_asking_in_group(s, g1))
    assert {ada.id, bob.id, cy.id} <= set(by_device)  # with the phones already there
    for who in (ada, bob, cy):
        alone = db.read_sync(lambda s, who=who: answers.open_asking(s, who))
        assert by_device[who.id] == alone
    ada_card, bob_card, cy_card = (by_device[p.id] for p in (ada, bob, cy))
    assert [a.moment for a in ada_card] == ["joining", "event"]
    assert [a.answer for a in ada_card[0].questions] == [2, None, 0]
    assert [a.answer for a in bob_card[0].questions] == [None, [1], None]
    assert [a.answer for a in bob_card[1].questions] == [None, "More drills"]
    assert all(a.answer is None for asking in cy_card for a in asking.questions)
