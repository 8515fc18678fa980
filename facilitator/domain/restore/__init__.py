"""Importing a workshop exported as JSON (schema facilitator.workshop/1) into this instance.

Everything gets new ids, and each channel's log is numbered afresh from 1; all else is kept,
the event log included. The file is checked by the rules of live input first
(archive_rules). Organisers and facilitators are matched by email: an account that exists
here is linked, one that does not is left out. Who did what (the log's actors, revisions,
authors) is never mapped onto a local account: imported participants, or placeholders
("imported:staff:<email>"). Ids inside event payloads are history and stay as the exporting
instance wrote them.

`restore` writes the file's subjects in order, each module's `write...`: `workshop` (the
workshop, rounds and groups), `board` (participants, themes, ideas, dots, +1s),
`recommendations`, the impact records (domain/impact_snapshot), the plenary vote
(domain/plenary_snapshot), then `log` (the events);
`ids` maps the file's ids to the new rows'.
"""

from __future__ import annotations

from sqlmodel import Session

from facilitator.domain import chatham_house, impact_snapshot, plenary_snapshot
from facilitator.domain.restore import board, log, recommendations, workshop
from facilitator.snapshot import Snapshot
from facilitator.store.database import Database

__all__ = ["import_workshop", "restore"]


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
    wid = workshop.write_workshop(s, snap, organiser_id)
    group_ids = workshop.write_groups(s, snap, wid)
    ids = board.write(s, snap, wid, group_ids, idea_limit=idea_limit, name_limit=name_limit)
    final_ids = recommendations.write(s, snap, wid, group_ids, ids)
    impact_snapshot.restore(s, snap, wid, ids.people, final_ids)
    plenary_snapshot.restore(s, snap, wid, group_ids, ids.people, final_ids)
    log.write(s, snap, wid, group_ids, ids.people)
    if snap.workshop.chatham_house:  # a hand-made file may carry names: none are kept
        s.flush()
        chatham_house.erase_names(s, wid)
    s.flush()
    return wid


async def import_workshop(db: Database, snap: Snapshot, organiser_id: int | None = None) -> int:
    """Import in one transaction: a file that fails half way leaves nothing behind."""
    return await db.write(restore, snap, organiser_id)
