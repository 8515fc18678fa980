"""The report-back gallery (issue #23): when the organiser opens it, every phone of the
workshop browses every group's agreed recommendations, read-only, and gives a +1 to any.

One +1 per phone per recommendation, which it can take back. Each change carries the
phone's client-made key, kept on the row: a command sent again after a lost answer (the
Wi-Fi dropped) is recognised and changes nothing, so an offline +1 counts exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import get_row, get_workshop, require_organiser
from facilitator.domain.actors import Actor, Participant
from facilitator.domain.errors import Conflict, Forbidden, Invalid, NotFound
from facilitator.domain.text import client_key
from facilitator.i18n import N_
from facilitator.models import GalleryPlus, Group, Recommendation, Round, Scope, Workshop, utcnow
from facilitator.models import Participant as ParticipantRow
from facilitator.store import events
from facilitator.store.jobs import write_job
from facilitator.vocabulary import GalleryChanged, PlusChanged


@dataclass(frozen=True)
class GalleryItem:
    id: int
    title: str
    text: str
    rationale: str
    plus: int  # the room's +1s


@dataclass(frozen=True)
class GalleryGroup:
    id: int
    name: str
    round_name: str  # "" in a workshop without rounds
    items: tuple[GalleryItem, ...]


@dataclass(frozen=True)
class Gallery:
    """Every group's agreed recommendations, by round and group, with their +1s."""

    workshop_id: int
    title: str
    code: str
    language: str
    open: bool
    groups: tuple[GalleryGroup, ...]  # those with agreed recommendations, in order
    seq: int
    epoch: str

    @property
    def items(self) -> int:
        return sum(len(g.items) for g in self.groups)


def plus_counts(s: Session, rec_ids: list[int]) -> dict[int, int]:
    rows = s.exec(
        select(GalleryPlus.recommendation_id, func.count())
        .where(col(GalleryPlus.recommendation_id).in_(rec_ids), col(GalleryPlus.given))
        .group_by(col(GalleryPlus.recommendation_id))
    ).all()
    return {rid: n for rid, n in rows}


def read_gallery(s: Session, workshop_id: int) -> Gallery:
    """The gallery as every audience sees it (nothing here is personal or hidden)."""
    workshop = get_workshop(s, workshop_id)
    head = events.head(s, events.workshop_channel(workshop_id))
    rounds = {
        r.id: (r.position, r.name)
        for r in s.exec(select(Round).where(Round.workshop_id == workshop_id))
    }
    groups = sorted(
        s.exec(select(Group).where(Group.workshop_id == workshop_id)),
        key=lambda g: (rounds.get(g.round_id, (0, ""))[0], g.position, g.id or 0),
    )
    recs = s.exec(
        select(Recommendation)
        .where(
            Recommendation.workshop_id == workshop_id,
            Recommendation.scope == Scope.group,
            col(Recommendation.agreed),
        )
        .order_by(col(Recommendation.position), col(Recommendation.id))
    ).all()
    counts = plus_counts(s, [r.id for r in recs if r.id is not None])
    by_group: dict[int, list[GalleryItem]] = {}
    for r in recs:
        assert r.id is not None and r.group_id is not None
        item = GalleryItem(r.id, r.title, r.text, r.rationale, counts.get(r.id, 0))
        by_group.setdefault(r.group_id, []).append(item)
    shown = tuple(
        GalleryGroup(g.id, g.name, rounds.get(g.round_id, (0, ""))[1], tuple(by_group[g.id]))
        for g in groups
        if g.id in by_group
    )
    assert workshop.id is not None
    return Gallery(
        workshop.id,
        workshop.title,
        workshop.code,
        workshop.language,
        workshop.gallery_open,
        shown,
        head.seq,
        head.epoch,
    )


def my_plus(s: Session, participant_id: int) -> frozenset[int]:
    """The recommendations this phone has given its +1 (and not taken back)."""
    rows = s.exec(
        select(GalleryPlus.recommendation_id).where(
            GalleryPlus.participant_id == participant_id, col(GalleryPlus.given)
        )
    ).all()
    return frozenset(rows)


def staff_gallery(s: Session, actor: Actor, workshop_id: int) -> Gallery:
    require_organiser(s, actor, workshop_id)
    return read_gallery(s, workshop_id)


# -- commands --------------------------------------------------------------------------------


@write_job
def set_gallery(s: Session, actor: Actor, workshop_id: int, open_: bool) -> bool:
    """Open or close the gallery; False when it already was (nothing is recorded)."""
    get_row(s, Workshop, workshop_id, lock=True)  # one change at a time, across processes
    workshop = require_organiser(s, actor, workshop_id)
    if workshop.gallery_open == open_:
        return False
    workshop.gallery_open = open_
    s.add(workshop)
    kind = vocabulary.GALLERY_OPENED if open_ else vocabulary.GALLERY_CLOSED
    payload = GalleryChanged(open_)
    record.to_workshop(s, workshop_id, kind, payload, actor)
    groups = s.exec(select(Group.id).where(Group.workshop_id == workshop_id))
    for group_id in (g for g in groups if g is not None):  # phones' boards show the link
        record.to_group(s, group_id, kind, payload, actor)
    return True


@dataclass(frozen=True)
class PlusReceipt:
    recommendation: int
    count: int
    given: bool
    repeated: bool  # the same key again: the first answer, nothing changed


@write_job
def plus_one(
    s: Session, actor: Actor, recommendation_id: int, given: bool, key: object
) -> PlusReceipt:
    """Give (or take back) this phone's +1 on an agreed recommendation of its workshop."""
    if not isinstance(actor, Participant):
        raise Forbidden(N_("Only participants give +1s in the gallery."))
    key = client_key(key)
    # The device's row lock orders two changes from the same phone at once.
    if get_row(s, ParticipantRow, actor.id, lock=True) is None:
        raise Invalid(N_("Please join your group again."))
    row = s.get(GalleryPlus, (recommendation_id, actor.id)) if recommendation_id > 0 else None
    if row is not None and row.client_key == key and row.given == given:
        count = plus_counts(s, [recommendation_id]).get(recommendation_id, 0)
        return PlusReceipt(recommendation_id, count, given, repeated=True)
    workshop = get_workshop(s, actor.workshop_id)
    if not workshop.gallery_open:
        raise Conflict(N_("The gallery is closed, so +1s can no longer change."))
    rec = get_row(s, Recommendation, recommendation_id)
    if (
        rec is None
        or rec.workshop_id != actor.workshop_id
        or rec.scope != Scope.group
        or not rec.agreed
    ):
        raise NotFound(N_("That recommendation is not in the gallery."))
    if given and row is not None and row.given:
        raise Conflict(N_("You have given this recommendation your +1 already."))
    if not given and (row is None or not row.given):
        raise Conflict(N_("You have not given this recommendation a +1."))
    now = utcnow()
    if row is None:
        row = GalleryPlus(
            recommendation_id=recommendation_id, participant_id=actor.id, client_key=key
        )
    row.given, row.client_key, row.updated_at = given, key, now
    s.add(row)
    s.flush()
    count = plus_counts(s, [recommendation_id]).get(recommendation_id, 0)
    payload = PlusChanged(recommendation_id, rec.title, count, given, actor.id)
    record.to_workshop(s, actor.workshop_id, vocabulary.GALLERY_PLUS, payload, actor)
    return PlusReceipt(recommendation_id, count, given, repeated=False)
