"""Fixtures that read like usage: a fresh app per test, factories, and phones with their own
cookies that share the app's event loop."""

from __future__ import annotations

import collections
import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from argon2 import PasswordHasher, Type
from sqlmodel import Session
from starlette.testclient import TestClient

from facilitator import security
from facilitator.app import create_app
from facilitator.config import Settings
from facilitator.domain import accounts, workshop_views, workshops
from facilitator.domain.actors import Staff
from facilitator.domain.workshop_views import WorkshopView
from facilitator.domain.workshops import GroupDraft
from facilitator.models import Role
from facilitator.store import migrate
from facilitator.web.state import Services
from tests import backends
from tests.workshop_factory import PASSWORD, appoint

T = TypeVar("T")
__all__ = ["PASSWORD"]


# Hashing each password at OWASP's cost (about 40 ms, for every account made and every login
# of every test) took a tenth of the suite's time. Tests hash with argon2id at its lowest cost;
# those about the cost itself are marked `owasp_hashing`, and servers started as processes
# (the demo, the browser tests) hash as in production.
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("owasp_hashing") is None:
        monkeypatch.setattr(security, "_hasher", _CHEAP_HASHER)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """This run's own migrated PostgreSQL database (one per xdist worker), dropped at the end."""
    backends.require_servers()
    with backends.scratch_database() as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(params=["sqlite+memory", "postgres+redis"])
def backend(request: pytest.FixtureRequest) -> str:
    """The whole in-process suite runs on both deployments (docs/deployment.md)."""
    return str(request.param)


@pytest.fixture
def settings(
    tmp_path: Path, migrated_db: Path, backend: str, request: pytest.FixtureRequest
) -> Settings:
    base = Settings(data_dir=tmp_path, secret_key="test-secret-key", heartbeat_seconds=3600)
    if backend == "postgres+redis":
        url = request.getfixturevalue("postgres_url")
        backends.truncate_all(url)
        # A prefix per test: a room of one test never hears another's events.
        return replace(
            base,
            database_url=url,
            redis_url=backends.REDIS,
            redis_prefix=backends.redis_prefix(),
        )
    db = tmp_path / "facilitator.db"
    shutil.copy(migrated_db, db)
    return replace(base, database_url=f"sqlite:///{db}")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as c:
        yield c


@dataclass
class Person:
    """Someone with their own browser: their own cookies, the app's event loop."""

    http: TestClient
    email: str = ""

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        """A form POST with this browser's CSRF token, as the page's form would send it."""
        form = {"csrf": self.csrf(), **(data or {})}
        return self.http.post(url, data=form, follow_redirects=False, **kw)

    def csrf(self) -> str:
        page = self.http.get("/login")
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, "no CSRF token on the page"
        return match.group(1)


class World:
    """Factories over one running app."""

    def __init__(self, client: TestClient):
        self.client = client
        self.services: Services = client.app.state.services  # type: ignore[attr-defined]

    @property
    def db(self) -> Any:
        return self.services.db

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a coroutine function on the app's event loop."""
        assert self.client.portal is not None
        return self.client.portal.call(fn, *args)

    def read(self, fn: Callable[[Session], T]) -> T:
        return self.db.read_sync(fn)  # type: ignore[no-any-return]

    def browser(self) -> Person:
        http = TestClient(self.client.app, base_url="http://testserver")
        http.portal = self.client.portal  # share the running app and its loop
        return Person(http)

    def staff(self, email: str, role: Role = Role.facilitator, name: str = "") -> Staff:
        user_id = self.run(accounts.create_user, self.db, email, PASSWORD, role, name)
        return Staff(user_id, role, email, name)

    def appoint(self, organiser: Staff, group_id: int, staff: Staff) -> None:
        """Put `staff` on a group as the app does: invited by the organiser, accepted."""
        self.run(appoint, self.db, organiser, group_id, staff)

    def organiser(self, email: str = "olivia@example.org") -> Staff:
        return self.staff(email, Role.organiser, "Olivia")

    def workshop(
        self, organiser: Staff, groups: int = 2, title: str = "Cyber conference"
    ) -> WorkshopView:
        drafts = [GroupDraft(f"Group {n}", f"Question {n}?") for n in range(1, groups + 1)]
        workshop_id = self.run(
            workshops.create_workshop, self.db, organiser, title, "2026-11-27", "", drafts
        )
        return self.read(lambda s: workshop_views.workshop_view(s, workshop_id))

    def logged_in(self, staff: Staff) -> Person:
        person = self.browser()
        person.email = staff.email
        response = person.post("/login", {"email": staff.email, "password": PASSWORD})
        assert response.status_code == 303, response.text
        return person

    def phone(self, code: str) -> Person:
        """A phone that has opened its group's join link (and so joined)."""
        person = self.browser()
        assert person.get(f"/j/{code}").status_code == 200
        return person


@pytest.fixture
def world(client: TestClient) -> World:
    return World(client)


@contextlib.contextmanager
def world_with(settings: Settings, **changes: Any) -> Iterator[World]:
    """A fresh app with some settings changed (a small queue, a short heartbeat...)."""
    app = create_app(replace(settings, **changes))
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client)


# -- live sockets ---------------------------------------------------------------------------

IDEA_ITEM = re.compile(
    r'<li id="idea-(\d+)"[^>]*>.*?<p class="idea-text" dir="auto">(.*?)</p>', re.S
)

BOARD_REGIONS = {"board-body", "workspace"}  # the regions that hold every idea of a view


class Socket:
    """A test WebSocket that reads with a timeout and keeps a model of the board it shows."""

    def __init__(self, session: Any):
        self.session = session
        self.frames: list[dict[str, Any]] = []
        self.ideas: dict[int, str] = {}
        self.seq: int | None = None
        self.epoch = ""
        self.mine: set[int] = set()
        self.waiting: collections.deque[dict[str, Any]] = collections.deque()

    def send(self, message: dict[str, Any] | str | bytes) -> None:
        if isinstance(message, bytes):
            self.session.send_bytes(message)
        elif isinstance(message, str):
            self.session.send_text(message)
        else:
            self.session.send_json(message)

    def receive(self, timeout: float) -> dict[str, Any]:
        """The next frame, decoded; frames the server sent together (a JSON array) one by
        one. A close is `{"type": "closed", "code": ...}`."""
        if not self.waiting:
            data = self.read(timeout)
            self.waiting.extend(data if isinstance(data, list) else [data])
        return self.waiting.popleft()

    def read(self, timeout: float) -> dict[str, Any] | list[dict[str, Any]]:
        """One WebSocket message, decoded."""
        import anyio
        import orjson

        async def receive() -> Any:
            with anyio.fail_after(timeout):
                return await self.session._send_rx.receive()

        message = self.session.portal.call(receive)
        if message["type"] == "websocket.close":
            return {"type": "closed", "code": message.get("code")}
        return orjson.loads(message["text"])  # type: ignore[no-any-return]

    def next(self, timeout: float = 15) -> dict[str, Any]:
        frame = self.receive(timeout)
        self.frames.append(frame)
        self._model(frame)
        return frame  # type: ignore[no-any-return]

    def until(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 15
    ) -> dict[str, Any]:
        while True:
            frame = self.next(timeout)
            if predicate(frame):
                return frame
            if frame["type"] == "closed":
                raise AssertionError(f"socket closed while waiting: {frame}")

    def until_type(self, kind: str, **match: Any) -> dict[str, Any]:
        return self.until(
            lambda f: f["type"] == kind and all(f.get(k) == v for k, v in match.items())
        )

    def until_seq(self, seq: int) -> None:
        if self.seq is not None and self.seq >= seq:
            return
        self.until(lambda f: self.seq is not None and self.seq >= seq)

    def _model(self, frame: dict[str, Any]) -> None:
        import html

        kind = frame["type"]
        if kind in {"patch", "seq"}:
            assert self.seq is None or frame["seq"] == self.seq + 1, (self.seq, frame)
            self.seq = frame["seq"]
        if kind == "reset":
            self.seq, self.epoch, self.ideas = frame["seq"], frame["epoch"], {}
        if kind == "own":
            self.mine = set(frame["mine"]) | (set() if frame.get("all") else self.mine)
        for op, target, fragment in frame.get("ops", []):
            if op == "replace" and target in BOARD_REGIONS:
                self.ideas = {}  # the region comes whole: what it lacks is gone
            if op == "remove" and target.startswith("idea-"):
                self.ideas.pop(int(target.removeprefix("idea-")), None)
            for ident, text in IDEA_ITEM.findall(fragment):
                self.ideas[int(ident)] = html.unescape(text)


def connect(
    person: Person,
    group_id: int,
    audience: str = "participant",
    since: int | None = None,
    epoch: str = "",
) -> Any:
    query = f"as={audience}" + (f"&since={since}&epoch={epoch}" if since is not None else "")
    return person.http.websocket_connect(f"/ws/groups/{group_id}?{query}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI nothing may skip: a skipped test there is a failed one."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and os.environ.get("CI") == "true" and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"A test may not skip under CI=true: {report.longrepr}"
