"""Faults injected in-process, on both backends (docs/reliability.md). Each test breaks
something on purpose and checks what the phone and the database end with.

The rows of the table that need a real server process (SIGTERM, SIGKILL, a connection that
goes silent) are in tests/test_restarts.py; the browser's outbox in localStorage is driven in
Chromium by tests/e2e/test_phone_board.py; a catch-up from the last seq after time away and
two facilitators moving one idea are in tests/test_live.py and tests/test_clusters.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from facilitator.config import Settings
from facilitator.domain.actors import Participant
from facilitator.live.socket import Resume, serve_socket
from facilitator.live.viewer import TRY_AGAIN, Disconnected, Viewer
from facilitator.models import Channel
from facilitator.models import Participant as ParticipantRow
from facilitator.store import events
from facilitator.throttle import SocketLimits
from facilitator.vocabulary import Audience
from tests.conftest import Socket, World, connect, world_with
from tests.facilitation_support import (
    add_idea,
    answer_to,
    head,
    idea_row,
    member,
    new_key,
    opened,
    settle,
    stage,
)
from tests.outbox import Phone, ideas_by_key, visible_ideas

WAIT = 15.0  # seconds a frame may take on a busy machine; a wait, never an assertion


def committed(world: World, group_id: int, key: str) -> None:
    """Wait until the idea sent with this key is in the database."""
    for _ in range(300):
        if key in ideas_by_key(world, group_id):
            return
        world.run(asyncio.sleep, 0.02)
    raise AssertionError(f"{key} never reached the database")


# -- the idea and its acknowledgement ----------------------------------------------------------


def test_ideas_that_never_reached_the_server_are_sent_again_and_stored_once(
    world: World,
) -> None:
    s = stage(world)
    phone = Phone(world.phone(s.group.code), s.group.id)
    offline = phone.submit("Written in the lift")  # no socket at all: it waits in the outbox
    with phone.online() as sock:
        sock.until_type("reset")
        phone.answers()
        dying = phone.submit("Sent as the Wi-Fi went")
        # The socket dies right after the send: the phone cannot know if it arrived.
    assert list(phone.outbox) == [dying]
    with phone.online() as sock:
        phone.answers()
        sock.until_seq(head(world, s.group))
        assert sock.ideas == visible_ideas(world, s.group.id)
    stored = ideas_by_key(world, s.group.id)
    assert stored == {offline: [phone.acked[offline]], dying: [phone.acked[dying]]}
    assert head(world, s.group) == 2  # one event each: a resend makes none


def test_an_acknowledgement_lost_after_commit_returns_the_original(world: World) -> None:
    s = stage(world)
    phone = Phone(world.phone(s.group.code), s.group.id)
    with phone.online() as sock:
        sock.until_type("reset")
        key = phone.submit("Fund a regional CERT")
        committed(world, s.group.id, key)
        # The socket dies now: the idea is stored, the ack never read.
    assert key in phone.outbox
    (stored,) = ideas_by_key(world, s.group.id)[key]
    with phone.online() as sock:
        phone.answers()
        answer = next(f for f in sock.frames if f["type"] == "ack")
        assert answer["idea_id"] == stored and answer["repeated"] is True
        sock.until_seq(head(world, s.group))
        assert sock.ideas == visible_ideas(world, s.group.id) == {stored: "Fund a regional CERT"}
    assert ideas_by_key(world, s.group.id) == {key: [stored]}


def test_a_double_tap_and_two_tabs_of_one_phone_make_one_idea(world: World) -> None:
    s = stage(world)
    device = world.phone(s.group.code)
    with (
        connect(device, s.group.id) as one_ws,
        connect(device, s.group.id) as two_ws,
    ):
        one, two = Socket(one_ws), Socket(two_ws)
        for sock in (one, two):
            sock.until_type("reset")
        key = new_key()
        message = {"type": "submit", "key": key, "text": "Tapped twice, in two tabs"}
        one.send(message)
        one.send(message)  # the double tap
        two.send(message)  # the other tab sends the shared outbox too
        answers = [one.until_type("ack", key=key), one.until_type("ack", key=key)]
        answers.append(two.until_type("ack", key=key))
        assert len({a["idea_id"] for a in answers}) == 1
        assert sorted(a["repeated"] for a in answers) == [False, True, True]
        settle(world, s.group, one, two)
        for sock in (one, two):
            assert sock.ideas == visible_ideas(world, s.group.id)
            assert sock.seq == 1  # one event: the second and third made none
    assert list(ideas_by_key(world, s.group.id)) == [key]


# -- coming back -------------------------------------------------------------------------------


def test_back_after_the_group_moved_on_the_view_equals_the_database(world: World) -> None:
    """Away for a while (no need to wait 60 s: the group moves on while it is gone)."""
    s = stage(world)
    away = Phone(world.phone(s.group.code), s.group.id)
    with away.online():
        away.submit("Before the tunnel")
        away.answers()
    mine = next(iter(away.acked.values()))
    others = [add_idea(world, member(world, s.group), s.group, f"Meanwhile {n}") for n in range(3)]
    with opened(s.console(), s.group, "facilitator") as f:
        f.send({"type": "hide", "key": new_key(), "idea_id": others[0], "reason": "off topic"})
        f.send({"type": "hide", "key": new_key(), "idea_id": mine, "reason": "duplicate"})
        settle(world, s.group, f)
    with away.online() as sock:
        sock.until_seq(head(world, s.group))
        assert sock.ideas == visible_ideas(world, s.group.id)
        assert sorted(sock.ideas.values()) == ["Meanwhile 1", "Meanwhile 2"]


def test_far_behind_gets_a_whole_fresh_board_never_part_of_one(settings: Settings) -> None:
    with world_with(settings, resync_limit=3) as world:
        s = stage(world)
        away = Phone(world.phone(s.group.code), s.group.id)
        with away.online() as sock:
            sock.until_type("reset")
        for n in range(5):  # more than the replay limit
            add_idea(world, member(world, s.group), s.group, f"Missed {n}")
        with away.online() as sock:
            first = sock.until(lambda f: "seq" in f)  # after its own part: no seq there
            assert first["type"] == "reset" and first["seq"] == head(world, s.group) == 5
            assert sock.ideas == visible_ideas(world, s.group.id)
            assert len(sock.ideas) == 5


def new_epoch(world: World, group_id: int) -> None:
    """The channel's log starts a new life (as after restoring a copy of the event)."""

    def txn(s: Session) -> None:
        row = s.get(Channel, events.group_channel(group_id))
        assert row is not None
        row.epoch = "f" * 8
        s.add(row)

    world.db.write_sync(txn)


def test_a_changed_epoch_closes_live_sockets_and_they_come_back_to_a_fresh_board(
    world: World,
) -> None:
    s = stage(world)
    watcher = Phone(world.phone(s.group.code), s.group.id)
    writer = Phone(world.phone(s.group.code), s.group.id)
    with watcher.online() as sock, writer.online():
        sock.until_type("reset")
        writer.submit("Before the restore")
        writer.answers()
        sock.until_seq(1)
        new_epoch(world, s.group.id)
        writer.submit("After the restore")
        writer.answers()
        # The next event carries another epoch: the room closes its sockets ("try again").
        assert sock.until(lambda f: f["type"] == "closed")["code"] == TRY_AGAIN
    assert watcher.epoch != "f" * 8
    with watcher.online() as sock:
        first = sock.until(lambda f: "seq" in f)  # after its own part: no seq there
        assert first["type"] == "reset" and first["epoch"] == "f" * 8
        assert sock.ideas == visible_ideas(world, s.group.id)
        assert len(sock.ideas) == 2


# -- a phone that stops reading ----------------------------------------------------------------


class StalledSocket:
    """A phone that stopped reading: its first frame (the board) goes out, then every send
    waits forever, as on a full TCP buffer. Only the socket's close is seen."""

    def __init__(self) -> None:
        self.write_now = None  # no direct writer: frames go through send
        self.open = True
        self.closed_with: int | None = None
        self.sent = 0
        self._closed = asyncio.Event()
        self._never = asyncio.Event()

    async def send(self, text: str) -> None:
        self.sent += 1
        if self.sent > 1:
            await self._never.wait()

    async def receive(self) -> str | None:
        await self._closed.wait()
        raise Disconnected(self.closed_with or 1000)

    async def close(self, code: int = 1000) -> None:
        self.closed_with = code
        self.open = False
        self._closed.set()


GENEROUS = SocketLimits(1024, rate=100.0, burst=100)


@dataclass(frozen=True)
class QuietEndpoint:
    """A socket kind that greets no one and answers nothing."""

    channel: str
    limits: SocketLimits = GENEROUS

    async def greet(self, viewer: Viewer, fresh: bool) -> None:
        return None

    async def handle(self, viewer: Viewer, message: dict[str, Any]) -> None:
        return None


def test_a_phone_that_stops_reading_is_closed_with_try_again_and_resyncs(
    settings: Settings,
) -> None:
    queue_size = 4
    with world_with(settings, socket_queue_size=queue_size) as world:
        s = stage(world)
        device = world.phone(s.group.code)
        participant = world.read(lambda s_: _last_participant(s_))
        stalled = StalledSocket()
        viewer = Viewer(stalled, Audience.participant, participant, queue_size)
        rooms = world.services.rooms
        channel = events.group_channel(s.group.id)
        endpoint = QuietEndpoint(channel)

        async def start() -> asyncio.Task[None]:
            run = serve_socket(rooms, endpoint, viewer, Resume())
            return asyncio.get_running_loop().create_task(run)

        task = world.run(start)
        # The phone has its board (the room subscribed, then read the head) before the ideas
        # come: ideas committed sooner are in that board, not in its queue, and through Redis
        # a slow subscription once let all twelve in before it, so nothing ever queued.
        for _ in range(1500):
            if stalled.sent:
                break
            world.run(asyncio.sleep, 0.02)
        assert stalled.sent == 1
        deepest = 0
        writer = member(world, s.group)
        for n in range(3 * queue_size):
            add_idea(world, writer, s.group, f"Idea {n}")
            deepest = max(deepest, len(viewer.waiting))
            if stalled.closed_with is not None:
                break
        # The room hears the events a moment after their commit; through Redis, on a machine
        # busy with the rest of the suite, that moment once passed 10 s: wait up to 30.
        for _ in range(1500):
            if stalled.closed_with is not None:
                break
            world.run(asyncio.sleep, 0.02)
        assert stalled.closed_with == TRY_AGAIN
        assert deepest <= queue_size  # what waited for the phone stayed bounded
        for _ in range(1500):
            if task.done():
                break
            world.run(asyncio.sleep, 0.02)
        assert task.done()
        room = rooms.get(channel)
        assert room is None or viewer not in room.viewers  # the room let it go

        # Back (reading again): it resumes from what it was sent, and matches the database.
        since = viewer.sent_seq
        board = world.read(lambda s_: events.head(s_, channel))
        with connect(device, s.group.id, since=since, epoch=board.epoch) as ws:
            sock = Socket(ws)
            sock.seq, sock.epoch = since, board.epoch
            sock.until_seq(head(world, s.group))
            assert sock.seq == head(world, s.group)
            assert set(sock.ideas.values()) <= set(visible_ideas(world, s.group.id).values())


def _last_participant(s: Session) -> Participant:
    """The participant the last phone to join became."""
    row = s.exec(select(ParticipantRow).order_by(col(ParticipantRow.id).desc())).first()
    assert row is not None and row.id is not None
    return Participant(row.id, row.workshop_id, row.group_id, row.display_name)


# -- heartbeats --------------------------------------------------------------------------------


def test_a_quiet_socket_hears_a_heartbeat_with_the_head(settings: Settings) -> None:
    """The phone's rule (live.js): nothing heard for two heartbeats means a dead connection.
    So a live one must hear something every heartbeat even when nothing happens, and each
    beat names the head, so a phone that missed an event notices it too."""
    with world_with(settings, heartbeat_seconds=0.2) as world:
        s = stage(world)
        add_idea(world, member(world, s.group), s.group, "Already there")
        with opened(world.phone(s.group.code), s.group) as sock:
            beats = [sock.until_type("hb") for _ in range(3)]
            assert {(b["seq"], b["epoch"]) for b in beats} == {(1, sock.epoch)}


# -- two facilitators at once ------------------------------------------------------------------


def test_two_facilitators_merging_one_idea_at_once_the_loser_is_told(world: World) -> None:
    s = stage(world)
    who = member(world, s.group)
    source, left, right = (add_idea(world, who, s.group, t) for t in ("Dup", "Left", "Right"))
    colleague = s.facilitator_of(s.group, "bo@example.org", "Bo")
    with (
        opened(s.console(), s.group, "facilitator") as one,
        opened(world.logged_in(colleague), s.group, "facilitator") as two,
        opened(world.phone(s.group.code), s.group) as phone,
    ):
        keys = new_key(), new_key()
        one.send({"type": "merge", "key": keys[0], "idea_id": source, "into": left})
        two.send({"type": "merge", "key": keys[1], "idea_id": source, "into": right})
        answers = [answer_to(one, keys[0]), answer_to(two, keys[1])]
        assert sorted(a["type"] for a in answers) == ["ack", "error"], answers
        (lost,) = [a for a in answers if a["type"] == "error"]
        assert lost["status"] == 409 and "already merged meanwhile" in lost["message"]
        winner = left if answers[0]["type"] == "ack" else right
        assert idea_row(world, source).merged_into == winner
        settle(world, s.group, one, two, phone)
        assert one.seq == two.seq == phone.seq == head(world, s.group)
        assert phone.ideas == visible_ideas(world, s.group.id)
        assert source not in one.ideas and source not in two.ideas
