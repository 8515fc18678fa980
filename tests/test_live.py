"""Phones and facilitators see each other's ideas live; reconnects catch up by seq."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlmodel import Session, select

from facilitator.live.rooms import RECENT
from facilitator.models import Event, Idea
from facilitator.store import events
from facilitator.store.events import LiveEvent
from facilitator.web import sockets
from tests.conftest import Person, Socket, World, connect
from tests.facilitation_support import add_idea, flush, head, member
from tests.support import post_idea


def server_ideas(world: World, group_id: int) -> dict[int, str]:
    rows = world.read(
        lambda s: s.exec(
            select(Idea).where(Idea.group_id == group_id, Idea.status == "visible")
        ).all()
    )
    return {r.id: r.text for r in rows if r.id is not None}


def test_two_phones_and_a_facilitator_see_each_others_ideas_live(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser, groups=2)
    group, other = workshop.groups
    ana, ben = world.phone(group.code), world.phone(group.code)
    stranger = world.phone(other.code)
    facilitator = world.logged_in(organiser)

    with contextlib.ExitStack() as stack:
        a = Socket(stack.enter_context(connect(ana, group.id)))
        b = Socket(stack.enter_context(connect(ben, group.id)))
        f = Socket(stack.enter_context(connect(facilitator, group.id, "facilitator")))
        x = Socket(stack.enter_context(connect(stranger, other.id)))
        for sock in (a, b, f, x):
            sock.until_type("reset")

        a.send({"type": "submit", "key": "key-ana-0001", "text": "Fund CERT exchanges"})
        ack = a.until_type("ack", key="key-ana-0001")
        b.send({"type": "submit", "key": "key-ben-0001", "text": "Train judges on cybercrime"})
        b.until_type("ack", key="key-ben-0001")

        for sock in (a, b, f):
            sock.until_seq(2)
            assert sorted(sock.ideas.values()) == [
                "Fund CERT exchanges",
                "Train judges on cybercrime",
            ]
        assert ack["idea_id"] in a.mine
        assert ack["idea_id"] not in b.mine

        x.send({"type": "submit", "key": "key-x-00001", "text": "Other group's idea"})
        x.until_type("ack")
        x.until_seq(1)
        assert x.ideas == {next(iter(server_ideas(world, other.id))): "Other group's idea"}
        # Nothing of group 1 reached the other group's phone, and the reverse.
        assert all("Fund CERT" not in str(fr) for fr in x.frames)
        f.send({"type": "ping"})
        f.until_type("pong")
        assert all("Other group" not in str(fr) for fr in f.frames)
        assert f.ideas == server_ideas(world, group.id)


def test_same_key_twice_makes_one_idea(world: World) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    phone = world.phone(group.code)
    with connect(phone, group.id) as ws:
        sock = Socket(ws)
        sock.until_type("reset")
        for _ in range(3):
            sock.send({"type": "submit", "key": "same-key-123", "text": "Only once"})
        acks = [sock.until_type("ack") for _ in range(3)]
    assert len({a["idea_id"] for a in acks}) == 1
    assert [a["repeated"] for a in acks] == [False, True, True]
    assert list(server_ideas(world, group.id).values()) == ["Only once"]


def gone_after_one_idea(phone: Person, group_id: int) -> tuple[int, str, dict[int, str]]:
    """A phone sends an idea, sees it, and loses its socket: the seq, epoch and ideas it had."""
    with connect(phone, group_id) as ws:
        sock = Socket(ws)
        sock.until_type("reset")
        sock.send({"type": "submit", "key": "before-drop-1", "text": "Before the drop"})
        sock.until_seq(1)
    assert sock.seq is not None
    return sock.seq, sock.epoch, dict(sock.ideas)


def test_reconnecting_phone_catches_up_from_its_last_seq(world: World) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    away, busy = world.phone(group.code), world.phone(group.code)

    last_seq, epoch, seen = gone_after_one_idea(away, group.id)

    # While the phone is away, the group moves on: new ideas, an edit, a withdrawal.
    with connect(busy, group.id) as ws:
        other = Socket(ws)
        other.until_type("reset")
        for n in range(4):
            other.send({"type": "submit", "key": f"while-away-{n}", "text": f"Missed idea {n}"})
            other.until_type("ack", key=f"while-away-{n}")
        # The ideas' patches come through the hub, after their acks (through Redis, some
        # time after): wait for the group's head before reading them.
        channel = events.group_channel(group.id)
        other.until_seq(world.read(lambda s: events.head(s, channel).seq))
        first, second = sorted(i for i, t in other.ideas.items() if t.startswith("Missed"))[:2]
        other.send(
            {"type": "edit", "key": "edit-key-01", "idea_id": first, "text": "Edited meanwhile"}
        )
        other.until_type("ack", key="edit-key-01")
        other.send({"type": "withdraw", "key": "withdraw-01", "idea_id": second})
        other.until_type("ack", key="withdraw-01")

    with connect(away, group.id, since=last_seq, epoch=epoch) as ws:
        back = Socket(ws)
        back.seq, back.epoch, back.ideas = last_seq, epoch, seen
        head = world.read(lambda s: max(e.seq for e in s.exec(select(Event)).all()))
        back.until_seq(head)
        # It was given the events it missed, not a fresh board.
        assert not any(f["type"] == "reset" for f in back.frames)
        assert back.ideas == server_ideas(world, group.id)


def test_far_behind_or_other_epoch_gets_a_fresh_board(world: World) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    phone = world.phone(group.code)
    with connect(phone, group.id) as ws:
        sock = Socket(ws)
        sock.until_type("reset")
        sock.send({"type": "submit", "key": "an-idea-0001", "text": "An idea"})
        sock.until_type("ack")
    with connect(phone, group.id, since=0, epoch="someoldepoch") as ws:
        sock = Socket(ws)
        frame = sock.until_type("reset")
        assert frame["seq"] == 1
        assert sock.ideas == server_ideas(world, group.id)


def test_facilitator_sees_who_is_online(world: World) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    named, anonymous = world.phone(group.code), world.phone(group.code)
    facilitator = world.logged_in(organiser)
    with contextlib.ExitStack() as stack:
        f = Socket(stack.enter_context(connect(facilitator, group.id, "facilitator")))
        f.until_type("reset")
        a = Socket(stack.enter_context(connect(named, group.id)))
        a.send({"type": "name", "key": "name-key-01", "name": "Amara"})
        a.until_type("ack", key="name-key-01")
        b = Socket(stack.enter_context(connect(anonymous, group.id)))
        b.until_type("reset")
        frame = f.until(
            lambda fr: fr["type"] == "presence" and "<strong>2</strong>" in fr["ops"][0][2]
        )
        html = frame["ops"][0][2]
        assert "Amara" in html and "and 1 without a name" in html and "Olivia" in html
        # Phones hear how many people are here, not who.
        online = b.until(lambda fr: fr["type"] == "presence" and "2 people here" in str(fr))
        assert "Amara" not in str(online)
        # The page itself opens with the same picture.
        page = facilitator.get(f"/facilitator/groups/{group.id}").text
        assert "<strong>2</strong> phones connected" in page and "Amara" in page


def no_log_reads(*args: object) -> None:
    raise AssertionError("the log was read")


def test_a_phone_back_in_a_live_room_replays_from_memory(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reconnect storm's path: while the room stays open, missed events come from the
    room's recent events, with no read of the log (which would fail here)."""
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    away, busy = world.phone(group.code), world.phone(group.code)

    with connect(busy, group.id) as busy_ws:
        other = Socket(busy_ws)
        other.until_type("reset")
        with connect(away, group.id) as ws:
            sock = Socket(ws)
            sock.until_type("reset")
            last_seq, epoch, seen = sock.seq, sock.epoch, dict(sock.ideas)
        for n in range(3):
            other.send({"type": "submit", "key": f"while-away-{n}", "text": f"Missed idea {n}"})
            other.until_type("ack", key=f"while-away-{n}")
        other.until_seq(3)

        monkeypatch.setattr(events, "since", no_log_reads)
        with connect(away, group.id, since=last_seq, epoch=epoch) as ws:
            back = Socket(ws)
            back.seq, back.epoch, back.ideas = last_seq, epoch, seen
            back.until_seq(3)
            assert not any(f["type"] == "reset" for f in back.frames)
            assert back.ideas == server_ideas(world, group.id) == other.ideas


def test_a_room_whose_phones_all_dropped_keeps_listening_and_replays_when_they_return(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The venue Wi-Fi goes: every socket of a room at once. The room lingers, still hearing
    the group's events, and the phones coming back replay them from its memory."""
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    phone, writer = world.phone(group.code), world.phone(group.code)
    with connect(phone, group.id) as ws:
        sock = Socket(ws)
        sock.until_type("reset")
        last_seq, epoch, seen = sock.seq, sock.epoch, dict(sock.ideas)
    channel = events.group_channel(group.id)
    room = world.services.rooms.get(channel)
    assert room is not None and not room.viewers  # empty, and still here

    for n in range(2):  # meanwhile, an idea sent with the page's form (no socket)
        assert post_idea(writer, group.code, f"Sent while the Wi-Fi was down {n}").status_code < 400

    async def no_own_reads(*args: object) -> None:
        raise AssertionError("its own part was read: the replay tells it")

    monkeypatch.setattr(events, "since", no_log_reads)
    monkeypatch.setattr(sockets, "own_state", no_own_reads)
    with connect(phone, group.id, since=last_seq, epoch=epoch) as ws:
        back = Socket(ws)
        back.seq, back.epoch, back.ideas = last_seq, epoch, seen
        back.until_seq(2)
        back.send({"type": "ping"})
        back.until_type("pong")  # the socket is still open: nothing failed behind it
        assert not any(f["type"] == "reset" for f in back.frames)
        assert back.ideas == server_ideas(world, group.id)
    assert world.services.rooms.get(channel) is room  # the same room all along


def test_a_phone_further_back_than_the_room_remembers_replays_from_the_log(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The room keeps its latest RECENT events; a phone that missed more (yet fewer than
    the resync limit) is sent them from the log: every one, once, in order, and no fresh
    board."""
    group = world.workshop(world.organiser()).groups[0]
    away, busy = world.phone(group.code), world.phone(group.code)
    last_seq, epoch, seen = gone_after_one_idea(away, group.id)

    with connect(busy, group.id) as ws:  # the room stays open and hears every event
        other = Socket(ws)
        other.until_type("reset")
        writer = member(world, group)
        for n in range(RECENT + 6):
            add_idea(world, writer, group, f"Missed idea {n}")
        latest = head(world, group)
        other.until_seq(latest)
    assert latest - last_seq > RECENT  # more than the room remembers

    logged: list[int] = []
    read_log = events.since

    def since(s: Session, channel: str, after: int, limit: int) -> list[LiveEvent] | None:
        logged.append(after)
        return read_log(s, channel, after, limit)

    monkeypatch.setattr(events, "since", since)
    with connect(away, group.id, since=last_seq, epoch=epoch) as ws:
        back = Socket(ws)
        back.seq, back.epoch, back.ideas = last_seq, epoch, seen
        back.until_seq(latest)
        flush(back)  # and nothing more was queued for it
    assert logged == [last_seq]
    assert not any(f["type"] == "reset" for f in back.frames)
    replayed = [f["seq"] for f in back.frames if f["type"] in ("patch", "seq")]
    assert replayed == list(range(last_seq + 1, latest + 1))
    assert back.ideas == server_ideas(world, group.id)


def test_an_empty_room_is_let_go_once_it_has_lingered(world: World) -> None:
    rooms = world.services.rooms
    rooms.linger_seconds = 0.05
    group = world.workshop(world.organiser()).groups[0]
    phone = world.phone(group.code)
    with connect(phone, group.id) as ws:
        Socket(ws).until_type("reset")
    channel = events.group_channel(group.id)
    for _ in range(100):
        if rooms.get(channel) is None:
            break
        world.run(asyncio.sleep, 0.02)
    assert rooms.get(channel) is None
