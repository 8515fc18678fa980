"""A phone as static/live.js runs it, for fault tests: an outbox of unacknowledged commands
(resent with the same keys on every new socket), and the board resumed from its last seq."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from sqlmodel import select

from facilitator.models import Idea
from tests.conftest import Person, Socket, World, connect

Opener = Callable[[int | None, str], AbstractContextManager[Socket]]  # (since, epoch) -> a socket


class Phone:
    """One device: its cookies, its outbox and what its board last showed."""

    def __init__(self, person: Person | Opener, group_id: int):
        self.open = in_process(person, group_id) if isinstance(person, Person) else person
        self.outbox: dict[str, dict[str, Any]] = {}  # key -> message, until answered
        self.acked: dict[str, int] = {}  # key -> idea id, as the server acknowledged
        self.sock: Socket | None = None
        self.seq: int | None = None
        self.epoch = ""
        self.ideas: dict[int, str] = {}

    def submit(self, text: str, key: str | None = None) -> str:
        """Put an idea in the outbox and send it if connected; returns its key."""
        key = key or uuid.uuid4().hex
        self.outbox[key] = {"type": "submit", "key": key, "text": text}
        if self.sock is not None:
            self.sock.send(self.outbox[key])
        return key

    @contextlib.contextmanager
    def online(self) -> Iterator[Socket]:
        """A socket resumed from the last seq seen; the outbox is sent again on it."""
        with self.open(self.seq, self.epoch) as sock:
            sock.seq, sock.epoch, sock.ideas = self.seq, self.epoch, dict(self.ideas)
            self.sock = sock
            try:
                for message in self.outbox.values():
                    sock.send(message)
                yield sock
            finally:
                self.sock = None
                self.seq, self.epoch, self.ideas = sock.seq, sock.epoch, dict(sock.ideas)

    def answers(self, timeout: float = 15) -> None:
        """Read until every message in the outbox is answered (ack or error); a socket
        closed meanwhile raises ConnectionResetError (the phone reconnects and resends)."""
        assert self.sock is not None
        while self.outbox:
            frame = self.sock.next(timeout)
            if frame["type"] == "closed":
                raise ConnectionResetError(f"closed with {frame['code']}")
            if frame["type"] not in {"ack", "error"}:
                continue
            key = frame.get("key")
            if frame.get("status") == 429 and key in self.outbox:
                time.sleep(0.2)  # told to slow down: the same message again, a moment later
                self.sock.send(self.outbox[key])
                continue
            if key in self.outbox:
                del self.outbox[key]
                if frame["type"] == "ack":
                    self.acked[key] = frame["idea_id"]


def in_process(person: Person, group_id: int) -> Opener:
    @contextlib.contextmanager
    def open_socket(since: int | None, epoch: str) -> Iterator[Socket]:
        with connect(person, group_id, since=since, epoch=epoch) as ws:
            yield Socket(ws)

    return open_socket


def visible_ideas(world: World, group_id: int) -> dict[int, str]:
    """What every phone's board should show: the group's visible ideas in the database."""
    rows = world.read(
        lambda s: s.exec(
            select(Idea).where(Idea.group_id == group_id, Idea.status == "visible")
        ).all()
    )
    return {r.id: r.text for r in rows if r.id is not None}


def ideas_by_key(world: World, group_id: int) -> dict[str, list[int]]:
    """Every stored idea of the group by its client key (more than one id is a duplicate)."""
    rows = world.read(lambda s: s.exec(select(Idea).where(Idea.group_id == group_id)).all())
    out: dict[str, list[int]] = {}
    for row in rows:
        assert row.id is not None
        out.setdefault(row.client_key, []).append(row.id)
    return out
