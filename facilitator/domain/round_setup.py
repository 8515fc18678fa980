"""Setting rounds up from the organiser's forms: add a round, place a group in one, and the
question phones answer at join. The set-up file makes the same rows in one go."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from facilitator import vocabulary
from facilitator.domain import record, round_state
from facilitator.domain.access import get_group, get_row, require_organiser
from facilitator.domain.actors import Actor
from facilitator.domain.errors import Invalid, NotFound
from facilitator.domain.rounds import check_assignment
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import Group, Round
from facilitator.store.jobs import write_job
from facilitator.vocabulary import RoundChanged


def _over(s: Session, r: Round) -> bool:
    """Whether a round has ended: started, and another started after it."""
    now = round_state.current_round(s, r.workshop_id)
    return r.started_at is not None and now is not None and now.id != r.id


@write_job
def add_round(s: Session, actor: Actor, workshop_id: int, name: object, way: object) -> int:
    """A round after the last; the first one takes in every group there is."""
    require_organiser(s, actor, workshop_id)
    title = clean(name, limit=120, multiline=False)
    assignment = check_assignment(way)
    rounds = round_state.ordered(s, workshop_id)
    if len(rounds) >= round_state.MAX_ROUNDS:
        raise Invalid(
            N_("A workshop can have at most {count} rounds."), count=round_state.MAX_ROUNDS
        )
    row = Round(workshop_id=workshop_id, name=title, position=len(rounds), assignment=assignment)
    s.add(row)
    s.flush()
    assert row.id is not None
    if not rounds:
        for group in s.exec(select(Group).where(Group.workshop_id == workshop_id)):
            group.round_id = row.id
            s.add(group)
    payload = RoundChanged(row.id, title)
    record.to_workshop(s, workshop_id, vocabulary.ROUND_CHANGED, payload, actor)
    return row.id


@write_job
def place_groups(s: Session, actor: Actor, workshop_id: int, places: list[tuple[int, int]]) -> int:
    """Put groups in rounds, all or none; neither a group's round nor its new one may be one
    that has ended. Returns how many groups moved."""
    require_organiser(s, actor, workshop_id)
    moved = 0
    for group_id, round_id in places:
        group = get_group(s, group_id)
        target = get_row(s, Round, round_id)
        if group.workshop_id != workshop_id:
            raise NotFound(N_("That group does not exist."))
        if target is None or target.workshop_id != workshop_id:
            raise NotFound(N_("That round is not in this workshop."))
        if group.round_id == target.id:
            continue
        now = get_row(s, Round, group.round_id) if group.round_id else None
        if _over(s, target) or (now is not None and _over(s, now)):
            raise Invalid(N_("A round that has ended keeps its groups."))
        group.round_id = target.id
        s.add(group)
        payload = RoundChanged(round_id, f"{group.name} → {target.name}")
        record.to_workshop(s, workshop_id, vocabulary.ROUND_CHANGED, payload, actor)
        moved += 1
    return moved


@write_job
def set_tag_label(s: Session, actor: Actor, workshop_id: int, label: object) -> None:
    """The question every phone is asked at join ("Your organisation"); empty: none."""
    workshop = require_organiser(s, actor, workshop_id)
    workshop.tag_label = clean(label, limit=60, multiline=False, required=False)
    s.add(workshop)
    payload = RoundChanged(0, workshop.tag_label)
    record.to_workshop(s, workshop_id, vocabulary.ROUND_CHANGED, payload, actor)


@dataclass(frozen=True)
class RoundSetup:
    rounds: list[Round]
    places: dict[int, int | None]  # each group's round
    tag_label: str


def setup_view(s: Session, actor: Actor, workshop_id: int) -> RoundSetup:
    """The rounds, each group's round, and the question at join, for the workshop page."""
    workshop = require_organiser(s, actor, workshop_id)
    groups = s.exec(select(Group).where(Group.workshop_id == workshop_id))
    places = {g.id: g.round_id for g in groups if g.id is not None}
    return RoundSetup(round_state.ordered(s, workshop_id), places, workshop.tag_label)
