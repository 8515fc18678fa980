"""Questions a workshop asks its participants at chosen moments, and which moments are open.

A question is a scale (1–5 or 0–10 with labelled ends), a single or multiple choice, or a short
text; it is asked at one or more moments (on joining: the baseline; at the end of a round; at
the end of the event; at a follow-up). The organiser adds and removes questions and opens and
closes moments. Once a moment has answers, its questions are fixed: a question added or removed
then would make the answers of one device incomparable with another's.

The same checks serve the set-up file and the forms (`check_question`).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator import moments, vocabulary
from facilitator.domain import record, round_state
from facilitator.domain.access import get_row, get_workshop, require_organiser
from facilitator.domain.actors import Actor
from facilitator.domain.errors import Conflict, Invalid, NotFound
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import Answer, Group, Moment, MomentState, Question, QuestionKind, utcnow
from facilitator.store.jobs import write_job
from facilitator.vocabulary import MomentChanged, QuestionChanged

SCALES = ((1, 5), (0, 10))
MIN_CHOICES, MAX_CHOICES = 2, 8
MAX_QUESTIONS = 20  # per workshop: each is a tap or three on every phone
TEXT_LIMIT, LABEL_LIMIT, CHOICE_LIMIT = 300, 60, 80


@dataclass(frozen=True)
class QuestionDraft:
    """A checked question, before it has an id."""

    kind: QuestionKind
    text: str
    moments: tuple[Moment, ...]  # in Moment's order, no repeats
    low: int = 1
    high: int = 5
    low_label: str = ""
    high_label: str = ""
    choices: tuple[str, ...] = ()


def check_moments(raw: object) -> tuple[Moment, ...]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise Invalid(N_("Choose when the question is asked."))
    names = {str(v).strip() for v in values if str(v).strip()}
    known = {m.value for m in Moment}
    if not names or not names <= known:
        raise Invalid(N_("Choose when the question is asked: {moments}."), moments=", ".join(known))
    return tuple(m for m in Moment if m.value in names)


def check_question(
    kind: object,
    text: object,
    moments: object,
    scale: object = None,
    low_label: object = "",
    high_label: object = "",
    choices: object = (),
) -> QuestionDraft:
    """A question as the forms and the set-up file give it, checked, or Invalid."""
    if kind not in {k.value for k in QuestionKind}:
        raise Invalid(N_("A question is a scale, a single choice, a multiple choice or a text."))
    qkind = QuestionKind(str(kind))
    words = clean(text, limit=TEXT_LIMIT, multiline=False)
    when = check_moments(moments)
    if qkind is QuestionKind.scale:
        ends = _scale(scale)
        low = clean(low_label, limit=LABEL_LIMIT, multiline=False, required=False)
        high = clean(high_label, limit=LABEL_LIMIT, multiline=False, required=False)
        if not low or not high:
            raise Invalid(N_("A scale needs a label at each end, like “Not at all” and “Fully”."))
        return QuestionDraft(qkind, words, when, *ends, low, high)
    if scale not in (None, "") or low_label or high_label:
        raise Invalid(N_("Only a scale has ends and labels."))
    if qkind is QuestionKind.text:
        if choices:
            raise Invalid(N_("Only a choice question has choices."))
        return QuestionDraft(qkind, words, when)
    return QuestionDraft(qkind, words, when, choices=_choices(choices))


def _scale(raw: object) -> tuple[int, int]:
    given = str(raw).replace("–", "-").replace(" ", "") if raw not in (None, "") else "1-5"
    for low, high in SCALES:
        if given == f"{low}-{high}":
            return low, high
    raise Invalid(N_("A scale runs from 1 to 5 or from 0 to 10."))


def _choices(raw: object) -> tuple[str, ...]:
    items = raw.splitlines() if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise Invalid(N_("Give the choices as a list."))
    out = tuple(
        dict.fromkeys(c for c in (clean(i, limit=CHOICE_LIMIT, required=False) for i in items) if c)
    )
    if not MIN_CHOICES <= len(out) <= MAX_CHOICES:
        raise Invalid(
            N_("A choice question needs between {low} and {high} different choices."),
            low=MIN_CHOICES,
            high=MAX_CHOICES,
        )
    return out


# -- reading ---------------------------------------------------------------------------------


def moments_of(question: Question) -> tuple[Moment, ...]:
    return tuple(Moment(m) for m in question.moments.split(",") if m)


def choices_of(question: Question) -> list[str]:
    return list(orjson.loads(question.choices))


def draft_of(question: Question) -> QuestionDraft:
    return QuestionDraft(
        QuestionKind(question.kind),
        question.text,
        moments_of(question),
        question.low,
        question.high,
        question.low_label,
        question.high_label,
        tuple(choices_of(question)),
    )


def questions(s: Session, workshop_id: int, moment: Moment | None = None) -> list[Question]:
    """The workshop's questions in order; those asked at `moment`, if given."""
    found = s.exec(
        select(Question)
        .where(Question.workshop_id == workshop_id)
        .order_by(col(Question.position), col(Question.id))
    ).all()
    return [q for q in found if moment is None or moment in moments_of(q)]


def is_open(s: Session, workshop_id: int, key: str) -> bool:
    """Whether an occasion (a moment's key, see facilitator.moments) takes answers: the
    baseline until closed, every other once opened, until closed."""
    state = s.get(MomentState, (workshop_id, key))
    if state is None:
        return key == Moment.joining
    return state.closed_at is None and (state.opened_at is not None or key == Moment.joining)


def status(s: Session, workshop_id: int, key: str) -> str:
    """ "waiting" (not opened yet), "open" or "closed"."""
    if is_open(s, workshop_id, key):
        return "open"
    state = s.get(MomentState, (workshop_id, key))
    return "closed" if state is not None and state.closed_at else "waiting"


def occasions(
    s: Session, workshop_id: int, asked: tuple[str, ...] = tuple(Moment)
) -> tuple[str, ...]:
    """The keys of these moments in this workshop: the end of a round once per round."""
    return moments.keys(asked, len(round_state.ordered(s, workshop_id)))


def check_key(s: Session, workshop_id: int, raw: object) -> str:
    """An occasion of this workshop, or Invalid."""
    if not isinstance(raw, str) or raw not in occasions(s, workshop_id):
        raise Invalid(N_("Choose when the question is asked."))
    return raw


def answered_moments(s: Session, workshop_id: int) -> set[Moment]:
    """The moments that have at least one answer."""
    found = s.exec(
        select(Answer.moment)
        .join(Question, col(Question.id) == Answer.question_id)
        .where(Question.workshop_id == workshop_id)
        .distinct()
    ).all()
    return {Moment(moments.base(m) or m) for m in found}


# -- the organiser's commands ----------------------------------------------------------------


def add(s: Session, workshop_id: int, draft: QuestionDraft) -> Question:
    """A new question at the end (no checks of who: the set-up file and `add_question`)."""
    top = s.exec(
        select(func.max(Question.position)).where(Question.workshop_id == workshop_id)
    ).one()
    question = Question(
        workshop_id=workshop_id,
        position=(top or 0) + 1,
        kind=draft.kind,
        text=draft.text,
        moments=",".join(draft.moments),
        low=draft.low,
        high=draft.high,
        low_label=draft.low_label,
        high_label=draft.high_label,
        choices=orjson.dumps(list(draft.choices)).decode(),
    )
    s.add(question)
    s.flush()
    return question


def _unanswered(s: Session, workshop_id: int, moments: tuple[Moment, ...]) -> None:
    busy = answered_moments(s, workshop_id) & set(moments)
    if busy:
        raise Conflict(
            N_(
                "Some participants have answered already at this moment, so its questions "
                "are fixed: their answers would not compare. Ask it at another moment."
            )
        )


@write_job
def add_question(s: Session, actor: Actor, workshop_id: int, draft: QuestionDraft) -> int:
    require_organiser(s, actor, workshop_id)
    count = s.exec(select(func.count()).where(Question.workshop_id == workshop_id)).one()
    if count >= MAX_QUESTIONS:
        raise Invalid(N_("A workshop asks at most {n} questions."), n=MAX_QUESTIONS)
    _unanswered(s, workshop_id, draft.moments)
    question = add(s, workshop_id, draft)
    assert question.id is not None
    payload = QuestionChanged(question.id, question.text)
    record.to_workshop(s, workshop_id, vocabulary.QUESTION_ADDED, payload, actor)
    return question.id


@write_job
def remove_question(s: Session, actor: Actor, question_id: int) -> None:
    question = get_row(s, Question, question_id)
    if question is None:
        raise NotFound(N_("That question no longer exists."))
    require_organiser(s, actor, question.workshop_id)
    _unanswered(s, question.workshop_id, moments_of(question))
    payload = QuestionChanged(question_id, question.text)
    record.to_workshop(s, question.workshop_id, vocabulary.QUESTION_REMOVED, payload, actor)
    s.delete(question)


@write_job
def set_moment(s: Session, actor: Actor, workshop_id: int, moment: object, open_: bool) -> None:
    """Open an occasion for answers (a moment, or the end of one round), or close it
    (answers then can no longer change)."""
    require_organiser(s, actor, workshop_id)
    get_workshop(s, workshop_id)
    key = check_key(s, workshop_id, moment)
    if is_open(s, workshop_id, key) == open_:
        return
    state = s.get(MomentState, (workshop_id, key), with_for_update=True) or MomentState(
        workshop_id=workshop_id, moment=key
    )
    if open_:
        state.opened_at, state.closed_at = utcnow(), None
    else:
        state.closed_at = utcnow()
    s.add(state)
    kind = vocabulary.MOMENT_OPENED if open_ else vocabulary.MOMENT_CLOSED
    payload = MomentChanged(key, open_)
    record.to_workshop(s, workshop_id, kind, payload, actor)
    groups = s.exec(select(Group.id).where(Group.workshop_id == workshop_id))
    for group_id in (g for g in groups if g is not None):  # phones follow, on their groups
        record.to_group(s, group_id, kind, payload, actor)


# -- the organiser's view --------------------------------------------------------------------


@dataclass(frozen=True)
class MomentView:
    moment: str  # the occasion's key: a moment, or the end of one round
    status: str  # "waiting" (not opened yet), "open" or "closed"
    questions: int
    devices: int  # that answered at least one question


@dataclass(frozen=True)
class QuestionsView:
    workshop_id: int
    title: str
    questions: tuple[tuple[int, QuestionDraft], ...]
    moments: tuple[MomentView, ...]
    answered: frozenset[str]  # moments with answers: their questions are fixed


def overview(s: Session, actor: Actor, workshop_id: int) -> QuestionsView:
    workshop = require_organiser(s, actor, workshop_id)
    found = questions(s, workshop_id)
    devices = dict(
        s.exec(
            select(Answer.moment, func.count(func.distinct(Answer.participant_id)))
            .join(Question, col(Question.id) == Answer.question_id)
            .where(Question.workshop_id == workshop_id)
            .group_by(col(Answer.moment))
        ).all()
    )
    views = []
    for key in occasions(s, workshop_id):
        moment = Moment(moments.base(key) or key)
        asked = sum(moment in moments_of(q) for q in found)
        now = status(s, workshop_id, key)
        views.append(MomentView(key, now, asked, devices.get(key, 0)))
    return QuestionsView(
        workshop_id,
        workshop.title,
        tuple((q.id or 0, draft_of(q)) for q in found),
        tuple(views),
        frozenset(moments.base(m) or m for m in devices),
    )
