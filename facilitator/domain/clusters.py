"""Clusters (themes): create, rename, delete, move ideas between them, accept suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select, update

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import get_row, require_facilitator
from facilitator.domain.actors import Actor
from facilitator.domain.errors import Conflict, Invalid, NotFound
from facilitator.domain.moderation import moderated_idea
from facilitator.domain.text import clean
from facilitator.domain.votes import give_back
from facilitator.i18n import N_
from facilitator.models import Cluster, Idea, IdeaStatus, RecommendationSource, VoteTarget
from facilitator.store.jobs import write_job
from facilitator.vocabulary import ClusterChanged, ClustersAccepted, IdeaMoved

NAME_LIMIT = 120
MAX_CLUSTERS = 60


@dataclass(frozen=True)
class Suggestion:
    """A grouping a person accepted, perhaps renamed: a name and its ideas; or, with a
    `cluster_id`, ideas to add to that theme already on the board (its name is unchanged)."""

    name: str
    idea_ids: list[int]
    cluster_id: int | None = None


def check_name(raw: object) -> str:
    return clean(raw, limit=NAME_LIMIT, multiline=False)


def _cluster(s: Session, actor: Actor, cluster_id: int) -> Cluster:
    cluster = get_row(s, Cluster, cluster_id)
    if cluster is None:
        raise NotFound(N_("That theme no longer exists; someone may have deleted it."))
    require_facilitator(s, actor, cluster.group_id)
    return cluster


def _new_cluster(s: Session, group_id: int, name: str) -> Cluster:
    count = s.exec(select(func.count()).where(Cluster.group_id == group_id)).one()
    if count >= MAX_CLUSTERS:
        raise Invalid(N_("A group can have at most {max} themes."), max=MAX_CLUSTERS)
    top = s.exec(select(func.max(Cluster.position)).where(Cluster.group_id == group_id)).one()
    cluster = Cluster(group_id=group_id, name=name, position=(top or 0) + 1)
    s.add(cluster)
    s.flush()
    return cluster


@write_job
def create_cluster(
    s: Session, actor: Actor, group_id: int, name: object, idea_id: int | None = None
) -> int:
    """A new theme, empty or with one idea moved in: both happen, or neither."""
    name = check_name(name)
    require_facilitator(s, actor, group_id)
    idea = moderated_idea(s, actor, idea_id) if idea_id is not None else None
    if idea is not None and idea.status == IdeaStatus.merged:
        raise Conflict(N_("That idea was merged into another one meanwhile."))
    if idea is not None and idea.group_id != group_id:
        raise Invalid(N_("That idea belongs to another group."))
    cluster = _new_cluster(s, group_id, name)
    assert cluster.id is not None
    if idea is not None:
        _place(s, idea, cluster.id, None)
    payload = ClusterChanged(cluster.id, idea=idea_id, name=name)
    record.to_group(s, group_id, vocabulary.CLUSTER_CREATED, payload, actor)
    return cluster.id


@write_job
def rename_cluster(s: Session, actor: Actor, cluster_id: int, name: object) -> None:
    name = check_name(name)
    cluster = _cluster(s, actor, cluster_id)
    if cluster.name == name:
        return
    previous, cluster.name = cluster.name, name
    s.add(cluster)
    payload = ClusterChanged(cluster_id, name=name, previous_name=previous)
    record.to_group(s, cluster.group_id, vocabulary.CLUSTER_RENAMED, payload, actor)


@write_job
def delete_cluster(s: Session, actor: Actor, cluster_id: int) -> None:
    """Delete a theme; its ideas go back to the unclustered ones, and its votes are dropped."""
    cluster = _cluster(s, actor, cluster_id)
    sourced = s.exec(
        select(RecommendationSource).where(
            RecommendationSource.target == VoteTarget.cluster,
            RecommendationSource.target_id == cluster_id,
        )
    ).first()
    if sourced is not None:  # provenance must stay walkable
        raise Invalid(N_("A recommendation comes from this theme; delete that first."))
    s.exec(update(Idea).where(col(Idea.cluster_id) == cluster_id).values(cluster_id=None))
    group_id = cluster.group_id
    given_back = give_back(s, group_id, VoteTarget.cluster, cluster_id)
    s.delete(cluster)
    payload = ClusterChanged(cluster_id, votes=given_back, name=cluster.name)
    record.to_group(s, group_id, vocabulary.CLUSTER_DELETED, payload, actor)


def _place(s: Session, idea: Idea, cluster_id: int | None, position: int | None) -> None:
    """Put the idea at `position` among its new siblings (at the end when None)."""
    siblings = list(
        s.exec(
            select(Idea)
            .where(
                Idea.group_id == idea.group_id,
                Idea.cluster_id == cluster_id,
                col(Idea.status).in_([IdeaStatus.visible, IdeaStatus.pending, IdeaStatus.hidden]),
                Idea.id != idea.id,
            )
            .order_by(col(Idea.position), col(Idea.id))
        ).all()
    )
    index = len(siblings) if position is None else max(0, min(position, len(siblings)))
    siblings.insert(index, idea)
    idea.cluster_id = cluster_id
    for n, sibling in enumerate(siblings):
        if sibling.position != n or sibling is idea:
            sibling.position = n
            s.add(sibling)


@write_job
def move_idea(
    s: Session,
    actor: Actor,
    idea_id: int,
    to_cluster: int | None,
    from_cluster: int | str | None = "any",
    position: int | None = None,
) -> None:
    """Put an idea into a theme (None: back among the unclustered).

    `from_cluster` is where the facilitator saw the idea; if another facilitator moved it
    meanwhile, the move is refused and both screens keep the server's order.
    """
    idea = moderated_idea(s, actor, idea_id)
    if idea.status == IdeaStatus.merged:
        raise Conflict(N_("That idea was merged into another one meanwhile."))
    if from_cluster != "any" and idea.cluster_id != from_cluster:
        if idea.cluster_id == to_cluster:
            return  # someone made the same move first
        raise Conflict(N_("Someone else moved that idea meanwhile; your screen now shows it."))
    if to_cluster is not None and _cluster(s, actor, to_cluster).group_id != idea.group_id:
        raise Invalid(N_("That theme belongs to another group."))
    # Dots go on themes and unclustered ideas: an idea joining a theme gives its back.
    given_back = (
        give_back(s, idea.group_id, VoteTarget.idea, idea_id)
        if idea.cluster_id is None and to_cluster is not None
        else {}
    )
    source = _cluster_name(s, idea.cluster_id)
    _place(s, idea, to_cluster, position)
    s.flush()
    payload = IdeaMoved(
        idea_id,
        to_cluster,
        idea.position,
        given_back,
        idea.text,
        source,
        _cluster_name(s, to_cluster),
    )
    record.to_group(s, idea.group_id, vocabulary.IDEA_MOVED, payload, actor)


def _cluster_name(s: Session, cluster_id: int | None) -> str:
    """A theme's name for the record; "" for the unclustered."""
    cluster = get_row(s, Cluster, cluster_id) if cluster_id is not None else None
    return cluster.name if cluster is not None else ""


@write_job
def apply_suggestions(
    s: Session, actor: Actor, group_id: int, accepted: list[Suggestion]
) -> list[int]:
    """Make a theme for each accepted suggestion and move its ideas in, and add the ideas of
    each accepted extension to its theme, all at once.

    Ideas that a facilitator clustered meanwhile are left where they are.
    """
    drafts = [
        Suggestion(
            a.name if a.cluster_id is not None else check_name(a.name),
            list(dict.fromkeys(a.idea_ids)),
            a.cluster_id,
        )
        for a in accepted
    ]
    if not drafts:
        raise Invalid(N_("Choose at least one suggestion to accept."))
    require_facilitator(s, actor, group_id)
    made: list[int] = []
    names: list[str] = []
    extended: list[int] = []
    for draft in drafts:
        ideas = [
            idea
            for idea in (get_row(s, Idea, i) for i in draft.idea_ids)
            if idea is not None
            and idea.group_id == group_id
            and idea.cluster_id is None
            and idea.status in (IdeaStatus.visible, IdeaStatus.pending)
        ]
        if not ideas:
            continue
        if draft.cluster_id is not None:
            cluster = _cluster(s, actor, draft.cluster_id)
            if cluster.group_id != group_id:
                raise Invalid(N_("That theme belongs to another group."))
            extended.append(draft.cluster_id)
        else:
            cluster = _new_cluster(s, group_id, draft.name)
            assert cluster.id is not None
            made.append(cluster.id)
        for idea in ideas:
            _place(s, idea, cluster.id, None)
        names.append(cluster.name)
    if not made and not extended:
        raise Conflict(N_("Those ideas were all placed meanwhile; ask for new suggestions."))
    s.flush()
    payload = ClustersAccepted(made, names, extended)
    record.to_group(s, group_id, vocabulary.CLUSTERS_ACCEPTED, payload, actor)
    return made
