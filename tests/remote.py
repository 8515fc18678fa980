"""Phones and facilitators talking to real server processes over HTTP and WebSocket, as a
browser does: their own cookies, the page's Origin, the JSON frames of the live protocol."""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import re
import secrets
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import orjson
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from facilitator.domain import accounts, workshop_views, workshops
from facilitator.domain.actors import Staff
from facilitator.domain.workshop_views import WorkshopView
from facilitator.domain.workshops import GroupDraft
from facilitator.models import Role
from facilitator.store.database import Database
from tests.conftest import PASSWORD, Socket

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """One device's cookie jar, pointed at one server."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def on(self, base: str) -> Browser:
        """The same device (same cookies) talking to another server of the deployment."""
        other = Browser(base)
        for cookie in self.jar:
            cookie.domain = urllib.parse.urlsplit(base).hostname or cookie.domain
            other.jar.set_cookie(cookie)
        return other

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as r:
            return r.read().decode()  # type: ignore[no-any-return]

    def post(self, path: str, form: dict[str, str]) -> str:
        csrf = CSRF.search(self.get("/login"))
        assert csrf, "no CSRF token"
        body = urllib.parse.urlencode({"csrf": csrf.group(1), **form}).encode()
        with self.opener.open(self.base + path, data=body, timeout=10) as r:
            return r.read().decode()  # type: ignore[no-any-return]

    @contextlib.contextmanager
    def socket(self, group_id: int, audience: str = "participant") -> Iterator[RemoteSocket]:
        """An open group socket past its first board."""
        with self.resume(group_id, None, "", audience) as sock:
            sock.until_type("reset")
            yield sock

    @contextlib.contextmanager
    def resume(
        self, group_id: int, since: int | None, epoch: str, audience: str = "participant"
    ) -> Iterator[RemoteSocket]:
        """A group socket that asks for what came after `since` (or a board), unread."""
        query = f"as={audience}" + (f"&since={since}&epoch={epoch}" if since is not None else "")
        url = self.base.replace("http", "ws", 1) + f"/ws/groups/{group_id}?{query}"
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        origin = Origin(self.base)
        with connect(
            url, origin=origin, additional_headers={"Cookie": cookies}, open_timeout=10
        ) as ws:
            yield RemoteSocket(ws)


class RemoteSocket(Socket):
    """The test Socket's board model over a real WebSocket."""

    session: ClientConnection

    def send(self, message: dict[str, Any] | str) -> None:
        self.session.send(message if isinstance(message, str) else orjson.dumps(message).decode())

    def read(self, timeout: float) -> dict[str, Any] | list[dict[str, Any]]:
        try:
            return orjson.loads(self.session.recv(timeout=timeout))  # type: ignore[no-any-return]
        except ConnectionClosed as exc:
            return {"type": "closed", "code": exc.rcvd.code if exc.rcvd else None}


def phone(base: str, code: str) -> Browser:
    """A phone that opened its group's join link on this server."""
    browser = Browser(base)
    browser.get(f"/j/{code}")
    return browser


def facilitator(base: str, email: str) -> Browser:
    browser = Browser(base)
    browser.post("/login", {"email": email, "password": PASSWORD})
    return browser


def make_workshop(url: str, groups: int = 1) -> tuple[Staff, WorkshopView]:
    """An organiser (who facilitates every group) and a workshop, written to the database."""

    async def build() -> tuple[Staff, WorkshopView]:
        db = Database(url)
        try:
            email = f"olivia-{secrets.token_hex(4)}@example.org"  # one organiser per call
            user_id = await accounts.create_user(db, email, PASSWORD, Role.organiser, "Olivia")
            organiser = Staff(user_id, Role.organiser, email, "Olivia")
            drafts = [GroupDraft(f"Group {n}", f"Question {n}?") for n in range(1, groups + 1)]
            workshop_id = await workshops.create_workshop(
                db, organiser, "Scale-out", "2026-11-27", "", drafts
            )
            view = await db.read(lambda s: workshop_views.workshop_view(s, workshop_id))
            return organiser, view
        finally:
            db.close()

    return asyncio.run(build())
