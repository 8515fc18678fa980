"""Results of a workshop's questions, read for mission control and the projector; the
grouping and pairing is `answer_stats.results`, which the report's section uses too."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from facilitator import answer_stats
from facilitator.answer_stats import QuestionResult
from facilitator.domain import impact_snapshot
from facilitator.domain.access import get_workshop, require_organiser
from facilitator.domain.actors import Actor
from facilitator.models import Group, Participant


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
    questions, answers = impact_snapshot.questions_and_answers(s, workshop_id)
    groups: dict[int, str] = {
        pid: name
        for pid, name in s.exec(
            select(Participant.id, Group.name)
            .join(Group, col(Group.id) == Participant.group_id)
            .where(Participant.workshop_id == workshop_id)
        ).all()
        if pid is not None
    }
    return Results(workshop_id, workshop.title, answer_stats.results(questions, answers, groups))
