"""Moderation: hide and restore with a reason, edit with a note, merge duplicates, approve."""

from __future__ import annotations

from sqlmodel import Session, col, select, update

from facilitator import vocabulary
from facilitator.domain.access import get_row, require_facilitator
from facilitator.domain.actors import Actor
from facilitator.domain.errors import Conflict, Invalid, NotFound
from facilitator.domain.ideas import publish_idea
from facilitator.domain.text import clean
from facilitator.domain.votes import give_back, voter_states
from facilitator.i18n import N_
from facilitator.models import (
    Idea,
    IdeaRevision,
    IdeaStatus,
    IdeaSupport,
    Vote,
    VoteTarget,
    utcnow,
)
from facilitator.store.jobs import write_job
from facilitator.vocabulary import IdeaChanged, Kind

REASON_LIMIT = 300


def moderated_idea(s: Session, actor: Actor, idea_id: int) -> Idea:
    """An idea of a group the actor facilitates, still on the board (not withdrawn)."""
    idea = get_row(s, Idea, idea_id, lock=True)
    if idea is None or idea.status == IdeaStatus.withdrawn:
        raise NotFound(N_("That idea is not on the board any more."))
    require_facilitator(s, actor, idea.group_id)
    return idea


def _save(s: Session, actor: Actor, idea: Idea, kind: Kind[IdeaChanged]) -> None:
    idea.updated_at = utcnow()
    s.add(idea)
    s.flush()
    publish_idea(s, kind, actor, idea)


@write_job
def hide_idea(s: Session, actor: Actor, idea_id: int, reason: object) -> None:
    """Take an idea off the phones' boards; the reason is shown to its author."""
    why = clean(reason, limit=REASON_LIMIT, multiline=False, required=False)
    idea = moderated_idea(s, actor, idea_id)
    if idea.status == IdeaStatus.merged:
        raise Invalid(N_("That idea is merged into another; hide that one instead."))
    if idea.status == IdeaStatus.hidden and idea.hidden_reason == why:
        return
    idea.status, idea.hidden_reason = IdeaStatus.hidden, why
    given_back = give_back(s, idea.group_id, VoteTarget.idea, idea_id)
    idea.updated_at = utcnow()
    s.add(idea)
    s.flush()
    publish_idea(s, vocabulary.IDEA_HIDDEN, actor, idea, votes=given_back)


@write_job
def restore_idea(s: Session, actor: Actor, idea_id: int) -> None:
    """Put a hidden (or not yet approved) idea back on the board; also approves it."""
    idea = moderated_idea(s, actor, idea_id)
    if idea.status == IdeaStatus.visible:
        return
    if idea.status == IdeaStatus.merged:
        raise Invalid(N_("That idea is merged into another one."))
    approved = idea.status == IdeaStatus.pending
    kind = vocabulary.IDEA_APPROVED if approved else vocabulary.IDEA_RESTORED
    idea.status, idea.hidden_reason = IdeaStatus.visible, ""
    _save(s, actor, idea, kind)


@write_job
def edit_idea(
    s: Session, actor: Actor, idea_id: int, text: object, note: object, limit: int
) -> None:
    """A facilitator rewrites an idea; the old text and the note are kept in its history."""
    text = clean(text, limit=limit)
    why = clean(note, limit=REASON_LIMIT, multiline=False, required=False)
    idea = moderated_idea(s, actor, idea_id)
    if idea.text == text:
        return
    s.add(IdeaRevision(idea_id=idea_id, text=idea.text, edited_by=actor.ref, note=why))
    idea.text, idea.edited_by_facilitator = text, True
    _save(s, actor, idea, vocabulary.IDEA_MODERATED)


@write_job
def merge_ideas(s: Session, actor: Actor, source_id: int, target_id: int) -> None:
    """Merge a duplicate into another idea of the same group: its votes and +1s go with it,
    and it stays listed as a source of the idea it joined."""
    if source_id == target_id:
        raise Invalid(N_("An idea cannot be merged into itself."))
    source = moderated_idea(s, actor, source_id)
    target = moderated_idea(s, actor, target_id)
    if source.group_id != target.group_id:
        raise Invalid(N_("Only ideas of the same group can be merged."))
    if source.status == IdeaStatus.merged:
        if source.merged_into == target_id:
            return  # the same merge again
        raise Conflict(N_("That idea was already merged meanwhile."))
    if target.status == IdeaStatus.merged:
        raise Conflict(N_("The idea to merge into was itself merged meanwhile."))
    # Ideas merged into the source follow it, so provenance stays one level deep.
    s.exec(update(Idea).where(col(Idea.merged_into) == source_id).values(merged_into=target_id))
    on_source = (col(Vote.target) == VoteTarget.idea, col(Vote.target_id) == source_id)
    voters = set(s.exec(select(Vote.participant_id).where(*on_source)))
    s.exec(update(Vote).where(*on_source).values(target_id=target_id))
    _move_support(s, source_id, target)
    source.status, source.merged_into, source.cluster_id = IdeaStatus.merged, target_id, None
    source.updated_at = utcnow()
    s.add(source)
    s.flush()
    votes = voter_states(s, source.group_id, voters)
    publish_idea(s, vocabulary.IDEA_MERGED, actor, source, votes=votes, into_text=target.text)


def _move_support(s: Session, source_id: int, target: Idea) -> None:
    """The duplicate's +1s go to the idea it joins: once per phone (a phone that gave both
    keeps one), and never to the author's own idea (a +1 to one's own idea is refused)."""
    already = set(
        s.exec(select(IdeaSupport.participant_id).where(IdeaSupport.idea_id == target.id))
    )
    for given in s.exec(select(IdeaSupport).where(IdeaSupport.idea_id == source_id)).all():
        if given.participant_id in already or given.participant_id == target.participant_id:
            s.delete(given)
        else:
            assert target.id is not None
            given.idea_id = target.id
            s.add(given)


def merged_sources(s: Session, idea_ids: list[int]) -> dict[int, list[Idea]]:
    """For each idea, the ideas merged into it."""
    if not idea_ids:
        return {}
    rows = s.exec(
        select(Idea).where(col(Idea.merged_into).in_(idea_ids), Idea.status == IdeaStatus.merged)
    ).all()
    out: dict[int, list[Idea]] = {}
    for row in rows:
        assert row.merged_into is not None
        out.setdefault(row.merged_into, []).append(row)
    return out
