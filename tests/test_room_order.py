"""A room puts events that arrive out of order back in seq order without reading the log
(on PostgreSQL, commits close together are published in either order), and reads the log
when a missing event does not come."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from facilitator.hub import MemoryHub
from facilitator.live.rooms import Rooms
from facilitator.live.viewer import Frame, Viewer, frame
from facilitator.store import events
from facilitator.store.database import Database
from facilitator.store.events import LiveEvent
from facilitator.vocabulary import Audience

CHANNEL = "group:1"


def append(s: Session, n: int) -> bytes:
    return events.append(s, CHANNEL, "test", {"n": n}, "test").encode()


class SeqRenderer:
    """Frames that say which event they are: this test is about order, not rendering."""

    def replayable(self, event: LiveEvent) -> bool:
        return True

    async def event(self, event: LiveEvent, audience: Audience) -> Frame | None:
        return frame({"seq": event.seq, "n": event.payload["n"]})

    async def personal(self, event: LiveEvent, viewer: Viewer) -> list[Frame]:
        return []

    async def board(self, channel: str, audience: Audience, viewer: Viewer) -> tuple[int, Frame]:
        raise AssertionError("no board is asked for here")

    def presence(self, room: Any, audience: Audience) -> Frame | None:
        return None


class Screen:
    """Stands in for a socket: what the room offered it, in order."""

    audience = Audience.participant
    locale = "en"
    closed = False

    def __init__(self, want: int) -> None:
        self.seqs: list[int] = []
        self.want = want
        self.enough = asyncio.Event()

    def offer(self, seq: int | None, message: Frame) -> None:
        if seq is not None:
            self.seqs.append(seq)
        if len(self.seqs) >= self.want:
            self.enough.set()

    async def close(self, code: int) -> None:
        self.closed = True


@pytest.fixture
def db(tmp_path: Path, migrated_db: Path) -> Iterator[Database]:
    path = tmp_path / "t.db"
    path.write_bytes(migrated_db.read_bytes())
    database = Database(f"sqlite:///{path}")
    database.write_sync(events.create_channel, CHANNEL)
    yield database
    database.close()


def counting_reads(db: Database) -> list[Callable[..., Any]]:
    reads: list[Callable[..., Any]] = []
    read = db.read

    async def counted(fn: Callable[..., Any]) -> Any:
        reads.append(fn)
        return await read(fn)

    db.read = counted  # type: ignore[method-assign]
    return reads


def run(db: Database, publish_order: list[int]) -> tuple[list[int], int]:
    """Commit three events, publish those in `publish_order` (by seq), and return what
    the screen was offered and how many reads the room made after it started."""

    async def main() -> tuple[list[int], int]:
        hub = MemoryHub()
        rooms = Rooms(db, hub, SeqRenderer(), resync_limit=200, heartbeat_seconds=3600)
        screen = Screen(want=3)
        await rooms.enter(CHANNEL, screen)  # type: ignore[arg-type]
        reads = counting_reads(db)
        committed = [db.write_sync(append, n) for n in (1, 2, 3)]
        for seq in publish_order:
            await hub.publish(CHANNEL, committed[seq - 1])
        await asyncio.wait_for(screen.enough.wait(), 10)
        await rooms.close_all()
        return screen.seqs, len(reads)

    return asyncio.run(main())


def test_events_published_out_of_order_are_delivered_in_order_without_a_read(
    db: Database,
) -> None:
    offered, reads = run(db, [2, 3, 1])
    assert offered == [1, 2, 3]
    assert reads == 0


def test_an_event_whose_publication_was_lost_is_read_from_the_log(db: Database) -> None:
    offered, reads = run(db, [2, 3])  # seq 1 never comes: after a moment, the log
    assert offered == [1, 2, 3]
    assert reads == 2  # the head, then what is missing
