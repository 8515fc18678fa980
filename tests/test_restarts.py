"""Faults that need a real server process on SQLite (synchronous=FULL): it is stopped with
SIGTERM or killed with SIGKILL mid-session and started again on the same port and data, and
a connection goes silent without closing. Phones here behave as static/live.js does: an
outbox resent with the same keys, and a resume from the last seq seen."""

from __future__ import annotations

import contextlib
import random
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlmodel import Session, col, select
from websockets.exceptions import WebSocketException

from facilitator.domain.actors import Staff
from facilitator.domain.workshop_views import GroupView
from facilitator.live.rooms import RESTARTING
from facilitator.models import Event, Idea
from facilitator.store import migrate
from facilitator.store.database import Database
from facilitator.store.events import group_channel
from tests.conftest import Socket
from tests.outbox import Opener, Phone
from tests.remote import Browser, make_workshop, phone
from tests.servers import Restartable

T = TypeVar("T")
pytestmark = pytest.mark.slow
WAIT = 20.0  # seconds a frame may take on a busy machine; a wait, never an assertion
HEARTBEAT = 0.5  # seconds, for these servers
GONE = (OSError, TimeoutError, WebSocketException)  # a socket that died or never opened


class Site:
    """One deployment on SQLite: its data directory, its server, a workshop of one group."""

    def __init__(self, data_dir: Path):
        self.url = f"sqlite:///{data_dir / 'facilitator.db'}"
        migrate.upgrade(self.url)
        self.organiser: Staff
        self.organiser, workshop = make_workshop(self.url)
        self.group: GroupView = workshop.groups[0]
        self.server = Restartable(
            {
                "FACILITATOR_DATA_DIR": str(data_dir),
                "FACILITATOR_SECRET_KEY": "restarts-test-key",  # cookies outlive a restart
                "FACILITATOR_HEARTBEAT_SECONDS": str(HEARTBEAT),
            }
        )

    def read(self, fn: Callable[[Session], T]) -> T:
        db = Database(self.url)
        try:
            return db.read_sync(fn)
        finally:
            db.close()

    def ideas_by_key(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for row in self.read(lambda s: s.exec(select(Idea)).all()):
            assert row.id is not None
            out.setdefault(row.client_key, []).append(row.id)
        return out

    def visible(self) -> dict[int, str]:
        rows = self.read(lambda s: s.exec(select(Idea).where(Idea.status == "visible")).all())
        return {r.id: r.text for r in rows if r.id is not None}

    def seqs(self) -> list[int]:
        channel = group_channel(self.group.id)
        query = select(Event.seq).where(Event.channel == channel).order_by(col(Event.seq))
        return list(self.read(lambda s: s.exec(query).all()))

    def phone(self, base: str | None = None) -> tuple[Browser, Phone]:
        device = phone(base or self.server.base, self.group.code)
        return device, Phone(opener(device, self.group.id), self.group.id)


def opener(device: Browser, group_id: int) -> Opener:
    def open_socket(since: int | None, epoch: str) -> contextlib.AbstractContextManager[Socket]:
        return device.resume(group_id, since, epoch)

    return open_socket


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    site = Site(tmp_path)
    with site.server:
        yield site


def until_acked(device_phone: Phone, rng: random.Random, attempts: int = 60) -> None:
    """Reconnect (with jitter, as live.js) until the outbox is empty; the board catches up."""
    for _ in range(attempts):
        try:
            with device_phone.online():
                device_phone.answers(WAIT)
                return
        except GONE:
            time.sleep(rng.uniform(0.1, 0.5))
    raise AssertionError(f"never acknowledged: {sorted(device_phone.outbox)}")


def matches_database(site: Site, device_phone: Phone) -> None:
    """The phone's view equals the database at a head that held still while it was read (a
    phone still resending after a kill may commit meanwhile; CI saw that once)."""
    with device_phone.online() as sock:
        for _ in range(20):
            head = site.seqs()[-1] if site.seqs() else 0
            sock.until_seq(head)
            visible = site.visible()
            if (site.seqs()[-1] if site.seqs() else 0) == head:
                break
        assert sock.ideas == visible


# -- SIGTERM ----------------------------------------------------------------------------------


def test_sigterm_tells_sockets_to_reconnect_and_nothing_is_lost(site: Site) -> None:
    rng = random.Random(6)
    phones = [site.phone()[1] for _ in range(3)]
    closes: list[int | None] = []
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(p.online()) for p in phones]
        for n, (p, sock) in enumerate(zip(phones, socks, strict=True)):
            sock.until_type("reset")
            p.submit(f"Idea {n} before the restart")
            p.answers(WAIT)
            p.submit(f"Idea {n} sent as the server stops")  # answered or not: it is resent
        site.server.stop(signal.SIGTERM)
        for sock in socks:
            closes.append(sock.until(lambda f: f["type"] == "closed", timeout=WAIT)["code"])
    assert closes == [RESTARTING] * 3  # 1012: come back soon, not "gone for good"
    site.server.start()
    for p in phones:
        time.sleep(rng.uniform(0, 0.3))  # each comes back after its own jittered delay
        until_acked(p, rng)
    stored = site.ideas_by_key()
    acked = {key: [idea] for p in phones for key, idea in p.acked.items()}
    assert stored == acked and len(acked) == 6  # every idea once, none lost
    assert site.seqs() == list(range(1, 7))
    for p in phones:
        matches_database(site, p)


# -- SIGKILL ----------------------------------------------------------------------------------


def test_an_idea_acknowledged_just_before_sigkill_is_there_after_restart(site: Site) -> None:
    _, p = site.phone()
    for n in range(3):
        with p.online() as sock:
            if n == 0:
                sock.until_type("reset")
            key = p.submit(f"Acknowledged, then the power went ({n})")
            p.answers(WAIT)
            site.server.stop(signal.SIGKILL)  # at once: no shutdown, no flush
        site.server.start()
        assert site.ideas_by_key()[key] == [p.acked[key]]
    assert site.seqs() == [1, 2, 3]
    matches_database(site, p)


def keep_submitting(p: Phone, name: str, stop: threading.Event, errors: list[str]) -> None:
    """Send ideas a few at a time until told to stop, through every kill: reconnect (with
    jitter, as live.js) and resend until all are acknowledged."""
    rng, sent = random.Random(name), 0
    deadline = time.monotonic() + 150
    while (not stop.is_set() or p.outbox) and time.monotonic() < deadline:
        try:
            with p.online():
                while not stop.is_set() or p.outbox:
                    while not stop.is_set() and len(p.outbox) < 3:
                        p.submit(f"Idea {name}.{sent}")
                        sent += 1
                    p.answers(WAIT)
        except GONE:
            time.sleep(rng.uniform(0.05, 0.4))
    if p.outbox:
        errors.append(f"{name} gave up with {len(p.outbox)} unanswered")


@pytest.mark.parametrize("seed", [11, 29])
def test_sigkill_at_seeded_random_moments_loses_and_doubles_nothing(site: Site, seed: int) -> None:
    rng = random.Random(seed)
    phones = [site.phone()[1] for _ in range(4)]
    errors: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=keep_submitting, args=(p, f"{seed}-{i}", stop, errors))
        for i, p in enumerate(phones)
    ]
    for t in threads:
        t.start()
    for _ in range(4):
        time.sleep(rng.uniform(0.1, 1.0))  # the seeded moment of the next kill
        site.server.stop(signal.SIGKILL)
        site.server.start()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=180)
    assert errors == []
    stored = site.ideas_by_key()
    acked = {key: [idea] for p in phones for key, idea in p.acked.items()}
    assert all(p.acked for p in phones)
    assert stored == acked  # every acknowledged idea is there, once; nothing else is
    assert site.seqs() == list(range(1, len(acked) + 1))  # no holes, no repeats
    for p in phones:
        matches_database(site, p)


# -- a connection that goes silent ------------------------------------------------------------


class Proxy:
    """A TCP relay in front of the server that can go silent: it stops passing bytes either
    way and closes nothing, as a dead Wi-Fi access point does."""

    def __init__(self, port: int):
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.silent = threading.Event()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                server = socket.create_connection(("127.0.0.1", self.target))
                self.open += [client, server]
                for a, b in ((client, server), (server, client)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := a.recv(65536):
                if not self.silent.is_set():  # silent: swallow it, say nothing
                    b.sendall(data)

    def close(self) -> None:
        self.listener.close()
        for s in self.open:
            with contextlib.suppress(OSError):
                s.close()


def test_a_silent_dead_connection_is_noticed_within_two_heartbeats(site: Site) -> None:
    """The phone's rule (live.js): nothing heard for two heartbeats means the connection is
    dead. A healthy quiet one hears a beat every heartbeat, so the rule never fires on it;
    a silent one trips it, and the phone comes back by another way and catches up."""
    window = 2 * HEARTBEAT + 1.0  # two heartbeats, and slack for a busy machine
    proxy = Proxy(site.server.port)
    try:
        device, _ = site.phone()
        p = Phone(opener(device.on(proxy.base), site.group.id), site.group.id)
        _, writer = site.phone()
        with p.online() as sock:
            sock.until_type("reset")
            for _ in range(4):  # quiet but alive: something arrives in every window
                assert sock.next(timeout=window)["type"] in {
                    "hb",
                    "presence",
                    "own",
                    "votes",
                    "questions",
                    "plenary",
                }
            proxy.silent.set()
            with writer.online():
                writer.submit("Said while the other phone's Wi-Fi was dead")
                writer.answers(WAIT)
            with pytest.raises(TimeoutError):
                sock.next(timeout=window)  # two heartbeats of silence: dead
        p.open = opener(device, site.group.id)  # back by the venue's other network
        with p.online() as sock:
            sock.until_seq(1)
            assert sock.ideas == site.visible()
    finally:
        proxy.close()
