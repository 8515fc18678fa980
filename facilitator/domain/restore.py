"""Importing a workshop exported as JSON (schema facilitator.workshop/1) into this instance.

Everything gets new ids, and each channel's log is numbered afresh from 1; all else is kept,
the event log included. The file is checked by the rules of live input first
(archive_rules). Organisers and facilitators are matched by email: an account that exists
here is linked, one that does not is left out. Who did what (the log's actors, revisions,
authors) is never mapped onto a local account: imported participants, or placeholders
("imported:staff:<email>"). Ids inside event payloads are history and stay as the exporting
instance wrote them.
"""

from __future__ import annotations

import secrets

import orjson
from sqlmodel import Session, select

from facilitator import i18n
from facilitator.domain import archive_rules as rules
from facilitator.domain import codes, impact_snapshot, round_state, workshops
from facilitator.domain.clusters import NAME_LIMIT as CLUSTER_NAME
from facilitator.domain.codes import new_code
from facilitator.domain.errors import Invalid
from facilitator.domain.moderation import REASON_LIMIT
from facilitator.domain.recommendations import check_draft
from facilitator.domain.text import client_key
from facilitator.i18n import N_
from facilitator.models import (
    Assignment,
    Channel,
    Cluster,
    Event,
    Group,
    GroupCarry,
    GroupFacilitator,
    Idea,
    IdeaRevision,
    IdeaStatus,
    IdeaSupport,
    Participant,
    Phase,
    Recommendation,
    RecommendationSource,
    Round,
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
    """Keep the file's join code when it is one and this instance has not used it, so
    printed cards work; else a new one."""
    code = codes.normalise(wanted) or new_code()
    while (
        s.exec(select(Group.id).where(Group.code == code)).first() is not None
        or s.exec(select(Workshop.id).where(Workshop.code == code)).first() is not None
    ):
        code = new_code()
    return code


def restore(
    s: Session,
    snap: Snapshot,
    organiser_id: int | None = None,
    *,
    idea_limit: int = 500,
    name_limit: int = 60,
) -> int:
    """Check the snapshot by the rules of live input (rules.BadArchive names the first
    problem) and write it as a new workshop in this transaction; returns its id."""
    users = {u.email: u.id for u in s.exec(select(User)).all()}
    w = snap.workshop
    workshop = Workshop(
        title=rules.text(w.title, "workshop.title", limit=200, multiline=False),
        date=w.date,
        description=rules.text(w.description, "workshop.description", limit=5000, required=False),
        language=i18n.supported(w.language) or i18n.DEFAULT,
        tag_label=rules.optional_line(w.tag_label, "workshop.tag_label", limit=60),
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

    round_ids = _rounds(s, wid, snap)
    rules.number(len(snap.groups), "groups", workshops.MIN_GROUPS, workshops.MAX_GROUPS)
    group_ids: dict[int, int] = {}
    for n, g in enumerate(snap.groups):
        at = f"groups[{n}]"
        row = Group(
            workshop_id=wid,
            name=rules.text(g.name, f"{at}.name", limit=120, multiline=False),
            prompt=rules.text(g.prompt, f"{at}.prompt", limit=500),
            description=rules.text(g.description, f"{at}.description", limit=2000, required=False),
            code=_code(s, g.code),
            phase=rules.choice(Phase, g.phase, f"{at}.phase"),
            position=rules.number(g.position, f"{at}.position", 0, rules.MAX_POSITION),
            created_at=g.created_at,
            ideas_revealed=g.ideas_revealed,
            votes_revealed=g.votes_revealed,
            timer_ends_at=g.timer_ends_at,
            writing_locked=g.writing_locked,
            round_id=rules.ref(round_ids, g.round_id, f"{at}.round_id") if g.round_id else None,
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

    for n, g in enumerate(snap.groups):
        for m, old in enumerate(dict.fromkeys(g.carry_from)):
            earlier = rules.ref(group_ids, old, f"groups[{n}].carry_from[{m}]")
            s.add(GroupCarry(group_id=group_ids[g.id], source_id=earlier))

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
        ]
    )
    cluster_groups = {c.id: c.group_id for c in snap.clusters}
    clusters = new_ids(
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
        ]
    )
    idea_groups = {i.id: i.group_id for i in snap.ideas}

    def same_group(table: dict[int, int], old: int, group: int, where: str) -> None:
        """`old` names a record of the file in the same group (ids of the file)."""
        if table.get(old, group) != group:
            message = i18n.gettext(N_("This names {ident}, which is in another group."))
            raise rules.BadArchive(where, message.format(ident=old))

    idea_rows = []
    for n, i in enumerate(snap.ideas):
        at = f"ideas[{n}]"
        group_id = rules.ref(group_ids, i.group_id, f"{at}.group_id")
        if i.cluster_id:
            same_group(cluster_groups, i.cluster_id, i.group_id, f"{at}.cluster_id")
        idea_rows.append(
            (
                i.id,
                Idea(
                    group_id=group_id,
                    participant_id=(
                        rules.ref(people, i.participant_id, f"{at}.participant_id")
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
                        rules.ref(clusters, i.cluster_id, f"{at}.cluster_id")
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
    ideas = new_ids(list(idea_rows))
    by_old = dict(idea_rows)
    for n, i in enumerate(snap.ideas):
        if i.merged_into is not None:
            same_group(idea_groups, i.merged_into, i.group_id, f"ideas[{n}].merged_into")
            by_old[i.id].merged_into = rules.ref(ideas, i.merged_into, f"ideas[{n}].merged_into")
        for k, rev in enumerate(i.revisions):
            at = f"ideas[{n}].revisions[{k}]"
            s.add(
                IdeaRevision(
                    idea_id=ideas[i.id],
                    text=rules.text(rev.text, f"{at}.text", limit=idea_limit),
                    edited_by=_actor(rev.edited_by, people),
                    note=rules.optional_line(rev.note, f"{at}.note", limit=REASON_LIMIT),
                    at=rev.at,
                )
            )

    def target(kind: str, old: int, group: int, where: str) -> tuple[VoteTarget, int]:
        chosen = rules.choice(VoteTarget, kind, where.replace("target_id", "target"))
        table, groups = (
            (clusters, cluster_groups) if chosen == VoteTarget.cluster else (ideas, idea_groups)
        )
        same_group(groups, old, group, where)
        return chosen, rules.ref(table, old, where)

    for n, v in enumerate(snap.votes):
        kind, target_id = target(v.target, v.target_id, v.group_id, f"votes[{n}].target_id")
        s.add(
            Vote(
                group_id=rules.ref(group_ids, v.group_id, f"votes[{n}].group_id"),
                participant_id=rules.ref(people, v.voter, f"votes[{n}].voter"),
                target=kind,
                target_id=target_id,
                created_at=v.created_at,
            )
        )
    given: set[tuple[int, int]] = set()
    for n, p in enumerate(snap.supports):
        at = f"supports[{n}]"
        idea_id = rules.ref(ideas, p.idea_id, f"{at}.idea_id")
        person = rules.ref(people, p.participant_id, f"{at}.participant_id")
        idea = by_old[p.idea_id]
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
    rec_ids: dict[int, int] = {}
    for n, r in enumerate(snap.recommendations):
        at = f"recommendations[{n}]"
        title, text, rationale = _draft(r.title, r.text, r.rationale, at)
        rec = Recommendation(
            workshop_id=wid,
            scope=Scope.group,
            group_id=rules.ref(group_ids, r.group_id, f"{at}.group_id"),
            title=title,
            text=text,
            rationale=rationale,
            position=rules.number(r.position, f"{at}.position", 0, rules.MAX_POSITION),
            agreed=r.agreed,
            created_by=None,  # never a local account
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        s.add(rec)
        s.flush()
        assert rec.id is not None
        rec_ids[r.id] = rec.id
        for m, src in enumerate(r.sources):
            kind, target_id = target(
                src.target, src.target_id, r.group_id, f"{at}.sources[{m}].target_id"
            )
            source = SourceKind(kind)
            s.add(
                RecommendationSource(recommendation_id=rec.id, target=source, target_id=target_id)
            )

    final_ids: dict[int, int] = {}
    for n, f in enumerate(snap.final_recommendations):
        at = f"final_recommendations[{n}]"
        title, text, rationale = _draft(f.title, f.text, f.rationale, at)
        final = Recommendation(
            workshop_id=wid,
            scope=Scope.workshop,
            title=title,
            text=text,
            rationale=rationale,
            position=rules.number(f.position, f"{at}.position", 0, rules.MAX_POSITION),
            agreed=f.final,
            created_at=f.created_at,
            updated_at=f.updated_at,
        )
        s.add(final)
        s.flush()
        assert final.id is not None
        final_ids[f.id] = final.id
        for m, old in enumerate(dict.fromkeys(f.recommendation_ids)):
            rec_id = rules.ref(rec_ids, old, f"{at}.recommendation_ids[{m}]")
            s.add(
                RecommendationSource(
                    recommendation_id=final.id,
                    target=SourceKind.recommendation,
                    target_id=rec_id,
                )
            )

    # A carried card names its recommendation, written after the ideas.
    for n, i in enumerate(snap.ideas):
        if i.seed_of is not None:
            card = s.get(Idea, ideas[i.id])
            assert card is not None
            card.seed_of = rules.ref(rec_ids, i.seed_of, f"ideas[{n}].seed_of")
            s.add(card)
    impact_snapshot.restore(s, snap, wid, people, final_ids)

    channels = {"workshop": events.workshop_channel(wid)} | {
        f"group:{old}": events.group_channel(new) for old, new in group_ids.items()
    }
    heads = dict.fromkeys(channels.values(), 0)
    # Each channel's log is numbered afresh, 1, 2, 3 ... in the file's order of seq: the
    # file's own numbers may be anything (2**63 - 1 would leave no room after it).
    ordered = sorted(enumerate(snap.events), key=lambda ne: (ne[1].channel, ne[1].seq, ne[0]))
    for n, e in ordered:
        at = f"events[{n}]"
        if e.channel not in channels:
            message = i18n.gettext(N_("This names {ident}, which is not in the file."))
            raise rules.BadArchive(f"{at}.channel", message.format(ident=e.channel[:40]))
        name = channels[e.channel]
        heads[name] += 1
        payload = orjson.dumps(e.payload).decode()
        rules.number(len(payload), f"{at}.payload", 0, rules.MAX_PAYLOAD)
        s.add(
            Event(
                channel=name,
                seq=heads[name],
                # An archive from before the rename has final.* kinds.
                kind=RENAMED.get(
                    e.kind, rules.text(e.kind, f"{at}.kind", limit=40, multiline=False)
                ),
                payload=payload,
                actor=_actor(e.actor, people),
                at=e.at,
            )
        )
    for name, seq in heads.items():
        # A new epoch: no phone holds a position in this copy's log.
        s.add(Channel(name=name, seq=seq, epoch=secrets.token_hex(4)))
    s.flush()
    return wid


def _rounds(s: Session, workshop_id: int, snap: Snapshot) -> dict[int, int]:
    """The file's rounds as new rows; their new ids by the file's."""
    rules.number(len(snap.rounds), "rounds", 0, round_state.MAX_ROUNDS)
    made: dict[int, int] = {}
    for n, r in enumerate(snap.rounds):
        at = f"rounds[{n}]"
        row = Round(
            workshop_id=workshop_id,
            name=rules.text(r.name, f"{at}.name", limit=120, multiline=False),
            position=rules.number(r.position, f"{at}.position", 0, rules.MAX_POSITION),
            assignment=rules.choice(Assignment, r.assignment, f"{at}.assignment"),
            started_at=r.started_at,
        )
        s.add(row)
        s.flush()
        assert row.id is not None
        made[r.id] = row.id
    return made


def _draft(title: str, text: str, rationale: str, at: str) -> tuple[str, str, str]:
    """A recommendation's texts, by the rules of recommendations.check_draft."""
    try:
        draft = check_draft(title, text, rationale)
    except Invalid as exc:
        raise rules.BadArchive(at, exc.message) from None
    return draft.title, draft.text, draft.rationale


def _key(key: str, where: str) -> str:
    try:
        return client_key(key)
    except Invalid as exc:
        raise rules.BadArchive(where, exc.message) from None


IMPORTED = "imported:"


def _actor(ref: str, people: dict[int, int]) -> str:
    """Who did something, in this copy's log: an imported participant, or a placeholder
    that keeps the file's words. Never a local account: the audit trail must not show
    someone of this instance doing what they never did."""
    kind, _, ident = ref.partition(":")
    if kind == "participant" and ident.isdigit() and int(ident) in people:
        return f"participant:{people[int(ident)]}"
    label = clean_label(ref)
    return (label if label.startswith(IMPORTED) else IMPORTED + label)[:40]


def clean_label(ref: str) -> str:
    """The file's words for an actor, without control characters, as one short line."""
    return "".join(ch for ch in ref[:80] if ch.isprintable())


async def import_workshop(db: Database, snap: Snapshot, organiser_id: int | None = None) -> int:
    """Import in one transaction: a file that fails half way leaves nothing behind."""
    return await db.write(restore, snap, organiser_id)
