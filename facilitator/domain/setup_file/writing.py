"""Writing an existing workshop back as a set-up file that reads back to the same set-up."""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString
from sqlmodel import Session, col, select

from facilitator.domain import questions, round_state, workshop_views
from facilitator.domain.errors import Invalid
from facilitator.i18n import N_
from facilitator.models import Group, GroupCarry, Question, Workshop


def dump(s: Session, workshop_id: int) -> str:
    """The set-up of an existing workshop, as a file `parse` reads back to the same set-up."""
    w = s.get(Workshop, workshop_id)
    if w is None:
        raise Invalid(N_("That workshop does not exist."))
    groups = s.exec(
        select(Group).where(Group.workshop_id == workshop_id).order_by(col(Group.position))
    ).all()
    doc = CommentedMap()
    doc["title"] = w.title
    if w.date is not None:
        doc["date"] = w.date
    if w.description:
        doc["description"] = _block(w.description)
    doc["language"] = w.language
    if w.tag_label:
        doc["tag_label"] = w.tag_label
    if w.chatham_house:
        doc["chatham_house"] = True
    rounds = round_state.ordered(s, workshop_id)
    number = {r.id: n + 1 for n, r in enumerate(rounds)}
    if rounds:
        doc["rounds"] = [{"name": r.name, "assignment": str(r.assignment)} for r in rounds]
    names = {g.id: g.name for g in groups}
    carries = s.exec(select(GroupCarry).where(col(GroupCarry.group_id).in_(list(names)))).all()
    doc["groups"] = []
    for g in groups:
        assert g.id is not None
        emails = workshop_views.facilitator_emails(s, g.id)
        item: dict[str, Any] = {"name": g.name, "question": _block(g.prompt)}
        if g.description:
            item["context"] = _block(g.description)
        if emails:
            item["facilitators"] = emails
        if g.round_id is not None:
            item["round"] = number[g.round_id]
        carried = [names[c.source_id] for c in carries if c.group_id == g.id]
        if carried:
            item["carry"] = carried
        item |= {"phase": str(g.phase), **asdict(g.settings)}
        doc["groups"].append(item)
    asked = [_question(q) for q in questions.questions(s, workshop_id)]
    if asked:
        doc["questions"] = asked
    out = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096  # one line per sentence, not folded at 80 columns
    yaml.indent(mapping=2, sequence=4, offset=2)
    out.write("# Written by `facilitator workshop export-setup`; import it with\n")
    out.write("# `facilitator workshop import FILE`. The format is in docs/setup-files.md.\n")
    yaml.dump(doc, out)
    return out.getvalue()


def _block(text: str) -> str:
    """Text with line breaks as a `|` block, which reads as it will show."""
    return LiteralScalarString(text) if "\n" in text else text


def _question(question: Question) -> dict[str, Any]:
    draft = questions.draft_of(question)
    item: dict[str, Any] = {
        "text": draft.text,
        "kind": str(draft.kind),
        "asked": [str(m) for m in draft.moments],
    }
    if draft.kind == "scale":
        item |= {
            "scale": f"{draft.low}-{draft.high}",
            "low_label": draft.low_label,
            "high_label": draft.high_label,
        }
    if draft.choices:
        item["choices"] = list(draft.choices)
    return item
