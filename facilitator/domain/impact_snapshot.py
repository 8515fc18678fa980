"""The impact part of a workshop's snapshot (questions, answers, moments, follow-ups), read,
and restored from an archive by the same rules as the forms."""

from __future__ import annotations

from typing import Any

import orjson
from sqlmodel import Session, col, select

from facilitator.domain import archive_rules as rules
from facilitator.domain import follow_up as follow_ups
from facilitator.domain import questions as qs
from facilitator.domain.answers import check_value
from facilitator.domain.errors import Invalid
from facilitator.i18n import N_, gettext
from facilitator.models import Answer, FollowUp, MomentState, Question
from facilitator.snapshot import AnswerSnap, FollowUpSnap, MomentSnap, QuestionSnap, Snapshot, utc


def questions_and_answers(
    s: Session, workshop_id: int
) -> tuple[tuple[QuestionSnap, ...], tuple[AnswerSnap, ...]]:
    """The workshop's questions in order, and every answer to them."""
    found = qs.questions(s, workshop_id)
    ids = [q.id for q in found]
    answers = s.exec(
        select(Answer).where(col(Answer.question_id).in_(ids)).order_by(col(Answer.id))
    ).all()
    return tuple(
        QuestionSnap(
            q.id or 0,
            str(q.kind),
            q.text,
            tuple(str(m) for m in qs.moments_of(q)),
            q.position,
            q.low,
            q.high,
            q.low_label,
            q.high_label,
            tuple(qs.choices_of(q)),
        )
        for q in found
    ), tuple(
        AnswerSnap(
            a.question_id,
            a.participant_id,
            str(a.moment),
            orjson.loads(a.value),
            utc(a.created_at),
            utc(a.updated_at),
        )
        for a in answers
    )


def read(s: Session, workshop_id: int) -> dict[str, Any]:
    """The snapshot's impact fields, as keyword arguments."""
    questions, answers = questions_and_answers(s, workshop_id)
    finals = [r.id for r in follow_ups.finals(s, workshop_id)]
    return {
        "questions": questions,
        "answers": answers,
        "moments": tuple(
            MomentSnap(
                str(m.moment),
                utc(m.opened_at) if m.opened_at else None,
                utc(m.closed_at) if m.closed_at else None,
            )
            for m in s.exec(select(MomentState).where(MomentState.workshop_id == workshop_id)).all()
        ),
        "follow_ups": tuple(
            FollowUpSnap(
                f.recommendation_id,
                f.owner_name,
                f.owner_organisation,
                str(f.status),
                f.due,
                f.notes,
                utc(f.updated_at),
            )
            for f in s.exec(
                select(FollowUp)
                .where(col(FollowUp.recommendation_id).in_(finals))
                .order_by(col(FollowUp.recommendation_id))
            ).all()
        ),
    }


def restore(
    s: Session, snap: Snapshot, workshop_id: int, people: dict[int, int], finals: dict[int, int]
) -> None:
    """Add the archive's impact records to the new workshop; any bad one refuses the file."""
    question_ids: dict[int, int] = {}
    rows: dict[int, Question] = {}
    for n, q in enumerate(snap.questions):
        at = f"questions[{n}]"
        try:
            scale = f"{q.low}-{q.high}" if q.kind == "scale" else None
            draft = qs.check_question(
                q.kind, q.text, list(q.moments), scale, q.low_label, q.high_label, list(q.choices)
            )
        except Invalid as exc:
            raise rules.BadArchive(at, exc.message) from None
        row = qs.add(s, workshop_id, draft)
        assert row.id is not None
        question_ids[q.id], rows[row.id] = row.id, row
    seen: set[tuple[int, int, str]] = set()
    asked = {qid: qs.occasions(s, workshop_id, qs.moments_of(row)) for qid, row in rows.items()}
    for n, a in enumerate(snap.answers):
        at = f"answers[{n}]"
        qid = rules.ref(question_ids, a.question_id, f"{at}.question_id")
        pid = rules.ref(people, a.participant_id, f"{at}.participant_id")
        if a.moment not in asked[qid] or (qid, pid, a.moment) in seen:
            raise rules.BadArchive(at, gettext(N_("This answer is not one the workshop asks for.")))
        seen.add((qid, pid, a.moment))
        try:
            value = check_value(rows[qid], a.value)
        except Invalid as exc:
            raise rules.BadArchive(f"{at}.value", exc.message) from None
        if value is not None:
            s.add(
                Answer(
                    question_id=qid,
                    participant_id=pid,
                    moment=a.moment,
                    value=orjson.dumps(value).decode(),
                    created_at=a.created_at,
                    updated_at=a.updated_at,
                )
            )
    occasions = qs.occasions(s, workshop_id)
    for n, m in enumerate(snap.moments):
        if m.moment not in occasions:
            message = gettext(N_("Choose when the question is asked."))
            raise rules.BadArchive(f"moments[{n}].moment", message)
        s.add(
            MomentState(
                workshop_id=workshop_id,
                moment=m.moment,
                opened_at=m.opened_at,
                closed_at=m.closed_at,
            )
        )
    for n, f in enumerate(snap.follow_ups):
        at = f"follow_ups[{n}]"
        rec_id = rules.ref(finals, f.final_id, f"{at}.final_id")
        try:
            kept = follow_ups.check_follow_up(
                f.owner_name,
                f.owner_organisation,
                f.status,
                f.due.isoformat() if f.due else "",
                f.notes,
            )
        except Invalid as exc:
            raise rules.BadArchive(at, exc.message) from None
        s.add(
            FollowUp(
                recommendation_id=rec_id,
                owner_name=kept.owner_name,
                owner_organisation=kept.owner_organisation,
                status=kept.status,
                due=kept.due,
                notes=kept.notes,
                updated_at=f.updated_at,
            )
        )
