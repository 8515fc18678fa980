"""Two real server processes share PostgreSQL and Redis: what a phone sends on one reaches
the phones and facilitators on the other, in order, nothing lost or doubled, also when
Redis drops its clients or PostgreSQL its connections mid-session."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner
from sqlmodel import Session, col, select
from websockets.exceptions import WebSocketException

from facilitator.cli.main import main
from facilitator.domain import ideas
from facilitator.domain.actors import Staff
from facilitator.domain.workshop_views import WorkshopView
from facilitator.models import Event, Idea
from facilitator.store.database import Database
from facilitator.store.events import group_channel
from tests import backends
from tests.remote import Browser, RemoteSocket, facilitator, make_workshop, phone
from tests.servers import app_server, wait_healthy

T = TypeVar("T")
pytestmark = pytest.mark.slow
WAIT = 20.0  # seconds a frame may take under load; a wait, never an assertion


@dataclass
class Deployment:
    url: str  # the shared database
    prefix: str  # the Redis channel prefix both processes use
    a: str  # base URLs of the two processes
    b: str
    organiser: Staff  # facilitates every group
    workshop: WorkshopView

    def db_ideas(self, group_id: int) -> dict[int, str]:
        def read(s: Session) -> dict[int, str]:
            rows = s.exec(select(Idea).where(Idea.group_id == group_id, Idea.status == "visible"))
            return {i.id: i.text for i in rows if i.id is not None}

        return _read(self.url, read)

    def seqs(self, group_id: int) -> list[int]:
        channel = group_channel(group_id)
        return _read(
            self.url,
            lambda s: list(
                s.exec(
                    select(Event.seq).where(Event.channel == channel).order_by(col(Event.seq))
                ).all()
            ),
        )


def _read(url: str, fn: Callable[[Session], T]) -> T:
    db = Database(url)
    try:
        return db.read_sync(fn)
    finally:
        db.close()


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The settings of one deployment: a scratch database and a Redis prefix of its own."""
    backends.require_servers()
    with backends.scratch_database() as url:
        assert CliRunner().invoke(main, ["db", "upgrade", "--database-url", url]).exit_code == 0
        yield {
            "FACILITATOR_DATABASE_URL": url,
            "FACILITATOR_REDIS_URL": backends.REDIS,
            "FACILITATOR_REDIS_PREFIX": backends.redis_prefix(),
            "FACILITATOR_SECRET_KEY": "scale-out-test-key",  # cookies work on every process
            "FACILITATOR_DATA_DIR": str(tmp_path_factory.mktemp("scaleout")),
            "FACILITATOR_HEARTBEAT_SECONDS": "1",
        }


@pytest.fixture(scope="module")
def servers(environment: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Two server processes on different ports, for the module."""
    with app_server(environment) as a, app_server(environment) as b:
        yield a, b


def deployment_of(env: dict[str, str], a: str, b: str) -> Deployment:
    """A workshop of its own for each test (its own channels), on processes a and b."""
    url = env["FACILITATOR_DATABASE_URL"]
    organiser, workshop = make_workshop(url, groups=2)
    return Deployment(url, env["FACILITATOR_REDIS_PREFIX"], a, b, organiser, workshop)


@pytest.fixture
def deployment(environment: dict[str, str], servers: tuple[str, str]) -> Deployment:
    return deployment_of(environment, *servers)


def submit(sock: RemoteSocket, key: str, text: str) -> dict[str, object]:
    """Send an idea and wait for its answer: an ack, or an error frame."""
    sock.send({"type": "submit", "key": key, "text": text})
    return sock.until(lambda f: f["type"] in {"ack", "error"} and f.get("key") == key, timeout=WAIT)


@contextlib.contextmanager
def views_across(
    deployment: Deployment, group_id: int, code: str
) -> Iterator[tuple[RemoteSocket, RemoteSocket, RemoteSocket]]:
    """A phone on process A; a phone and the facilitator on process B."""
    ana = phone(deployment.a, code)
    ben = phone(deployment.b, code)
    fay = facilitator(deployment.b, deployment.organiser.email)
    with (
        ana.socket(group_id) as a,
        ben.socket(group_id) as b,
        fay.socket(group_id, "facilitator") as f,
    ):
        yield a, b, f


def test_a_phone_on_one_process_is_seen_in_order_on_the_other(deployment: Deployment) -> None:
    group = deployment.workshop.groups[0]
    with views_across(deployment, group.id, group.code) as (a, b, f):
        texts = [f"Idea {n} from process A" for n in range(5)]
        for n, text in enumerate(texts):
            assert submit(a, f"key-a-{n:04}", text)["type"] == "ack"
        for sock in (b, f):
            sock.until(lambda _: sock.seq == 5, timeout=WAIT)  # noqa: B023
            # The board model asserts every frame's seq is the last one plus one: in order.
            assert [fr["seq"] for fr in sock.frames if fr["type"] == "patch"] == [1, 2, 3, 4, 5]
            assert sorted(sock.ideas.values()) == texts
        a.until(lambda _: len(a.mine) == 5, timeout=WAIT)  # the author's own, marked
        assert b.mine == set()


def test_concurrent_retried_submissions_through_both_keep_seq_contiguous(
    deployment: Deployment,
) -> None:
    per_socket = 15
    results: dict[str, list[dict[str, object]]] = {}
    errors: list[BaseException] = []

    def send_all(sock: RemoteSocket, name: str, keys: list[str]) -> None:
        try:
            results[name] = [submit(sock, key, f"Idea {key}") for key in keys]
        except BaseException as exc:  # reported below, not lost in a thread
            errors.append(exc)

    opened: list[tuple[RemoteSocket, int]] = []
    threads: list[threading.Thread] = []
    stack = contextlib.ExitStack()
    for group in deployment.workshop.groups:
        for who in ("ana", "ben"):
            device = phone(deployment.a, group.code)
            keys = [f"key-{who}-{group.id}-{n:04}" for n in range(per_socket)]
            # The same phone sends each key through both processes, as a retry after a
            # reconnect may land on the other one.
            for base in (deployment.a, deployment.b):
                sock = stack.enter_context(device.on(base).socket(group.id))
                opened.append((sock, group.id))
                name = f"{who}-{group.id}-{base}"
                threads.append(threading.Thread(target=send_all, args=(sock, name, keys)))
    with stack:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        answers = [frame for frames in results.values() for frame in frames]
        assert {frame["type"] for frame in answers} == {"ack"}
        by_key: dict[object, list[dict[str, object]]] = {}
        for frame in answers:
            by_key.setdefault(frame["key"], []).append(frame)
        assert len(by_key) == 4 * per_socket
        for frames in by_key.values():
            # One process made the idea; the other answered the retry with the same one.
            assert len({f["idea_id"] for f in frames}) == 1
            assert sorted(bool(f.get("repeated")) for f in frames) == [False, True]

        for group in deployment.workshop.groups:
            stored = deployment.db_ideas(group.id)
            assert len(stored) == 2 * per_socket  # one idea per key, none doubled
            assert deployment.seqs(group.id) == list(range(1, 2 * per_socket + 1))
        for sock, group_id in opened:
            sock.until(lambda _: sock.seq == 2 * per_socket, timeout=WAIT)  # noqa: B023
            assert sock.ideas == deployment.db_ideas(group_id)


def test_sockets_recover_when_redis_drops_every_client_and_match_the_database(
    deployment: Deployment,
) -> None:
    group = deployment.workshop.groups[0]
    with views_across(deployment, group.id, group.code) as (a, b, f):
        n = 0
        for _round in range(3):
            assert submit(a, f"key-r-{n:04}", f"Idea {n}")["type"] == "ack"
            n += 1
            for base in (deployment.a, deployment.b):
                wait_healthy(base)  # 503 until its hub listens again
            # Both processes' hub connections (listen and publish) are dropped at once.
            assert backends.kill_redis_clients(deployment.prefix) >= 2
            for _ in range(3):  # writes keep working while the hubs reconnect
                assert submit(a, f"key-r-{n:04}", f"Idea {n}")["type"] == "ack"
                n += 1
        for sock in (a, b, f):
            sock.until(lambda _: sock.seq == n, timeout=WAIT)  # noqa: B023
            assert sock.ideas == deployment.db_ideas(group.id)
        for base in (deployment.a, deployment.b):
            assert wait_healthy(base)["hub"] == {"ok": True, "backend": "RedisHub"}


def test_an_event_whose_publication_is_lost_arrives_by_the_heartbeat(
    deployment: Deployment,
) -> None:
    """Written by a process with no hub at all: only the heartbeat's re-read can find it."""
    group = deployment.workshop.groups[0]
    ben = phone(deployment.b, group.code)
    fay = facilitator(deployment.a, deployment.organiser.email)
    with ben.socket(group.id) as b, fay.socket(group.id, "facilitator") as f:

        async def write() -> None:
            db = Database(deployment.url)  # on_commit publishes to nobody
            try:
                await ideas.submit_idea(
                    db, deployment.organiser, group.id, "key-quiet-01", "Quiet idea", 500
                )
            finally:
                db.close()

        asyncio.run(write())
        for sock in (b, f):
            sock.until(lambda _: sock.seq == 1, timeout=WAIT)  # noqa: B023
            assert list(sock.ideas.values()) == ["Quiet idea"]


def send_until_acked(device: Browser, bases: tuple[str, str], group_id: int, key: str) -> int:
    """Send an idea as live.js does: after a closed socket (1013 "try again") or a refused
    handshake, reconnect and send it again with the same key. Returns the attempts taken."""
    for attempt in range(1, 41):
        try:
            with device.on(bases[attempt % 2]).socket(group_id) as sock:
                answer = submit(sock, key, f"Idea {key}")
        except (AssertionError, OSError, WebSocketException):  # closed or refused: retry
            continue
        assert answer["type"] == "ack", answer
        return attempt
    raise AssertionError(f"{key} was never acknowledged")


def test_postgres_connections_terminated_mid_session_lose_and_double_nothing(
    deployment: Deployment,
) -> None:
    group = deployment.workshop.groups[0]
    bases = (deployment.a, deployment.b)
    device = phone(deployment.a, group.code)
    stop, terminated = threading.Event(), []

    def terminate_repeatedly() -> None:
        # Connections die at any point: idle in the pool, mid-transaction, at commit.
        while not stop.wait(0.1):
            terminated.append(backends.terminate_backends(deployment.url))

    with (
        phone(deployment.a, group.code).socket(group.id) as watcher_a,
        facilitator(deployment.b, deployment.organiser.email).socket(
            group.id, "facilitator"
        ) as watcher_b,
    ):
        keys = [f"key-pg-{n:04}" for n in range(12)]
        terminator = threading.Thread(target=terminate_repeatedly)
        terminator.start()
        try:
            attempts = [send_until_acked(device, bases, group.id, key) for key in keys]
        finally:
            stop.set()
            terminator.join()
        assert sum(terminated) > 0 and sum(attempts) >= len(keys)
        stored = deployment.db_ideas(group.id)
        assert sorted(stored.values()) == sorted(f"Idea {k}" for k in keys)  # none lost
        assert deployment.seqs(group.id) == list(range(1, len(keys) + 1))  # none doubled
        for sock in (watcher_a, watcher_b):
            sock.until(lambda _: sock.seq == len(keys), timeout=WAIT)  # noqa: B023
            assert sock.ideas == stored


def test_serve_with_workers_shares_the_hub_with_another_instance(
    environment: dict[str, str], servers: tuple[str, str]
) -> None:
    """`serve --workers 2` on its own port: its workers and process A see the same log."""
    with app_server(environment, "--workers", "2") as workers:
        deployment = deployment_of(environment, servers[0], workers)
        assert wait_healthy(workers)["hub"] == {"ok": True, "backend": "RedisHub"}
        group = deployment.workshop.groups[0]
        with views_across(deployment, group.id, group.code) as (a, b, f):
            for n in range(3):
                assert submit(b, f"key-w-{n:04}", f"Idea {n} via workers")["type"] == "ack"
            for sock in (a, b, f):
                sock.until(lambda _: sock.seq == 3, timeout=WAIT)  # noqa: B023
                assert sock.ideas == deployment.db_ideas(group.id)


def test_serve_refuses_workers_without_postgres_or_redis(tmp_path: Path) -> None:
    sqlite = CliRunner().invoke(main, ["serve", "--workers", "2", "--data-dir", str(tmp_path)])
    assert sqlite.exit_code == 2
    assert "--workers 2 needs PostgreSQL" in sqlite.output
    no_redis = CliRunner().invoke(
        main,
        ["serve", "--workers", "2", "--database-url", "postgresql+psycopg://u@h/db"],
        env={"FACILITATOR_REDIS_URL": ""},
    )
    assert no_redis.exit_code == 2
    assert "needs Redis" in no_redis.output
