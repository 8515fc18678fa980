"""What happened next: each final recommendation's owner, status, due date and notes, changed
by the organisers (each change an event, so its history is in the audit trail), and a public,
read-only status page behind an unguessable link that the organiser can turn off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from facilitator import security, vocabulary
from facilitator.domain import record
from facilitator.domain.access import get_row, get_workshop, require_organiser
from facilitator.domain.actors import Actor
from facilitator.domain.errors import Invalid, NotFound
from facilitator.domain.text import clean
from facilitator.i18n import N_
from facilitator.models import (
    Event,
    FollowUp,
    FollowUpStatus,
    Recommendation,
    Scope,
    StatusLink,
    utcnow,
)
from facilitator.store import events
from facilitator.store.jobs import write_job
from facilitator.vocabulary import FollowUpChanged, StatusLinkChanged

STATUS_LABELS = {
    FollowUpStatus.proposed: N_("Proposed"),
    FollowUpStatus.accepted: N_("Accepted"),
    FollowUpStatus.in_progress: N_("In progress"),
    FollowUpStatus.done: N_("Done"),
    FollowUpStatus.dropped: N_("Dropped"),
}
GONE = N_("This status page is not available: the link was turned off or is not right.")


@dataclass(frozen=True)
class FollowUpDraft:
    owner_name: str
    owner_organisation: str
    status: FollowUpStatus
    due: dt.date | None
    notes: str


def check_follow_up(
    owner_name: object, owner_organisation: object, status: object, due: object, notes: object
) -> FollowUpDraft:
    if status not in {s.value for s in FollowUpStatus}:
        raise Invalid(N_("Choose a status: proposed, accepted, in progress, done or dropped."))
    return FollowUpDraft(
        clean(owner_name, limit=120, multiline=False, required=False),
        clean(owner_organisation, limit=200, multiline=False, required=False),
        FollowUpStatus(str(status)),
        _date(due),
        clean(notes, limit=5000, required=False),
    )


def _date(raw: object) -> dt.date | None:
    if raw is None or raw == "":
        return None
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise Invalid(N_("This should be a date like 2026-11-27.")) from None


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    detail: str


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    text: str
    owner_name: str
    owner_organisation: str
    status: str
    due: dt.date | None
    notes: str
    updated_at: dt.datetime | None
    history: tuple[Change, ...]  # newest first; for staff only
    who_acts: str = ""  # who the recommendation says should act (the owner may differ)


@dataclass(frozen=True)
class FollowUpView:
    workshop_id: int
    title: str
    items: tuple[Item, ...]
    link_made_at: dt.datetime | None  # the active public link's, if there is one


def finals(s: Session, workshop_id: int) -> list[Recommendation]:
    return list(
        s.exec(
            select(Recommendation)
            .where(
                Recommendation.workshop_id == workshop_id,
                Recommendation.scope == Scope.workshop,
                col(Recommendation.agreed).is_(True),
            )
            .order_by(col(Recommendation.position), col(Recommendation.id))
        ).all()
    )


def _history(s: Session, workshop_id: int) -> dict[int, list[Change]]:
    rows = s.exec(
        select(Event)
        .where(
            Event.channel == events.workshop_channel(workshop_id),
            Event.kind == vocabulary.FOLLOW_UP_CHANGED.name,
        )
        .order_by(col(Event.seq).desc())
    ).all()
    out: dict[int, list[Change]] = {}
    for row in rows:
        payload = vocabulary.FOLLOW_UP_CHANGED.read(events.LiveEvent.decode_payload(row.payload))
        if payload is not None:
            out.setdefault(payload.recommendation, []).append(
                Change(row.at, "; ".join(payload.changes))
            )
    return out


def _view(s: Session, workshop_id: int, staff: bool) -> FollowUpView:
    workshop = get_workshop(s, workshop_id)
    history = _history(s, workshop_id) if staff else {}
    items = []
    for rec in finals(s, workshop_id):
        assert rec.id is not None
        f = s.get(FollowUp, rec.id) or FollowUp(recommendation_id=rec.id, updated_at=rec.updated_at)
        items.append(
            Item(
                rec.id,
                rec.title,
                rec.text,
                f.owner_name,
                f.owner_organisation,
                str(f.status),
                f.due,
                f.notes,
                f.updated_at,
                tuple(history.get(rec.id, ())),
                rec.who_acts,
            )
        )
    link = _active_link(s, workshop_id) if staff else None
    return FollowUpView(
        workshop_id, workshop.title, tuple(items), link.created_at if link else None
    )


def view(s: Session, actor: Actor, workshop_id: int) -> FollowUpView:
    require_organiser(s, actor, workshop_id)
    return _view(s, workshop_id, staff=True)


def public_view(s: Session, token: str) -> FollowUpView:
    """The status page a link opens; refused once the link is turned off."""
    link = s.exec(
        select(StatusLink).where(StatusLink.token_hash == security.token_hash(token))
    ).first()
    if link is None or link.revoked_at is not None:
        raise NotFound(GONE)
    return _view(s, link.workshop_id, staff=False)


def _active_link(s: Session, workshop_id: int) -> StatusLink | None:
    return s.exec(
        select(StatusLink).where(
            StatusLink.workshop_id == workshop_id, col(StatusLink.revoked_at).is_(None)
        )
    ).first()


@write_job
def update(s: Session, actor: Actor, rec_id: int, draft: FollowUpDraft) -> None:
    """Set a final recommendation's follow-up; an unchanged form records nothing."""
    rec = get_row(s, Recommendation, rec_id, lock=True)
    if rec is None or rec.scope != Scope.workshop:
        raise NotFound(N_("That final recommendation no longer exists."))
    require_organiser(s, actor, rec.workshop_id)
    if not rec.agreed:
        raise Invalid(N_("Mark the recommendation final before following it up."))
    existing = s.get(FollowUp, rec_id)
    row = existing or FollowUp(recommendation_id=rec_id)
    changes = []
    for name, label in (
        ("owner_name", "owner"),
        ("owner_organisation", "organisation"),
        ("status", "status"),
        ("due", "due"),
        ("notes", "notes"),
    ):
        before, after = getattr(row, name), getattr(draft, name)
        if before != after:
            shown = "…" if name == "notes" else f"{_text(before)} → {_text(after)}"
            changes.append(f"{label}: {shown}")
            setattr(row, name, after)
    if not changes and existing is not None:
        return
    row.updated_at = utcnow()
    s.add(row)
    payload = FollowUpChanged(rec_id, rec.title, changes)
    record.to_workshop(s, rec.workshop_id, vocabulary.FOLLOW_UP_CHANGED, payload, actor)


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


@write_job
def make_status_link(s: Session, actor: Actor, workshop_id: int) -> str:
    """A new public link (the token, shown once); any earlier link stops working."""
    require_organiser(s, actor, workshop_id)
    _revoke(s, workshop_id)
    token = security.new_token()
    s.add(StatusLink(workshop_id=workshop_id, token_hash=security.token_hash(token)))
    record.to_workshop(s, workshop_id, vocabulary.STATUS_LINK, StatusLinkChanged(True), actor)
    return token


@write_job
def revoke_status_link(s: Session, actor: Actor, workshop_id: int) -> None:
    require_organiser(s, actor, workshop_id)
    if _revoke(s, workshop_id):
        record.to_workshop(s, workshop_id, vocabulary.STATUS_LINK, StatusLinkChanged(False), actor)


def _revoke(s: Session, workshop_id: int) -> bool:
    active = s.exec(
        select(StatusLink).where(
            StatusLink.workshop_id == workshop_id, col(StatusLink.revoked_at).is_(None)
        )
    ).all()
    for link in active:
        link.revoked_at = utcnow()
        s.add(link)
    return bool(active)
