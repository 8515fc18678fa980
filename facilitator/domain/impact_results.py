"""Results of a workshop's questions, read for mission control and the projector; the
grouping and pairing is `answer_stats.results`, which the report's section uses too."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from facilitator import answer_stats
from facilitator.answer_stats import QuestionResult
from facilitator.domain import impact_snapshot, round_state
from facilitator.domain.access import get_workshop, require_organiser
from facilitator.domain.actors import Actor
from facilitator.models import Group, Participant
from facilitator.store import events


@dataclass(frozen=True)
class Results:
    workshop_id: int
    title: str
    questions: tuple[QuestionResult, ...]
    version: int  # the workshop channel's seq when read: answers and questions move it


def version(s: Session, workshop_id: int) -> int:
    """Every answer, question and moment change is an event on the workshop's channel, so
    its seq says whether results read earlier are still current."""
    try:
        return events.head(s, events.workshop_channel(workshop_id)).seq
    except LookupError:  # a workshop whose channel has no event yet
        return 0


def results(s: Session, actor: Actor, workshop_id: int) -> Results:
    require_organiser(s, actor, workshop_id)
    return compute(s, workshop_id)


def current_version(s: Session, actor: Actor, workshop_id: int) -> int:
    require_organiser(s, actor, workshop_id)
    return version(s, workshop_id)


def compute(s: Session, workshop_id: int) -> Results:
    """The results, read in a few statements. The version is read first: an answer landing
    meanwhile makes the next poll read again rather than be missed."""
    workshop = get_workshop(s, workshop_id)
    seen = version(s, workshop_id)
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
    rounds = len(round_state.ordered(s, workshop_id))
    found = answer_stats.results(questions, answers, groups, rounds)
    return Results(workshop_id, workshop.title, found, seen)
