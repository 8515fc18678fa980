"""Results of a workshop's questions: each question at each moment, and the change from the
baseline on the same devices, for the event and for each group (figures from answer_stats)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import orjson
from sqlmodel import Session, col, select

from facilitator import answer_stats
from facilitator.answer_stats import Change, Summary
from facilitator.domain import questions as qs
from facilitator.domain.access import get_workshop, require_organiser
from facilitator.domain.actors import Actor
from facilitator.models import Answer, Group, Moment, Participant, Question, QuestionKind


@dataclass(frozen=True)
class MomentResult:
    moment: str
    summary: Summary


@dataclass(frozen=True)
class ChangeRow:
    later: str  # the moment compared with the baseline
    group: str  # a group's name; "" for the whole event
    change: Change


@dataclass(frozen=True)
class QuestionResult:
    id: int
    text: str
    kind: str
    low: int
    high: int
    low_label: str
    high_label: str
    choices: tuple[str, ...]
    moments: tuple[MomentResult, ...]
    changes: tuple[ChangeRow, ...]  # scales asked on joining and later only

    def labels(self) -> tuple[str, ...]:
        """What each bar of the distribution stands for."""
        if self.kind == QuestionKind.scale:
            return tuple(str(v) for v in range(self.low, self.high + 1))
        return self.choices


@dataclass(frozen=True)
class Results:
    workshop_id: int
    title: str
    questions: tuple[QuestionResult, ...]


def results(s: Session, actor: Actor, workshop_id: int) -> Results:
    require_organiser(s, actor, workshop_id)
    return compute(s, workshop_id)


def compute(s: Session, workshop_id: int) -> Results:
    """The results, read in three statements (for pages and exports alike)."""
    workshop = get_workshop(s, workshop_id)
    found = qs.questions(s, workshop_id)
    rows = s.exec(
        select(Answer.question_id, Answer.participant_id, Answer.moment, Answer.value)
        .join(Question, col(Question.id) == Answer.question_id)
        .where(Question.workshop_id == workshop_id)
    ).all()
    groups = dict(
        s.exec(
            select(Participant.id, Group.name)
            .join(Group, col(Group.id) == Participant.group_id)
            .where(Participant.workshop_id == workshop_id)
        ).all()
    )
    # question -> moment -> device -> value
    by: dict[int, dict[str, dict[int, object]]] = defaultdict(lambda: defaultdict(dict))
    for question_id, participant_id, moment, value in rows:
        by[question_id][moment][participant_id] = orjson.loads(value)
    return Results(
        workshop_id,
        workshop.title,
        tuple(_question(q, by[q.id or 0], groups) for q in found),
    )


def _question(
    q: Question, answers: dict[str, dict[int, object]], groups: dict[int | None, str]
) -> QuestionResult:
    moments = qs.moments_of(q)
    choices = tuple(qs.choices_of(q))
    results = []
    for moment in moments:
        given = list(answers.get(moment, {}).values())
        if q.kind == QuestionKind.scale:
            summary = answer_stats.scale_summary([int(v) for v in given], q.low, q.high)  # type: ignore[call-overload]
        elif q.kind == QuestionKind.text:
            summary = Summary(len(given), None, None, ())
        else:
            summary = answer_stats.choice_summary(given, len(choices))  # type: ignore[arg-type]
        results.append(MomentResult(moment.value, summary))
    changes = []
    if q.kind == QuestionKind.scale and Moment.joining in moments:
        baseline = answers.get(Moment.joining, {})
        for later in (m for m in moments if m is not Moment.joining):
            pairs = {
                device: (int(baseline[device]), int(value))  # type: ignore[call-overload]
                for device, value in answers.get(later, {}).items()
                if device in baseline
            }
            changes.append(
                ChangeRow(later.value, "", answer_stats.paired_change(list(pairs.values())))
            )
            per_group: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for device, pair in pairs.items():
                per_group[groups.get(device, "")].append(pair)
            for name in sorted(n for n in per_group if n):
                changes.append(
                    ChangeRow(later.value, name, answer_stats.paired_change(per_group[name]))
                )
    return QuestionResult(
        q.id or 0,
        q.text,
        q.kind,
        q.low,
        q.high,
        q.low_label,
        q.high_label,
        choices,
        tuple(results),
        tuple(changes),
    )
