"""Each idea's sentence vector, kept in the database once computed (docs/clustering.md "Kept
in the database"): a restarted server, another process or a second suggestion run reads it
back instead of spending 15–40 ms of CPU on it again.

A vector is kept with the model that computed it and a hash of the text it was computed
from; a vector whose idea was edited since is ignored, and replaced once computed again.
Deleting an idea deletes its vectors (ON DELETE CASCADE). No event: a vector is what the
model says of a text, not a change anyone made, and no page shows it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from sqlalchemy import bindparam, delete, insert
from sqlmodel import Session, col, select

from facilitator.models import Idea, IdeaStatus, IdeaVector, utcnow
from facilitator.store.jobs import write_job


def text_hash(text: str) -> str:
    """What a vector was computed from, in 32 hex digits."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def group_vectors(
    s: Session, group_id: int, model: str, known: Callable[[list[str]], set[str]] | None = None
) -> tuple[list[tuple[int, str]], dict[int, bytes | None]]:
    """The group's visible ideas as (id, text), and by idea id the kept vector of each whose
    text has not changed since. For ideas whose text ``known`` names (the process holds their
    vectors already) the vector is not read: None says it is kept."""
    ideas = [
        (idea_id, text)
        for idea_id, text in s.exec(
            select(Idea.id, Idea.text).where(
                Idea.group_id == group_id, Idea.status == IdeaStatus.visible
            )
        ).all()
        if idea_id is not None
    ]
    hashes = {idea_id: text_hash(text) for idea_id, text in ideas}
    valid = [
        idea_id
        for idea_id, digest in s.exec(
            select(IdeaVector.idea_id, IdeaVector.text_hash).where(
                col(IdeaVector.idea_id).in_(list(hashes)), IdeaVector.model == model
            )
        ).all()
        if hashes.get(idea_id) == digest
    ]
    held = known([text for _, text in ideas]) if known else set()
    texts = dict(ideas)
    out: dict[int, bytes | None] = {i: None for i in valid if texts[i] in held}
    wanted = [i for i in valid if i not in out]
    if wanted:
        rows = s.exec(
            select(IdeaVector.idea_id, IdeaVector.vector).where(
                col(IdeaVector.idea_id).in_(wanted), IdeaVector.model == model
            )
        ).all()
        out.update({idea_id: vector for idea_id, vector in rows})
    return ideas, out


# What `keep` runs, as Core statements on the transaction's connection: through the ORM it
# cost the SQLite writer as much as every idea submitted beside it in a 5,000-phone run
# with suggestions in every group (py-spy of the writer: 20 % of its samples, against 20 %
# for submitting ideas), and each batch of vectors held up the ideas committed with it.
_TEXTS = select(Idea.id, Idea.text).where(col(Idea.id).in_(bindparam("ids", expanding=True)))
_FORGET = delete(IdeaVector).where(
    col(IdeaVector.idea_id).in_(bindparam("ids", expanding=True)),
    col(IdeaVector.model) == bindparam("model"),
)
_INSERT = insert(IdeaVector.__table__)  # type: ignore[attr-defined]


@write_job
def keep(s: Session, model: str, rows: Sequence[tuple[int, str, bytes]]) -> int:
    """Keep vectors as (idea id, hash of the text it was computed from, vector), replacing
    an idea's earlier one. A row whose idea is gone, or whose text changed meanwhile, is
    dropped. Returns how many were kept."""
    wanted = {idea_id: (digest, blob) for idea_id, digest, blob in rows}
    if not wanted:
        return 0
    conn = s.connection()
    current = {r.id: text_hash(r.text) for r in conn.execute(_TEXTS, {"ids": list(wanted)})}
    fresh = sorted(
        (idea_id, digest, blob)
        for idea_id, (digest, blob) in wanted.items()
        if current.get(idea_id) == digest
    )
    if not fresh:
        return 0
    conn.execute(_FORGET, {"ids": [idea_id for idea_id, _, _ in fresh], "model": model})
    now = utcnow()
    conn.execute(
        _INSERT,
        [
            {"idea_id": i, "model": model, "text_hash": d, "vector": b, "created_at": now}
            for i, d, b in fresh
        ],
    )
    return len(fresh)
