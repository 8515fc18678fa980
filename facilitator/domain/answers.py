"""A device's answers to the questions of a moment: what to ask it now, and its answers.

One answer per device, question and moment: answering again replaces the first answer (it
never adds one), and a question left blank is skipped, taking back an earlier answer to it.
Answers change only while their moment is open. Every value is checked against its question
(a scale's range, a choice's index) before anything is written, so a bad form changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import orjson
from sqlmodel import Session, col, select

from facilitator import moments, vocabulary
from facilitator.domain import questions as qs
from facilitator.domain import record
from facilitator.domain.access import get_row
from facilitator.domain.actors import Participant
from facilitator.domain.errors import Conflict, Invalid, NotFound
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import Answer, Group, Moment, Question, QuestionKind, utcnow
from facilitator.models import Participant as ParticipantRow
from facilitator.store.jobs import write_job
from facilitator.vocabulary import AnswersGiven

ANSWER_LIMIT = 500  # a short text
NOT_OPEN_YET = N_(
    "These questions are not open yet. Your board will show them as soon as the organiser "
    "opens them."
)
Value = int | list[int] | str


@dataclass(frozen=True)
class Asked:
    """A question as a phone shows it, with this device's answer so far (None: none)."""

    id: int
    kind: str
    text: str
    low: int
    high: int
    low_label: str
    high_label: str
    choices: tuple[str, ...]
    answer: Value | None


@dataclass(frozen=True)
class Asking:
    """A moment's questions for one device."""

    moment: str
    status: str  # "waiting" (not opened yet), "open" or "closed"
    questions: tuple[Asked, ...]

    @property
    def open(self) -> bool:
        return self.status == "open"

    @property
    def answered(self) -> bool:
        return any(q.answer is not None for q in self.questions)


def check_value(question: Question, raw: object) -> Value | None:
    """The answer a form or socket gave, as stored; None for a skipped question."""
    kind = QuestionKind(question.kind)
    if raw is None or raw == "" or raw == []:
        return None
    if kind is QuestionKind.text:
        return clean(raw, limit=ANSWER_LIMIT, multiline=False, required=False) or None
    if kind is QuestionKind.scale:
        number = _whole(raw)
        if not question.low <= number <= question.high:
            raise Invalid(
                N_("“{question}”: choose a number from {low} to {high}."),
                question=question.text,
                low=question.low,
                high=question.high,
            )
        return number
    count = len(qs.choices_of(question))
    picked = [_whole(v) for v in (raw if isinstance(raw, list | tuple) else [raw])]
    if any(not 0 <= p < count for p in picked) or len(set(picked)) != len(picked):
        raise Invalid(N_("“{question}”: choose from the choices shown."), question=question.text)
    if kind is QuestionKind.single:
        if len(picked) != 1:
            raise Invalid(N_("“{question}”: choose one answer."), question=question.text)
        return picked[0]
    return sorted(picked)


def _whole(raw: object) -> int:
    if isinstance(raw, bool):
        raise Invalid(N_("Please choose one of the answers shown."))
    try:
        return int(str(raw).strip()) if isinstance(raw, str | int) else int("x")
    except ValueError:
        raise Invalid(N_("Please choose one of the answers shown.")) from None


def _occasion(s: Session, workshop_id: int, raw: object) -> tuple[str, Moment]:
    """An occasion's key in this workshop (a moment, or the end of one round), and its
    moment; NotFound for anything else."""
    if not isinstance(raw, str) or raw not in qs.occasions(s, workshop_id):
        raise NotFound(N_("Those questions are not asked now."))
    return raw, Moment(moments.base(raw) or raw)


def asking(s: Session, who: Participant, moment: object) -> Asking:
    """The moment's questions with this device's answers, whether or not the moment is open."""
    return _asking(s, who, *_occasion(s, who.workshop_id, moment))


def _asking(s: Session, who: Participant, key: str, when: Moment) -> Asking:
    found = qs.questions(s, who.workshop_id, when)
    mine: dict[int | None, Value] = {
        a.question_id: orjson.loads(a.value)
        for a in s.exec(
            select(Answer).where(Answer.participant_id == who.id, Answer.moment == key)
        ).all()
    }
    return _asked(key, qs.status(s, who.workshop_id, key), found, mine)


def _asked(key: str, status: str, found: list[Question], mine: dict[int | None, Value]) -> Asking:
    """A moment's questions with one device's answers."""
    asked = tuple(
        Asked(
            q.id or 0,
            q.kind,
            q.text,
            q.low,
            q.high,
            q.low_label,
            q.high_label,
            tuple(qs.choices_of(q)),
            mine.get(q.id),
        )
        for q in found
    )
    return Asking(key, status, asked)


def open_asking(s: Session, who: Participant) -> list[Asking]:
    """The open moments that have questions, for this device (the board's reminder)."""
    return open_asking_of(s, who.workshop_id, [who.id]).get(who.id, [])


def open_asking_of(
    s: Session, workshop_id: int, devices: Collection[int]
) -> dict[int, list[Asking]]:
    """`open_asking` for many devices of one workshop (a moment opening reaches every phone
    of a group at once): the moments and their questions read once, the devices' answers
    in one query."""
    open_now = [
        (key, qs.questions(s, workshop_id, Moment(moments.base(key) or key)))
        for key in qs.occasions(s, workshop_id)
        # a follow-up is answered through its own link, after the event
        if key != Moment.followup and qs.is_open(s, workshop_id, key)
    ]
    open_now = [(key, found) for key, found in open_now if found]
    given: dict[tuple[int, str], dict[int | None, Value]] = {}
    if open_now and devices:
        rows = s.exec(
            select(Answer.participant_id, Answer.moment, Answer.question_id, Answer.value).where(
                col(Answer.participant_id).in_(list(devices)),
                col(Answer.moment).in_([key for key, _ in open_now]),
            )
        ).all()
        for device, key, question_id, value in rows:
            given.setdefault((device, key), {})[question_id] = orjson.loads(value)
    return {
        device: [
            _asked(key, "open", found, given.get((device, key), {})) for key, found in open_now
        ]
        for device in devices
    }


def open_asking_in_group(s: Session, group_id: int) -> dict[int, list[Asking]]:
    """`open_asking` for every device seated in this group now."""
    devices = s.exec(select(ParticipantRow.id).where(ParticipantRow.group_id == group_id)).all()
    workshop_id = s.exec(select(Group.workshop_id).where(Group.id == group_id)).one()
    return open_asking_of(s, workshop_id, [d for d in devices if d is not None])


@write_job
def answer(s: Session, who: Participant, moment: object, given: dict[int, Any]) -> int:
    """Set this device's answers at an open moment: each question of the moment gets the
    given value, or none if it was skipped. Returns how many are answered."""
    key, when = _occasion(s, who.workshop_id, moment)
    # The device's row lock orders two submissions from the same phone at once.
    if get_row(s, ParticipantRow, who.id, lock=True) is None:
        raise Invalid(N_("Please join your group again."))
    now = qs.status(s, who.workshop_id, key)
    if now == "waiting":
        raise Conflict(NOT_OPEN_YET)
    if now == "closed":
        raise Conflict(N_("These questions are closed now, so answers can no longer change."))
    asked = {q.id or 0: q for q in qs.questions(s, who.workshop_id, when)}
    if set(given) - set(asked):
        raise NotFound(N_("Those questions are not asked now. Please reload the page."))
    values = {qid: check_value(q, given.get(qid)) for qid, q in asked.items()}
    existing = {
        a.question_id: a
        for a in s.exec(
            select(Answer).where(Answer.participant_id == who.id, Answer.moment == key)
        ).all()
    }
    for qid, value in values.items():
        row = existing.get(qid)
        if value is None:
            if row is not None:
                s.delete(row)
            continue
        encoded = orjson.dumps(value).decode()
        if row is None:
            row = Answer(question_id=qid, participant_id=who.id, moment=key, value=encoded)
        elif row.value != encoded:
            row.value, row.updated_at = encoded, utcnow()
        s.add(row)
    answered = sum(v is not None for v in values.values())
    payload = AnswersGiven(key, answered)
    record.to_workshop(s, who.workshop_id, vocabulary.ANSWERS_GIVEN, payload, who)
    return answered
