"""Importing a workshop exported as JSON (schema facilitator.workshop/1) into this instance.

Everything gets new ids; all else is kept, the event log included, so each channel's seq
runs on without a gap from where the file left it. Staff are matched by email: an account
that exists here is linked, one that does not is left out (its events keep "staff:<email>").
Ids inside event payloads are history and stay as the exporting instance wrote them.
"""

from __future__ import annotations

import secrets

import orjson
from sqlmodel import Session, select

from facilitator import i18n
from facilitator.domain.codes import new_code
from facilitator.models import (
    Channel,
    Cluster,
    Event,
    Group,
    GroupFacilitator,
    Idea,
    IdeaRevision,
    IdeaStatus,
    Participant,
    Phase,
    Recommendation,
    RecommendationSource,
    Scope,
    SourceKind,
    User,
    Vote,
    VoteTarget,
    Workshop,
    WorkshopOrganiser,
)
from facilitator.snapshot import Snapshot
from facilitator.store import events
from facilitator.store.database import Database
from facilitator.vocabulary import RENAMED


def _code(s: Session, wanted: str) -> str:
    """Keep the file's join code when this instance has not used it, so printed cards work."""
    code = wanted
    while (
        s.exec(select(Group.id).where(Group.code == code)).first() is not None
        or s.exec(select(Workshop.id).where(Workshop.code == code)).first() is not None
    ):
        code = new_code()
    return code


def restore(s: Session, snap: Snapshot, organiser_id: int | None = None) -> int:
    """Write the snapshot as a new workshop in this transaction; returns its id."""
    users = {u.email: u.id for u in s.exec(select(User)).all()}
    w = snap.workshop
    workshop = Workshop(
        title=w.title,
        date=w.date,
        description=w.description,
        language=i18n.supported(w.language) or i18n.DEFAULT,
        code=_code(s, w.code),
        created_at=w.created_at,
    )
    s.add(workshop)
    s.flush()
    assert workshop.id is not None
    wid = workshop.id
    owners = {users[e] for e in w.organisers if e in users} | (
        {organiser_id} if organiser_id else set()
    )
    for uid in owners:
        assert uid is not None
        s.add(WorkshopOrganiser(workshop_id=wid, user_id=uid))

    group_ids: dict[int, int] = {}
    for g in snap.groups:
        row = Group(
            workshop_id=wid,
            name=g.name,
            prompt=g.prompt,
            description=g.description,
            code=_code(s, g.code),
            phase=Phase(g.phase),
            position=g.position,
            created_at=g.created_at,
            ideas_revealed=g.ideas_revealed,
            votes_revealed=g.votes_revealed,
            timer_ends_at=g.timer_ends_at,
            writing_locked=g.writing_locked,
        )
        row.settings = g.settings
        s.add(row)
        s.flush()
        assert row.id is not None
        group_ids[g.id] = row.id
        for email in g.facilitators:
            uid = users.get(email)
            if uid is not None:
                s.add(GroupFacilitator(group_id=row.id, user_id=uid))

    def new_ids(rows: list[tuple[int, object]]) -> dict[int, int]:
        s.add_all([r for _, r in rows])
        s.flush()
        return {old: r.id for old, r in rows}  # type: ignore[attr-defined]

    people = new_ids(
        [
            (
                p.id,
                Participant(
                    workshop_id=wid,
                    device_hash=secrets.token_hex(32),
                    group_id=group_ids.get(p.group_id) if p.group_id else None,
                    display_name=p.display_name,
                    created_at=p.created_at,
                ),
            )
            for p in snap.participants
        ]
    )
    clusters = new_ids(
        [
            (
                c.id,
                Cluster(
                    group_id=group_ids[c.group_id],
                    name=c.name,
                    position=c.position,
                    created_at=c.created_at,
                ),
            )
            for c in snap.clusters
        ]
    )
    idea_rows = [
        (
            i.id,
            Idea(
                group_id=group_ids[i.group_id],
                participant_id=people[i.participant_id] if i.participant_id else None,
                user_id=users.get(i.author_email) if i.author_email else None,
                client_key=i.client_key,
                author_name=i.author_name,
                text=i.text,
                status=IdeaStatus(i.status),
                created_at=i.created_at,
                updated_at=i.updated_at,
                cluster_id=clusters[i.cluster_id] if i.cluster_id else None,
                position=i.position,
                hidden_reason=i.hidden_reason,
                edited_by_facilitator=i.edited_by_facilitator,
            ),
        )
        for i in snap.ideas
    ]
    ideas = new_ids(list(idea_rows))
    by_old = dict(idea_rows)
    for i in snap.ideas:
        if i.merged_into is not None:
            by_old[i.id].merged_into = ideas[i.merged_into]
        for rev in i.revisions:
            s.add(
                IdeaRevision(
                    idea_id=ideas[i.id],
                    text=rev.text,
                    edited_by=_actor(rev.edited_by, people, users),
                    note=rev.note,
                    at=rev.at,
                )
            )

    def target(kind: str, old: int) -> int:
        return (clusters if kind == VoteTarget.cluster else ideas)[old]

    for v in snap.votes:
        s.add(
            Vote(
                group_id=group_ids[v.group_id],
                participant_id=people[v.voter],
                target=VoteTarget(v.target),
                target_id=target(v.target, v.target_id),
                created_at=v.created_at,
            )
        )
    rec_ids: dict[int, int] = {}
    for r in snap.recommendations:
        rec = Recommendation(
            workshop_id=wid,
            scope=Scope.group,
            group_id=group_ids[r.group_id],
            title=r.title,
            text=r.text,
            rationale=r.rationale,
            position=r.position,
            agreed=r.agreed,
            created_by=users.get(r.created_by) if r.created_by else None,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        s.add(rec)
        s.flush()
        assert rec.id is not None
        rec_ids[r.id] = rec.id
        for src in r.sources:
            s.add(
                RecommendationSource(
                    recommendation_id=rec.id,
                    target=SourceKind(src.target),
                    target_id=target(src.target, src.target_id),
                )
            )

    for f in snap.final_recommendations:
        final = Recommendation(
            workshop_id=wid,
            scope=Scope.workshop,
            title=f.title,
            text=f.text,
            rationale=f.rationale,
            position=f.position,
            agreed=f.final,
            created_at=f.created_at,
            updated_at=f.updated_at,
        )
        s.add(final)
        s.flush()
        assert final.id is not None
        for old in f.recommendation_ids:
            s.add(
                RecommendationSource(
                    recommendation_id=final.id,
                    target=SourceKind.recommendation,
                    target_id=rec_ids[old],
                )
            )

    channels = {"workshop": events.workshop_channel(wid)} | {
        f"group:{old}": events.group_channel(new) for old, new in group_ids.items()
    }
    heads = dict.fromkeys(channels.values(), 0)
    for e in snap.events:
        name = channels[e.channel]
        heads[name] = max(heads[name], e.seq)
        s.add(
            Event(
                channel=name,
                seq=e.seq,
                kind=RENAMED.get(e.kind, e.kind),  # an archive from before the rename
                payload=orjson.dumps(e.payload).decode(),
                actor=_actor(e.actor, people, users),
                at=e.at,
            )
        )
    for name, seq in heads.items():
        # A new epoch: no phone holds a position in this copy's log.
        s.add(Channel(name=name, seq=seq, epoch=secrets.token_hex(4)))
    s.flush()
    return wid


def _actor(ref: str, people: dict[int, int], users: dict[str, int | None]) -> str:
    kind, _, ident = ref.partition(":")
    if kind == "participant" and ident.isdigit() and int(ident) in people:
        return f"participant:{people[int(ident)]}"
    if kind == "staff" and users.get(ident):
        return f"user:{users[ident]}"
    return ref[:40]


async def import_workshop(db: Database, snap: Snapshot, organiser_id: int | None = None) -> int:
    """Import in one transaction: a file that fails half way leaves nothing behind."""
    return await db.write(restore, snap, organiser_id)
