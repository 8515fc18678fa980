"""The archive's recommendations as new rows: the groups', with the ideas and themes they
came from, the workshop's final ones, the cards later rounds carried from them, and the
room's +1s in the gallery."""

from __future__ import annotations

from sqlmodel import Session

from facilitator.domain import archive_rules as rules
from facilitator.domain import gallery_snapshot
from facilitator.domain.errors import Invalid
from facilitator.domain.recommendations import check_draft, split_who
from facilitator.domain.restore.ids import Board
from facilitator.models import Idea, Recommendation, RecommendationSource, Scope, SourceKind
from facilitator.snapshot import Snapshot


def write(
    s: Session, snap: Snapshot, workshop_id: int, group_ids: dict[int, int], ids: Board
) -> dict[int, int]:
    """Every recommendation of the file; the final ones' new ids by the file's."""
    rec_ids = _group_ones(s, snap, workshop_id, group_ids, ids)
    final_ids = _finals(s, snap, workshop_id, rec_ids)
    # A carried card names its recommendation, written after the ideas.
    for n, i in enumerate(snap.ideas):
        if i.seed_of is not None:
            card = s.get(Idea, ids.ideas[i.id])
            assert card is not None
            card.seed_of = rules.ref(rec_ids, i.seed_of, f"ideas[{n}].seed_of")
            s.add(card)
    gallery_snapshot.restore(s, snap, rec_ids, ids.people, group_ids)
    return final_ids


def _group_ones(
    s: Session, snap: Snapshot, workshop_id: int, group_ids: dict[int, int], ids: Board
) -> dict[int, int]:
    rec_ids: dict[int, int] = {}
    for n, r in enumerate(snap.recommendations):
        at = f"recommendations[{n}]"
        title, text, rationale, who = _draft(r.title, r.text, r.rationale, r.who_acts, at)
        rec = Recommendation(
            workshop_id=workshop_id,
            scope=Scope.group,
            group_id=rules.ref(group_ids, r.group_id, f"{at}.group_id"),
            title=title,
            text=text,
            rationale=rationale,
            who_acts=who,
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
            kind, target_id = ids.target(
                src.target, src.target_id, r.group_id, f"{at}.sources[{m}].target_id"
            )
            source = SourceKind(kind)
            s.add(
                RecommendationSource(recommendation_id=rec.id, target=source, target_id=target_id)
            )
    return rec_ids


def _finals(
    s: Session, snap: Snapshot, workshop_id: int, rec_ids: dict[int, int]
) -> dict[int, int]:
    final_ids: dict[int, int] = {}
    for n, f in enumerate(snap.final_recommendations):
        at = f"final_recommendations[{n}]"
        title, text, rationale, who = _draft(f.title, f.text, f.rationale, f.who_acts, at)
        final = Recommendation(
            workshop_id=workshop_id,
            scope=Scope.workshop,
            title=title,
            text=text,
            rationale=rationale,
            who_acts=who,
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
    return final_ids


def _draft(
    title: str, text: str, rationale: str, who_acts: str, at: str
) -> tuple[str, str, str, str]:
    """A recommendation's texts, by the rules of recommendations.check_draft. An archive
    from before "who acts" had its own field keeps it as the text's last "→ " paragraph."""
    if not who_acts:
        text, who_acts = split_who(text)
    try:
        draft = check_draft(title, text, rationale, who_acts)
    except Invalid as exc:
        raise rules.BadArchive(at, exc.message) from None
    return draft.title, draft.text, draft.rationale, draft.who_acts
