"""The answers of a workshop as lines for its anonymous CSV, each device under a pseudonym."""

from __future__ import annotations

import hashlib

import orjson
from sqlmodel import Session, col, select

from facilitator.domain import questions as qs
from facilitator.domain.access import require_organiser
from facilitator.domain.actors import Actor
from facilitator.export.answers import AnswerLine
from facilitator.models import Answer, Participant, QuestionKind, Workshop


def pseudonym(workshop: Workshop, device_hash: str) -> str:
    """Stable within a workshop, unrelated across workshops, and not the device's id: the
    device hash never leaves the database, so the pseudonym cannot be traced back."""
    digest = hashlib.sha256(f"{workshop.code}:{device_hash}".encode()).hexdigest()
    return f"d-{digest[:10]}"


def answer_lines(s: Session, actor: Actor, workshop_id: int) -> list[AnswerLine]:
    workshop = require_organiser(s, actor, workshop_id)
    found = qs.questions(s, workshop_id)
    number = {q.id: n for n, q in enumerate(found, start=1)}
    by_id = {q.id: q for q in found}
    rows = s.exec(
        select(Answer, Participant.device_hash)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(col(Answer.question_id).in_(list(by_id)))
    ).all()
    lines = []
    for answer, device in rows:
        q = by_id[answer.question_id]
        value = orjson.loads(answer.value)
        if q.kind in (QuestionKind.single, QuestionKind.multiple):
            choices = qs.choices_of(q)
            picked = [value] if isinstance(value, int) else value
            shown = "; ".join(choices[i] for i in picked if 0 <= i < len(choices))
        else:
            shown = str(value)
        lines.append(
            AnswerLine(
                pseudonym(workshop, device),
                str(answer.moment),
                number[q.id],
                q.text,
                str(q.kind),
                shown,
            )
        )
    return lines
