"""What the archive's groups hold on their boards, as new rows: participants, themes, ideas
(with their revisions and merges), dots and +1s."""

from __future__ import annotations

import dataclasses
import secrets

from sqlmodel import Session

from facilitator import i18n
from facilitator.domain import archive_rules as rules
from facilitator.domain.clusters import NAME_LIMIT as CLUSTER_NAME
from facilitator.domain.errors import Invalid
from facilitator.domain.moderation import REASON_LIMIT
from facilitator.domain.restore.ids import Board, inserted, same_group
from facilitator.domain.restore.log import actor
from facilitator.domain.text import client_key
from facilitator.i18n import N_
from facilitator.models import (
    Cluster,
    Idea,
    IdeaRevision,
    IdeaStatus,
    IdeaSupport,
    Participant,
    Vote,
)
from facilitator.snapshot import Snapshot


def write(
    s: Session,
    snap: Snapshot,
    workshop_id: int,
    group_ids: dict[int, int],
    *,
    idea_limit: int,
    name_limit: int,
) -> Board:
    """Every participant, theme, idea, dot and +1 of the file; their new ids."""
    people = inserted(
        s,
        [
            (
                p.id,
                Participant(
                    workshop_id=workshop_id,
                    device_hash=secrets.token_hex(32),
                    group_id=(
                        rules.ref(group_ids, p.group_id, f"participants[{n}].group_id")
                        if p.group_id
                        else None
                    ),
                    display_name=rules.optional_line(
                        p.display_name, f"participants[{n}].display_name", limit=name_limit
                    ),
                    tag=rules.optional_line(p.tag, f"participants[{n}].tag", limit=60),
                    created_at=p.created_at,
                ),
            )
            for n, p in enumerate(snap.participants)
        ],
    )
    clusters = inserted(
        s,
        [
            (
                c.id,
                Cluster(
                    group_id=rules.ref(group_ids, c.group_id, f"clusters[{n}].group_id"),
                    name=rules.text(
                        c.name, f"clusters[{n}].name", limit=CLUSTER_NAME, multiline=False
                    ),
                    position=rules.number(
                        c.position, f"clusters[{n}].position", 0, rules.MAX_POSITION
                    ),
                    created_at=c.created_at,
                ),
            )
            for n, c in enumerate(snap.clusters)
        ],
    )
    ids = Board(
        people=people,
        clusters=clusters,
        ideas={},  # filled in once the ideas are written
        cluster_groups={c.id: c.group_id for c in snap.clusters},
        idea_groups={i.id: i.group_id for i in snap.ideas},
    )
    ideas, rows = _ideas(s, snap, group_ids, ids, idea_limit)
    ids = dataclasses.replace(ids, ideas=ideas)
    _votes(s, snap, group_ids, ids)
    _supports(s, snap, ids, rows)
    return ids


def _ideas(
    s: Session, snap: Snapshot, group_ids: dict[int, int], ids: Board, idea_limit: int
) -> tuple[dict[int, int], dict[int, Idea]]:
    """The ideas, then their merges and revisions (which name ideas): their new ids and
    their rows, by the file's ids."""
    idea_rows = []
    for n, i in enumerate(snap.ideas):
        at = f"ideas[{n}]"
        group_id = rules.ref(group_ids, i.group_id, f"{at}.group_id")
        if i.cluster_id:
            same_group(ids.cluster_groups, i.cluster_id, i.group_id, f"{at}.cluster_id")
        idea_rows.append(
            (
                i.id,
                Idea(
                    group_id=group_id,
                    participant_id=(
                        rules.ref(ids.people, i.participant_id, f"{at}.participant_id")
                        if i.participant_id
                        else None
                    ),
                    user_id=None,  # never a local account: the author's name is kept
                    client_key=_key(i.client_key, f"{at}.client_key"),
                    author_name=rules.optional_line(i.author_name, f"{at}.author_name", limit=120),
                    text=rules.text(i.text, f"{at}.text", limit=idea_limit),
                    status=rules.choice(IdeaStatus, i.status, f"{at}.status"),
                    created_at=i.created_at,
                    updated_at=i.updated_at,
                    cluster_id=(
                        rules.ref(ids.clusters, i.cluster_id, f"{at}.cluster_id")
                        if i.cluster_id
                        else None
                    ),
                    position=rules.number(i.position, f"{at}.position", 0, rules.MAX_POSITION),
                    hidden_reason=rules.optional_line(
                        i.hidden_reason, f"{at}.hidden_reason", limit=REASON_LIMIT
                    ),
                    edited_by_facilitator=i.edited_by_facilitator,
                ),
            )
        )
    ideas = inserted(s, idea_rows)
    by_old = dict(idea_rows)
    for n, i in enumerate(snap.ideas):
        if i.merged_into is not None:
            same_group(ids.idea_groups, i.merged_into, i.group_id, f"ideas[{n}].merged_into")
            by_old[i.id].merged_into = rules.ref(ideas, i.merged_into, f"ideas[{n}].merged_into")
        for k, rev in enumerate(i.revisions):
            at = f"ideas[{n}].revisions[{k}]"
            s.add(
                IdeaRevision(
                    idea_id=ideas[i.id],
                    text=rules.text(rev.text, f"{at}.text", limit=idea_limit),
                    edited_by=actor(rev.edited_by, ids.people),
                    note=rules.optional_line(rev.note, f"{at}.note", limit=REASON_LIMIT),
                    at=rev.at,
                )
            )
    return ideas, by_old


def _votes(s: Session, snap: Snapshot, group_ids: dict[int, int], ids: Board) -> None:
    for n, v in enumerate(snap.votes):
        kind, target_id = ids.target(v.target, v.target_id, v.group_id, f"votes[{n}].target_id")
        s.add(
            Vote(
                group_id=rules.ref(group_ids, v.group_id, f"votes[{n}].group_id"),
                participant_id=rules.ref(ids.people, v.voter, f"votes[{n}].voter"),
                target=kind,
                target_id=target_id,
                created_at=v.created_at,
            )
        )


def _supports(s: Session, snap: Snapshot, ids: Board, rows: dict[int, Idea]) -> None:
    """The +1s, by the rules of support_idea: one per phone per idea, never to its own."""
    given: set[tuple[int, int]] = set()
    for n, p in enumerate(snap.supports):
        at = f"supports[{n}]"
        idea_id = rules.ref(ids.ideas, p.idea_id, f"{at}.idea_id")
        person = rules.ref(ids.people, p.participant_id, f"{at}.participant_id")
        idea = rows[p.idea_id]
        if idea.participant_id == person:
            raise rules.BadArchive(at, i18n.gettext(N_("That idea is yours already.")))
        if (idea_id, person) in given:
            message = i18n.gettext(N_("This phone has given that idea its +1 already."))
            raise rules.BadArchive(at, message)
        given.add((idea_id, person))
        s.add(
            IdeaSupport(
                group_id=idea.group_id,
                idea_id=idea_id,
                participant_id=person,
                created_at=p.created_at,
            )
        )


def _key(key: str, where: str) -> str:
    try:
        return client_key(key)
    except Invalid as exc:
        raise rules.BadArchive(where, exc.message) from None
