"""Who may take a workshop away as a file: its organisers, at any time."""

from __future__ import annotations

from sqlmodel import Session

from facilitator.domain.access import require_organiser
from facilitator.domain.actors import Actor
from facilitator.export.reading import read_snapshot
from facilitator.export.snapshot import Snapshot
from facilitator.store.database import Database


async def workshop_snapshot(
    db: Database, actor: Actor, workshop_id: int, include_names: bool
) -> Snapshot:
    """The workshop as one consistent snapshot, for an export; organisers only."""

    def read(s: Session) -> Snapshot:
        require_organiser(s, actor, workshop_id)
        return read_snapshot(s, workshop_id, include_names=include_names)

    return await db.read(read)
