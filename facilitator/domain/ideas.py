"""Ideas: submit (idempotent by client key), edit and withdraw one's own, read a board."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import bindparam, case, func, insert
from sqlmodel import Session, col, select

from facilitator import vocabulary
from facilitator.domain import chatham_house, record, round_state
from facilitator.domain.access import AnyGroup, get_group, get_row, group_rules, require_member
from facilitator.domain.actors import Actor, Participant, Staff
from facilitator.domain.errors import Conflict, Forbidden, Invalid, NotFound
from facilitator.domain.text import clean, client_key
from facilitator.group_settings import GroupSettings
from facilitator.i18n import N_
from facilitator.models import Idea, IdeaRevision, IdeaStatus, IdeaSupport, Phase, Round, utcnow
from facilitator.store.jobs import write_job
from facilitator.store.statements import core
from facilitator.vocabulary import Counts, DotsBack, IdeaChanged, IdeaView, Kind


@dataclass(frozen=True)
class Receipt:
    """The answer to a submission; a repeat of the same key gets the first one again."""

    idea_id: int
    key: str
    repeated: bool
    # Sent after its phone moved on to a new round: the group (and round) it was written in
    # and is kept in, to tell the phone where it went.
    kept_in: tuple[str, str] | None = None


# Statements of the submit path, built once: it runs for every idea of every phone, and
# building and coercing a statement per call cost more than the query.
_COUNTS = select(
    func.count(),
    func.count(func.distinct(Idea.participant_id)),
    func.count(case((col(Idea.cluster_id).is_(None), 1))),
).where(Idea.group_id == bindparam("group_id"), Idea.status == IdeaStatus.visible)
_BY_KEY = select(Idea.id, Idea.participant_id, Idea.user_id).where(
    Idea.group_id == bindparam("group_id"), Idea.client_key == bindparam("key")
)
# On the table, not the entity: an entity insert goes through the ORM's bulk machinery.
_IDEAS = Idea.__table__  # type: ignore[attr-defined]
_INSERT = insert(_IDEAS).returning(_IDEAS.c.id)


def counts(s: Session, group_id: int) -> Counts:
    """Visible ideas, the people who wrote them (NULL authors, i.e. staff, not counted), and
    how many of those ideas are in no theme."""
    n, who, unclustered = core(s, _COUNTS, {"group_id": group_id}).one()
    return Counts(n, who, unclustered)


class HasStatus(Protocol):
    @property
    def status(self) -> str: ...


class Revealing(Protocol):
    """What decides whether phones see an idea: a group's row, its rules, or its board's state
    (the board passes its state, so a row's settings are not rebuilt for every idea)."""

    @property
    def settings(self) -> GroupSettings: ...

    @property
    def ideas_revealed(self) -> bool: ...


def shown_to_phones(group: Revealing, idea: HasStatus) -> bool:
    """Whether other phones may see this idea now (the author always sees their own)."""
    return idea.status == IdeaStatus.visible and (
        not group.settings.private_mode or group.ideas_revealed
    )


def publish_idea(
    s: Session,
    kind: Kind[IdeaChanged],
    actor: Actor,
    idea: Idea,
    edited: bool = False,
    votes: DotsBack | None = None,
    into_text: str = "",
) -> None:
    """An idea event whose payload is enough to render it for every audience."""
    group = get_group(s, idea.group_id)
    _publish(s, kind, actor, group, IdeaView.of(idea, edited), votes or {}, into_text)


def _publish(
    s: Session,
    kind: Kind[IdeaChanged],
    actor: Actor,
    group: AnyGroup,
    view: IdeaView,
    votes: DotsBack | None = None,
    into_text: str = "",
) -> None:
    shown = shown_to_phones(group, view)
    # A new idea has no +1 yet: the hot path asks nothing more of the database.
    given = 0 if kind is vocabulary.IDEA_SUBMITTED else support_count(s, view.id)
    payload = IdeaChanged(
        view, counts(s, view.group_id), shown, group.phase, votes or {}, into_text, given
    )
    record.to_group(s, view.group_id, kind, payload, actor)


def support_count(s: Session, idea_id: int) -> int:
    """How many phones gave this idea their +1 (domain/support.py)."""
    return int(s.exec(select(func.count()).where(col(IdeaSupport.idea_id) == idea_id)).one())


def writing_open(s: Session, group: AnyGroup, actor: Actor) -> None:
    """Phones write only while the group collects, unpaused and in time; staff always."""
    if isinstance(actor, Staff):
        return
    if group.phase != Phase.collect:
        raise Invalid(N_("This group is not collecting ideas right now."))
    if group.writing_locked:
        raise Invalid(N_("The facilitator has paused writing for now."))
    if group.settings.time_is_up(group.timer_ends_at, utcnow()):
        raise Invalid(N_("Time is up: this group is not taking new ideas."))


def _author_name(s: Session, actor: Actor, group: AnyGroup) -> str:
    """The name shown with a new idea, none under the Chatham House Rule. The rule is read
    only when there is a name to withhold: a phone's name is erased when the rule comes on,
    but a socket opened before may still hold it in its actor."""
    name = actor.display_name if isinstance(actor, Participant) else actor.name
    return "" if name and chatham_house.is_on(s, group.workshop_id) else name


@write_job
def submit_idea(
    s: Session, actor: Actor, group_id: int, key: object, text: object, limit: int
) -> Receipt:
    """Add an idea to a group. The same key again returns the first receipt, changing nothing."""
    text = clean(text, limit=limit)
    key = client_key(key)
    group, kept_in = _member_or_seated(s, actor, group_id)
    existing = core(s, _BY_KEY, {"group_id": group_id, "key": key}).first()
    if existing is not None:
        if _ref(existing.participant_id, existing.user_id) != actor.ref:
            raise Conflict(N_("This submission id is already used. Please reload the page."))
        return Receipt(existing.id, key, repeated=True, kept_in=kept_in)
    writing_open(s, group, actor)
    now = utcnow()
    is_phone = isinstance(actor, Participant)
    row: dict[str, Any] = {
        "group_id": group_id,
        "client_key": key,
        "text": text,
        "created_at": now,
        "updated_at": now,
        "participant_id": actor.id if is_phone else None,
        "user_id": None if is_phone else actor.id,
        "author_name": _author_name(s, actor, group),
        "status": (
            IdeaStatus.pending if group.settings.premoderation and is_phone else IdeaStatus.visible
        ),
        "position": 0,
        "hidden_reason": "",
        "edited_by_facilitator": False,
    }
    # A Core insert: the ORM's unit of work was most of a submission's cost.
    idea_id: int = core(s, _INSERT, row).scalar_one()
    view = IdeaView(
        idea_id,
        group_id,
        text,
        row["author_name"],
        row["participant_id"],
        row["status"],
        False,
        now.isoformat(),
    )
    _publish(s, vocabulary.IDEA_SUBMITTED, actor, group, view)
    return Receipt(idea_id, key, repeated=False, kept_in=kept_in)


def _member_or_seated(
    s: Session, actor: Actor, group_id: int
) -> tuple[AnyGroup, tuple[str, str] | None]:
    """The group's rules for a member; for a phone that sat in it in a round that has
    ended (an idea written there offline, sent after the round moved on), the rules too,
    with the group's and round's names. Anyone else is refused as before."""
    try:
        return require_member(s, actor, group_id), None
    except Forbidden:
        if not isinstance(actor, Participant) or not round_state.seated(s, actor.id, group_id):
            raise
    row = get_group(s, group_id)
    sitting = s.get(Round, row.round_id) if row.round_id is not None else None
    return group_rules(s, group_id), (row.name, sitting.name if sitting else "")


def _author_ref(idea: Idea) -> str:
    return _ref(idea.participant_id, idea.user_id)


def _ref(participant_id: int | None, user_id: int | None) -> str:
    if participant_id is not None:
        return f"participant:{participant_id}"
    return f"user:{user_id}"


def _own_idea(s: Session, actor: Actor, idea_id: int) -> Idea:
    idea = get_row(s, Idea, idea_id, lock=True)
    if idea is None or idea.status == IdeaStatus.withdrawn:
        raise NotFound(N_("That idea is not on the board any more."))
    require_member(s, actor, idea.group_id)
    if _author_ref(idea) != actor.ref:
        raise Forbidden(N_("You can only change your own ideas."))
    if idea.status in (IdeaStatus.hidden, IdeaStatus.merged):
        raise Invalid(N_("A facilitator has set this idea aside, so it cannot be changed now."))
    return idea


@write_job
def edit_own_idea(s: Session, actor: Actor, idea_id: int, text: object, limit: int) -> None:
    """The author rewrites their idea while the group collects; the old text is kept."""
    text = clean(text, limit=limit)
    idea = _own_idea(s, actor, idea_id)
    writing_open(s, get_group(s, idea.group_id), actor)
    if idea.text == text:
        return  # a repeat of the same edit changes nothing
    s.add(IdeaRevision(idea_id=idea_id, text=idea.text, edited_by=actor.ref))
    idea.text, idea.updated_at = text, utcnow()
    s.add(idea)
    s.flush()
    publish_idea(s, vocabulary.IDEA_EDITED, actor, idea, edited=True)


@write_job
def withdraw_own_idea(s: Session, actor: Actor, idea_id: int) -> None:
    """The author takes their idea back; it leaves every board. A repeat changes nothing."""
    idea = get_row(s, Idea, idea_id)
    if idea is not None and idea.status == IdeaStatus.withdrawn and _author_ref(idea) == actor.ref:
        return
    idea = _own_idea(s, actor, idea_id)
    # Later, others' dots and recommendations may rest on it.
    writing_open(s, get_group(s, idea.group_id), actor)
    idea.status, idea.updated_at = IdeaStatus.withdrawn, utcnow()
    s.add(idea)
    s.flush()
    publish_idea(s, vocabulary.IDEA_WITHDRAWN, actor, idea)
